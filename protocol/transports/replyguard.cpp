#include "replyguard.h"

#include <QHostAddress>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

namespace adcp {

namespace {

constexpr int kMaxRedirects = 5;

int effectivePort(const QUrl &url)
{
    return url.port(url.scheme() == QLatin1String("https")  ? 443
                    : url.scheme() == QLatin1String("http") ? 80
                                                            : -1);
}

AdcpError makeError(std::string code, std::string message, Recovery recovery)
{
    AdcpError e = AdcpError::make(std::move(code), std::move(message));
    e.recovery = recovery;
    return e;
}

std::string mebibytes(qint64 bytes)
{
    return bytes % (1024 * 1024) == 0 ? std::to_string(bytes / (1024 * 1024)) + " MiB"
                                      : std::to_string(bytes) + " bytes";
}

} // namespace

bool sameOrigin(const QUrl &a, const QUrl &b)
{
    return a.scheme().compare(b.scheme(), Qt::CaseInsensitive) == 0 &&
           a.host().compare(b.host(), Qt::CaseInsensitive) == 0 && effectivePort(a) == effectivePort(b);
}

bool isPlainHttpOutsideLoopback(const QUrl &url)
{
    if (url.scheme().compare(QLatin1String("http"), Qt::CaseInsensitive) != 0)
        return false;
    const QString host = url.host().toLower();
    if (host == QLatin1String("localhost") || host.endsWith(QLatin1String(".localhost")))
        return false;
    const QHostAddress address(host);
    return address.isNull() || !address.isLoopback();
}

void ReplyGuard::prepare(QNetworkRequest &request)
{
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::UserVerifiedRedirectPolicy);
    request.setMaximumRedirectsAllowed(kMaxRedirects);
    request.setTransferTimeout(0); // the guard's own timers decide
}

ReplyGuard::ReplyGuard(QNetworkReply *reply, const AnswerLimits &limits, OriginPolicy policy)
    : QObject(reply), m_reply(reply), m_limits(limits), m_policy(std::move(policy))
{
    m_total = new QTimer(this);
    m_total->setSingleShot(true);
    m_idle = new QTimer(this);
    m_idle->setSingleShot(true);
    connect(m_total, &QTimer::timeout, this, [this] {
        m_timedOut = true;
        if (m_reply)
            m_reply->abort();
    });
    connect(m_idle, &QTimer::timeout, this, [this] {
        fail(makeError("SERVICE_UNAVAILABLE",
                       "the agent sent nothing for " + std::to_string(m_limits.idleTimeoutMs) + " ms",
                       Recovery::Transient));
    });
    connect(reply, &QNetworkReply::redirected, this, &ReplyGuard::onRedirected);
    connect(reply, &QNetworkReply::metaDataChanged, this, &ReplyGuard::onMetaData);
    connect(reply, &QNetworkReply::finished, this, &ReplyGuard::stopTimers);
    startTimers();
}

ReplyGuard::~ReplyGuard() = default;

const std::optional<AdcpError> &ReplyGuard::fault() const
{
    return m_fault;
}

bool ReplyGuard::timedOut() const
{
    return m_timedOut;
}

void ReplyGuard::startTimers()
{
    if (m_limits.timeoutMs > 0)
        m_total->start(m_limits.timeoutMs);
    if (m_limits.idleTimeoutMs > 0)
        m_idle->start(m_limits.idleTimeoutMs);
}

void ReplyGuard::stopTimers()
{
    m_total->stop();
    m_idle->stop();
}

bool ReplyGuard::account(qint64 bytes)
{
    if (m_fault)
        return false;
    m_received += bytes;
    if (m_limits.maxAnswerBytes > 0 && m_received > m_limits.maxAnswerBytes) {
        fail(makeError("RESPONSE_TOO_LARGE",
                       "the agent's answer passed the " + mebibytes(m_limits.maxAnswerBytes) +
                           " limit; reading stopped",
                       Recovery::Terminal));
        return false;
    }
    if (bytes > 0 && m_limits.idleTimeoutMs > 0 && m_idle->isActive())
        m_idle->start(m_limits.idleTimeoutMs);
    return true;
}

void ReplyGuard::fail(const AdcpError &error)
{
    if (m_fault)
        return;
    m_fault = error;
    stopTimers();
    if (m_reply && m_reply->isRunning())
        m_reply->abort();
}

void ReplyGuard::onMetaData()
{
    if (!m_reply || m_limits.maxAnswerBytes <= 0)
        return;
    bool known = false;
    const qint64 announced = m_reply->header(QNetworkRequest::ContentLengthHeader).toLongLong(&known);
    if (known && announced > m_limits.maxAnswerBytes)
        fail(makeError("RESPONSE_TOO_LARGE",
                       "the agent announced an answer of " + std::to_string(announced) + " bytes, over the " +
                           mebibytes(m_limits.maxAnswerBytes) + " limit; it was not read",
                       Recovery::Terminal));
}

void ReplyGuard::onRedirected(const QUrl &target)
{
    if (!m_reply || m_fault)
        return;
    const QUrl from = m_reply->url();
    const bool downgrade =
        from.scheme() == QLatin1String("https") && target.scheme() != QLatin1String("https");
    if (sameOrigin(m_policy.agentUrl, target) || (!m_policy.carriesToken && !downgrade)) {
        Q_EMIT m_reply->redirectAllowed();
        return;
    }
    const std::string where =
        target.adjusted(QUrl::RemoveUserInfo | QUrl::RemoveQuery).toString().toStdString();
    const AdcpError refused =
        m_policy.carriesToken
            ? makeError("REDIRECT_REFUSED",
                        "the agent redirected to " + where + ", another origin than " +
                            m_policy.agentUrl.adjusted(QUrl::RemovePath | QUrl::RemoveQuery)
                                .toString()
                                .toStdString() +
                            "; it was not followed, so the bearer token stayed with the agent",
                        Recovery::Terminal)
            : makeError("REDIRECT_REFUSED",
                        "the agent redirected from https to plain http (" + where + "); it was not followed",
                        Recovery::Terminal);
    if (!m_policy.carriesToken || !m_policy.askUser) {
        fail(refused);
        return;
    }
    // The question may take a while (a dialog): time spent answering it is not the agent's.
    stopTimers();
    QPointer<ReplyGuard> self(this);
    m_policy.askUser(m_policy.agentUrl, target, [self, refused](bool allowed) {
        if (!self || !self->m_reply || self->m_fault || !self->m_reply->isRunning())
            return;
        if (!allowed) {
            self->fail(refused);
            return;
        }
        self->startTimers();
        Q_EMIT self->m_reply->redirectAllowed();
    });
}

} // namespace adcp
