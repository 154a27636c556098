#include "schemapattern.h"

#include <QRegularExpression>
#include <QString>

#include <unordered_map>

namespace adcp {

namespace {

bool isHex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

} // namespace

std::string pcrePatternFromEcma(const std::string &pattern)
{
    std::string out;
    out.reserve(pattern.size() + 8);
    bool inClass = false;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        const char c = pattern[i];
        if (c == '\\' && i + 1 < pattern.size()) {
            const char next = pattern[i + 1];
            if (next == 'u' && i + 5 < pattern.size() && isHex(pattern[i + 2]) && isHex(pattern[i + 3]) &&
                isHex(pattern[i + 4]) && isHex(pattern[i + 5])) {
                out += "\\x{" + pattern.substr(i + 2, 4) + '}';
                i += 5;
            } else {
                out += c;
                out += next;
                ++i;
            }
            continue;
        }
        if (c == '[' && !inClass)
            inClass = true;
        else if (c == ']' && inClass)
            inClass = false;
        if (c == '$' && !inClass)
            out += "\\z";
        else
            out += c;
    }
    return out;
}

std::optional<bool> searchSchemaPattern(const std::string &pattern, const std::string &text)
{
    // QRegularExpression is reentrant, not thread-safe: each thread matches with its own compiled copies.
    thread_local std::unordered_map<std::string, QRegularExpression> cache;
    auto it = cache.find(pattern);
    if (it == cache.end()) {
        QRegularExpression regex(QString::fromStdString(pcrePatternFromEcma(pattern)));
        regex.optimize();
        it = cache.emplace(pattern, std::move(regex)).first;
    }
    const QRegularExpression &regex = it->second;
    if (!regex.isValid())
        return std::nullopt;
    // Qt reports an engine that gave up (PCRE2's match or heap limit) as no match, which is what a validator
    // wants: the value is rejected, the process goes on.
    return regex.match(QString::fromStdString(text)).hasMatch();
}

} // namespace adcp
