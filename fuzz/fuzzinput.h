#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// What the harnesses share: reading a libFuzzer input as text. Inputs that carry a selector (a schema id, a
// tool name, a request line) put it on the first line, so that corpus files stay readable and a crash
// reproducer says what it exercised.
namespace adcp::fuzz {

struct SplitInput
{
    std::string_view head; // the first line, without its line end
    std::string_view rest; // everything after the first "\n"
};

std::string_view asText(const uint8_t *data, size_t size);
SplitInput splitFirstLine(std::string_view text);

// An input read as a small HTTP request: "METHOD TARGET" on the first line, then "Name: value" lines up to
// the first line that is empty or has no colon, then the body. Header names and values are as written
// (untrimmed).
struct HttpLikeInput
{
    std::string_view method;
    std::string_view target; // empty when the first line has no space
    std::vector<std::pair<std::string_view, std::string_view>> headers;
    std::string_view body;
};
HttpLikeInput splitHttpLike(std::string_view text);

// A stable pick among `choices` for a selector that names none of them, so that mutated selectors still reach
// a real entry instead of only the "unknown" branch. `choices` must not be empty.
const std::string &pickBySelector(std::string_view selector, const std::vector<std::string> &choices);

// Creates the process's QCoreApplication once (Qt's SQL plugins and resources expect one).
void ensureCoreApplication();

} // namespace adcp::fuzz
