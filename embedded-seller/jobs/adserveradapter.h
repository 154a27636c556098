#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace adcp::seller {

// One call of the job worker into an ad server: a step of one package of one media buy.
struct AdapterRequest
{
    std::string mediaBuyId;
    std::string packageId;
    std::string step;       // "book", "approve", "pause", "resume", "cancel"
    nlohmann::json payload; // step-specific: budget, flight, product, pacing

    // Deterministic per (media buy, package, step): a retried or replayed job sends the same key, and the ad
    // server answers with the order it already has instead of creating another one.
    std::string idempotencyKey() const;
};

enum class AdapterStatus {
    Done,       // the ad server did what was asked (or had already done it for this key)
    RetryLater, // not ready yet (an approval pending, a transient fault); call again after retryAfterSeconds
    Failed      // refused for good; the buy cannot go live on this ad server
};

struct AdapterResult
{
    AdapterStatus status = AdapterStatus::Failed;
    std::string externalId; // the ad server's order / deal id
    std::string state;      // the ad server's own state of the order after the call
    int retryAfterSeconds = 0;
    std::string message;
    bool replayed = false; // the key was known: nothing new was created
};

// The interface the job worker drives. execute() blocks (it may take the ad server's latency) and is called
// from the worker thread only; implementations must be safe to call from any one thread at a time per
// instance, and must never create two orders for one idempotency key, even across process restarts.
class AdServerAdapter
{
public:
    virtual ~AdServerAdapter() = default;
    virtual std::string name() const = 0;
    // Steps the worker runs after "book" for this ad server, in order, before the package is live.
    virtual std::vector<std::string> activationSteps() const = 0;
    virtual AdapterResult execute(const AdapterRequest &request) = 0;
};

} // namespace adcp::seller
