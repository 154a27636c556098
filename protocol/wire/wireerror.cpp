#include "wireerror.h"

namespace adcp::wire {

namespace {

std::string escapeToken(std::string_view token)
{
    std::string out;
    for (const char c : token) {
        if (c == '~')
            out += "~0";
        else if (c == '/')
            out += "~1";
        else
            out += c;
    }
    return out;
}

} // namespace

WireError::WireError(std::string pointer, const std::string &message)
    : std::runtime_error((pointer.empty() ? std::string("(root)") : pointer) + ": " + message),
      m_pointer(std::move(pointer)), m_detail(message)
{}

WireError WireError::within(std::string_view token) const
{
    return WireError('/' + escapeToken(token) + m_pointer, m_detail);
}

} // namespace adcp::wire
