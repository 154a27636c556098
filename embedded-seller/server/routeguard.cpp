#include "routeguard.h"

#include "requestsigning.h"
#include "routeexchange.h"
#include "rpcwire.h"

#include <QUrl>

#include <algorithm>

namespace adcp::seller {

namespace {

QString routeguardHostOf(std::string_view hostHeader)
{
    QString host = QString::fromLatin1(hostHeader.data(), qsizetype(hostHeader.size())).trimmed().toLower();
    if (host.startsWith(QLatin1Char('['))) {
        const qsizetype end = host.indexOf(QLatin1Char(']'));
        return end > 0 ? host.left(end + 1) : host;
    }
    const qsizetype colon = host.lastIndexOf(QLatin1Char(':'));
    return colon >= 0 ? host.left(colon) : host;
}

} // namespace

RouteGuard::RouteGuard(BearerAuth auth, const SellerServerOptions &options)
    : m_auth(std::move(auth)), m_options(options), m_verifier(options.requestVerifier.get())
{
}

bool RouteGuard::signingEnabled() const
{
    return m_verifier && m_verifier->config().enabled();
}

bool RouteGuard::hostAllowed(const HttpRequest &request) const
{
    if (m_options.allowedHosts.isEmpty())
        return true;
    const std::string_view host = request.header("Host");
    if (!host.empty() && !m_options.allowedHosts.contains(routeguardHostOf(host)))
        return false;
    const std::string_view origin = request.header("Origin");
    if (origin.empty())
        return true;
    // "null" is what sandboxed frames and file: pages send: a page we cannot place is foreign.
    const QUrl url(QString::fromLatin1(origin.data(), qsizetype(origin.size())));
    if (!url.isValid() || url.host().isEmpty())
        return false;
    QString originHost = url.host().toLower();
    if (originHost.contains(QLatin1Char(':')))
        originHost = QLatin1Char('[') + originHost + QLatin1Char(']');
    return m_options.allowedHosts.contains(originHost) || m_options.allowedHosts.contains(url.host().toLower());
}

RouteGuard::AuthOutcome RouteGuard::check(const HttpRequest &request) const
{
    const std::string_view header = request.header("Authorization");
    const auto result = m_auth.authenticate(QByteArray(header.data(), qsizetype(header.size())));
    AuthOutcome outcome;
    if (result.principal) {
        outcome.principal = result.principal;
        return outcome;
    }
    AdcpError error = AdcpError::make(result.code, result.message, std::nullopt,
                                      "send Authorization: Bearer <token> with a token this agent was given");
    outcome.rejection.status = 401;
    outcome.rejection.body = rpcwire::dump(
        rpcwire::error(nullptr, rpcwire::kAuthMissing, result.message, {{"adcp_error", error.toJson()}}));
    outcome.rejection.headers.emplace_back("Content-Type", "application/json");
    std::string challenge = "Bearer realm=\"adcp-seller\"";
    if (result.code == "AUTH_INVALID")
        challenge += ", error=\"invalid_token\"";
    outcome.rejection.headers.emplace_back("WWW-Authenticate", std::move(challenge));
    outcome.code = result.code;
    return outcome;
}

std::optional<Principal> RouteGuard::authenticate(RouteExchange &exchange) const
{
    AuthOutcome outcome = check(exchange.request());
    if (outcome.principal) {
        exchange.principal = outcome.principal->id;
        return outcome.principal;
    }
    exchange.reply(std::move(outcome.rejection), outcome.code);
    return std::nullopt;
}

std::optional<Principal> RouteGuard::authenticate(RouteExchange &exchange, const SigningTarget &target) const
{
    if (!signingEnabled())
        return authenticate(exchange);
    const HttpRequest &request = exchange.request();
    AuthOutcome bearer = check(request);
    const bool tokenSent = !request.header("Authorization").empty();
    const RequestSigningConfig &config = m_verifier->config();
    if (RequestVerifier::hasSignatureHeaders(request) &&
        !(bearer.principal && tokenSent && config.modeFor(bearer.principal->id) == SigningMode::Off)) {
        const SignatureCheck signature = m_verifier->verify(request);
        if (signature.kind == SignatureCheck::Kind::Rejected) {
            replySignatureError(exchange, signature.code, signature.message, target.jsonRpc);
            return std::nullopt;
        }
        // A token sent beside a signature must be valid and name the same principal.
        if (tokenSent && !bearer.principal) {
            exchange.reply(std::move(bearer.rejection), bearer.code);
            return std::nullopt;
        }
        if (tokenSent && bearer.principal->id != signature.principal->id) {
            replySignatureError(exchange, "request_signature_key_unknown",
                                "the signing key belongs to another principal than the bearer token",
                                target.jsonRpc);
            return std::nullopt;
        }
        exchange.principal = signature.principal->id;
        exchange.note = "signed:" + signature.keyId;
        return signature.principal;
    }
    const SigningMode mode = bearer.principal ? config.modeFor(bearer.principal->id) : config.mode;
    if (mode != SigningMode::Off && RequestVerifier::carriesWebhookAuthentication(target.arguments)) {
        replySignatureError(
            exchange, "request_signature_required",
            "a request carrying push_notification_config.authentication must be signed (RFC 9421)",
            target.jsonRpc);
        return std::nullopt;
    }
    if (mode == SigningMode::Required && !target.operation.empty() &&
        std::find(config.requiredFor.begin(), config.requiredFor.end(), target.operation) !=
            config.requiredFor.end()) {
        replySignatureError(exchange, "request_signature_required",
                            "operation " + target.operation +
                                " must be signed (RFC 9421, adcp/request-signing/v1)",
                            target.jsonRpc);
        return std::nullopt;
    }
    if (!bearer.principal) {
        exchange.reply(std::move(bearer.rejection), bearer.code);
        return std::nullopt;
    }
    exchange.principal = bearer.principal->id;
    return bearer.principal;
}

void RouteGuard::replySignatureError(RouteExchange &exchange, const std::string &code,
                                     const std::string &message, bool jsonRpc) const
{
    const bool missing = code == "request_signature_required";
    const AdcpError error = AdcpError::make(
        missing ? "AUTH_REQUIRED" : "AUTH_INVALID", code + ": " + message, std::string("Signature"),
        missing ? "sign the request per the AdCP request-signing profile (RFC 9421)"
                : "fix the signature per the AdCP request-signing profile and send a fresh nonce");
    const nlohmann::json body = jsonRpc
                                    ? rpcwire::error(nullptr, rpcwire::kAuthMissing, code + ": " + message,
                                                     {{"adcp_error", error.toJson()}})
                                    : rpcwire::errorPayload(error, nlohmann::json::object());
    exchange.reply(401, body, {{"WWW-Authenticate", "Signature error=\"" + code + "\""}}, code);
}

std::optional<HttpResponse> RouteGuard::authRejection(const HttpRequest &request) const
{
    AuthOutcome outcome = check(request);
    if (outcome.principal)
        return std::nullopt;
    return std::move(outcome.rejection);
}

std::shared_ptr<void> RouteGuard::admit(RouteExchange &exchange, const std::string &principalId)
{
    {
        std::lock_guard lock(m_mutex);
        int &count = m_inFlight[principalId];
        if (count < m_options.maxInFlightPerPrincipal) {
            ++count;
            // The handle points at the guard only to be non-null; its deleter gives the slot back.
            return std::shared_ptr<void>(static_cast<void *>(this), [this, principalId](void *) {
                std::lock_guard release(m_mutex);
                if (auto it = m_inFlight.find(principalId); it != m_inFlight.end() && --it->second <= 0)
                    m_inFlight.erase(it);
            });
        }
    }
    exchange.reply(429,
                   rpcwire::error(nullptr, rpcwire::kInvalidRequest,
                                  "too many requests in flight for this principal; retry shortly"),
                   {{"Retry-After", "1"}}, "RATE_LIMITED");
    return nullptr;
}

int RouteGuard::inFlight(const std::string &principalId) const
{
    std::lock_guard lock(m_mutex);
    const auto it = m_inFlight.find(principalId);
    return it == m_inFlight.end() ? 0 : it->second;
}

} // namespace adcp::seller
