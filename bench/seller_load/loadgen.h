#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

// A closed-loop HTTP/1.1 load generator: `concurrency` keep-alive connections, each sending its next request
// as soon as the previous answer is complete (Content-Length or chunked, JSON or SSE), on one thread of its
// own so that every server, ours or the reference seller, is driven by exactly the same client.
namespace loadgen {

struct Target
{
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
};

// The whole request bytes for the next call of one connection (a fresh idempotency key, say).
using MakeRequest = std::function<std::string()>;
// Whether an answer counts as served (status 200 and no JSON-RPC or tool error, say).
using Accept = std::function<bool(unsigned status, const std::string &body)>;

struct Result
{
    double requestsPerSecond = 0;
    double p50Ms = 0;
    double p99Ms = 0;
    double maxMs = 0;
    std::uint64_t served = 0;
    std::uint64_t errors = 0;
    std::uint64_t reconnects = 0;
    std::string firstError; // status and body of the first answer not accepted
    // CPU time of this whole process (servers in it and the client) per served request, in microseconds: a
    // figure that other load on the machine disturbs less than requests/s.
    double cpuUsPerRequest = 0;
    // What the figures above come from, for pooling runs of one case (pooled()).
    double measuredSeconds = 0;
    double cpuSeconds = 0;
    std::vector<double> latenciesMs; // sorted
};

// The figures of several runs of one case taken together, as if they were one run of their summed length:
// requests/s over the summed seconds, percentiles over every latency, CPU over every request.
Result pooled(const std::vector<Result> &runs);

// Runs the load for `seconds` (after `warmupSeconds` whose answers are not counted).
Result run(const Target &target, int concurrency, double seconds, double warmupSeconds, const MakeRequest &make,
           const Accept &accept);

// One request on a fresh connection, for set-up: the status and body (status 0 when nothing came back).
std::pair<unsigned, std::string> once(const Target &target, const std::string &request);

// The default acceptance: 200 and neither a JSON-RPC error nor an MCP tool error in the body.
bool servedOk(unsigned status, const std::string &body);

// Latency percentiles of a sample (sorted in place).
double percentile(std::vector<double> &sortedOrNot, double fraction);

} // namespace loadgen
