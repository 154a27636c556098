#include "jwksfetcher.h"

#include <QHostAddress>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

#include <algorithm>
#include <chrono>
#include <optional>

namespace adcp::seller {

namespace {

constexpr std::size_t kJwksMaxKidBytes = 256;

// The max-age of a Cache-Control header in seconds (no-cache / no-store count as 0); nullopt without one.
std::optional<long long> jwksMaxAge(const QByteArray &cacheControl)
{
    std::optional<long long> age;
    for (QByteArray directive : cacheControl.split(',')) {
        directive = directive.trimmed().toLower();
        if (directive == "no-cache" || directive == "no-store")
            return 0;
        if (directive.startsWith("max-age=")) {
            bool ok = false;
            const long long value = directive.mid(8).replace('"', "").toLongLong(&ok);
            if (ok && value >= 0)
                age = value;
        }
    }
    return age;
}

} // namespace

JwksFetcher::JwksFetcher(std::shared_ptr<RequestVerifier> verifier, JwksFetcherOptions options,
                         QObject *parent)
    : QObject(parent), m_verifier(std::move(verifier)), m_options(std::move(options))
{
    m_network.setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
    for (const auto &source : m_verifier->config().jwksUrls) {
        Source s;
        s.url = QUrl(QString::fromStdString(source.url), QUrl::StrictMode);
        s.timer = new QTimer(this);
        s.timer->setSingleShot(true);
        m_sources.push_back(std::move(s));
    }
    for (std::size_t i = 0; i < m_sources.size(); ++i)
        connect(m_sources[i].timer, &QTimer::timeout, this, [this, i] { refresh(i); });
    // Verifying threads only set a flag and queue one wake-up; the fetch itself starts on this object's
    // thread.
    m_verifier->setUnknownKeyHandler([this, pending = m_unknownPending](const std::string &) {
        if (!pending->exchange(true))
            QMetaObject::invokeMethod(this, &JwksFetcher::onUnknownKey, Qt::QueuedConnection);
    });
}

JwksFetcher::~JwksFetcher()
{
    // Waits for a handler running on another thread; none starts afterwards.
    m_verifier->setUnknownKeyHandler(nullptr);
    for (auto &source : m_sources) {
        if (source.reply) {
            disconnect(source.reply, nullptr, this, nullptr);
            source.reply->abort();
        }
    }
}

bool JwksFetcher::urlAllowed(const QUrl &url, QString *why)
{
    if (!url.isValid() || url.host().isEmpty() || !url.userInfo().isEmpty()) {
        *why = QStringLiteral("expected an absolute https URL without user info");
        return false;
    }
    if (url.scheme() == QLatin1String("https"))
        return true;
    const QString host = url.host().toLower();
    const QHostAddress address(host);
    const bool loopback = host == QLatin1String("localhost") || host.endsWith(QLatin1String(".localhost")) ||
                          (!address.isNull() && address.isLoopback());
    if (url.scheme() == QLatin1String("http") && loopback)
        return true;
    *why = QStringLiteral("the JWKS must be fetched over https (plain http only from a loopback host)");
    return false;
}

long long JwksFetcher::now() const
{
    if (m_options.clock)
        return m_options.clock();
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

void JwksFetcher::start()
{
    for (std::size_t i = 0; i < m_sources.size(); ++i)
        refresh(i);
}

int JwksFetcher::fetchesStarted(std::size_t source) const
{
    return source < m_sources.size() ? m_sources[source].fetches : 0;
}

int JwksFetcher::nextRefreshSeconds(std::size_t source) const
{
    return source < m_sources.size() ? m_sources[source].nextSeconds : 0;
}

void JwksFetcher::onUnknownKey()
{
    m_unknownPending->store(false);
    const long long t = now();
    for (std::size_t i = 0; i < m_sources.size(); ++i) {
        const Source &s = m_sources[i];
        if (!s.reply && (s.fetches == 0 || t - s.lastStart >= m_options.unknownKeyCooldownSeconds)) {
            qCInfo(lcRequestSigning).noquote()
                << "unknown signing keyid: refreshing" << s.url.toDisplayString();
            refresh(i);
        }
    }
}

void JwksFetcher::refresh(std::size_t source)
{
    if (source >= m_sources.size() || m_sources[source].reply)
        return;
    Source &s = m_sources[source];
    s.timer->stop();
    s.body.clear();
    s.tooLarge = false;
    s.lastStart = now();
    ++s.fetches;
    QNetworkRequest request(s.url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setRawHeader("Accept", "application/jwk-set+json, application/json");
    QNetworkReply *reply = m_network.get(request);
    s.reply = reply;
    connect(reply, &QNetworkReply::readyRead, this, [this, source] { onReadyRead(source); });
    connect(reply, &QNetworkReply::metaDataChanged, this, [this, source, reply] {
        bool known = false;
        const qint64 announced = reply->header(QNetworkRequest::ContentLengthHeader).toLongLong(&known);
        if (known && announced > m_options.maxBytes) {
            m_sources[source].tooLarge = true;
            reply->abort();
        }
    });
    connect(reply, &QNetworkReply::finished, this, [this, source] { onFinished(source); });
    // The whole fetch, a slow drip included (the transfer timeout of Qt only watches silence).
    QTimer::singleShot(m_options.timeoutMs, reply, [reply] { reply->abort(); });
}

void JwksFetcher::onReadyRead(std::size_t source)
{
    Source &s = m_sources[source];
    if (!s.reply || s.tooLarge)
        return;
    s.body += s.reply->read(m_options.maxBytes + 1 - s.body.size());
    if (s.body.size() > m_options.maxBytes) {
        s.tooLarge = true;
        s.reply->abort();
    }
}

void JwksFetcher::onFinished(std::size_t source)
{
    Source &s = m_sources[source];
    QNetworkReply *reply = s.reply;
    if (!reply)
        return;
    s.reply = nullptr;
    reply->deleteLater();
    const int retry = std::min(m_options.refreshSeconds, m_options.maxAgeFloorSeconds);
    if (!s.tooLarge && reply->error() == QNetworkReply::NoError) {
        s.body += reply->read(m_options.maxBytes + 1 - s.body.size()); // what is left in the buffer
        s.tooLarge = s.body.size() > m_options.maxBytes;
    }
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (s.tooLarge)
        return conclude(source, false,
                        QStringLiteral("the document is larger than %1 bytes").arg(m_options.maxBytes),
                        retry);
    if (reply->error() == QNetworkReply::OperationCanceledError)
        return conclude(source, false,
                        QStringLiteral("no complete answer within %1 ms").arg(m_options.timeoutMs), retry);
    if (status >= 300 && status < 400)
        return conclude(source, false, QStringLiteral("HTTP %1: redirects are not followed").arg(status),
                        retry);
    if (reply->error() != QNetworkReply::NoError || status != 200)
        return conclude(source, false, status ? QStringLiteral("HTTP %1").arg(status) : reply->errorString(),
                        retry);
    const auto document = nlohmann::json::parse(s.body.constBegin(), s.body.constEnd(), nullptr, false);
    std::string why;
    auto members = jwksPublicMembers(document, &why);
    if (!members)
        return conclude(source, false, QStringLiteral("not a JWKS: %1").arg(QString::fromStdString(why)),
                        retry);
    const auto longKids = std::remove_if(members->begin(), members->end(), [](const nlohmann::json &m) {
        return m["kid"].get_ref<const std::string &>().size() > kJwksMaxKidBytes;
    });
    if (longKids != members->end())
        qCWarning(lcRequestSigning).noquote() << s.url.toDisplayString() << ":" << (members->end() - longKids)
                                              << "key(s) with a kid over 256 bytes ignored";
    members->erase(longKids, members->end());
    const auto update = m_verifier->updateJwksUrlKeys(source, *members);
    for (const auto &skipped : update.skipped)
        qCWarning(lcRequestSigning).noquote()
            << s.url.toDisplayString() << ":" << QString::fromStdString(skipped);
    int next = m_options.refreshSeconds;
    if (const auto age = jwksMaxAge(reply->rawHeader("Cache-Control")))
        next = int(std::max<long long>(retry, std::min<long long>(*age, m_options.refreshSeconds)));
    conclude(source, true,
             QStringLiteral("%1 key(s), %2 withdrawn now").arg(update.keys).arg(update.withdrawn), next);
}

void JwksFetcher::conclude(std::size_t source, bool ok, const QString &message, int nextSeconds)
{
    Source &s = m_sources[source];
    s.nextSeconds = nextSeconds;
    if (ok)
        qCInfo(lcRequestSigning).noquote() << "JWKS" << s.url.toDisplayString() << ":" << message;
    else
        qCWarning(lcRequestSigning).noquote()
            << "JWKS" << s.url.toDisplayString() << ": previous keys kept:" << message;
    if (m_options.scheduled)
        s.timer->start(std::chrono::seconds(nextSeconds));
    Q_EMIT refreshed(int(source), ok, message);
}

} // namespace adcp::seller
