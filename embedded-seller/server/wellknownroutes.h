#pragma once

#include "dispatcher.h"
#include "routeexchange.h"
#include "sellerserveroptions.h"

#include <memory>

namespace adcp::seller {

class RouteGuard;

// The public documents under /.well-known: the A2A agent card and the JWKS the seller's webhook signatures
// verify against. Neither needs a token.
class WellKnownRoutes final
{
public:
    WellKnownRoutes(std::shared_ptr<Dispatcher> dispatcher, RouteGuard &guard, const SellerServerOptions &options);
    WellKnownRoutes(const WellKnownRoutes &) = delete;
    WellKnownRoutes &operator=(const WellKnownRoutes &) = delete;

    // Answers and returns true when the path is one of these routes.
    bool handle(const ExchangePtr &exchange);

private:
    void agentCard(const ExchangePtr &exchange);

    std::shared_ptr<Dispatcher> m_dispatcher;
    RouteGuard &m_guard;
    const SellerServerOptions &m_options;
};

} // namespace adcp::seller
