#pragma once

#include "webhooksignature.h"

#include <QObject>

#include <memory>

class QThread;

namespace adcp::seller {

class SellerContext;

struct WebhookSenderOptions
{
    int pollMs = 250;
    int backoffBaseMs = 1000;         // first retry after ~1 s, then doubling…
    int backoffCapMs = 5 * 60 * 1000; // …up to 5 min, each ±50 % jitter
    qint64 retryHorizonMs =
        24 * 3600 * 1000LL; // after this the fire is abandoned (capabilities advertise it)
    int timeoutMs = 10000;  // total deadline of one attempt (connect, send, answer), then it is aborted
    int maxInFlight = 8;
    int maxInFlightPerHost = 2;      // a receiver that trickles bytes holds at most this many slots
    qint64 maxResponseBytes = 65536; // the answer body is read and discarded up to this, then aborted
    std::string keyId = "seller-webhook-1";
};

// Delivers the outbox on its own thread (its own database connection and QNetworkAccessManager): signs every
// attempt afresh (new nonce and created time; the body stays byte-identical), marks 2xx as delivered and
// schedules anything else for a retry with exponential backoff and jitter.
//
// Every attempt resolves the URL's host again and connects to the address it checked (the seller options'
// webhookAddressScope), so a name rebound to a private address after registration is refused, not called.
// Redirects are not followed, and a row whose stored URL, authentication or body cannot be read is a dead
// letter (state 'dead' with the reason) instead of being retried forever.
class WebhookSender final : public QObject
{
    Q_OBJECT

public:
    WebhookSender(std::shared_ptr<SellerContext> context, WebhookSenderOptions options);
    ~WebhookSender() override;
    Q_DISABLE_COPY_MOVE(WebhookSender)

    void start();
    void stop();
    // The key RFC 9421 signatures are made with (created on first use, kept in the database).
    webhooks::Ed25519Key signingKey() const;
    std::string keyId() const { return m_options.keyId; }
    // {"keys": [jwk]}: what the seller publishes at its jwks_uri.
    nlohmann::json jwks() const;

private:
    class Worker;
    std::shared_ptr<SellerContext> m_context;
    WebhookSenderOptions m_options;
    std::unique_ptr<QThread> m_thread;
    Worker *m_worker = nullptr;
    std::unique_ptr<webhooks::Ed25519Key> m_key;
};

} // namespace adcp::seller
