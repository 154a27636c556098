#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

// Shared by the two harnesses of the seller's socket-free HTTP core (embedded-seller/server/sellerrouter.h).
// Input: an HTTP head in text form, "METHOD [TARGET]\n" then "Name: value" lines, a blank line, then the body.
// The harness fixes the path (/mcp or /a2a) when the input's target is not one of the router's routes, so
// mutated targets still reach an endpoint. Every input runs against a fresh copy of one seeded database and a
// fresh router, so no input sees the sessions, tasks or rows an earlier one left.
namespace adcp::fuzz {

int runHttpRouterInput(const uint8_t *data, size_t size, std::string_view defaultPath);

} // namespace adcp::fuzz
