// JSON Schema validation against the bundled schemas (protocol/schemaregistry). Input: "<schema id>\n<JSON
// document>"; a first line that is no bundled id picks one, so mutated ids still reach real schemas.
#include "schemaregistry.h"

#include "fuzzinput.h"

namespace {

const std::vector<std::string> &schemaIds()
{
    static const std::vector<std::string> ids = adcp::SchemaRegistry::bundled()->schemaIds();
    return ids;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    adcp::fuzz::ensureCoreApplication();
    schemaIds();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const auto input = adcp::fuzz::splitFirstLine(adcp::fuzz::asText(data, size));
    const nlohmann::json document = nlohmann::json::parse(input.rest, nullptr, false);
    if (document.is_discarded())
        return 0;
    const auto registry = adcp::SchemaRegistry::bundled();
    const std::string id = registry->contains(input.head)
                               ? std::string(input.head)
                               : adcp::fuzz::pickBySelector(input.head, schemaIds());
    registry->validate(id, document);
    return 0;
}
