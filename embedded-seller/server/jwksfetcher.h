#pragma once

#include "requestsigning.h"

#include <QNetworkAccessManager>
#include <QObject>
#include <QPointer>
#include <QUrl>

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

class QNetworkReply;
class QTimer;

namespace adcp::seller {

struct JwksFetcherOptions
{
    int refreshSeconds = 300;           // between two fetches of one URL
    int maxAgeFloorSeconds = 60;        // a shorter Cache-Control max-age is honoured down to this
    int unknownKeyCooldownSeconds = 30; // an unknown keyid refetches a URL at most this often
    qint64 maxBytes = 64 * 1024;        // a larger document is not read (the previous keys stay)
    int timeoutMs = 10000;              // one fetch, a slow drip included
    // Whether fetches are scheduled on timers after start(); tests set false and call refresh() themselves.
    bool scheduled = true;
    // Monotonic seconds for the unknown-key cooldown; empty = the steady clock. Tests inject theirs.
    std::function<long long()> clock;
};

// Learns request-signing keys from the signers' JWKS URLs (RequestSigningConfig::jwksUrls) for a verifier:
// every URL at start(), then every refreshSeconds (sooner when the answer's Cache-Control max-age says so,
// never sooner than maxAgeFloorSeconds), and early when a signature names an unknown keyid (at most once per
// unknownKeyCooldownSeconds per URL; the request itself is refused meanwhile). Fetches are asynchronous on
// the thread this object lives in (never an HTTP worker's); redirects are not followed; an answer that is not
// a 200 JWKS within the size and time limits keeps the previous keys (logged, reported by refreshed()). A key
// gone from a URL's document is withdrawn (RequestVerifier::updateJwksUrlKeys).
class JwksFetcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(JwksFetcher)
public:
    JwksFetcher(std::shared_ptr<RequestVerifier> verifier, JwksFetcherOptions options,
                QObject *parent = nullptr);
    ~JwksFetcher() override;

    // https, or http to a loopback host (localhost, 127.0.0.0/8, ::1); no user info. False with `why`.
    static bool urlAllowed(const QUrl &url, QString *why);

    // Fetches every URL now; with options.scheduled, the next fetches follow on timers.
    void start();
    // Fetches one URL now unless a fetch of it is under way.
    void refresh(std::size_t source);
    // Fetches started for one URL so far (tests count refreshes with it).
    int fetchesStarted(std::size_t source) const;
    // The delay, in seconds, chosen for the next fetch of one URL after its last answer.
    int nextRefreshSeconds(std::size_t source) const;

Q_SIGNALS:
    // One fetch ended: ok when the document was a JWKS and the URL's keys were replaced.
    void refreshed(int source, bool ok, const QString &message);

private:
    struct Source
    {
        QUrl url;
        QPointer<QNetworkReply> reply;
        QTimer *timer = nullptr;
        QByteArray body;
        bool tooLarge = false;
        long long lastStart = 0;
        int fetches = 0;
        int nextSeconds = 0;
    };

    long long now() const;
    void onUnknownKey();
    void onReadyRead(std::size_t source);
    void onFinished(std::size_t source);
    void conclude(std::size_t source, bool ok, const QString &message, int nextSeconds);

    std::shared_ptr<RequestVerifier> m_verifier;
    JwksFetcherOptions m_options;
    QNetworkAccessManager m_network;
    std::vector<Source> m_sources;
    // Set by a verifying thread when it met an unknown keyid, cleared here: one queued wake-up at a time.
    std::shared_ptr<std::atomic_bool> m_unknownPending = std::make_shared<std::atomic_bool>(false);
};

} // namespace adcp::seller
