// The compact JSON writer (protocol/wire/jsonwrite) against nlohmann's own writer in its non-throwing mode:
// the input as one string value, the input read as CBOR (any document: invalid UTF-8 in keys and values,
// every number kind, binary, nesting), and, for input that is valid UTF-8, the string-literal escaper used
// for the MCP text copy. Any byte of difference aborts.
#include "wire/jsonread.h"
#include "wire/jsonwrite.h"

#include "fuzzinput.h"

#include <cstdlib>

namespace {

using nlohmann::json;

std::string reference(const json &value)
{
    return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

void same(const json &value)
{
    if (adcp::wire::dump(value) != reference(value))
        std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const std::string text(adcp::fuzz::asText(data, size));
    same(json(text));
    same(json{{text, json::array({text, 1})}});

    json document;
    try {
        // nlohmann's CBOR reader throws for some sizes even when asked not to (out_of_range 408).
        document = json::from_cbor(data, data + size, true, false, json::cbor_tag_handler_t::ignore);
    } catch (const json::exception &) {
        document = json(json::value_t::discarded);
    }
    if (!document.is_discarded())
        same(document);

    std::string strict;
    try {
        strict = json(text).dump();
    } catch (const json::type_error &) {
        return 0; // not valid UTF-8: the escaper is only for text this program wrote
    }
    std::string escaped;
    adcp::wire::appendJsonString(escaped, text);
    if (escaped != strict)
        std::abort();
    return 0;
}
