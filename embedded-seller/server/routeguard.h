#pragma once

#include "bearerauth.h"
#include "httpmessage.h"
#include "sellerserveroptions.h"

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace adcp::seller {

class RouteExchange;

// What every protected route checks first: Host/Origin (DNS rebinding), the bearer token, and the
// principal's share of requests in flight. Thread-safe.
class RouteGuard final
{
public:
    RouteGuard(BearerAuth auth, const SellerServerOptions &options);
    RouteGuard(const RouteGuard &) = delete;
    RouteGuard &operator=(const RouteGuard &) = delete;

    bool hostAllowed(const HttpRequest &request) const;
    // The principal, or nullopt after answering 401 on the exchange.
    std::optional<Principal> authenticate(RouteExchange &exchange) const;
    // The 401 answer for a request without a valid token (nullopt when the token is fine).
    std::optional<HttpResponse> authRejection(const HttpRequest &request) const;
    // Takes one of the principal's in-flight slots (released when the returned handle is dropped), or
    // answers 429 on the exchange and returns null.
    std::shared_ptr<void> admit(RouteExchange &exchange, const std::string &principalId);
    int inFlight(const std::string &principalId) const;

private:
    struct AuthOutcome
    {
        std::optional<Principal> principal;
        HttpResponse rejection;
        std::string code;
    };
    AuthOutcome check(const HttpRequest &request) const;

    BearerAuth m_auth;
    const SellerServerOptions &m_options;
    mutable std::mutex m_mutex;
    std::map<std::string, int, std::less<>> m_inFlight;
};

} // namespace adcp::seller
