#pragma once

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace adcp::seller {

bool isTerminalStatus(std::string_view status);

// What execution knows about a buy beyond core's media_buys row.
struct BuyExecution
{
    std::string principalId;
    std::string mediaBuyId;
    std::string status;
    qint64 revision = 0;
    std::string currency;
    double totalBudget = 0;
    QDateTime start;
    QDateTime end;
    std::string approval; // not_required, pending, approved, rejected
    std::string taskId;
    bool paused = false;
    QDateTime canceledAt;
    std::string canceledBy;
    std::string cancellationReason;
    std::string rejectionReason;
    nlohmann::json pushConfig;       // null when none
    nlohmann::json reportingWebhook; // null when none
};

struct PackageExecution
{
    std::string packageId;
    std::string productId;
    double budget = 0;
    std::string adapter;
    std::string externalId;
    std::string adapterState;
    bool live = false;
    std::string failure;
    bool paused = false;
    bool canceled = false;
    std::string pacing;
    std::string pricingModel = "cpm";
    nlohmann::json pricingParameters; // the option's parameters (time_unit, view_threshold …), or null
    double rate = 10;                 // in the pricing model's unit (domain/pricing.h)
    // The package's pricing as an option ({pricing_model, fixed_price: rate, parameters}), for
    // domain/pricing.h.
    nlohmann::json pricingOption() const;
    QDateTime start; // the package's own flight, or the buy's
    QDateTime end;
};

// The media-buy state machine, driven by approval, ad-server results, creatives and the seller clock:
// pending_creatives → pending_start → active ⇄ paused → completed; pending_* → rejected; any non-terminal →
// canceled. Every change is recorded in the buy's history and sent as a webhook when the buyer registered
// one.
class MediaBuyLifecycle final
{
public:
    static std::optional<BuyExecution> load(QSqlDatabase &db, const std::string &principalId,
                                            const std::string &mediaBuyId);
    static std::vector<PackageExecution> packages(QSqlDatabase &db, const BuyExecution &buy);
    // The buy's packages as an order's answer lists them: [{package_id, product_id, budget}], in order.
    static nlohmann::json packageBudgets(QSqlDatabase &db, const BuyExecution &buy);
    // The status the buy should have now; the stored one for terminal buys.
    static std::string computeStatus(QSqlDatabase &db, const BuyExecution &buy, const QDateTime &now);
    // Applies computeStatus(); returns the (possibly unchanged) status, nullopt on error or unknown buy.
    static std::optional<std::string> refresh(QSqlDatabase &db, const std::string &principalId,
                                              const std::string &mediaBuyId, const QDateTime &now,
                                              QString *error);
    // refresh() for every non-terminal buy; returns how many changed status, -1 on error.
    static int refreshAll(QSqlDatabase &db, const QDateTime &now, QString *error);
    // refresh() for the non-terminal buys whose flight starts or ends in (since, now], at the stored times'
    // second precision: the only moves the clock alone makes (every other cause refreshes its buy when it
    // happens). Reads through the start and end indexes, not every open buy.
    static int refreshCrossings(QSqlDatabase &db, const QDateTime &since, const QDateTime &now,
                                QString *error);
    // refresh() for the next `limit` non-terminal buys in rowid order after rowid `after` (the ticker's
    // rolling sweep). `*next` gets the rowid to go on after, or 0 once the slice reached the last open buy.
    // Returns how many changed status, -1 on error (`*next` unchanged).
    static int refreshSlice(QSqlDatabase &db, qint64 after, int limit, const QDateTime &now, qint64 *next,
                            QString *error);
    // Writes a status change (history, core row, webhook). `cause` is free text for the history.
    static bool setStatus(QSqlDatabase &db, const BuyExecution &buy, const std::string &to,
                          const std::string &cause, const QDateTime &now, QString *error);
    // Periods in which the buy was paused (from its history), for the delivery simulation.
    static std::vector<std::pair<QDateTime, QDateTime>> pausedPeriods(QSqlDatabase &db,
                                                                      const BuyExecution &buy);
    // The buy's history entries, oldest first.
    static nlohmann::json history(QSqlDatabase &db, const BuyExecution &buy);
    // The actions a buyer may take now (media-buy-available-action.json).
    static nlohmann::json availableActions(const std::string &status);
};

} // namespace adcp::seller
