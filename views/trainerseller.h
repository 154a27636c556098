#pragma once

#include <QObject>
#include <QPointer>
#include <QTemporaryDir>

#include <nlohmann/json.hpp>

#include <memory>

namespace adcp {
class AgentClient;
class WebhookReceiver;
} // namespace adcp

namespace adcp::seller {
class Dispatcher;
class Execution;
class SellerContext;
} // namespace adcp::seller

namespace adcp::gui {

class SellerConsole;
class Workbench;

// The embedded seller a trainer scenario replays against: every reset opens a fresh database in a
// temporary folder (the catalog seeded, nothing else), starts its execution, and points the planner's
// in-process connection, the seller console, the workbench clock and the webhook receiver at it. The
// planner's own embedded seller database is left untouched. The workbench session is cleared and connected
// again.
class TrainerSeller final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrainerSeller)
public:
    // `client` must run on the in-process transport; the console and the receiver may be null.
    TrainerSeller(Workbench *workbench, adcp::AgentClient *client, SellerConsole *console,
                  adcp::WebhookReceiver *receiver, QObject *parent = nullptr);
    ~TrainerSeller() override;

    // Webhooks are polled this often (tests make it short); before the first reset.
    void setWebhookPollMs(int ms);
    // The planner's own embedded seller, which goHome() gives the window back.
    void setHome(std::shared_ptr<adcp::seller::Dispatcher> dispatcher,
                 std::shared_ptr<adcp::seller::Execution> execution);
    bool reset(QString *error);
    // Back to the home seller: the connection, the console, the clock and the webhook keys follow it, the
    // scenario's seller stops and its session is cleared (the caller brings the planner's workspace back).
    bool goHome(QString *error);
    // A scenario's seller answers now (reset() was called and goHome() not since).
    bool isActive() const;
    // The seller answering now: the scenario's, or the home one.
    std::shared_ptr<adcp::seller::Dispatcher> dispatcher() const;
    // The keys the seller answering now signs its webhooks with (a JWKS), or null when it sends none.
    nlohmann::json webhookJwks() const;

Q_SIGNALS:
    // A fresh seller answers from now on (dispatcher()); the window's test lab target can follow it.
    void replaced();

private:
    void stop();
    // The webhook keys, the console, the workbench clock and a new workbench session follow `dispatcher`.
    void handOver(const std::shared_ptr<adcp::seller::Dispatcher> &dispatcher,
                  const std::shared_ptr<adcp::seller::Execution> &execution);

    QPointer<Workbench> m_workbench;
    QPointer<adcp::AgentClient> m_client;
    QPointer<SellerConsole> m_console;
    QPointer<adcp::WebhookReceiver> m_receiver;
    QTemporaryDir m_dir;
    int m_generation = 0;
    int m_webhookPollMs = 0;
    std::shared_ptr<adcp::seller::SellerContext> m_context;
    std::shared_ptr<adcp::seller::Dispatcher> m_dispatcher;
    std::shared_ptr<adcp::seller::Execution> m_execution;
    std::shared_ptr<adcp::seller::Dispatcher> m_homeDispatcher;
    std::shared_ptr<adcp::seller::Execution> m_homeExecution;
};

} // namespace adcp::gui
