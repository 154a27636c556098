#pragma once

#include "adcperror.h"
#include "agenttransport.h"
#include "httpsignature.h"

#include <QByteArray>
#include <QString>
#include <QUrl>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The buyer's side of the AdCP request-signing profile (adcp/request-signing/v1, RFC 9421): the signer that
// puts Signature-Input / Signature (and Content-Digest) on an outgoing request, what an agent's
// get_adcp_capabilities says about signing, and the per-agent state the transports and the AgentClient share.
namespace adcp {

inline constexpr std::string_view kRequestSigningTag = "adcp/request-signing/v1";
// created → expires of every signature; the profile allows at most 300 s.
inline constexpr qint64 kRequestSignatureLifetimeSeconds = 120;

// RFC 7638 JWK thumbprint (SHA-256, base64url) of a public JWK: the key id the workbench gives its keys.
std::string jwkThumbprint(const nlohmann::json &publicJwk);

// A new request-signing key as a profile keeps it: the private key as PKCS#8 PEM (a secret), its key id (the
// JWK thumbprint), algorithm and public JWK.
struct GeneratedSigningKey
{
    QByteArray privatePem;
    std::string keyId;
    std::string algorithm;
    nlohmann::json publicJwk;
};
// `algorithm` is ed25519 or ecdsa-p256-sha256 (anything else makes an Ed25519 key).
GeneratedSigningKey generateRequestSigningKey(std::string_view algorithm);

// A {"keys": [jwk]} document with the public half only, as a seller registers it.
nlohmann::json publicJwks(const nlohmann::json &publicJwk);

class RequestSigner final
{
public:
    RequestSigner(httpsig::SigningKey key, std::string keyId);

    const std::string &keyId() const;
    std::string_view algorithm() const;
    nlohmann::json publicJwk() const;

    struct Options
    {
        qint64 created = 0;      // unix seconds; 0 = now
        std::string nonce;       // empty = 16 fresh random bytes, base64url
        bool coverDigest = true; // cover content-digest when there is a body
    };
    // Signature headers (Content-Digest when the digest is covered, Signature-Input, Signature; label sig1)
    // for a request of `method` to `url` carrying `body` of `contentType`. Covered: @method, @target-uri,
    // @authority, and content-type (+ content-digest) when there is a body. Empty when the URL cannot be
    // canonicalized (the error says why).
    HeaderList sign(const QByteArray &method, const QUrl &url, const QByteArray &contentType,
                    const QByteArray &body, const Options &options, std::string *error = nullptr) const;

private:
    httpsig::SigningKey m_key;
    std::string m_keyId;
};

// The request_signing block of an agent's get_adcp_capabilities.
struct RequestSigningPolicy
{
    bool known = false; // capabilities were read
    bool supported = false;
    std::string coversContentDigest = "either"; // required, forbidden, either
    std::vector<std::string> requiredFor;
    std::vector<std::string> supportedFor;

    static RequestSigningPolicy fromCapabilities(const nlohmann::json &capabilities);
    bool requiresSignature(std::string_view operation) const;
};

// One agent connection's signing state: the profile's signer (if it has a key) and the agent's policy once
// its capabilities were read. Shared by the AgentClient (which learns the policy and refuses calls that
// cannot be signed) and its transport (which signs); both live on one thread.
class RequestSigning final
{
public:
    explicit RequestSigning(std::optional<RequestSigner> signer = std::nullopt);

    const std::optional<RequestSigner> &signer() const;
    const RequestSigningPolicy &policy() const;
    void learnCapabilities(const nlohmann::json &capabilities);

    // With a key: every request is signed unless the agent's capabilities say it does not verify signatures.
    bool shouldSign() const;
    // The error a call of `operation` fails with before anything is sent: the agent requires a signature for
    // it and the profile has no signing key. nullopt when the call may go.
    std::optional<AdcpError> refusal(const QString &operation) const;
    // The headers to add to a POST of `body` (JSON) to `url`; empty when nothing is signed.
    HeaderList headersFor(const QUrl &url, const QByteArray &body) const;

private:
    std::optional<RequestSigner> m_signer;
    RequestSigningPolicy m_policy;
};

} // namespace adcp
