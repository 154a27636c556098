// The seller's A2A entry without sockets: method, headers and body into SellerRouter (/a2a by default).
#include "httprouterfuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return adcp::fuzz::runHttpRouterInput(data, size, "/a2a");
}
