#include "fuzzinput.h"

#include <QCoreApplication>

#include <memory>

namespace adcp::fuzz {

std::string_view asText(const uint8_t *data, size_t size)
{
    return {reinterpret_cast<const char *>(data), size};
}

SplitInput splitFirstLine(std::string_view text)
{
    const size_t end = text.find('\n');
    if (end == std::string_view::npos)
        return {text, {}};
    std::string_view head = text.substr(0, end);
    if (!head.empty() && head.back() == '\r')
        head.remove_suffix(1);
    return {head, text.substr(end + 1)};
}

const std::string &pickBySelector(std::string_view selector, const std::vector<std::string> &choices)
{
    size_t sum = 0;
    for (const char c : selector)
        sum = sum * 31 + static_cast<unsigned char>(c);
    return choices[sum % choices.size()];
}

void ensureCoreApplication()
{
    if (QCoreApplication::instance())
        return;
    static int argc = 1;
    static char name[] = "adcp-fuzz";
    static char *argv[] = {name, nullptr};
    // Lives until the process ends: libFuzzer never returns from its loop to a scope that could own it.
    static const auto app = std::make_unique<QCoreApplication>(argc, argv);
}

} // namespace adcp::fuzz
