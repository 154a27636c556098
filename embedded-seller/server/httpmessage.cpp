#include "httpmessage.h"

namespace adcp::seller {

bool httpHeaderNameEquals(std::string_view a, std::string_view b)
{
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i) {
        char x = a[i];
        char y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = char(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = char(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

std::string_view HttpRequest::header(std::string_view name) const
{
    for (const auto &[key, value] : headers) {
        if (httpHeaderNameEquals(key, name))
            return value;
    }
    return {};
}

std::string_view HttpRequest::path() const
{
    const std::string_view t = target;
    return t.substr(0, t.find('?'));
}

void HttpResponse::setHeader(std::string name, std::string value)
{
    for (auto &[key, existing] : headers) {
        if (httpHeaderNameEquals(key, name)) {
            existing = std::move(value);
            return;
        }
    }
    headers.emplace_back(std::move(name), std::move(value));
}

} // namespace adcp::seller
