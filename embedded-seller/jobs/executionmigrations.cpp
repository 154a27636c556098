#include "executionmigrations.h"

#include "storage/migrations.h"

namespace adcp::seller {

// Tables of execution and monitoring. They reference core's media_buys/packages by (principal_id, id) and
// never change core tables.
std::vector<storage::MigrationStep> executionMigrationSteps()
{
    return {
        {1,
         QStringLiteral("job queue, per-package ad-server state, buy execution state, tasks, dependency "
                        "resources, impairments, webhook outbox, signing keys"),
         {
             QStringLiteral(
                 "CREATE TABLE exec_jobs (job_id INTEGER PRIMARY KEY AUTOINCREMENT, principal_id TEXT "
                 "NOT NULL, media_buy_id TEXT NOT NULL, package_id TEXT NOT NULL, adapter TEXT NOT NULL, "
                 "step TEXT NOT NULL, payload TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT "
                 "NULL, not_before_ms INTEGER NOT NULL, claimed_by TEXT, lease_until_ms INTEGER, "
                 "last_error TEXT, result_json TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)"),
             QStringLiteral("CREATE INDEX exec_jobs_due ON exec_jobs (state, not_before_ms)"),
             QStringLiteral(
                 "CREATE INDEX exec_jobs_by_package ON exec_jobs (media_buy_id, package_id, job_id)"),
             QStringLiteral(
                 "CREATE TABLE exec_packages (principal_id TEXT NOT NULL, package_id TEXT NOT NULL, "
                 "media_buy_id TEXT NOT NULL, adapter TEXT NOT NULL, external_id TEXT, adapter_state "
                 "TEXT, live INTEGER NOT NULL DEFAULT 0, failure TEXT, paused INTEGER NOT NULL DEFAULT 0, "
                 "canceled INTEGER NOT NULL DEFAULT 0, pacing TEXT NOT NULL DEFAULT 'even', cpm REAL NOT "
                 "NULL DEFAULT 10, PRIMARY KEY (principal_id, package_id))"),
             QStringLiteral(
                 "CREATE INDEX exec_packages_by_buy ON exec_packages (principal_id, media_buy_id)"),
             QStringLiteral(
                 "CREATE TABLE exec_buys (principal_id TEXT NOT NULL, media_buy_id TEXT NOT NULL, "
                 "approval TEXT NOT NULL, task_id TEXT, paused INTEGER NOT NULL DEFAULT 0, canceled_at "
                 "TEXT, canceled_by TEXT, cancellation_reason TEXT, rejection_reason TEXT, push_config "
                 "TEXT, reporting_webhook TEXT, delivery_sequence INTEGER NOT NULL DEFAULT 0, "
                 "last_report_at TEXT, final_report_sent INTEGER NOT NULL DEFAULT 0, updated_at TEXT "
                 "NOT NULL, PRIMARY KEY (principal_id, media_buy_id))"),
             QStringLiteral(
                 "CREATE TABLE exec_buy_history (id INTEGER PRIMARY KEY AUTOINCREMENT, principal_id TEXT "
                 "NOT NULL, media_buy_id TEXT NOT NULL, at TEXT NOT NULL, from_status TEXT, to_status "
                 "TEXT NOT NULL, cause TEXT NOT NULL)"),
             QStringLiteral(
                 "CREATE INDEX exec_buy_history_by_buy ON exec_buy_history (principal_id, media_buy_id, "
                 "id)"),
             QStringLiteral(
                 "CREATE TABLE exec_tasks (task_id TEXT PRIMARY KEY, principal_id TEXT NOT NULL, "
                 "task_type TEXT NOT NULL, status TEXT NOT NULL, media_buy_id TEXT, request_json TEXT, "
                 "result_json TEXT, error_json TEXT, push_config TEXT, history_json TEXT NOT NULL, "
                 "created_at TEXT NOT NULL, updated_at TEXT NOT NULL, completed_at TEXT)"),
             QStringLiteral("CREATE INDEX exec_tasks_by_principal ON exec_tasks (principal_id, status)"),
             QStringLiteral(
                 "CREATE TABLE mon_resources (principal_id TEXT NOT NULL, resource_type TEXT NOT NULL, "
                 "resource_id TEXT NOT NULL, status TEXT NOT NULL, previous_status TEXT, reason_code TEXT, "
                 "reason TEXT, name TEXT, detail_json TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT "
                 "NULL, "
                 "PRIMARY KEY (principal_id, resource_type, resource_id))"),
             QStringLiteral(
                 "CREATE TABLE mon_dependencies (principal_id TEXT NOT NULL, media_buy_id TEXT NOT NULL, "
                 "package_id TEXT NOT NULL, resource_type TEXT NOT NULL, resource_id TEXT NOT NULL, "
                 "PRIMARY KEY (principal_id, package_id, resource_type, resource_id))"),
             QStringLiteral("CREATE INDEX mon_dependencies_by_resource ON mon_dependencies (principal_id, "
                            "resource_type, resource_id)"),
             QStringLiteral(
                 "CREATE TABLE mon_impairments (impairment_id TEXT PRIMARY KEY, principal_id TEXT NOT "
                 "NULL, media_buy_id TEXT NOT NULL, resource_type TEXT NOT NULL, resource_id TEXT NOT "
                 "NULL, package_ids TEXT NOT NULL, from_status TEXT, to_status TEXT NOT NULL, "
                 "reason_code TEXT NOT NULL, reason TEXT, remediation TEXT, observed_at TEXT NOT NULL, "
                 "resolved_at TEXT)"),
             QStringLiteral(
                 "CREATE INDEX mon_impairments_open ON mon_impairments (principal_id, media_buy_id, "
                 "resolved_at)"),
             QStringLiteral(
                 "CREATE TABLE wh_outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, principal_id TEXT NOT "
                 "NULL, url TEXT NOT NULL, auth_json TEXT, event_type TEXT NOT NULL, coalesce_key TEXT, "
                 "idempotency_key TEXT NOT NULL UNIQUE, notification_id TEXT, body TEXT NOT NULL, state "
                 "TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_ms INTEGER NOT NULL, "
                 "first_attempt_ms INTEGER, last_status INTEGER, last_error TEXT, created_at TEXT NOT "
                 "NULL, delivered_at TEXT)"),
             QStringLiteral("CREATE INDEX wh_outbox_due ON wh_outbox (state, next_attempt_ms)"),
             QStringLiteral(
                 "CREATE TABLE exec_injected_delivery (id INTEGER PRIMARY KEY AUTOINCREMENT, principal_id "
                 "TEXT NOT NULL, media_buy_id TEXT NOT NULL, package_id TEXT NOT NULL, at TEXT NOT NULL, "
                 "impressions INTEGER NOT NULL, clicks INTEGER NOT NULL, spend_minor INTEGER NOT NULL)"),
             QStringLiteral(
                 "CREATE TABLE wh_keys (key_id TEXT PRIMARY KEY, private_key TEXT NOT NULL, created_at "
                 "TEXT NOT NULL)"),
         },
         {}},
        {2,
         QStringLiteral("fixtures seeded through comply_test_controller (media buys, plans)"),
         {
             QStringLiteral(
                 "CREATE TABLE sandbox_seeds (principal_id TEXT NOT NULL, kind TEXT NOT NULL, seed_id TEXT "
                 "NOT NULL, fixture_json TEXT NOT NULL, seeded_at TEXT NOT NULL, PRIMARY KEY "
                 "(principal_id, kind, seed_id))"),
         },
         {}},
        {3,
         QStringLiteral(
             "dependencies by media buy (health reconciliation on every create_media_buy read all of "
             "the principal's dependencies)"),
         {
             QStringLiteral(
                 "CREATE INDEX mon_dependencies_by_buy ON mon_dependencies (principal_id, media_buy_id)"),
         },
         {}},
        {4,
         QStringLiteral("when each dependency was assigned (list_creatives reports assigned_date); rows from "
                        "before take their media buy's creation time, the earliest the assignment can be"),
         {
             QStringLiteral("ALTER TABLE mon_dependencies ADD COLUMN assigned_at TEXT"),
             QStringLiteral(
                 "UPDATE mon_dependencies SET assigned_at = (SELECT m.created_at FROM media_buys m WHERE "
                 "m.principal_id = mon_dependencies.principal_id AND m.media_buy_id = "
                 "mon_dependencies.media_buy_id) WHERE assigned_at IS NULL"),
         },
         {}},
        {5,
         QStringLiteral("pricing models beyond CPM: each package keeps its model, the option's parameters "
                        "(time unit, view threshold) and its rate in that model's unit; rows from before "
                        "are CPM"),
         {
             QStringLiteral("ALTER TABLE exec_packages RENAME COLUMN cpm TO rate"),
             QStringLiteral("ALTER TABLE exec_packages ADD COLUMN pricing_model TEXT NOT NULL DEFAULT 'cpm'"),
             QStringLiteral("ALTER TABLE exec_packages ADD COLUMN pricing_parameters TEXT"),
         },
         {}},
        {6,
         QStringLiteral("data sync: audience members and their identifiers (sync_audiences), events logged "
                        "against event sources (log_event)"),
         {
             QStringLiteral(
                 "CREATE TABLE data_audience_members (principal_id TEXT NOT NULL, audience_id TEXT "
                 "NOT NULL, external_id TEXT NOT NULL, matched INTEGER NOT NULL, PRIMARY KEY "
                 "(principal_id, audience_id, external_id))"),
             QStringLiteral(
                 "CREATE TABLE data_audience_identifiers (principal_id TEXT NOT NULL, audience_id "
                 "TEXT NOT NULL, external_id TEXT NOT NULL, id_type TEXT NOT NULL, matched INTEGER "
                 "NOT NULL, PRIMARY KEY (principal_id, audience_id, external_id, id_type))"),
             QStringLiteral(
                 "CREATE TABLE data_events (principal_id TEXT NOT NULL, event_source_id TEXT NOT "
                 "NULL, event_id TEXT NOT NULL, event_type TEXT NOT NULL, event_time TEXT NOT NULL, "
                 "received_at TEXT NOT NULL, test INTEGER NOT NULL, matched INTEGER NOT NULL, "
                 "event_json TEXT NOT NULL, PRIMARY KEY (principal_id, event_source_id, event_id))"),
             QStringLiteral(
                 "CREATE INDEX data_events_by_arrival ON data_events (principal_id, event_source_id, "
                 "received_at)"),
         },
         {}},
        {7,
         QStringLiteral("performance feedback the buyer sent about its buys (provide_performance_feedback)"),
         {
             QStringLiteral(
                 "CREATE TABLE data_feedback (feedback_id TEXT PRIMARY KEY, principal_id TEXT NOT "
                 "NULL, media_buy_id TEXT NOT NULL, package_id TEXT, creative_id TEXT, period_start "
                 "TEXT NOT NULL, period_end TEXT NOT NULL, performance_index REAL NOT NULL, baseline "
                 "TEXT, supersedes TEXT, superseded_by TEXT, assertion_json TEXT NOT NULL, "
                 "received_at TEXT NOT NULL)"),
             QStringLiteral("CREATE INDEX data_feedback_by_buy ON data_feedback (principal_id, media_buy_id, "
                            "received_at)"),
         },
         {}},
        {8,
         QStringLiteral(
             "catalog feeds the buyer synced (sync_catalogs); their items are catalog_item resources"),
         {
             QStringLiteral(
                 "CREATE TABLE data_catalogs (principal_id TEXT NOT NULL, catalog_id TEXT NOT NULL, "
                 "account_id "
                 "TEXT, generation TEXT NOT NULL, platform_id TEXT NOT NULL, catalog_type TEXT NOT NULL, "
                 "definition_json TEXT NOT NULL, created_at TEXT NOT NULL, last_synced_at TEXT NOT NULL, "
                 "PRIMARY KEY (principal_id, catalog_id))"),
         },
         {}},
        {9,
         QStringLiteral("the sandbox arms comply_test_controller forces on the next create_media_buy and "
                        "get_products (created on first use before; IF NOT EXISTS keeps those databases)"),
         {
             QStringLiteral("CREATE TABLE IF NOT EXISTS sandbox_create_arm (principal_id TEXT PRIMARY KEY, "
                            "arm TEXT NOT NULL, task_id TEXT, message TEXT, created_at TEXT NOT NULL)"),
             QStringLiteral(
                 "CREATE TABLE IF NOT EXISTS sandbox_products_arm (principal_id TEXT PRIMARY KEY, "
                 "arm TEXT NOT NULL, task_id TEXT, message TEXT, reason TEXT, suggestions_json TEXT, "
                 "created_at TEXT NOT NULL)"),
         },
         {}},
        {10,
         QStringLiteral("buyer-authored availability overlays of catalog items (sync_catalogs "
                        "item_availability_updates) and the holds they put on the items' dependency records"),
         {
             QStringLiteral(
                 "CREATE TABLE data_catalog_item_availability (principal_id TEXT NOT NULL, catalog_id TEXT "
                 "NOT "
                 "NULL, catalog_generation TEXT NOT NULL, item_id TEXT NOT NULL, availability TEXT NOT NULL, "
                 "overlay_revision INTEGER NOT NULL, reason TEXT NOT NULL, reason_detail TEXT, expires_at "
                 "TEXT, updated_at TEXT NOT NULL, PRIMARY KEY (principal_id, catalog_id, catalog_generation, "
                 "item_id))"),
             QStringLiteral(
                 "CREATE INDEX data_catalog_item_availability_due ON data_catalog_item_availability "
                 "(expires_at) WHERE expires_at IS NOT NULL"),
             QStringLiteral("ALTER TABLE mon_resources ADD COLUMN hold_status TEXT"),
             QStringLiteral("ALTER TABLE mon_resources ADD COLUMN hold_reason_code TEXT"),
             QStringLiteral("ALTER TABLE mon_resources ADD COLUMN hold_reason TEXT"),
             QStringLiteral("ALTER TABLE mon_resources ADD COLUMN hold_since TEXT"),
         },
         {}},
        {11,
         QStringLiteral(
             "what a task held for the seller's approval keeps until then (a direct buy's accepted "
             "terms)"),
         {QStringLiteral("ALTER TABLE exec_tasks ADD COLUMN pending_json TEXT")},
         {}},
        {12,
         QStringLiteral(
             "package budget changes with their instant, so that delivery before a change stays as "
             "it was"),
         {QStringLiteral(
              "CREATE TABLE exec_budget_changes (id INTEGER PRIMARY KEY AUTOINCREMENT, principal_id "
              "TEXT NOT NULL, media_buy_id TEXT NOT NULL, package_id TEXT NOT NULL, at TEXT NOT NULL, "
              "from_budget REAL NOT NULL, to_budget REAL NOT NULL)"),
          QStringLiteral("CREATE INDEX exec_budget_changes_by_package ON exec_budget_changes (principal_id, "
                         "package_id, id)")},
         {}},
    };
}

} // namespace adcp::seller
