// The client's handling of an MCP server's JSON-RPC answer (protocol/transports/mcptransport, secretmask):
// the tools/call result, the JSON-RPC error and the masking the exchange log applies to the raw body.
#include "transports/mcptransport.h"
#include "transports/secretmask.h"

#include "fuzzinput.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const std::string_view text = adcp::fuzz::asText(data, size);
    adcp::maskRawJson(QByteArray(text.data(), static_cast<qsizetype>(text.size())));
    const nlohmann::json message = nlohmann::json::parse(text, nullptr, false);
    if (message.is_discarded())
        return 0;
    adcp::maskJsonSecrets(message);
    if (message.is_object() && message.contains("result"))
        adcp::outcomeFromMcpToolResult(message.at("result"));
    else if (message.is_object() && message.contains("error"))
        adcp::adcpErrorFromJsonRpcError(message.at("error"));
    else
        adcp::outcomeFromMcpToolResult(message);
    return 0;
}
