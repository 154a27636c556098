#include "requestsigner.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QRandomGenerator>

#include <algorithm>

namespace adcp {

namespace {

std::vector<std::string> signerStringList(const nlohmann::json &object, const char *name)
{
    std::vector<std::string> out;
    const auto it = object.find(name);
    if (it == object.end() || !it->is_array())
        return out;
    for (const auto &item : *it) {
        if (item.is_string())
            out.push_back(item.get<std::string>());
    }
    return out;
}

std::string signerFreshNonce()
{
    quint32 words[4];
    QRandomGenerator::system()->fillRange(words);
    return httpsig::base64Url(QByteArray(reinterpret_cast<const char *>(words), sizeof words)).toStdString();
}

} // namespace

std::string jwkThumbprint(const nlohmann::json &publicJwk)
{
    // RFC 7638: the required members only, keys sorted, no whitespace (nlohmann's objects are sorted maps).
    nlohmann::json members = nlohmann::json::object();
    for (const char *name : {"crv", "kty", "x", "y"}) {
        if (const auto it = publicJwk.find(name); it != publicJwk.end())
            members[name] = *it;
    }
    const QByteArray canonical = QByteArray::fromStdString(members.dump());
    return httpsig::base64Url(QCryptographicHash::hash(canonical, QCryptographicHash::Sha256)).toStdString();
}

GeneratedSigningKey generateRequestSigningKey(std::string_view algorithm)
{
    const httpsig::SigningKey key = algorithm == httpsig::kAlgEs256 ? httpsig::SigningKey::generateEs256()
                                                                    : httpsig::SigningKey::generateEd25519();
    GeneratedSigningKey generated;
    generated.keyId = jwkThumbprint(key.publicJwk({}));
    generated.algorithm = std::string(key.algorithm());
    generated.publicJwk = key.publicJwk(generated.keyId);
    generated.privatePem = key.toPkcs8Pem();
    return generated;
}

nlohmann::json publicJwks(const nlohmann::json &publicJwk)
{
    nlohmann::json member = nlohmann::json::object();
    for (const char *name : {"kid", "kty", "crv", "x", "y", "alg", "use", "key_ops", "adcp_use"}) {
        if (const auto it = publicJwk.find(name); it != publicJwk.end())
            member[name] = *it;
    }
    return {{"keys", nlohmann::json::array({member})}};
}

// ---- RequestSigner ----

RequestSigner::RequestSigner(httpsig::SigningKey key, std::string keyId)
    : m_key(std::move(key)), m_keyId(std::move(keyId))
{}

const std::string &RequestSigner::keyId() const
{
    return m_keyId;
}

std::string_view RequestSigner::algorithm() const
{
    return m_key.algorithm();
}

nlohmann::json RequestSigner::publicJwk() const
{
    return m_key.publicJwk(m_keyId);
}

HeaderList RequestSigner::sign(const QByteArray &method, const QUrl &url, const QByteArray &contentType,
                               const QByteArray &body, const Options &options, std::string *error) const
{
    const auto target = httpsig::canonicalizeTarget(url.toString(QUrl::FullyEncoded).toStdString(), error);
    if (!target)
        return {};
    const bool hasBody = !body.isEmpty();
    const bool coverDigest = hasBody && options.coverDigest;
    const QByteArray digest = coverDigest ? httpsig::contentDigest(body) : QByteArray();

    std::vector<std::pair<QByteArray, QByteArray>> lines = {
        {"@method", method.toUpper()},
        {"@target-uri", QByteArray::fromStdString(target->targetUri)},
        {"@authority", QByteArray::fromStdString(target->authority)}};
    if (hasBody)
        lines.emplace_back("content-type", contentType);
    if (coverDigest)
        lines.emplace_back("content-digest", digest);

    const qint64 created = options.created > 0 ? options.created : QDateTime::currentSecsSinceEpoch();
    QByteArray params = "(";
    for (std::size_t i = 0; i < lines.size(); ++i)
        params += (i ? " \"" : "\"") + lines[i].first + '"';
    params += ");created=" + QByteArray::number(created) +
              ";expires=" + QByteArray::number(created + kRequestSignatureLifetimeSeconds) + ";nonce=\"" +
              QByteArray::fromStdString(options.nonce.empty() ? signerFreshNonce() : options.nonce) +
              "\";keyid=\"" + QByteArray::fromStdString(m_keyId) + "\";alg=\"" +
              QByteArray::fromStdString(std::string(m_key.algorithm())) + "\";tag=\"" +
              QByteArray::fromStdString(std::string(kRequestSigningTag)) + '"';

    HeaderList headers;
    if (coverDigest)
        headers.append({QByteArrayLiteral("Content-Digest"), digest});
    headers.append({QByteArrayLiteral("Signature-Input"), "sig1=" + params});
    headers.append({QByteArrayLiteral("Signature"),
                    "sig1=:" + m_key.sign(httpsig::signatureBase(lines, params)).toBase64() + ':'});
    return headers;
}

// ---- RequestSigningPolicy ----

RequestSigningPolicy RequestSigningPolicy::fromCapabilities(const nlohmann::json &capabilities)
{
    RequestSigningPolicy policy;
    policy.known = true;
    const auto block = capabilities.is_object() ? capabilities.find("request_signing") : capabilities.end();
    if (block == capabilities.end() || !block->is_object())
        return policy;
    const auto supported = block->find("supported");
    policy.supported = supported != block->end() && supported->is_boolean() && supported->get<bool>();
    const auto digest = block->find("covers_content_digest");
    if (digest != block->end() && digest->is_string())
        policy.coversContentDigest = digest->get<std::string>();
    policy.requiredFor = signerStringList(*block, "required_for");
    policy.supportedFor = signerStringList(*block, "supported_for");
    return policy;
}

bool RequestSigningPolicy::requiresSignature(std::string_view operation) const
{
    return supported && std::find(requiredFor.begin(), requiredFor.end(), operation) != requiredFor.end();
}

// ---- RequestSigning ----

RequestSigning::RequestSigning(std::optional<RequestSigner> signer) : m_signer(std::move(signer)) {}

const std::optional<RequestSigner> &RequestSigning::signer() const
{
    return m_signer;
}

const RequestSigningPolicy &RequestSigning::policy() const
{
    return m_policy;
}

void RequestSigning::learnCapabilities(const nlohmann::json &capabilities)
{
    m_policy = RequestSigningPolicy::fromCapabilities(capabilities);
}

bool RequestSigning::shouldSign() const
{
    return m_signer && (!m_policy.known || m_policy.supported);
}

std::optional<AdcpError> RequestSigning::refusal(const QString &operation) const
{
    if (m_signer || !m_policy.requiresSignature(operation.toStdString()))
        return std::nullopt;
    AdcpError e = AdcpError::make(
        "AUTH_REQUIRED",
        "request_signature_required: the agent requires " + operation.toStdString() +
            " to be signed (RFC 9421, adcp/request-signing/v1) and this agent profile has no signing key; "
            "the call was not sent",
        std::nullopt,
        "open Agents…, pick this agent, click Generate signing key, then export its public JWKS and have the "
        "seller register it for your principal");
    e.recovery = Recovery::Correctable;
    return e;
}

HeaderList RequestSigning::headersFor(const QUrl &url, const QByteArray &body) const
{
    if (!shouldSign())
        return {};
    RequestSigner::Options options;
    options.coverDigest = m_policy.coversContentDigest != "forbidden";
    return m_signer->sign("POST", url, QByteArrayLiteral("application/json"), body, options);
}

} // namespace adcp
