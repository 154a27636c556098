#pragma once

#include "dispatcher.h"
#include "httpmessage.h"
#include "httpsignature.h"
#include "replayjournal.h"

#include <QLoggingCategory>
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

// Key discovery, revocation by withdrawal and the replay file report here.
Q_DECLARE_LOGGING_CATEGORY(lcRequestSigning)

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
    DigestPolicy contentDigest = DigestPolicy::Required; // the 3.2 posture; the others are 3.0/3.1 ones
    std::vector<std::string> requiredFor;  // operations refused unsigned in Required mode
    std::vector<std::string> supportedFor; // operations whose signatures are verified
    // A signer's JWKS member (public half only is read) and the principal its verified requests act as.
    struct TrustedKey
    {
        nlohmann::json jwk;
        Principal principal;
    };
    std::vector<TrustedKey> keys;
    // Signers whose JWKS is fetched from a URL (server/jwksfetcher.h) and the principal of their keys; the
    // keys are learnt at each refresh (RequestVerifier::updateJwksUrlKeys).
    struct JwksUrl
    {
        std::string url;
        Principal principal;
    };
    std::vector<JwksUrl> jwksUrls;
    // Revoked whatever a JWKS says.
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

// The members of a JWKS document ({"keys": [...]}) with their public members only (a private half published
// by mistake is never held), each with a non-empty string kid; nullopt with `error` when the document is not
// a JWKS or a member has no kid.
std::optional<std::vector<nlohmann::json>> jwksPublicMembers(const nlohmann::json &document,
                                                             std::string *error);

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
// is bounded (at most replayCapPerKey entries per key), in memory and, after persistReplayTo(), in an
// append-only file that a restart reads back. Keys come from JWKS files (fixed) and from signers' JWKS URLs
// (replaced at each refresh while requests are verified). Thread-safe.
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

    // Reads the replay entries a previous run left in `path` (expired and malformed lines dropped, logged),
    // rewrites it with the live ones, and from now on appends every accepted signature's entry to it before
    // the request goes on. False with `error` when the file cannot be written. Call before serving.
    bool persistReplayTo(const QString &path, QString *error);

    // What updateJwksUrlKeys changed.
    struct KeyUpdate
    {
        std::size_t keys = 0;             // usable or not, now served by that URL
        std::size_t withdrawn = 0;        // newly withdrawn: no longer in the document
        std::vector<std::string> skipped; // why members were ignored (a kid bound elsewhere, ...)
    };
    // Replaces the keys learnt from config().jwksUrls[source] by `members` (from jwksPublicMembers). A key
    // the previous set had and `members` lacks is withdrawn: refused as revoked
    // (request_signature_key_revoked) from now on, even if a later document lists it again. A kid bound to a
    // JWKS file or to another URL is skipped. Requests verified at the same time see either the old or the
    // new set.
    KeyUpdate updateJwksUrlKeys(std::size_t source, const std::vector<nlohmann::json> &members);
    // Called, from the verifying thread, when a signature names no known key (the fetcher refreshes early).
    // The handler must be quick and thread-safe; null removes it.
    void setUnknownKeyHandler(std::function<void(const std::string &keyId)> handler);

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
        bool withdrawn = false; // gone from its signer's JWKS URL: refused as revoked
    };
    using KeyMap = std::map<std::string, Key, std::less<>>;
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
    static Key makeKey(const nlohmann::json &jwk, const Principal &principal);
    std::shared_ptr<const KeyMap> keySnapshot() const;
    void unknownKey(const std::string &keyId) const;

    RequestSigningConfig m_config;
    KeyMap m_fileKeys; // fixed after construction
    // Keys learnt from each JWKS URL (withdrawn ones kept, marked), and the merged view verify() reads: a
    // snapshot swapped whole under m_keysMutex, so a refresh never changes a set a verification is using.
    mutable std::mutex m_keysMutex;
    std::vector<KeyMap> m_urlKeys;
    std::shared_ptr<const KeyMap> m_keys;
    mutable std::mutex m_handlerMutex;
    std::function<void(const std::string &)> m_unknownKeyHandler;
    mutable std::mutex m_mutex;
    mutable std::map<std::string, ReplayLog, std::less<>> m_replay;
    mutable std::unique_ptr<ReplayJournal> m_journal; // under m_mutex
    mutable bool m_journalFailed = false;
};

} // namespace adcp::seller
