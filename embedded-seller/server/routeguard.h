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

// What an unsigned request is about, for the request-signing policy: the AdCP operation (empty for protocol
// methods such as initialize) and its arguments (null when none).
struct SigningTarget
{
    std::string operation;
    nlohmann::json arguments;
    bool jsonRpc = true; // the route answers JSON-RPC envelopes (MCP, A2A) rather than bare AdCP bodies
};

// What every protected route checks first: Host/Origin (DNS rebinding), the RFC 9421 request signature when
// request signing is on, the bearer token, and the principal's share of requests in flight. Thread-safe.
class RouteGuard final
{
public:
    // Request signing is on when options.requestVerifier is set.
    RouteGuard(BearerAuth auth, const SellerServerOptions &options);
    RouteGuard(const RouteGuard &) = delete;
    RouteGuard &operator=(const RouteGuard &) = delete;

    bool hostAllowed(const HttpRequest &request) const;
    // The principal, or nullopt after answering 401 on the exchange. Bearer token only.
    std::optional<Principal> authenticate(RouteExchange &exchange) const;
    // With request signing on: a signed request is verified and acts as its key's principal; an unsigned one
    // needs its bearer token, and is refused with request_signature_required when the policy wants it signed.
    // Without request signing this is authenticate(exchange).
    std::optional<Principal> authenticate(RouteExchange &exchange, const SigningTarget &target) const;
    bool signingEnabled() const;
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
    void replySignatureError(RouteExchange &exchange, const std::string &code, const std::string &message,
                             bool jsonRpc) const;

    BearerAuth m_auth;
    const SellerServerOptions &m_options;
    const RequestVerifier *m_verifier;
    mutable std::mutex m_mutex;
    std::map<std::string, int, std::less<>> m_inFlight;
};

} // namespace adcp::seller
