#include "taskcontext.h"

#include "delivery/deliveryreport.h"
#include "monitoring/lifecycle.h"
#include "storage/database.h"

#include <QSqlQuery>

#include <set>

namespace adcp::seller {

using nlohmann::json;
using storage::execute;
using storage::qs;

namespace {

std::vector<std::string> stringsOf(const json &value)
{
    std::vector<std::string> out;
    if (value.is_string())
        out.push_back(value.get<std::string>());
    else if (value.is_array()) {
        for (const auto &v : value) {
            if (v.is_string())
                out.push_back(v.get<std::string>());
        }
    }
    return out;
}

QDateTime dayStart(const std::string &date)
{
    const QDate d = QDate::fromString(QString::fromStdString(date), Qt::ISODate);
    return d.isValid() ? QDateTime(d, QTime(0, 0), Qt::UTC) : QDateTime();
}

} // namespace

adcp::ToolOutcome getMediaBuyDelivery(TaskContext &task, const json &args)
{
    DeliveryRequest request;
    if (args.contains("time_granularity")) {
        const std::string granularity = args["time_granularity"].get<std::string>();
        if (granularity == "hourly")
            request.granularity = Granularity::Hourly;
        else if (granularity == "daily")
            request.granularity = Granularity::Daily;
        else
            return failure("UNSUPPORTED_GRANULARITY",
                           "time_granularity " + granularity +
                               " is not offered; this seller slices hourly or daily",
                           "time_granularity", "use hourly or daily");
    }
    request.windows = args.value("include_window_breakdown", false);
    request.packageDaily = args.value("include_package_daily_breakdown", false);

    std::vector<std::string> ids = stringsOf(args.value("media_buy_ids", json()));
    const std::vector<std::string> statusFilter = stringsOf(args.value("status_filter", json()));
    const bool listing = ids.empty();
    if (listing) {
        QSqlQuery q(storage::connectionFor(task.db));
        if (!execute(q,
                     QStringLiteral(
                         "SELECT media_buy_id FROM media_buys WHERE principal_id = ? ORDER BY created_at"),
                     {qs(task.principal.id)}, nullptr))
            return failure("SERVICE_UNAVAILABLE", "the seller could not read its media buys");
        while (q.next())
            ids.push_back(q.value(0).toString().toStdString());
    }

    // Period: the requested dates, else the lifetime of the buys asked about.
    QDateTime from =
        args.contains("start_date") ? dayStart(args["start_date"].get<std::string>()) : QDateTime();
    QDateTime to = args.contains("end_date") ? dayStart(args["end_date"].get<std::string>()) : QDateTime();
    if (from.isValid() && to.isValid() && to <= from)
        return failure("INVALID_REQUEST", "end_date must be after start_date (end_date is exclusive)",
                       "end_date");

    json deliveries = json::array();
    json errors = json::array();
    std::vector<BuyExecution> buys;
    for (const auto &id : ids) {
        {
            storage::WriteTransaction tx(task.db);
            QString error;
            if (tx.begin(&error) &&
                MediaBuyLifecycle::refresh(task.db, task.principal.id, id, task.now, &error))
                tx.commit(&error);
        }
        auto buy = MediaBuyLifecycle::load(task.db, task.principal.id, id);
        // With `account`, another account's buy is as unknown as a foreign one (and left out of a listing).
        if (buy && task.account &&
            !AccountStore::mediaBuyVisible(task.db, task.principal.id, id, task.account->accountId))
            buy.reset();
        if (!buy && listing)
            continue;
        if (!buy) {
            errors.push_back(
                adcp::AdcpError::make("MEDIA_BUY_NOT_FOUND", "no such media buy", "media_buy_ids")
                    .toJson());
            continue;
        }
        if (!statusFilter.empty() &&
            std::find(statusFilter.begin(), statusFilter.end(), buy->status) == statusFilter.end())
            continue;
        buys.push_back(*buy);
    }
    QDateTime lifetimeStart;
    QDateTime lifetimeEnd;
    for (const auto &buy : buys) {
        for (const auto &p : MediaBuyLifecycle::packages(task.db, buy)) {
            if (!lifetimeStart.isValid() || p.start < lifetimeStart)
                lifetimeStart = p.start;
            if (!lifetimeEnd.isValid() || p.end > lifetimeEnd)
                lifetimeEnd = p.end;
        }
        // Delivery the sandbox controller recorded before the flight (simulate_delivery on a buy that has not
        // started) is part of the buy's lifetime too, as the controller's own cumulative counts it.
        QSqlQuery first(storage::connectionFor(task.db));
        if (execute(first,
                    QStringLiteral("SELECT MIN(at) FROM exec_injected_delivery WHERE principal_id = ? AND "
                                   "media_buy_id = ?"),
                    {qs(buy.principalId), qs(buy.mediaBuyId)}, nullptr) &&
            first.next() && !first.value(0).isNull()) {
            const QDateTime at = QDateTime::fromString(first.value(0).toString(), Qt::ISODateWithMs).toUTC();
            if (at.isValid() && (!lifetimeStart.isValid() || at < lifetimeStart))
                lifetimeStart = at;
        }
    }
    // Lifetime periods are whole UTC days so that daily windows tile them.
    if (!from.isValid())
        from = lifetimeStart.isValid() ? QDateTime(lifetimeStart.date(), QTime(0, 0), Qt::UTC)
                                       : QDateTime(task.now.date(), QTime(0, 0), Qt::UTC);
    if (!to.isValid())
        to = lifetimeEnd.isValid() ? QDateTime(lifetimeEnd.date().addDays(1), QTime(0, 0), Qt::UTC)
                                   : from.addDays(1);
    if (request.granularity == Granularity::Hourly && from.secsTo(to) > 93 * 24 * 3600)
        return failure("INVALID_REQUEST", "hourly windows are limited to 93 days; narrow start_date/end_date",
                       "time_granularity");
    request.from = from;
    request.to = to;

    std::string currency;
    DeliveryCounts aggregate;
    for (const auto &buy : buys) {
        DeliveryCounts totals;
        deliveries.push_back(DeliveryReport::mediaBuyDelivery(task.db, buy, request, task.now, &totals));
        aggregate += totals;
        if (currency.empty())
            currency = buy.currency;
    }
    json result = {{"reporting_period",
                    {{"start", from.toString(Qt::ISODate).toStdString()},
                     {"end", to.toString(Qt::ISODate).toStdString()}}},
                   {"currency", currency.empty() ? std::string("USD") : currency},
                   {"aggregated_totals",
                    {{"impressions", aggregate.impressions},
                     {"spend", DeliveryReport::money(aggregate.spendMinor)},
                     {"clicks", aggregate.clicks},
                     {"media_buy_count", deliveries.size()}}},
                   {"media_buy_deliveries", deliveries}};
    if (!errors.empty())
        result["errors"] = errors;
    return adcp::ToolOutcome::success(std::move(result));
}

} // namespace adcp::seller
