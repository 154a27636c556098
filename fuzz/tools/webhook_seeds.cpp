// Writes the seed corpus of fuzz_webhook_signature: correctly signed requests (RFC 9421 and HMAC) at the
// harness's fixed time, in the harness's text form. Usage: fuzz_webhook_seeds <folder>.
#include "webhooksignature.h"

#include <QFile>

#include <cstdio>

namespace {

using namespace adcp::webhooks;

constexpr qint64 kNow = 1767225600;

QByteArray request(const QByteArray &body, const QByteArray &nonce)
{
    const QString url = QStringLiteral("https://buyer.example/webhooks/adcp?account=acc-7");
    const auto key = Ed25519Key::fromPrivateKey(
        QByteArray::fromHex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"));
    const SignedHeaders signature = signRequest("POST", url, "application/json", body, *key,
                                                {"fuzz-key", kNow - 10, kNow + 290, nonce.toStdString()});
    const std::string hmac = hmacSignatureHeader(QByteArray(32, 'k'), kNow - 5, body);
    return "POST " + url.toUtf8() +
           "\ncontent-type: application/json\ncontent-digest: " + signature.contentDigest +
           "\nsignature-input: " + signature.signatureInput + "\nsignature: " + signature.signature +
           "\nx-adcp-timestamp: " + QByteArray::number(kNow - 5) +
           "\nx-adcp-signature: " + QByteArray::fromStdString(hmac) + "\n\n" + body;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s <folder>\n", argv[0]);
        return 2;
    }
    const QByteArray bodies[] = {
        R"({"task_id":"task_1","task_type":"create_media_buy","status":"completed","result":{"media_buy_id":"mb_1"}})",
        R"({"media_buy_id":"mb_1","notification_type":"scheduled","sequence_number":3,"reporting_period":{"start":"2026-01-01T00:00:00Z","end":"2026-01-01T01:00:00Z"}})",
        "{}",
    };
    int index = 0;
    for (const QByteArray &body : bodies) {
        QFile file(QString::fromLocal8Bit(argv[1]) + QStringLiteral("/signed-%1").arg(++index));
        if (!file.open(QIODevice::WriteOnly) ||
            file.write(request(body, "nonce-" + QByteArray::number(index))) < 0)
            return 1;
    }
    return 0;
}
