#pragma once

#include <Qt>

namespace adcp::models {

// Roles shared by every workbench model, so proxies and delegates need not know which model they sit on.
enum Role {
    SortRole = Qt::UserRole + 1, // raw value to sort by (number, date, text)
    IdRole,                      // the row's AdCP id (product_id, proposal_id, media_buy_id, ...)
    StatusRole,                  // lifecycle status as the spec spells it (draft, committed, active, ...)
    HealthRole,                  // ok | impaired (buys)
    ExpiresAtRole,               // QDateTime (proposals)
    SecondsLeftRole,             // qint64 seconds until expires_at, relative to the model's clock (proposals)
    FractionRole,                // 0..1 for bars (allocation share, pacing)
    ChangedRole,                 // bool: differs between two compared versions
    SourceRole,                  // webhook | snapshot | both (timeline events)
    BackgroundRole,              // bool: an exchange the workbench made on its own (polling), not the planner
    OpportunityRole,             // the opportunity_id a proposal was issued under (empty: none)
    ProposalIdRole,              // the proposal_id a buy was created from (empty: a direct buy)
};

} // namespace adcp::models
