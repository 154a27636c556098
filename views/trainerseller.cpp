#include "trainerseller.h"

#include "agentclient.h"
#include "dispatcher.h"
#include "embeddedprincipal.h"
#include "jobs/execution.h"
#include "sellerconsole.h"
#include "sellercontext.h"
#include "server/inprocesstransport.h"
#include "webhookreceiver.h"
#include "webhooks/webhooksender.h"
#include "workbench.h"

#include <QCoreApplication>
#include <QDir>

namespace adcp::gui {

TrainerSeller::TrainerSeller(Workbench *workbench, adcp::AgentClient *client, SellerConsole *console,
                             adcp::WebhookReceiver *receiver, QObject *parent)
    : QObject(parent), m_workbench(workbench), m_client(client), m_console(console), m_receiver(receiver)
{}

TrainerSeller::~TrainerSeller()
{
    stop();
}

void TrainerSeller::setWebhookPollMs(int ms)
{
    m_webhookPollMs = ms;
}

void TrainerSeller::stop()
{
    if (m_execution)
        m_execution->stop();
    m_execution.reset();
}

std::shared_ptr<adcp::seller::Dispatcher> TrainerSeller::dispatcher() const
{
    return m_dispatcher ? m_dispatcher : m_homeDispatcher;
}

nlohmann::json TrainerSeller::webhookJwks() const
{
    const auto &execution = m_dispatcher ? m_execution : m_homeExecution;
    return execution && execution->webhookSender() ? execution->webhookSender()->jwks() : nlohmann::json();
}

void TrainerSeller::setHome(std::shared_ptr<adcp::seller::Dispatcher> dispatcher,
                            std::shared_ptr<adcp::seller::Execution> execution)
{
    m_homeDispatcher = std::move(dispatcher);
    m_homeExecution = std::move(execution);
}

bool TrainerSeller::isActive() const
{
    return m_dispatcher != nullptr;
}

bool TrainerSeller::goHome(QString *error)
{
    if (!m_dispatcher)
        return true;
    auto *transport =
        m_client ? qobject_cast<adcp::seller::InProcessTransport *>(m_client->transport()) : nullptr;
    if (!m_workbench || !transport || !m_homeDispatcher) {
        *error = tr("The planner's own embedded seller is not known to the trainer.");
        return false;
    }
    // As in reset(): calls start on the home seller from here on; what the scenario's seller still answers
    // belongs to the session setClient() ends, and the workbench drops it.
    transport->setDispatcher(m_homeDispatcher);
    m_workbench->cancelAll();
    stop();
    m_context.reset();
    m_dispatcher.reset();
    handOver(m_homeDispatcher, m_homeExecution);
    return true;
}

bool TrainerSeller::reset(QString *error)
{
    auto *transport =
        m_client ? qobject_cast<adcp::seller::InProcessTransport *>(m_client->transport()) : nullptr;
    if (!m_workbench || !transport) {
        *error = tr("Trainer scenarios replay against the embedded seller only.");
        return false;
    }
    if (!m_dir.isValid()) {
        *error = tr("No temporary folder for the trainer's seller: %1").arg(m_dir.errorString());
        return false;
    }
    adcp::seller::SellerOptions options;
    // A new file each time: calls of the last run still finishing keep the old one open meanwhile.
    options.databasePath =
        QDir(m_dir.path()).filePath(QStringLiteral("seller-%1.sqlite").arg(++m_generation));
    auto context = adcp::seller::SellerContext::open(options, error);
    if (!context)
        return false;
    // As the application sets the embedded seller up: impairment webhooks go out at once.
    context->setWebhookCoalescenceWindow("impairment", 0);
    auto dispatcher = std::make_shared<adcp::seller::Dispatcher>(context);
    adcp::seller::ExecutionOptions executionOptions;
    if (m_webhookPollMs > 0)
        executionOptions.webhooks.pollMs = m_webhookPollMs;
    auto execution = adcp::seller::Execution::start(context, executionOptions, error);
    if (!execution)
        return false;
    // Nothing of the last run may land in the new session: calls start on the new seller from here on, and
    // the ones in flight are cancelled. A cancelled call reports on a later pass of the event loop, and an
    // answer already on its way could come first: both are let through now, before the session is cleared.
    transport->setDispatcher(dispatcher);
    m_workbench->cancelAll();
    for (int pass = 0; pass < 5 || (m_workbench->isBusy() && pass < 100); ++pass)
        QCoreApplication::processEvents(QEventLoop::ExcludeUserInputEvents);
    stop();
    m_context = std::move(context);
    m_dispatcher = std::move(dispatcher);
    m_execution = std::move(execution);

    handOver(m_dispatcher, m_execution);
    return true;
}

void TrainerSeller::handOver(const std::shared_ptr<adcp::seller::Dispatcher> &dispatcher,
                             const std::shared_ptr<adcp::seller::Execution> &execution)
{
    if (m_receiver && execution && execution->webhookSender())
        m_receiver->addJwks(execution->webhookSender()->jwks());
    if (m_console) {
        m_console->setDispatcher(dispatcher);
        m_console->setAdapterControl(SellerConsole::adapterControl(execution));
    }
    m_workbench->setClock([dispatcher] { return dispatcher->context().clock().now(); });
    // A new client session: the models are cleared as for a newly chosen agent.
    m_workbench->setClient(m_client, m_workbench->principal());
    Q_EMIT replaced();
}

} // namespace adcp::gui
