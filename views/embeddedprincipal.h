#pragma once

namespace adcp::seller {
struct Principal;
}

namespace adcp::gui {

// The account the planner uses towards the embedded seller: a normal (not sandbox) account, so the seller
// offers it its catalog and never the compliance fixtures kept for sandbox accounts. The seller console
// reaches the seller's test controller as the same principal in sandbox mode, on its own.
const adcp::seller::Principal &embeddedPlannerPrincipal();

} // namespace adcp::gui
