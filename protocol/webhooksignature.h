#pragma once

#include <QByteArray>
#include <QString>

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

// Signing and verification of AdCP webhooks, both profiles: the legacy shared-secret HMAC-SHA256 and the
// RFC 9421 HTTP message signature with Ed25519 (tag adcp/webhook-signing/v1). One implementation for both
// sides: the embedded seller's outbox signs with it, the buyer-side WebhookReceiver verifies with it, so both
// build the same signature base from the same bytes.
namespace adcp::webhooks {

inline constexpr std::string_view kSignatureTag = "adcp/webhook-signing/v1";
inline constexpr qint64 kMaxSignatureLifetimeSeconds = 300;

// Equality of two secrets or signatures in time that does not depend on where they differ.
bool constantTimeEquals(const QByteArray &a, const QByteArray &b);

// ---- Legacy HMAC-SHA256 (X-ADCP-Signature / X-ADCP-Timestamp) ----

// "sha256=" + hex(HMAC-SHA256(secret, "<timestamp>.<rawBody>")).
std::string hmacSignatureHeader(const QByteArray &secret, qint64 timestamp, const QByteArray &rawBody);
// Checks the signature (constant time) and that the timestamp is within ±toleranceSeconds of now.
bool verifyHmacSignature(const QByteArray &secret, const QByteArray &timestampHeader,
                         const QByteArray &signatureHeader, const QByteArray &rawBody, qint64 now,
                         std::string *error = nullptr, qint64 toleranceSeconds = 300);

// ---- RFC 9421 with Ed25519 ----

class Ed25519Key final
{
public:
    static Ed25519Key generate();
    static std::optional<Ed25519Key> fromPrivateKey(const QByteArray &raw32); // the 32-byte seed
    QByteArray privateKey() const;
    QByteArray publicKey() const; // 32 bytes
    QByteArray sign(const QByteArray &message) const;
    static bool verify(const QByteArray &publicKey, const QByteArray &message, const QByteArray &signature);
    // The public half as a JWK (kty OKP, crv Ed25519), as published at a seller's jwks_uri.
    nlohmann::json publicJwk(const std::string &keyId) const;

private:
    Ed25519Key() = default;
    QByteArray m_private;
    QByteArray m_public;
};

// "sha-256=:<base64(SHA-256(body))>:" (RFC 9530).
QByteArray contentDigest(const QByteArray &rawBody);

struct SignatureParameters
{
    std::string keyId;
    qint64 created = 0;
    qint64 expires = 0; // created + at most kMaxSignatureLifetimeSeconds
    std::string nonce;  // fresh per attempt: a retry is a new signature over the same body
};

struct SignedHeaders
{
    QByteArray contentDigest;
    QByteArray signatureInput; // sig1=(...);created=…
    QByteArray signature;      // sig1=:…:
};

// Signs a POST of `rawBody` to `url` over @method @target-uri @authority content-type content-digest.
SignedHeaders signRequest(const QByteArray &method, const QString &url, const QByteArray &contentType,
                          const QByteArray &rawBody, const Ed25519Key &key,
                          const SignatureParameters &params);

// Header names in lowercase → value. resolveKey maps a keyid to its raw public key (empty = unknown key).
using KeyResolver = std::function<QByteArray(const std::string &keyId)>;
struct VerifiedSignature
{
    std::string keyId;
    std::string nonce;
    qint64 created = 0;
    qint64 expires = 0; // a receiver remembers the nonce until then (replay protection)
};
std::optional<VerifiedSignature> verifyRequest(const QByteArray &method, const QString &url,
                                               const std::map<QByteArray, QByteArray> &headers,
                                               const QByteArray &rawBody, const KeyResolver &resolveKey,
                                               qint64 now, std::string *error = nullptr);

// The signature base (RFC 9421 §2.5) for the covered components; exposed for tests and diagnostics.
QByteArray signatureBase(const QByteArray &method, const QString &url, const QByteArray &contentType,
                         const QByteArray &contentDigestValue, const QByteArray &signatureParams);

} // namespace adcp::webhooks
