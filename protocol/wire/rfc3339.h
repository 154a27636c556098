#pragma once

#include <string_view>

namespace adcp::wire {

// RFC 3339 section 5.6 checks, written by hand so that they cost no regex construction or allocation: the
// schema registry runs them for every `format: date-time` / `format: date` value it meets.
// "2026-03-01T12:00:00Z", "2026-03-01t12:00:00.250+05:30" and leap second :60 are accepted; a missing time
// zone, a space instead of "T", month 13 or February 30 are not.
bool isRfc3339DateTime(std::string_view text);
bool isRfc3339Date(std::string_view text);

} // namespace adcp::wire
