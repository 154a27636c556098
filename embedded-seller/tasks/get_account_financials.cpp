#include "taskcontext.h"

#include "delivery/deliveryreport.h"
#include "domain/mediabuystore.h"
#include "monitoring/lifecycle.h"

namespace adcp::seller {

using nlohmann::json;

namespace {

// What the account's status means for its payments; statuses about setup or closure say nothing about them.
std::optional<std::string> paymentStatus(const std::string &accountStatus)
{
    if (accountStatus == "active")
        return "current";
    if (accountStatus == "payment_required")
        return "past_due";
    if (accountStatus == "suspended")
        return "suspended";
    return std::nullopt;
}

// The requested dates, else the current billing cycle: the calendar month of now (accounts run on UTC).
std::optional<std::pair<QDate, QDate>> periodOf(const json &args, const QDateTime &now)
{
    if (!args.contains("period")) {
        const QDate today = now.toUTC().date();
        const QDate first(today.year(), today.month(), 1);
        return std::make_pair(first, first.addMonths(1).addDays(-1));
    }
    const QDate start =
        QDate::fromString(QString::fromStdString(args["period"].value("start", "")), Qt::ISODate);
    const QDate end = QDate::fromString(QString::fromStdString(args["period"].value("end", "")), Qt::ISODate);
    if (!start.isValid() || !end.isValid() || end < start)
        return std::nullopt;
    return std::make_pair(start, end);
}

} // namespace

// Spend is what the account's buys delivered in the period, as get_media_buy_delivery reports it; this
// seller extends no credit and issues no invoices through AdCP, so neither is claimed.
adcp::ToolOutcome getAccountFinancials(TaskContext &task, const json &args)
{
    const Account &account = *task.account;
    if (!account.billing.empty() && account.billing != "operator")
        return failure("INVALID_REQUEST",
                       "account " + account.accountId + " is billed to the " + account.billing +
                           "; financials are kept for operator-billed accounts",
                       "account", "ask the billed party for its statement");
    const auto period = periodOf(args, task.now);
    if (!period)
        return failure("INVALID_REQUEST", "period.end must be a date on or after period.start", "period.end");
    DeliveryRequest request;
    request.from = QDateTime(period->first, QTime(0, 0), Qt::UTC);
    request.to = QDateTime(period->second.addDays(1), QTime(0, 0), Qt::UTC);

    QString error;
    const auto ids = MediaBuyStore::list(task.db, task.principal.id, {}, &error);
    if (!error.isEmpty())
        return failure("SERVICE_UNAVAILABLE",
                       "the seller could not read its media buys: " + error.toStdString());
    DeliveryCounts spent;
    int buys = 0;
    std::string currency = account.currency;
    for (const auto &id : ids) {
        if (!AccountStore::mediaBuyVisible(task.db, task.principal.id, id, account.accountId))
            continue;
        const auto buy = MediaBuyLifecycle::load(task.db, task.principal.id, id);
        if (!buy || buy->start >= request.to || buy->end <= request.from)
            continue;
        DeliveryCounts totals;
        DeliveryReport::mediaBuyDelivery(task.db, *buy, request, task.now, &totals);
        spent += totals;
        ++buys;
        if (currency.empty())
            currency = buy->currency;
    }
    json result = {
        {"account", {{"account_id", account.accountId}}},
        {"currency", currency.empty() ? std::string("USD") : currency},
        {"period",
         {{"start", period->first.toString(Qt::ISODate).toStdString()},
          {"end", period->second.toString(Qt::ISODate).toStdString()}}},
        {"timezone", account.timezone.empty() ? std::string("UTC") : account.timezone},
        {"spend", {{"total_spend", DeliveryReport::money(spent.spendMinor)}, {"media_buy_count", buys}}}};
    if (const auto status = paymentStatus(account.status))
        result["payment_status"] = *status;
    if (!account.paymentTerms.empty())
        result["payment_terms"] = account.paymentTerms;
    return adcp::ToolOutcome::success(std::move(result));
}

} // namespace adcp::seller
