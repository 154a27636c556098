#pragma once

#include "adcperror.h"
#include "agenttransport.h"

#include <QObject>
#include <QPointer>
#include <QUrl>

#include <functional>
#include <optional>

class QNetworkReply;
class QNetworkRequest;
class QTimer;

namespace adcp {

// How much of an agent's answer the client is willing to read, and for how long.
struct AnswerLimits
{
    static constexpr qint64 kDefaultMaxAnswerBytes = 32 * 1024 * 1024;
    qint64 maxAnswerBytes = kDefaultMaxAnswerBytes; // counted as bytes arrive; past it reading stops
    int timeoutMs = 30000;                          // the whole exchange, a slow drip included; 0 = none
    int idleTimeoutMs = 30000;                      // longest silence inside one exchange; 0 = none
};

// Scheme, host and port equal (default ports filled in).
bool sameOrigin(const QUrl &a, const QUrl &b);
// An http:// URL whose host is not a loopback name or address: requests and the token travel in clear text.
bool isPlainHttpOutsideLoopback(const QUrl &url);

// Who may receive the bearer token of one agent.
struct OriginPolicy
{
    QUrl agentUrl;
    bool carriesToken = false; // without a token any redirect may be followed (except https → http)
    ForeignOriginHandler askUser;
};

// Watches one QNetworkReply to an agent: the answer size cap (bytes counted by the reader through
// account(), and an announced Content-Length), the total and idle time limits, and every redirect, which is
// followed only within the agent's origin unless the user agrees. On a violation the reply is aborted (it
// then emits finished) and fault() says why. Lives as a child of the reply.
class ReplyGuard final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReplyGuard)
public:
    // Sets the request up for guarding: redirects are handed to the guard instead of being followed by Qt.
    static void prepare(QNetworkRequest &request);
    ReplyGuard(QNetworkReply *reply, const AnswerLimits &limits, OriginPolicy policy);
    ~ReplyGuard() override;

    // Counts `bytes` just read from the reply; false (and the reply aborted) once the cap is passed.
    bool account(qint64 bytes);
    // Ends the exchange with `error` (the reader found the answer unusable, e.g. an oversized SSE event).
    void fail(const AdcpError &error);
    const std::optional<AdcpError> &fault() const;
    bool timedOut() const;

private:
    void onRedirected(const QUrl &target);
    void onMetaData();
    void startTimers();
    void stopTimers();

    QPointer<QNetworkReply> m_reply;
    AnswerLimits m_limits;
    OriginPolicy m_policy;
    QTimer *m_total = nullptr;
    QTimer *m_idle = nullptr;
    qint64 m_received = 0;
    bool m_timedOut = false;
    std::optional<AdcpError> m_fault;
};

} // namespace adcp
