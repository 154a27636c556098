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

HttpLikeInput splitHttpLike(std::string_view text)
{
    HttpLikeInput input;
    auto [requestLine, rest] = splitFirstLine(text);
    const size_t space = requestLine.find(' ');
    input.method = requestLine.substr(0, space);
    if (space != std::string_view::npos)
        input.target = requestLine.substr(space + 1);
    for (;;) {
        const auto [line, after] = splitFirstLine(rest);
        rest = after;
        const size_t colon = line.find(':');
        if (line.empty() || colon == std::string_view::npos)
            break;
        input.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
    }
    input.body = rest;
    return input;
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
