#include "webhooksignature.h"

#include "httpsignature.h"

#include <QCryptographicHash>
#include <QMessageAuthenticationCode>
#include <QUrl>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <vector>

namespace adcp::webhooks {

namespace {

void setError(std::string *error, std::string text)
{
    if (error)
        *error = std::move(text);
}

struct PkeyDeleter
{
    void operator()(EVP_PKEY *key) const { EVP_PKEY_free(key); }
};
struct MdCtxDeleter
{
    void operator()(EVP_MD_CTX *ctx) const { EVP_MD_CTX_free(ctx); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

QByteArray rawPublicKey(EVP_PKEY *key)
{
    size_t length = 32;
    QByteArray out(32, '\0');
    if (EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char *>(out.data()), &length) != 1)
        return {};
    out.resize(static_cast<qsizetype>(length));
    return out;
}

QByteArray authorityOf(const QUrl &url)
{
    // Default ports are left out (RFC 9421 §2.2.3); the host is lowercase.
    QByteArray authority = url.host().toLower().toUtf8();
    const int port = url.port();
    const bool defaultPort = (url.scheme() == QStringLiteral("https") && port == 443) ||
                             (url.scheme() == QStringLiteral("http") && port == 80);
    if (port != -1 && !defaultPort)
        authority += ':' + QByteArray::number(port);
    return authority;
}

const std::vector<QByteArray> &coveredComponents()
{
    static const std::vector<QByteArray> components = {"@method", "@target-uri", "@authority", "content-type",
                                                       "content-digest"};
    return components;
}

// Signature-Input read with the strict structured-field parser: the label (sig1 when present, else the
// first), the covered components, the parameters as text and the @signature-params value.
struct ParsedInput
{
    std::string label;
    std::vector<QByteArray> components;
    std::map<QByteArray, QByteArray> params;
    QByteArray paramsText; // the inner list serialized, as it enters the signature base
};

std::optional<ParsedInput> parseSignatureInput(const QByteArray &header)
{
    const auto dictionary = httpsig::parseDictionary(header.toStdString());
    if (!dictionary || dictionary->empty())
        return std::nullopt;
    const auto chosen = std::find_if(dictionary->begin(), dictionary->end(),
                                     [](const auto &member) { return member.first == "sig1"; });
    const auto &[label, member] = chosen != dictionary->end() ? *chosen : dictionary->front();
    if (!member.innerList)
        return std::nullopt;
    ParsedInput parsed;
    parsed.label = label;
    for (const auto &item : member.items) {
        if (item.value.type != httpsig::SfBareItem::Type::String || !item.parameters.empty())
            return std::nullopt;
        parsed.components.push_back(QByteArray::fromStdString(item.value.text));
    }
    for (const auto &[name, value] : member.parameters) {
        QByteArray text;
        if (value.type == httpsig::SfBareItem::Type::Integer)
            text = QByteArray::number(value.integer);
        else if (value.type == httpsig::SfBareItem::Type::String)
            text = QByteArray::fromStdString(value.text);
        else
            return std::nullopt;
        parsed.params[QByteArray::fromStdString(name)] = text;
    }
    parsed.paramsText = QByteArray::fromStdString(httpsig::serializeInnerList(member));
    return parsed;
}

// The signature bytes Signature carries for `label`, empty when it has none.
QByteArray signatureFor(const QByteArray &header, const std::string &label)
{
    const auto dictionary = httpsig::parseDictionary(header.toStdString());
    if (!dictionary)
        return {};
    for (const auto &[key, member] : *dictionary) {
        if (key == label && !member.innerList && member.item.value.type == httpsig::SfBareItem::Type::Bytes)
            return member.item.value.bytes;
    }
    return {};
}

} // namespace

bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    return a.size() == b.size() && CRYPTO_memcmp(a.constData(), b.constData(), size_t(a.size())) == 0;
}

std::string hmacSignatureHeader(const QByteArray &secret, qint64 timestamp, const QByteArray &rawBody)
{
    const QByteArray message = QByteArray::number(timestamp) + '.' + rawBody;
    return "sha256=" + QMessageAuthenticationCode::hash(message, secret, QCryptographicHash::Sha256)
                           .toHex()
                           .toStdString();
}

bool verifyHmacSignature(const QByteArray &secret, const QByteArray &timestampHeader,
                         const QByteArray &signatureHeader, const QByteArray &rawBody, qint64 now,
                         std::string *error, qint64 toleranceSeconds)
{
    bool ok = false;
    const qint64 timestamp = timestampHeader.trimmed().toLongLong(&ok);
    if (!ok) {
        setError(error, "X-ADCP-Timestamp is missing or not an integer");
        return false;
    }
    if (timestamp < now - toleranceSeconds || timestamp > now + toleranceSeconds) {
        setError(error, "X-ADCP-Timestamp is outside the allowed window");
        return false;
    }
    const QByteArray expected = QByteArray::fromStdString(hmacSignatureHeader(secret, timestamp, rawBody));
    if (!constantTimeEquals(expected, signatureHeader.trimmed())) {
        setError(error, "X-ADCP-Signature does not match the body");
        return false;
    }
    return true;
}

Ed25519Key Ed25519Key::generate()
{
    Pkey pkey;
    {
        EVP_PKEY *raw = nullptr;
        std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
            EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr), &EVP_PKEY_CTX_free);
        if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &raw) != 1)
            throw std::runtime_error("Ed25519 key generation failed");
        pkey.reset(raw);
    }
    Ed25519Key key;
    size_t length = 32;
    key.m_private = QByteArray(32, '\0');
    if (EVP_PKEY_get_raw_private_key(pkey.get(), reinterpret_cast<unsigned char *>(key.m_private.data()),
                                     &length) != 1)
        throw std::runtime_error("Ed25519 key export failed");
    key.m_public = rawPublicKey(pkey.get());
    return key;
}

std::optional<Ed25519Key> Ed25519Key::fromPrivateKey(const QByteArray &raw32)
{
    if (raw32.size() != 32)
        return std::nullopt;
    Pkey pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr,
                                           reinterpret_cast<const unsigned char *>(raw32.constData()), 32));
    if (!pkey)
        return std::nullopt;
    Ed25519Key key;
    key.m_private = raw32;
    key.m_public = rawPublicKey(pkey.get());
    return key;
}

QByteArray Ed25519Key::privateKey() const
{
    return m_private;
}

QByteArray Ed25519Key::publicKey() const
{
    return m_public;
}

QByteArray Ed25519Key::sign(const QByteArray &message) const
{
    Pkey pkey(EVP_PKEY_new_raw_private_key(
        EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char *>(m_private.constData()), 32));
    MdCtx ctx(EVP_MD_CTX_new());
    if (!pkey || !ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1)
        throw std::runtime_error("Ed25519 signing setup failed");
    size_t length = 64;
    QByteArray signature(64, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char *>(signature.data()), &length,
                       reinterpret_cast<const unsigned char *>(message.constData()),
                       static_cast<size_t>(message.size())) != 1)
        throw std::runtime_error("Ed25519 signing failed");
    signature.resize(static_cast<qsizetype>(length));
    return signature;
}

bool Ed25519Key::verify(const QByteArray &publicKey, const QByteArray &message, const QByteArray &signature)
{
    if (publicKey.size() != 32)
        return false;
    Pkey pkey(EVP_PKEY_new_raw_public_key(
        EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char *>(publicKey.constData()), 32));
    MdCtx ctx(EVP_MD_CTX_new());
    if (!pkey || !ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1)
        return false;
    return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char *>(signature.constData()),
                            static_cast<size_t>(signature.size()),
                            reinterpret_cast<const unsigned char *>(message.constData()),
                            static_cast<size_t>(message.size())) == 1;
}

nlohmann::json Ed25519Key::publicJwk(const std::string &keyId) const
{
    const QByteArray x = m_public.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    return {{"kty", "OKP"},   {"crv", "Ed25519"}, {"x", x.toStdString()},         {"kid", keyId},
            {"alg", "EdDSA"}, {"use", "sig"},     {"adcp_use", "request-signing"}};
}

QByteArray contentDigest(const QByteArray &rawBody)
{
    return httpsig::contentDigest(rawBody);
}

QByteArray signatureBase(const QByteArray &method, const QString &url, const QByteArray &contentType,
                         const QByteArray &contentDigestValue, const QByteArray &signatureParams)
{
    return httpsig::signatureBase({{"@method", method.toUpper()},
                                   {"@target-uri", url.toUtf8()},
                                   {"@authority", authorityOf(QUrl(url))},
                                   {"content-type", contentType.trimmed()},
                                   {"content-digest", contentDigestValue.trimmed()}},
                                  signatureParams);
}

SignedHeaders signRequest(const QByteArray &method, const QString &url, const QByteArray &contentType,
                          const QByteArray &rawBody, const Ed25519Key &key, const SignatureParameters &params)
{
    QByteArray components;
    for (const QByteArray &component : coveredComponents())
        components += (components.isEmpty() ? "" : " ") + ('"' + component + '"');
    const QByteArray signatureParams =
        '(' + components + ");created=" + QByteArray::number(params.created) +
        ";expires=" + QByteArray::number(params.expires) + ";nonce=\"" +
        QByteArray::fromStdString(params.nonce) + "\";keyid=\"" + QByteArray::fromStdString(params.keyId) +
        "\";alg=\"ed25519\";tag=\"" + QByteArray(kSignatureTag.data(), qsizetype(kSignatureTag.size())) + '"';
    SignedHeaders headers;
    headers.contentDigest = contentDigest(rawBody);
    const QByteArray base = signatureBase(method, url, contentType, headers.contentDigest, signatureParams);
    headers.signatureInput = "sig1=" + signatureParams;
    headers.signature = "sig1=:" + key.sign(base).toBase64() + ':';
    return headers;
}

std::optional<VerifiedSignature> verifyRequest(const QByteArray &method, const QString &url,
                                               const std::map<QByteArray, QByteArray> &headers,
                                               const QByteArray &rawBody, const KeyResolver &resolveKey,
                                               qint64 now, std::string *error)
{
    const auto header = [&headers](const QByteArray &name) {
        const auto found = headers.find(name);
        return found == headers.end() ? QByteArray() : found->second.trimmed();
    };
    const QByteArray input = header("signature-input");
    const QByteArray signatureHeader = header("signature");
    if (input.isEmpty() || signatureHeader.isEmpty()) {
        setError(error, "Signature-Input or Signature header missing");
        return std::nullopt;
    }
    const std::optional<ParsedInput> parsed = parseSignatureInput(input);
    if (!parsed) {
        setError(error, "Signature-Input is malformed");
        return std::nullopt;
    }
    if (parsed->components != coveredComponents()) {
        setError(error,
                 "Signature-Input does not cover @method @target-uri @authority content-type content-digest");
        return std::nullopt;
    }
    const auto param = [&parsed](const QByteArray &name) {
        const auto found = parsed->params.find(name);
        return found == parsed->params.end() ? QByteArray() : found->second;
    };
    if (param("alg") != "ed25519" ||
        param("tag") != QByteArray(kSignatureTag.data(), qsizetype(kSignatureTag.size()))) {
        setError(error, "unsupported alg or tag in Signature-Input");
        return std::nullopt;
    }
    bool createdOk = false;
    bool expiresOk = false;
    const qint64 created = param("created").toLongLong(&createdOk);
    const qint64 expires = param("expires").toLongLong(&expiresOk);
    // created is checked to be non-negative first so that expires - created cannot overflow.
    if (!createdOk || !expiresOk || created < 0 || expires <= created ||
        expires - created > kMaxSignatureLifetimeSeconds) {
        setError(error, "created/expires missing or the signature lives longer than 5 minutes");
        return std::nullopt;
    }
    if (created > now + 60 || now >= expires) {
        setError(error, "signature expired or created in the future");
        return std::nullopt;
    }
    if (param("nonce").isEmpty()) {
        setError(error, "signature has no nonce");
        return std::nullopt;
    }
    const QByteArray digestHeader = header("content-digest");
    if (!constantTimeEquals(digestHeader, contentDigest(rawBody))) {
        setError(error, "Content-Digest does not match the body");
        return std::nullopt;
    }
    const QByteArray signature = signatureFor(signatureHeader, parsed->label);
    if (signature.isEmpty()) {
        setError(error, "Signature header has no entry for the signature label");
        return std::nullopt;
    }
    const std::string keyId = param("keyid").toStdString();
    const QByteArray publicKey = resolveKey ? resolveKey(keyId) : QByteArray();
    if (publicKey.isEmpty()) {
        setError(error, "unknown keyid " + keyId);
        return std::nullopt;
    }
    const QByteArray base =
        signatureBase(method, url, header("content-type"), digestHeader, parsed->paramsText);
    if (!Ed25519Key::verify(publicKey, base, signature)) {
        setError(error, "signature does not verify");
        return std::nullopt;
    }
    return VerifiedSignature{keyId, param("nonce").toStdString(), created, expires};
}

} // namespace adcp::webhooks
