#include "httpsignature.h"

#include <QCryptographicHash>
#include <QString>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <stdexcept>

namespace adcp::httpsig {

namespace {

void setError(std::string *error, std::string text)
{
    if (error)
        *error = std::move(text);
}

// ---- @target-uri helpers ----

bool isHex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    return (c | 0x20) - 'a' + 10;
}

bool isUnreserved(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

std::string toLowerAscii(std::string_view in)
{
    std::string out(in);
    for (char &c : out) {
        if (c >= 'A' && c <= 'Z')
            c = char(c - 'A' + 'a');
    }
    return out;
}

// %xx with uppercase hex; escapes of unreserved bytes decoded (RFC 3986 §6.2.2.1-2).
std::optional<std::string> normalizePercent(std::string_view path, std::string *error)
{
    std::string out;
    out.reserve(path.size());
    for (std::size_t i = 0; i < path.size(); ++i) {
        const char c = path[i];
        if (c != '%') {
            out += c;
            continue;
        }
        if (i + 2 >= path.size() || !isHex(path[i + 1]) || !isHex(path[i + 2])) {
            setError(error, "a '%' in the path is not followed by two hex digits");
            return std::nullopt;
        }
        const auto byte = static_cast<unsigned char>(hexValue(path[i + 1]) * 16 + hexValue(path[i + 2]));
        if (isUnreserved(byte)) {
            out += char(byte);
        } else {
            static const char digits[] = "0123456789ABCDEF";
            out += '%';
            out += digits[byte >> 4];
            out += digits[byte & 15];
        }
        i += 2;
    }
    return out;
}

// RFC 3986 §5.2.4 on the encoded path: an encoded '/' (%2F) is not a separator.
std::string removeDotSegments(std::string input)
{
    std::string output;
    while (!input.empty()) {
        if (input.rfind("../", 0) == 0)
            input.erase(0, 3);
        else if (input.rfind("./", 0) == 0)
            input.erase(0, 2);
        else if (input.rfind("/./", 0) == 0)
            input.replace(0, 3, "/");
        else if (input == "/.")
            input = "/";
        else if (input.rfind("/../", 0) == 0 || input == "/..") {
            input = input.size() == 3 ? std::string("/") : input.substr(3);
            const auto slash = output.rfind('/');
            output.erase(slash == std::string::npos ? 0 : slash);
        } else if (input == "." || input == "..")
            input.clear();
        else {
            const auto next = input.find('/', input[0] == '/' ? 1 : 0);
            output += input.substr(0, next);
            input.erase(0, next == std::string::npos ? input.size() : next);
        }
    }
    return output;
}

std::optional<std::pair<std::string, std::string>> splitHostPort(std::string_view hostPort,
                                                                 std::string *error)
{
    if (hostPort.empty()) {
        setError(error, "the authority has no host");
        return std::nullopt;
    }
    std::string host;
    std::string_view rest;
    if (hostPort.front() == '[') {
        const auto close = hostPort.find(']');
        if (close == std::string_view::npos) {
            setError(error, "an IPv6 literal is missing its closing bracket");
            return std::nullopt;
        }
        host = toLowerAscii(hostPort.substr(0, close + 1));
        if (host.find('%') != std::string::npos) {
            setError(error, "an IPv6 zone identifier has no meaning in a signed URL");
            return std::nullopt;
        }
        for (char c : std::string_view(host).substr(1, host.size() - 2)) {
            if (!isHex(c) && c != ':' && c != '.') {
                setError(error, "the IPv6 literal holds a character that is not hex, ':' or '.'");
                return std::nullopt;
            }
        }
        rest = hostPort.substr(close + 1);
        if (!rest.empty() && rest.front() != ':') {
            setError(error, "text after the IPv6 literal");
            return std::nullopt;
        }
    } else {
        const auto colon = hostPort.find(':');
        if (colon != std::string_view::npos && hostPort.find(':', colon + 1) != std::string_view::npos) {
            setError(error, "an IPv6 literal must be in brackets");
            return std::nullopt;
        }
        host = toLowerAscii(hostPort.substr(0, colon));
        rest = colon == std::string_view::npos ? std::string_view() : hostPort.substr(colon);
        for (char c : host) {
            const auto u = static_cast<unsigned char>(c);
            if (u >= 0x80) {
                setError(error, "the host is not ASCII (send the IDN A-label)");
                return std::nullopt;
            }
            if (!isUnreserved(u) && std::string_view("!$&'()*+,;=%").find(c) == std::string_view::npos) {
                setError(error, "the host holds a character a host cannot have");
                return std::nullopt;
            }
        }
    }
    if (host.empty() || host == "[]") {
        setError(error, "the authority has no host");
        return std::nullopt;
    }
    std::string port;
    if (!rest.empty()) {
        port = std::string(rest.substr(1));
        if (port.size() > 5) {
            setError(error, "the port is not a number from 0 to 65535");
            return std::nullopt;
        }
        for (char c : port) {
            if (c < '0' || c > '9') {
                setError(error, "the port is not a number");
                return std::nullopt;
            }
        }
        if (!port.empty() && std::stol(port) > 65535) {
            setError(error, "the port is not a number from 0 to 65535");
            return std::nullopt;
        }
    }
    return std::make_pair(std::move(host), std::move(port));
}

// ---- OpenSSL ----

struct PkeyFree
{
    void operator()(EVP_PKEY *key) const { EVP_PKEY_free(key); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
struct MdCtxFree
{
    void operator()(EVP_MD_CTX *ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
struct PkeyCtxFree
{
    void operator()(EVP_PKEY_CTX *ctx) const { EVP_PKEY_CTX_free(ctx); }
};
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
struct BnFree
{
    void operator()(BIGNUM *bn) const { BN_free(bn); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;

std::optional<QByteArray> jwkBytes(const nlohmann::json &jwk, const char *member, qsizetype length)
{
    const auto it = jwk.find(member);
    if (it == jwk.end() || !it->is_string())
        return std::nullopt;
    const QByteArray text = QByteArray::fromStdString(it->get<std::string>());
    auto decoded = QByteArray::fromBase64Encoding(text, QByteArray::Base64UrlEncoding |
                                                            QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || (*decoded).size() != length)
        return std::nullopt;
    return *decoded;
}

std::string jwkString(const nlohmann::json &jwk, const char *member)
{
    const auto it = jwk.find(member);
    return it != jwk.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Pkey ecPublicKey(const QByteArray &x, const QByteArray &y)
{
    const QByteArray point = QByteArray(1, '\x04') + x + y;
    std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> builder(OSSL_PARAM_BLD_new(),
                                                                            &OSSL_PARAM_BLD_free);
    if (!builder ||
        OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.constData(),
                                         size_t(point.size())) != 1)
        return nullptr;
    std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(OSSL_PARAM_BLD_to_param(builder.get()),
                                                                   &OSSL_PARAM_free);
    PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    EVP_PKEY *raw = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
        return nullptr;
    Pkey key(raw);
    // The point must lie on the curve; a key that does not is refused when loaded, not at each verify.
    PkeyCtx check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
    if (!check || EVP_PKEY_public_check(check.get()) != 1)
        return nullptr;
    return key;
}

// IEEE P1363 r||s → DER ECDSA-Sig-Value (what OpenSSL verifies).
QByteArray p1363ToDer(const QByteArray &signature)
{
    if (signature.size() != 64)
        return {};
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(reinterpret_cast<const unsigned char *>(signature.constData()), 32, nullptr);
    BIGNUM *s = BN_bin2bn(reinterpret_cast<const unsigned char *>(signature.constData()) + 32, 32, nullptr);
    if (!sig || !r || !s || ECDSA_SIG_set0(sig, r, s) != 1) {
        BN_free(r);
        BN_free(s);
        ECDSA_SIG_free(sig);
        return {};
    }
    unsigned char *der = nullptr;
    const int length = i2d_ECDSA_SIG(sig, &der);
    ECDSA_SIG_free(sig);
    if (length <= 0)
        return {};
    QByteArray out(reinterpret_cast<const char *>(der), length);
    OPENSSL_free(der);
    return out;
}

QByteArray derToP1363(const QByteArray &der)
{
    const auto *cursor = reinterpret_cast<const unsigned char *>(der.constData());
    ECDSA_SIG *sig = d2i_ECDSA_SIG(nullptr, &cursor, long(der.size()));
    if (!sig)
        return {};
    QByteArray out(64, '\0');
    const bool ok =
        BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char *>(out.data()), 32) == 32 &&
        BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char *>(out.data()) + 32, 32) == 32;
    ECDSA_SIG_free(sig);
    return ok ? out : QByteArray();
}

QByteArray bnBytes(EVP_PKEY *key, const char *name)
{
    BIGNUM *raw = nullptr;
    if (EVP_PKEY_get_bn_param(key, name, &raw) != 1)
        return {};
    Bn bn(raw);
    QByteArray out(32, '\0');
    if (BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char *>(out.data()), 32) != 32)
        return {};
    return out;
}

} // namespace

// ---- @target-uri ----

std::optional<CanonicalTarget> canonicalizeTarget(std::string_view url, std::string *error)
{
    for (char c : url) {
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
            setError(error, "the URL holds a space or a control byte");
            return std::nullopt;
        }
    }
    const auto schemeEnd = url.find("://");
    if (schemeEnd == std::string_view::npos || schemeEnd == 0) {
        setError(error, "the URL is not absolute");
        return std::nullopt;
    }
    const std::string scheme = toLowerAscii(url.substr(0, schemeEnd));
    for (char c : scheme) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')) {
            setError(error, "the scheme is malformed");
            return std::nullopt;
        }
    }
    std::string_view rest = url.substr(schemeEnd + 3);
    if (const auto hash = rest.find('#'); hash != std::string_view::npos)
        rest = rest.substr(0, hash);
    const auto authorityEnd = rest.find_first_of("/?");
    std::string_view authority = rest.substr(0, authorityEnd);
    const std::string_view pathAndQuery =
        authorityEnd == std::string_view::npos ? std::string_view() : rest.substr(authorityEnd);
    if (const auto at = authority.rfind('@'); at != std::string_view::npos)
        authority = authority.substr(at + 1);
    auto hostPort = splitHostPort(authority, error);
    if (!hostPort)
        return std::nullopt;
    auto &[host, port] = *hostPort;
    const bool defaultPort = (scheme == "https" && port == "443") || (scheme == "http" && port == "80");
    CanonicalTarget target;
    target.authority = port.empty() || defaultPort ? host : host + ':' + port;

    const auto query = pathAndQuery.find('?');
    const std::string_view rawPath = pathAndQuery.substr(0, query);
    auto path = normalizePercent(rawPath, error);
    if (!path)
        return std::nullopt;
    std::string canonicalPath = removeDotSegments(*path);
    if (canonicalPath.empty() || canonicalPath.front() != '/')
        canonicalPath = '/' + canonicalPath;
    target.targetUri = scheme + "://" + target.authority + canonicalPath;
    if (query != std::string_view::npos)
        target.targetUri += pathAndQuery.substr(query);
    return target;
}

// ---- signature base ----

QByteArray signatureBase(const std::vector<std::pair<QByteArray, QByteArray>> &componentValues,
                         const QByteArray &signatureParams)
{
    QByteArray base;
    for (const auto &[name, value] : componentValues)
        base += '"' + name + "\": " + value + '\n';
    base += "\"@signature-params\": " + signatureParams;
    return base;
}

// ---- Content-Digest ----

QByteArray contentDigest(const QByteArray &body)
{
    return "sha-256=:" + QCryptographicHash::hash(body, QCryptographicHash::Sha256).toBase64() + ':';
}

bool contentDigestMatches(std::string_view headerValue, const QByteArray &body)
{
    const auto dictionary = parseDictionary(headerValue);
    if (!dictionary)
        return false;
    bool matched = false;
    for (const auto &[algorithm, member] : *dictionary) {
        QCryptographicHash::Algorithm hash;
        if (algorithm == "sha-256")
            hash = QCryptographicHash::Sha256;
        else if (algorithm == "sha-512")
            hash = QCryptographicHash::Sha512;
        else
            continue;
        if (member.innerList || member.item.value.type != SfBareItem::Type::Bytes)
            return false;
        const QByteArray expected = QCryptographicHash::hash(body, hash);
        if (expected.size() != member.item.value.bytes.size() ||
            CRYPTO_memcmp(expected.constData(), member.item.value.bytes.constData(),
                          size_t(expected.size())) != 0)
            return false;
        matched = true;
    }
    return matched;
}

// ---- keys ----

struct VerificationKey::Data
{
    Pkey key;
    std::string algorithm;
};

std::optional<VerificationKey> VerificationKey::fromJwk(const nlohmann::json &jwk, std::string *error)
{
    if (!jwk.is_object()) {
        setError(error, "the JWK is not an object");
        return std::nullopt;
    }
    const std::string kty = jwkString(jwk, "kty");
    const std::string crv = jwkString(jwk, "crv");
    auto data = std::make_shared<Data>();
    if (kty == "OKP" && crv == "Ed25519") {
        const auto x = jwkBytes(jwk, "x", 32);
        if (!x) {
            setError(error, "an Ed25519 JWK needs x, 32 bytes in base64url");
            return std::nullopt;
        }
        data->key.reset(EVP_PKEY_new_raw_public_key(
            EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char *>(x->constData()), 32));
        data->algorithm = std::string(kAlgEd25519);
    } else if (kty == "EC" && crv == "P-256") {
        const auto x = jwkBytes(jwk, "x", 32);
        const auto y = jwkBytes(jwk, "y", 32);
        if (!x || !y) {
            setError(error, "a P-256 JWK needs x and y, 32 bytes each in base64url");
            return std::nullopt;
        }
        data->key = ecPublicKey(*x, *y);
        data->algorithm = std::string(kAlgEs256);
    } else {
        setError(error, "only OKP/Ed25519 and EC/P-256 keys are accepted, not " + kty + '/' + crv);
        return std::nullopt;
    }
    if (!data->key) {
        setError(error, "the JWK's key material is not a valid public key");
        return std::nullopt;
    }
    VerificationKey key;
    key.d = std::move(data);
    return key;
}

std::string_view VerificationKey::algorithm() const
{
    return d->algorithm;
}

bool VerificationKey::verify(const QByteArray &message, const QByteArray &signature) const
{
    MdCtx ctx(EVP_MD_CTX_new());
    if (!ctx)
        return false;
    QByteArray wire = signature;
    const EVP_MD *digest = nullptr;
    if (d->algorithm == kAlgEs256) {
        wire = p1363ToDer(signature);
        if (wire.isEmpty())
            return false;
        digest = EVP_sha256();
    } else if (signature.size() != 64) {
        return false;
    }
    if (EVP_DigestVerifyInit(ctx.get(), nullptr, digest, nullptr, d->key.get()) != 1)
        return false;
    return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char *>(wire.constData()),
                            size_t(wire.size()), reinterpret_cast<const unsigned char *>(message.constData()),
                            size_t(message.size())) == 1;
}

struct SigningKey::Data
{
    Pkey key;
    std::string algorithm;
};

SigningKey SigningKey::generateEd25519()
{
    auto data = std::make_shared<Data>();
    data->key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
    if (!data->key)
        throw std::runtime_error("Ed25519 key generation failed");
    data->algorithm = std::string(kAlgEd25519);
    SigningKey key;
    key.d = std::move(data);
    return key;
}

SigningKey SigningKey::generateEs256()
{
    auto data = std::make_shared<Data>();
    data->key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    if (!data->key)
        throw std::runtime_error("P-256 key generation failed");
    data->algorithm = std::string(kAlgEs256);
    SigningKey key;
    key.d = std::move(data);
    return key;
}

QByteArray SigningKey::toPkcs8Pem() const
{
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), d->key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
        throw std::runtime_error("the private key could not be written as PEM");
    char *data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    return QByteArray(data, qsizetype(length));
}

std::optional<SigningKey> SigningKey::fromPkcs8Pem(const QByteArray &pem, std::string *error)
{
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.constData(), int(pem.size())),
                                                  &BIO_free);
    auto data = std::make_shared<Data>();
    if (bio)
        data->key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!data->key) {
        setError(error, "not a PEM private key");
        return std::nullopt;
    }
    if (EVP_PKEY_get_base_id(data->key.get()) == EVP_PKEY_ED25519) {
        data->algorithm = std::string(kAlgEd25519);
    } else if (EVP_PKEY_get_base_id(data->key.get()) == EVP_PKEY_EC) {
        char group[32] = {};
        size_t length = 0;
        if (EVP_PKEY_get_utf8_string_param(data->key.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                           &length) != 1 ||
            std::string_view(group, length) != "prime256v1") {
            setError(error, "an EC signing key must be on P-256");
            return std::nullopt;
        }
        data->algorithm = std::string(kAlgEs256);
    } else {
        setError(error, "only Ed25519 and P-256 signing keys are supported");
        return std::nullopt;
    }
    SigningKey key;
    key.d = std::move(data);
    return key;
}

std::string_view SigningKey::algorithm() const
{
    return d->algorithm;
}

QByteArray SigningKey::sign(const QByteArray &message) const
{
    MdCtx ctx(EVP_MD_CTX_new());
    const bool ec = d->algorithm == kAlgEs256;
    if (!ctx ||
        EVP_DigestSignInit(ctx.get(), nullptr, ec ? EVP_sha256() : nullptr, nullptr, d->key.get()) != 1)
        throw std::runtime_error("signing setup failed");
    size_t length = 0;
    const auto *in = reinterpret_cast<const unsigned char *>(message.constData());
    if (EVP_DigestSign(ctx.get(), nullptr, &length, in, size_t(message.size())) != 1)
        throw std::runtime_error("signing failed");
    QByteArray out(qsizetype(length), '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char *>(out.data()), &length, in,
                       size_t(message.size())) != 1)
        throw std::runtime_error("signing failed");
    out.resize(qsizetype(length));
    return ec ? derToP1363(out) : out;
}

nlohmann::json SigningKey::publicJwk(const std::string &keyId, const std::string &adcpUse) const
{
    nlohmann::json jwk = {{"kid", keyId}, {"use", "sig"}, {"key_ops", {"verify"}}, {"adcp_use", adcpUse}};
    if (d->algorithm == kAlgEd25519) {
        QByteArray x(32, '\0');
        size_t length = 32;
        EVP_PKEY_get_raw_public_key(d->key.get(), reinterpret_cast<unsigned char *>(x.data()), &length);
        jwk.update({{"kty", "OKP"}, {"crv", "Ed25519"}, {"alg", "EdDSA"}, {"x", base64Url(x).toStdString()}});
    } else {
        jwk.update({{"kty", "EC"},
                    {"crv", "P-256"},
                    {"alg", "ES256"},
                    {"x", base64Url(bnBytes(d->key.get(), OSSL_PKEY_PARAM_EC_PUB_X)).toStdString()},
                    {"y", base64Url(bnBytes(d->key.get(), OSSL_PKEY_PARAM_EC_PUB_Y)).toStdString()}});
    }
    return jwk;
}

QByteArray base64Url(const QByteArray &bytes)
{
    return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

} // namespace adcp::httpsig