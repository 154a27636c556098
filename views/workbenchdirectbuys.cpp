// The Workbench's AdCP 3.2 direct buy: list_products into the catalog, buy_products from it, and
// control_media_buy on the buys (see workbench.h).

#include "workbench.h"

#include "agentclient.h"
#include "buyeventmodel.h"
#include "buymodel.h"
#include "directbuyanswers.h"
#include "displaynames.h"
#include "jsonvalues.h"
#include "productmodel.h"

#include <QUuid>

#include <algorithm>
#include <cmath>

namespace adcp::gui {

using namespace adcp::models;
using nlohmann::json;

bool Workbench::offersTool(const QString &tool) const
{
    return m_client && offersLifecycleTool(m_client->capabilities(), tool);
}

ProductModel *Workbench::catalog() const
{
    return m_catalog;
}

QString Workbench::catalogFeedVersion() const
{
    return m_feedVersion;
}

QString Workbench::catalogPricingVersion() const
{
    return m_pricingVersion;
}

bool Workbench::catalogHasMore() const
{
    return !m_catalogCursor.isEmpty();
}

void Workbench::setCatalogPageSize(int products)
{
    m_catalogPageSize = std::clamp(products, 1, 100);
}

void Workbench::listCatalog(bool more)
{
    if (!m_client || (more && m_catalogCursor.isEmpty()))
        return;
    json request = {{"max_results", m_catalogPageSize}};
    if (more)
        request["cursor"] = m_catalogCursor.toStdString();
    const quint64 listing = more ? m_catalogListing : ++m_catalogListing;
    const QString action = more ? tr("Load more products") : tr("Load catalog");
    track(
        m_client->call(QStringLiteral("list_products"), scoped(std::move(request), false)), action, QString(),
        [this, listing, more, action](const adcp::ToolOutcome &outcome) {
            if (listing != m_catalogListing)
                return;
            AdcpError error;
            const auto page = readCatalogPage(outcome.result, &error);
            if (!page) {
                Q_EMIT actionFailed(action, QString(), error);
                return;
            }
            if (page->unchanged) { // not asked for: nothing to add
                Q_EMIT catalogListed(true);
                return;
            }
            takeCatalogPage(*page, more);
            Q_EMIT actionSucceeded(action, QString(),
                                   tr("%n product(s) shown", nullptr, m_catalog->rowCount()));
        },
        CallScope::Planning, explainBuyError);
}

void Workbench::takeCatalogPage(const CatalogPage &page, bool append)
{
    if (append)
        m_catalog->appendProducts(page.products);
    else
        m_catalog->setProducts(page.products);
    rememberProducts(page.products);
    m_feedVersion = page.feedVersion;
    m_pricingVersion = page.pricingVersion;
    m_catalogCursor = page.nextCursor;
    Q_EMIT catalogListed(false);
}

void Workbench::refreshCatalog()
{
    if (!m_client)
        return;
    if (m_feedVersion.isEmpty()) {
        listCatalog(false);
        return;
    }
    json request = {{"max_results", m_catalogPageSize}, {"if_feed_version", m_feedVersion.toStdString()}};
    if (!m_pricingVersion.isEmpty())
        request["if_pricing_version"] = m_pricingVersion.toStdString();
    const quint64 listing = ++m_catalogListing;
    const QString action = tr("Refresh catalog");
    track(m_client->call(QStringLiteral("list_products"), scoped(std::move(request), false)), action,
          QString(), [this, listing, action](const adcp::ToolOutcome &outcome) {
              if (listing != m_catalogListing)
                  return;
              AdcpError error;
              const auto page = readCatalogPage(outcome.result, &error);
              if (!page) {
                  Q_EMIT actionFailed(action, QString(), error);
                  return;
              }
              if (page->unchanged) {
                  Q_EMIT catalogListed(true);
                  Q_EMIT actionSucceeded(action, QString(), tr("Catalog unchanged"));
                  return;
              }
              takeCatalogPage(*page, false);
              Q_EMIT actionSucceeded(action, QString(), tr("Catalog changed: reloaded"));
          });
}

namespace {

// Whether a failed buy_products may have been booked without the window hearing of it: the wait was
// cancelled, or a transient failure that is not the seller's own refusal (a conflict is an answer).
bool buyWentUnanswered(const AdcpError &error)
{
    return error.code == "CANCELED" ||
           (error.recovery == adcp::Recovery::Transient && error.code != "CONFLICT" &&
            error.code != "IDEMPOTENCY_CONFLICT" && !isStaleCatalog(error));
}

} // namespace

void Workbench::buyProducts(const json &purchases, const QString &startTime, const QString &endTime)
{
    if (!m_client)
        return;
    json request = scoped({{"feed_version", m_feedVersion.toStdString()},
                           {"purchases", purchases},
                           {"start_time", startTime.toStdString()},
                           {"end_time", endTime.toStdString()}},
                          true);
    if (!m_pricingVersion.isEmpty())
        request["pricing_version"] = m_pricingVersion.toStdString();
    // An account by id needs the brand beside it; a natural-key account already names it (and must not
    // twice).
    if (!jsonObject(request, "account").contains("brand"))
        request["brand"] = {{"domain", m_brandDomain.toStdString()}};
    // The same order as one that got no answer goes again under the same idempotency key (the seller books it
    // at most once); any other order is a new one.
    json unanswered = m_unansweredBuy;
    const std::string earlierKey =
        unanswered.is_object() ? unanswered.value("idempotency_key", std::string()) : "";
    if (unanswered.is_object())
        unanswered.erase("idempotency_key");
    request["idempotency_key"] = !earlierKey.empty() && unanswered == request
                                     ? earlierKey
                                     : QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString();
    // The buy is named after what it buys, as the catalog shows it.
    QStringList names;
    for (const auto &purchase : purchases)
        names << m_catalog->productName(jsonString(purchase, "product_id"));
    const QString title = names.join(QStringLiteral(" + "));
    const QString action = tr("Buy products");
    adcp::PendingCall *call = m_client->call(QStringLiteral("buy_products"), request);
    handOffWhenSubmitted(call);
    const json flight = {{"purchases", purchases},
                         {"start_time", startTime.toStdString()},
                         {"end_time", endTime.toStdString()}};
    connect(call, &adcp::PendingCall::finished, this,
            [this, call, request, flight, title, session = m_session] {
                if (session != m_session)
                    return;
                const auto outcome = call->sharedOutcome();
                // The seller holds the order for its approval and the planner stopped waiting (Cancel, or the
                // window closing): the order is the seller's now, its task is followed from here on and kept
                // with the workspace.
                const QString taskId = call->property("adcp_task_id").toString();
                if (!outcome->ok() && outcome->error->code == "CANCELED" && !taskId.isEmpty()) {
                    m_unansweredBuy = json();
                    m_awaiting.insert(taskId, {taskId, flight, title, true});
                    Q_EMIT sessionStateChanged();
                    return;
                }
                m_unansweredBuy = !outcome->ok() && buyWentUnanswered(*outcome->error) ? request : json();
            });
    const auto explain = [this, purchases](AdcpError error) {
        // A refusal that points into a purchase names its product: "purchase 2" is nothing to a planner.
        if (error.field) {
            const int index = fieldIndex(QString::fromStdString(*error.field), QStringLiteral("purchases"));
            if (index >= 0 && purchases.is_array() && index < static_cast<int>(purchases.size())) {
                const QString product =
                    m_catalog->productName(jsonString(purchases[static_cast<size_t>(index)], "product_id"));
                if (!product.isEmpty())
                    error.message =
                        tr("%1: %2").arg(product, QString::fromStdString(error.message)).toStdString();
            }
        }
        if (!buyWentUnanswered(error))
            return explainBuyError(std::move(error));
        error.message =
            tr("No answer from the seller (%1), so it may or may not have booked this order. Buy "
               "sends the same order again under the same idempotency key: the seller books it at "
               "most once.")
                .arg(QString::fromStdString(error.message))
                .toStdString();
        return error;
    };
    track(
        call, action, QString(),
        [this, title](const adcp::ToolOutcome &outcome) { absorbDirectBuy(outcome.result, title); },
        CallScope::Planning, explain);
}

void Workbench::absorbDirectBuy(const json &answer, const QString &title)
{
    const QString action = tr("Buy products");
    AdcpError error;
    const auto buy = readDirectBuy(answer, &error);
    if (!buy) {
        Q_EMIT actionFailed(action, QString(), error);
        return;
    }
    const QString id = jsonString(*buy, "media_buy_id");
    m_buys->upsertBuy(*buy);
    m_buys->setTitle(id, title);
    m_events->applySnapshot(*buy, m_clock());
    updateOpportunityCounts();
    Q_EMIT buyCreated(id);
    Q_EMIT actionSucceeded(action, id, tr("Media buy %1 created").arg(id));
    // The seller's full snapshot (packages, health, pricing) follows in the background.
    if (m_refreshingBuys)
        m_refreshAgain = true;
    else
        pollBuys(true);
}

QList<Workbench::AwaitingDirectBuy> Workbench::awaitingDirectBuys() const
{
    QList<AwaitingDirectBuy> found;
    for (const AwaitingBuy &awaiting : m_awaiting)
        if (awaiting.direct)
            found.push_back({awaiting.taskId, awaiting.title});
    std::sort(found.begin(), found.end(),
              [](const AwaitingDirectBuy &a, const AwaitingDirectBuy &b) { return a.taskId < b.taskId; });
    return found;
}

void Workbench::controlBuy(const QString &mediaBuyId, const json &changes, const QString &label)
{
    if (!m_client)
        return;
    const json &buy = m_buys->buyJson(m_buys->rowOf(mediaBuyId));
    json request = scoped({{"media_buy_id", mediaBuyId.toStdString()}}, true);
    // The revision the planner saw; a buy read before the seller numbered its revisions is at the first.
    request["revision"] =
        buy.contains("revision") && buy["revision"].is_number_integer() ? buy["revision"] : json(1);
    request.update(changes);
    adcp::PendingCall *call = m_client->call(QStringLiteral("control_media_buy"), request);
    // A stale revision: the buy is read again so that the planner sees what changed before trying again.
    connect(call, &adcp::PendingCall::finished, this, [this, call, session = m_session] {
        const auto outcome = call->sharedOutcome();
        if (session == m_session && !outcome->ok() && outcome->error->code == "CONFLICT" &&
            outcome->error->field.value_or(std::string()) == "revision")
            refreshBuys();
    });
    track(
        call, label, mediaBuyId,
        [this, mediaBuyId, label](const adcp::ToolOutcome &outcome) {
            AdcpError error;
            const auto update = readControlledBuy(outcome.result, mediaBuyId, &error);
            if (!update) {
                Q_EMIT actionFailed(label, mediaBuyId, error);
                return;
            }
            m_buys->upsertBuy(*update);
            const QString status = jsonString(*update, "media_buy_status");
            const QString revision = jsonString(*update, "revision");
            Q_EMIT actionSucceeded(
                label, mediaBuyId,
                status.isEmpty()
                    ? tr("Done (revision %1)").arg(revision)
                    : tr("Done; the buy is %1 (revision %2)").arg(statusLabel(status).toLower(), revision));
            // The seller's snapshot (packages paused, budgets) follows in the background, so that the status
            // line keeps saying what was done.
            if (m_refreshingBuys)
                m_refreshAgain = true;
            else
                pollBuys(true);
        },
        CallScope::Planning, explainControlError);
}

void Workbench::changeBuyBudget(const QString &mediaBuyId, double amount)
{
    const json &buy = m_buys->buyJson(m_buys->rowOf(mediaBuyId));
    QString currency = jsonStringOnly(jsonObject(buy, "total_budget"), "currency");
    if (currency.isEmpty())
        currency = jsonStringOnly(buy, "currency");
    if (currency.isEmpty()) {
        Q_EMIT actionFailed(tr("Change budget"), mediaBuyId,
                            AdcpError::make("INVALID_STATE", "The buy's currency is not known yet",
                                            std::string("total_budget.currency"),
                                            "refresh the buys, then change the budget"));
        return;
    }
    json changes = {{"total_budget", {{"amount", amount}, {"currency", currency.toStdString()}}}};
    // Less than the packages hold: every live package gives up the same share, so that they still fit.
    double packed = 0;
    for (const auto &package : jsonArrayView(buy, "packages"))
        if (package.is_object() && package.value("canceled", false) != true)
            packed += jsonNumber(package, "budget");
    if (packed > amount + 0.005) {
        json packages = json::array();
        for (const auto &package : jsonArrayView(buy, "packages")) {
            if (!package.is_object() || package.value("canceled", false) == true ||
                jsonStringOnly(package, "package_id").isEmpty() || jsonNumber(package, "budget") <= 0)
                continue;
            packages.push_back(
                {{"package_id", package["package_id"]},
                 {"budget", std::floor(jsonNumber(package, "budget") * amount / packed * 100) / 100}});
        }
        if (!packages.empty())
            changes["packages"] = std::move(packages);
    }
    controlBuy(mediaBuyId, changes, tr("Change budget"));
}

} // namespace adcp::gui
