#pragma once

#include "webhookreceiver.h"

#include <QObject>
#include <QStringList>
#include <QUrl>

#include <nlohmann/json.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace adcp::lab {

// The test lab's webhook side: the workbench's own receiver on loopback, verifying RFC 9421 signatures with
// the agent's published keys and answering its first verified delivery 503 on purpose (so a retry can be
// seen), and what arrived: accepted events, the refused delivery, rejections with their reason. Lives on the
// run's worker thread; its receiver is served while the lab waits (waitUntil) or calls the agent.
class LabWebhooks final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LabWebhooks)
public:
    explicit LabWebhooks(std::shared_ptr<const std::atomic_bool> canceled, QObject *parent = nullptr);
    ~LabWebhooks() override;

    // Starts the receiver with the signer keys of `jwks`; false with *error when it cannot listen or the set
    // has no Ed25519 key.
    bool start(const nlohmann::json &jwks, QString *error);
    bool started() const;
    QUrl url() const;

    const std::vector<WebhookEvent> &accepted() const;
    const std::vector<WebhookEvent> &refused() const;
    const QStringList &rejected() const; // "HTTP 401: reason"

    // Runs the thread's event loop until `done()` holds, the run is canceled or `timeoutMs` passed; returns
    // whether `done()` held. A bound on waiting for the agent, not a measurement.
    bool waitUntil(const std::function<bool()> &done, int timeoutMs);
    // GET of a JSON document (the agent's JWKS), with the same bound; nullopt with *error otherwise.
    std::optional<nlohmann::json> fetchJson(const QUrl &url, int timeoutMs, QString *error);

private:
    std::shared_ptr<const std::atomic_bool> m_canceled;
    std::unique_ptr<WebhookReceiver> m_receiver;
    std::vector<WebhookEvent> m_accepted;
    std::vector<WebhookEvent> m_refused;
    QStringList m_rejected;
};

} // namespace adcp::lab
