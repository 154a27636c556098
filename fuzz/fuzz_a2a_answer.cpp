// The client's handling of an A2A agent's JSON-RPC answer (protocol/transports/a2atransport): a Task or
// Message result of message/send or tasks/get in the A2A 0.3 and 1.0 shapes, or a JSON-RPC error.
#include "transports/a2atransport.h"
#include "transports/mcptransport.h"

#include "fuzzinput.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const nlohmann::json message = nlohmann::json::parse(adcp::fuzz::asText(data, size), nullptr, false);
    if (message.is_discarded())
        return 0;
    QString state;
    QString taskId;
    if (message.is_object() && message.contains("result"))
        adcp::outcomeFromA2aResult(message.at("result"), &state, &taskId);
    else if (message.is_object() && message.contains("error"))
        adcp::adcpErrorFromJsonRpcError(message.at("error"));
    else
        adcp::outcomeFromA2aResult(message, &state, &taskId);
    return 0;
}
