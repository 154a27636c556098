#include "migrations.h"

namespace adcp::seller::storage {

// Every record a buyer can see carries principal_id: another principal's ids never match a lookup.
std::vector<MigrationStep> coreMigrations()
{
    return {
        {1,
         QStringLiteral("catalog, opportunities, proposals with versions, media buys, packages, idempotency"),
         {
             QStringLiteral(
                 "CREATE TABLE products (product_id TEXT PRIMARY KEY, position INTEGER NOT NULL, "
                 "delivery_type TEXT NOT NULL, product_json TEXT NOT NULL, seller_json TEXT NOT NULL, "
                 "implementation_config TEXT, updated_at TEXT NOT NULL)"),
             QStringLiteral(
                 "CREATE TABLE opportunities (principal_id TEXT NOT NULL, opportunity_id TEXT NOT NULL, "
                 "phase TEXT, intent TEXT, planning_horizon TEXT, response_deadline TEXT, "
                 "status TEXT NOT NULL DEFAULT 'open', close_reason TEXT, close_detail TEXT, "
                 "created_at TEXT NOT NULL, updated_at TEXT NOT NULL, "
                 "PRIMARY KEY (principal_id, opportunity_id))"),
             QStringLiteral(
                 "CREATE TABLE proposals (principal_id TEXT NOT NULL, proposal_id TEXT NOT NULL, "
                 "request_id TEXT NOT NULL, current_version INTEGER NOT NULL, status TEXT NOT NULL, "
                 "versioned INTEGER NOT NULL DEFAULT 0, expires_at TEXT NOT NULL, opportunity_id TEXT, "
                 "media_buy_id TEXT, declined_version INTEGER, decline_reason TEXT, decline_detail TEXT, "
                 "declined_at TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, "
                 "PRIMARY KEY (principal_id, proposal_id))"),
             QStringLiteral("CREATE INDEX proposals_by_request ON proposals (principal_id, request_id)"),
             QStringLiteral(
                 "CREATE TABLE proposal_versions (principal_id TEXT NOT NULL, proposal_id TEXT NOT NULL, "
                 "version INTEGER NOT NULL, status TEXT NOT NULL, proposal_json TEXT NOT NULL, "
                 "cause TEXT NOT NULL, created_at TEXT NOT NULL, "
                 "PRIMARY KEY (principal_id, proposal_id, version))"),
             QStringLiteral(
                 "CREATE TABLE media_buys (principal_id TEXT NOT NULL, media_buy_id TEXT NOT NULL, "
                 "status TEXT NOT NULL, revision INTEGER NOT NULL, currency TEXT NOT NULL, "
                 "total_budget REAL NOT NULL, start_time TEXT NOT NULL, end_time TEXT NOT NULL, "
                 "proposal_id TEXT, proposal_version TEXT, name TEXT, po_number TEXT, "
                 "confirmed_at TEXT, creative_deadline TEXT, request_json TEXT NOT NULL, "
                 "context_json TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, "
                 "PRIMARY KEY (principal_id, media_buy_id))"),
             QStringLiteral(
                 "CREATE TABLE packages (principal_id TEXT NOT NULL, package_id TEXT NOT NULL, "
                 "media_buy_id TEXT NOT NULL, position INTEGER NOT NULL, product_id TEXT NOT NULL, "
                 "pricing_option_id TEXT NOT NULL, budget REAL NOT NULL, bid_price REAL, pacing TEXT, "
                 "start_time TEXT, end_time TEXT, paused INTEGER NOT NULL DEFAULT 0, "
                 "status TEXT NOT NULL, package_json TEXT NOT NULL, implementation_config TEXT, "
                 "created_at TEXT NOT NULL, updated_at TEXT NOT NULL, "
                 "PRIMARY KEY (principal_id, package_id), "
                 "FOREIGN KEY (principal_id, media_buy_id) REFERENCES media_buys (principal_id, "
                 "media_buy_id))"),
             QStringLiteral("CREATE INDEX packages_by_buy ON packages (principal_id, media_buy_id)"),
             QStringLiteral(
                 "CREATE TABLE idempotency (principal_id TEXT NOT NULL, idempotency_key TEXT NOT NULL, "
                 "tool TEXT NOT NULL, request_hash TEXT NOT NULL, state TEXT NOT NULL, "
                 "response_json TEXT, created_at TEXT NOT NULL, expires_at TEXT NOT NULL, "
                 "PRIMARY KEY (principal_id, idempotency_key))"),
         },
         {}},
        // The status ticker's round reads only the buys whose flight starts or ends since its last round
        // (MediaBuyLifecycle::refreshCrossings).
        {2,
         QStringLiteral("media buys by flight start and end"),
         {
             QStringLiteral("CREATE INDEX media_buys_by_start ON media_buys (start_time)"),
             QStringLiteral("CREATE INDEX media_buys_by_end ON media_buys (end_time)"),
         },
         {}},
    };
}

} // namespace adcp::seller::storage
