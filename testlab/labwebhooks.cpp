#include "labwebhooks.h"

#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTimer>

namespace adcp::lab {

namespace {
constexpr int kCheckMs = 50; // how often a wait looks at its condition and the cancel flag
constexpr qint64 kMaxDocumentBytes = 1 << 20;
} // namespace

LabWebhooks::LabWebhooks(std::shared_ptr<const std::atomic_bool> canceled, QObject *parent)
    : QObject(parent), m_canceled(std::move(canceled))
{}

LabWebhooks::~LabWebhooks() = default;

bool LabWebhooks::start(const nlohmann::json &jwks, QString *error)
{
    WebhookReceiverOptions options;
    options.refuseFirst = 1;
    m_receiver = std::make_unique<WebhookReceiver>(options);
    if (m_receiver->addJwks(jwks) == 0) {
        *error = QStringLiteral("the agent's JWKS has no Ed25519 webhook-signing key");
        m_receiver.reset();
        return false;
    }
    connect(m_receiver.get(), &WebhookReceiver::eventReceived, this,
            [this](const WebhookEvent &event) { m_accepted.push_back(event); });
    connect(m_receiver.get(), &WebhookReceiver::deliveryRefused, this,
            [this](const WebhookEvent &event) { m_refused.push_back(event); });
    connect(m_receiver.get(), &WebhookReceiver::deliveryRejected, this,
            [this](int status, const QString &reason) {
                m_rejected << QStringLiteral("HTTP %1: %2").arg(status).arg(reason);
            });
    if (m_receiver->start() == 0) {
        *error = QStringLiteral("the lab's webhook receiver could not listen on loopback");
        m_receiver.reset();
        return false;
    }
    return true;
}

bool LabWebhooks::started() const
{
    return m_receiver != nullptr;
}

QUrl LabWebhooks::url() const
{
    return m_receiver ? m_receiver->url() : QUrl();
}

const std::vector<WebhookEvent> &LabWebhooks::accepted() const
{
    return m_accepted;
}

const std::vector<WebhookEvent> &LabWebhooks::refused() const
{
    return m_refused;
}

const QStringList &LabWebhooks::rejected() const
{
    return m_rejected;
}

bool LabWebhooks::waitUntil(const std::function<bool()> &done, int timeoutMs)
{
    if (done())
        return true;
    QEventLoop loop;
    QTimer deadline;
    deadline.setSingleShot(true);
    connect(&deadline, &QTimer::timeout, &loop, &QEventLoop::quit);
    QTimer check;
    connect(&check, &QTimer::timeout, &loop, [&] {
        if (done() || (m_canceled && *m_canceled))
            loop.quit();
    });
    deadline.start(timeoutMs);
    check.start(kCheckMs);
    loop.exec();
    return done();
}

std::optional<nlohmann::json> LabWebhooks::fetchJson(const QUrl &url, int timeoutMs, QString *error)
{
    QNetworkAccessManager network;
    QNetworkRequest request(url);
    request.setTransferTimeout(timeoutMs);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    QNetworkReply *reply = network.get(request);
    bool finished = false;
    connect(reply, &QNetworkReply::finished, this, [&finished] { finished = true; });
    connect(reply, &QNetworkReply::downloadProgress, this, [reply](qint64 received, qint64) {
        if (received > kMaxDocumentBytes)
            reply->abort();
    });
    waitUntil([&finished] { return finished; }, timeoutMs + 1000);
    std::unique_ptr<QNetworkReply> owned(reply);
    if (!finished) {
        reply->abort();
        *error = QStringLiteral("no answer from ") + url.toString();
        return std::nullopt;
    }
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (reply->error() != QNetworkReply::NoError || status != 200) {
        *error = QStringLiteral("%1 answered HTTP %2 %3")
                     .arg(url.toString())
                     .arg(status)
                     .arg(reply->errorString());
        return std::nullopt;
    }
    const QByteArray body = reply->readAll();
    auto parsed = nlohmann::json::parse(body.constBegin(), body.constEnd(), nullptr, false);
    if (!parsed.is_object()) {
        *error = url.toString() + QStringLiteral(" is not a JSON object");
        return std::nullopt;
    }
    return parsed;
}

} // namespace adcp::lab
