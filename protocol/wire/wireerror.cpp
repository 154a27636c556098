#include "wireerror.h"

#include "jsonread.h"

namespace adcp::wire {

WireError::WireError(std::string pointer, const std::string &message)
    : std::runtime_error((pointer.empty() ? std::string("(root)") : pointer) + ": " + message),
      m_pointer(std::move(pointer)), m_detail(message)
{}

WireError WireError::within(std::string_view token) const
{
    return WireError(appendToken(std::string(), token) + m_pointer, m_detail);
}

} // namespace adcp::wire
