#pragma once

#include "agentclient.h"
#include "labtypes.h"

#include <QObject>

#include <atomic>
#include <memory>
#include <utility>

namespace adcp::lab {

class LabWebhooks;

// What the steps of one run share: the agent under test as seen by principal A (and B when a second token is
// given), its declared capabilities, and a small state (ids one step leaves for the next). Lives on the run's
// worker thread; call() waits for the answer in a local event loop there, so a step reads top to bottom.
class LabContext final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LabContext)
public:
    enum class Who { A, B };
    struct CallOptions
    {
        bool validateRequest = true; // off to send what a careless buyer would
        Who who = Who::A;
    };

    LabContext(const LabConfig &config, std::shared_ptr<const std::atomic_bool> canceled,
               QObject *parent = nullptr);
    ~LabContext() override;

    ToolOutcome call(const QString &tool, const nlohmann::json &arguments, CallOptions options);
    ToolOutcome call(const QString &tool, const nlohmann::json &arguments);
    // Both calls are sent before either answer is read (a race on one resource).
    std::pair<ToolOutcome, ToolOutcome> callTogether(const QString &tool, const nlohmann::json &first,
                                                     const nlohmann::json &second);

    const LabConfig &config() const;
    bool hasPrincipalB() const;
    bool isCanceled() const;

    // Read once by the discovery suite; later suites decide applicability from them.
    void setCapabilities(const nlohmann::json &capabilities);
    const nlohmann::json &capabilities() const;
    QList<Dialect> dialects() const;
    QStringList declaredVersions() const;
    bool declaresMediaBuy() const;
    // Answers are checked against the bundled schemas only when the agent speaks their release.
    bool validatesAnswers() const;
    // Whether the agent knows a tool: false when calling it was answered "unknown tool".
    static bool isUnknownTool(const ToolOutcome &outcome);

    // The account every account-scoped request of the run carries (a natural key until an account is synced).
    const nlohmann::json &account() const;
    void setAccount(nlohmann::json account);
    nlohmann::json &state();
    // A fresh idempotency key (UUID v4 text; matches the spec's pattern).
    static std::string newKey();

    // The lab's webhook receiver and what reached it (created on first use, on this thread).
    LabWebhooks &webhooks();

    // The exchanges made since the last call, for the step that made them.
    std::vector<LabExchange> takeExchanges();

private:
    AgentClient *client(Who who) const;
    void record(const QString &principal, const Exchange &exchange);
    ToolOutcome wait(PendingCall *pending);

    LabConfig m_config;
    std::shared_ptr<const std::atomic_bool> m_canceled;
    std::unique_ptr<AgentClient> m_a;
    std::unique_ptr<AgentClient> m_b;
    nlohmann::json m_capabilities;
    nlohmann::json m_account;
    nlohmann::json m_state = nlohmann::json::object();
    std::vector<LabExchange> m_exchanges;
    std::unique_ptr<LabWebhooks> m_webhooks;
    // How many of the receiver's accepted, refused and rejected deliveries a step has already shown.
    size_t m_seenAccepted = 0;
    size_t m_seenRefused = 0;
    qsizetype m_seenRejected = 0;
};

} // namespace adcp::lab
