// Webhook signature verification on the receiving side (protocol/webhooksignature), both profiles. Input: an
// HTTP request as text, "<METHOD> <url>\n<name>: <value>\n...\n\n<body>". The RFC 9421 profile is checked
// with the key "fuzz-key" (the RFC 8032 test key, also used by fuzz_webhook_seeds to sign the seed corpus),
// the HMAC profile with the secret of 32 'k' bytes, both at the fixed time kNow.
#include "webhooksignature.h"

#include "fuzzinput.h"

#include <cstdlib>

namespace {

using namespace adcp::webhooks;

constexpr qint64 kNow = 1767225600; // 2026-01-01T00:00:00Z

const QByteArray &publicKey()
{
    static const QByteArray key = [] {
        const auto pair = Ed25519Key::fromPrivateKey(
            QByteArray::fromHex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"));
        if (!pair)
            std::abort();
        return pair->publicKey();
    }();
    return key;
}

QByteArray bytes(std::string_view text)
{
    return {text.data(), static_cast<qsizetype>(text.size())};
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const adcp::fuzz::HttpLikeInput input = adcp::fuzz::splitHttpLike(adcp::fuzz::asText(data, size));
    const QByteArray method = bytes(input.method);
    const QString url = QString::fromUtf8(bytes(input.target));
    std::map<QByteArray, QByteArray> headers;
    for (const auto &[name, value] : input.headers)
        headers[bytes(name).trimmed().toLower()] = bytes(value).trimmed();
    const QByteArray body = bytes(input.body);

    const KeyResolver resolve = [](const std::string &keyId) {
        return keyId == "fuzz-key" ? publicKey() : QByteArray();
    };
    std::string error;
    verifyRequest(method, url, headers, body, resolve, kNow, &error);
    verifyHmacSignature(QByteArray(32, 'k'), headers["x-adcp-timestamp"], headers["x-adcp-signature"], body,
                        kNow, &error);
    return 0;
}
