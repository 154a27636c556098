#pragma once

#include "agentclient.h"
#include "dispatcher.h"
#include "embeddedprincipal.h"
#include "schemaregistry.h"
#include "sellercontext.h"
#include "server/inprocesstransport.h"
#include "workbench.h"

#include <memory>

// The planner's side of the embedded seller as the application sets it up, shared by the GUI tests that drive
// the window against it (they link adcp_seller; guidriver.h is the part every GUI test can use).
namespace guidriver {

// The planner's client of the embedded seller: in process, as the planner's principal, checked against the
// bundled schemas, a submitted task polled every 100 ms.
inline std::unique_ptr<adcp::AgentClient>
embeddedPlannerClient(std::shared_ptr<adcp::seller::Dispatcher> dispatcher)
{
    auto client =
        std::make_unique<adcp::AgentClient>(QStringLiteral("Embedded seller"),
                                            std::make_unique<adcp::seller::InProcessTransport>(
                                                std::move(dispatcher), adcp::gui::embeddedPlannerPrincipal()),
                                            adcp::SchemaRegistry::bundled());
    client->setTaskPolling(true, 100);
    return client;
}

// A workbench on that client as the planner: on the seller's clock when `context` is given, its buys
// followed every `monitorMs`.
inline std::unique_ptr<adcp::gui::Workbench>
plannerWorkbench(adcp::AgentClient *client, const std::shared_ptr<adcp::seller::SellerContext> &context,
                 int monitorMs)
{
    auto workbench = std::make_unique<adcp::gui::Workbench>();
    workbench->setClient(client, QString::fromStdString(adcp::gui::embeddedPlannerPrincipal().id));
    if (context)
        workbench->setClock([context] { return context->clock().now(); });
    workbench->setMonitoringInterval(monitorMs);
    return workbench;
}

} // namespace guidriver
