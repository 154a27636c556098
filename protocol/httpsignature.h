#pragma once

#include "structuredfield.h"

#include <QByteArray>

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// The RFC 9421 pieces both AdCP signing profiles share (request signing, adcp/request-signing/v1, and webhook
// signing, adcp/webhook-signing/v1): structured-field parsing of Signature-Input / Signature / Content-Digest
// (RFC 8941, strict, in structuredfield.h), the profile's @target-uri and @authority canonicalization, the
// signature base, and the two allowed algorithms (ed25519, ecdsa-p256-sha256) with keys given as JWKs. Every
// input is a peer's bytes: parsers answer nullopt with a reason, never throw.
namespace adcp::httpsig {

// ---- @target-uri / @authority (AdCP profile of RFC 9421 §2.2) ----

struct CanonicalTarget
{
    std::string targetUri;
    std::string authority;
};
// Lowercase scheme and host, userinfo and fragment dropped, default port stripped, IPv6 brackets kept, dot
// segments removed, %xx uppercased and unreserved bytes decoded, query kept byte for byte, empty path → "/".
// Refused: no host, an unbracketed or zone-scoped IPv6 literal, a host that is not ASCII (a raw IDN U-label
// is ambiguous; signers send the A-label), control bytes, a broken %-escape.
std::optional<CanonicalTarget> canonicalizeTarget(std::string_view absoluteUrl, std::string *error = nullptr);

// ---- Signature base (RFC 9421 §2.5) ----

// `"name": value` lines in the covered order, then `"@signature-params": <params>`; LF separated, no final
// LF.
QByteArray signatureBase(const std::vector<std::pair<QByteArray, QByteArray>> &componentValues,
                         const QByteArray &signatureParams);

// ---- Content-Digest (RFC 9530) ----

// "sha-256=:<base64(SHA-256(body))>:".
QByteArray contentDigest(const QByteArray &body);
// Whether a Content-Digest field names sha-256 or sha-512 and every such member matches the body.
bool contentDigestMatches(std::string_view headerValue, const QByteArray &body);

// ---- Keys ----

inline constexpr std::string_view kAlgEd25519 = "ed25519";
inline constexpr std::string_view kAlgEs256 = "ecdsa-p256-sha256";

// A public key from a JWK: OKP/Ed25519 or EC/P-256. Shared, immutable, safe to use from any thread.
class VerificationKey final
{
public:
    static std::optional<VerificationKey> fromJwk(const nlohmann::json &jwk, std::string *error = nullptr);
    // The RFC 9421 algorithm name this key verifies (ed25519 or ecdsa-p256-sha256).
    std::string_view algorithm() const;
    // ES256 signatures are IEEE P1363 r||s (64 bytes), as RFC 9421 §3.3.2 has them.
    bool verify(const QByteArray &message, const QByteArray &signature) const;

private:
    struct Data;
    std::shared_ptr<const Data> d;
};

// A private key that signs with one of the two algorithms; for tests and signing clients.
class SigningKey final
{
public:
    static SigningKey generateEd25519();
    static SigningKey generateEs256();
    // The private key as unencrypted PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"), to be kept as a secret, and
    // back: nullopt with a reason for anything but an Ed25519 or P-256 private key.
    QByteArray toPkcs8Pem() const;
    static std::optional<SigningKey> fromPkcs8Pem(const QByteArray &pem, std::string *error = nullptr);
    std::string_view algorithm() const;
    QByteArray sign(const QByteArray &message) const;
    // The public half: kid, kty, crv, x (and y), alg (EdDSA / ES256), use sig, key_ops [verify], adcp_use.
    nlohmann::json publicJwk(const std::string &keyId, const std::string &adcpUse = "request-signing") const;

private:
    struct Data;
    std::shared_ptr<const Data> d;
};

// base64url without padding, as JWK members are written.
QByteArray base64Url(const QByteArray &bytes);

} // namespace adcp::httpsig
