// RFC 3339 date and date-time checks (protocol/wire/rfc3339): any bytes, no crash, and an accepted text has
// the only length the grammar allows for a date, and at least the shortest date-time's length.
#include "wire/rfc3339.h"

#include "fuzzinput.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const std::string_view text = adcp::fuzz::asText(data, size);
    if (adcp::wire::isRfc3339Date(text) && text.size() != 10)
        std::abort();
    if (adcp::wire::isRfc3339DateTime(text) && text.size() < 20)
        std::abort();
    return 0;
}
