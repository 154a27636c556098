// The seller's MCP entry without sockets: method, headers and body into SellerRouter (/mcp by default).
#include "httprouterfuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return adcp::fuzz::runHttpRouterInput(data, size, "/mcp");
}
