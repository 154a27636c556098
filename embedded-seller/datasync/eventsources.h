#pragma once

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace adcp::seller {

// Conversion event sources (sync_event_sources) and the events logged against them (log_event). A source is a
// dependency resource of type "event_source" whose status is its health (insufficient, minimum, good,
// excellent), so a buy optimizing toward it is impaired when the source goes quiet; its events are rows of
// their own, unique per (source, event_id).
namespace eventsources {

// The source every principal has without syncing it: this seller's own in-store purchase measurement.
inline constexpr const char *kSellerSourceId = "seller_in_store_purchases";

// Creates the seller-managed source for the principal when missing.
bool ensureSellerSource(QSqlDatabase &db, const std::string &principalId, const QDateTime &now,
                        QString *error);

// Source ids of the principal in id order: the seller's own first, then with `accountId` only that account's.
std::vector<std::string> sourceIds(QSqlDatabase &db, const std::string &principalId,
                                   const std::optional<std::string> &accountId, QString *error);

bool deleteSource(QSqlDatabase &db, const std::string &principalId, const std::string &sourceId,
                  QString *error);

struct Activity
{
    int events24h = 0;     // real (non-test) events received in the 24 hours before `now`
    int matched24h = 0;    // of which a user identifier matched
    QDateTime lastEventAt; // the latest event_time received; invalid when none
};
std::optional<Activity> activity(QSqlDatabase &db, const std::string &principalId,
                                 const std::string &sourceId, const QDateTime &now, QString *error);

// The health events give a source: good once events flow, excellent with volume and matching; a source
// without events stays at minimum (only the seller marks one insufficient).
std::string healthFor(const Activity &activity);

// Stores one event; false in `*inserted` when its event_id was already logged for the source.
bool storeEvent(QSqlDatabase &db, const std::string &principalId, const std::string &sourceId,
                const nlohmann::json &event, bool test, bool matched, const QDateTime &now, bool *inserted,
                QString *error);

// Whether an event's user_match carries an identifier this seller's user graph knows.
bool userMatches(const nlohmann::json &event);

} // namespace eventsources
} // namespace adcp::seller
