#pragma once

#include "dispatcher.h"
#include "httpmessage.h"
#include "httpsignature.h"

#include <QString>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace adcp::seller {

// How a principal's requests are signed. Off: signatures are not looked at (bearer only, request_signing not
// declared). Optional: a signature present is verified and then authenticates; unsigned requests use the
// bearer token. Required: besides, an unsigned request for an operation in required_for is refused with
// request_signature_required, whatever token it carries.
enum class SigningMode { Off, Optional, Required };
// request_signing.covers_content_digest.
enum class DigestPolicy { Either, Required, Forbidden };

std::optional<SigningMode> signingModeFromString(std::string_view text);
std::optional<DigestPolicy> digestPolicyFromString(std::string_view text);

struct RequestSigningConfig
{
    SigningMode mode = SigningMode::Off;                            // principals not listed below
    std::map<std::string, SigningMode, std::less<>> principalModes; // per-principal overrides
    DigestPolicy contentDigest = DigestPolicy::Either;
    std::vector<std::string> requiredFor;  // operations refused unsigned in Required mode
    std::vector<std::string> supportedFor; // operations whose signatures are verified
    // A signer's JWKS member (public half only is read) and the principal its verified requests act as.
    struct TrustedKey
    {
        nlohmann::json jwk;
        Principal principal;
    };
    std::vector<TrustedKey> keys;
    std::set<std::string, std::less<>> revokedKeyIds;
    // Remembered (keyid, @target-uri, nonce) entries of one key until its signatures expire; a key at the cap
    // is refused with request_signature_rate_abuse rather than evicting (an eviction would reopen replays).
    std::size_t replayCapPerKey = 1000000;
    // The scheme the signer saw (https behind a TLS-terminating proxy); the authority is the Host header.
    std::string scheme = "http";
    // Unix seconds; empty = the system clock. Tests inject theirs.
    std::function<long long()> now;

    bool enabled() const; // any principal (or the default) not Off
    SigningMode modeFor(std::string_view principalId) const;
    // The request_signing block of get_adcp_capabilities for this principal; null when its mode is Off.
    nlohmann::json capabilityFor(std::string_view principalId) const;
    // Adds every member of a JWKS file (a {"keys": [...]} document) as bound to `principal`. A member whose
    // key cannot be used is still added: a request naming it is refused with key_purpose_invalid.
    bool addJwksFile(const QString &path, const Principal &principal, QString *error);
};

// The outcome of looking at a request's Signature / Signature-Input headers.
struct SignatureCheck
{
    enum class Kind { Unsigned, Verified, Rejected };
    Kind kind = Kind::Unsigned;
    std::string code;                   // request_signature_* when Rejected
    std::string message;                // why, for the peer
    std::optional<Principal> principal; // the signer's principal when Verified
    std::string keyId;
};

// RFC 9421 verifier of the AdCP request-signing profile (adcp/request-signing/v1), run in the checklist
// order: header pair, parse, required parameters, tag, alg, window, covered components, key, key purpose,
// revocation, per-key cap and replay, signature, Content-Digest, then the nonce is remembered. Replay state
// is in memory and bounded: at most replayCapPerKey entries per configured key. Thread-safe.
class RequestVerifier final
{
public:
    explicit RequestVerifier(RequestSigningConfig config);
    RequestVerifier(const RequestVerifier &) = delete;
    RequestVerifier &operator=(const RequestVerifier &) = delete;

    const RequestSigningConfig &config() const;
    SignatureCheck verify(const HttpRequest &request) const;
    // Replay entries held now (all keys), after dropping the expired ones.
    std::size_t replayEntries() const;

    static bool hasSignatureHeaders(const HttpRequest &request);
    // Whether AdCP arguments carry a non-empty push_notification_config.authentication anywhere: such a
    // request registers webhook credentials and must be signed whenever signing is on.
    static bool carriesWebhookAuthentication(const nlohmann::json &arguments);

private:
    struct Key
    {
        std::optional<httpsig::VerificationKey> key;
        nlohmann::json jwk;
        Principal principal;
        std::string unusable; // why the JWK cannot verify request signatures; empty = usable
    };
    struct ReplayLog
    {
        std::unordered_map<std::string, long long> expiries; // SHA-256(target-uri, nonce) → unix expiry
        std::multimap<long long, std::string> byExpiry;
    };
    enum class ReplayState { Fresh, Replayed, CapReached };

    long long now() const;
    SignatureCheck reject(std::string code, std::string message) const;
    ReplayState replayState(const std::string &keyId, const std::string &entry, long long now) const;
    ReplayState remember(const std::string &keyId, const std::string &entry, long long expiry,
                         long long now) const;
    static void dropExpired(ReplayLog &log, long long now);

    RequestSigningConfig m_config;
    std::map<std::string, Key, std::less<>> m_keys;
    mutable std::mutex m_mutex;
    mutable std::map<std::string, ReplayLog, std::less<>> m_replay;
};

} // namespace adcp::seller
