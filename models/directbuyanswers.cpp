#include "directbuyanswers.h"

#include "jsonvalues.h"

#include <QCoreApplication>

namespace adcp::models {

using nlohmann::json;

namespace {

std::nullopt_t directBuyRefuse(AdcpError *error, const std::string &tool, const std::string &field,
                               const std::string &what)
{
    if (error) {
        *error = AdcpError::make("INVALID_RESPONSE", "the seller's " + tool + " answer " + what,
                                 field.empty() ? std::nullopt : std::optional<std::string>(field),
                                 "the seller answered outside the AdCP schema; report it to the seller");
        error->recovery = Recovery::Terminal;
    }
    return std::nullopt;
}

// A member that must be a non-empty string when present (`required`: and present).
bool directBuyString(const json &object, const char *key, bool required, QString *out)
{
    const auto it = object.find(key);
    if (it == object.end())
        return !required;
    if (!it->is_string() || it->get_ref<const std::string &>().empty())
        return false;
    *out = QString::fromStdString(it->get<std::string>());
    return true;
}

QString directBuyText(const char *text)
{
    return QCoreApplication::translate("adcp::models::DirectBuy", text);
}

} // namespace

std::optional<CatalogPage> readCatalogPage(const json &answer, AdcpError *error)
{
    const std::string tool = "list_products";
    if (!answer.is_object())
        return directBuyRefuse(error, tool, "", "is not an object");
    CatalogPage page;
    const std::string outcome = answer.contains("outcome") && answer["outcome"].is_string()
                                    ? answer["outcome"].get<std::string>()
                                    : std::string();
    if (outcome != "listed" && outcome != "unchanged")
        return directBuyRefuse(error, tool, "outcome", "has no outcome of listed or unchanged");
    page.unchanged = outcome == "unchanged";
    if (!directBuyString(answer, "feed_version", true, &page.feedVersion))
        return directBuyRefuse(error, tool, "feed_version", "has no feed_version");
    if (!directBuyString(answer, "pricing_version", false, &page.pricingVersion))
        return directBuyRefuse(error, tool, "pricing_version", "has a pricing_version that is not a string");
    if (!directBuyString(answer, "next_cursor", false, &page.nextCursor))
        return directBuyRefuse(error, tool, "next_cursor", "has a next_cursor that is not a string");
    page.products = json::array();
    if (page.unchanged) {
        page.nextCursor.clear();
        return page;
    }
    const auto products = answer.find("products");
    if (products == answer.end() || !products->is_array())
        return directBuyRefuse(error, tool, "products", "lists no products array");
    for (size_t i = 0; i < products->size(); ++i) {
        const json &product = (*products)[i];
        QString id;
        if (!product.is_object() || !directBuyString(product, "product_id", true, &id))
            return directBuyRefuse(error, tool,
                                   std::string("products[").append(std::to_string(i)).append("]"),
                                   "has a product without a product_id");
    }
    page.products = *products;
    return page;
}

namespace {

// What every answer about one media buy carries: an object with a media_buy_id and, when present, a string
// media_buy_status (empty when absent). False after directBuyRefuse otherwise.
bool readBuyAnswerHead(const json &answer, const std::string &tool, AdcpError *error, QString *id,
                       QString *status)
{
    if (!answer.is_object())
        directBuyRefuse(error, tool, "", "is not an object");
    else if (!directBuyString(answer, "media_buy_id", true, id))
        directBuyRefuse(error, tool, "media_buy_id", "has no media_buy_id");
    else if (!directBuyString(answer, "media_buy_status", false, status))
        directBuyRefuse(error, tool, "media_buy_status", "has a media_buy_status that is not a string");
    else
        return true;
    return false;
}

} // namespace

std::optional<json> readDirectBuy(const json &answer, AdcpError *error)
{
    const std::string tool = "buy_products";
    QString id;
    QString status;
    if (!readBuyAnswerHead(answer, tool, error, &id, &status))
        return std::nullopt;
    if (answer.contains("revision") && !answer["revision"].is_number_integer())
        return directBuyRefuse(error, tool, "revision", "has a revision that is not an integer");
    json buy = {{"media_buy_id", id.toStdString()}};
    if (!status.isEmpty())
        buy["media_buy_status"] = status.toStdString();
    if (answer.contains("revision"))
        buy["revision"] = answer["revision"];
    const json accepted = jsonObject(answer, "accepted_proposal");
    const json terms = jsonObject(accepted, "commercial_terms");
    if (const QString proposal = jsonStringOnly(accepted, "proposal_id"); !proposal.isEmpty())
        buy["proposal_id"] = proposal.toStdString();
    const json total = jsonObject(terms, "total_budget");
    if (total.contains("amount") && total["amount"].is_number() &&
        jsonStringOnly(total, "currency").size() == 3)
        buy["total_budget"] = {{"amount", total["amount"]}, {"currency", total["currency"]}};
    for (const char *key : {"start_time", "end_time"}) {
        if (jsonDateTime(terms, key).isValid())
            buy[key] = terms[key];
    }
    // One package per binding, with the budget of the purchase it binds (when the terms say it).
    const json &purchases = jsonArrayView(terms, "purchases");
    json packages = json::array();
    for (const auto &binding : jsonArrayView(answer, "purchase_bindings")) {
        const QString packageId = jsonStringOnly(binding, "package_id");
        if (packageId.isEmpty())
            continue;
        json package = {{"package_id", packageId.toStdString()}};
        if (const QString product = jsonStringOnly(binding, "product_id"); !product.isEmpty())
            package["product_id"] = product.toStdString();
        const auto index = binding.find("purchase_index");
        const qint64 at = index != binding.end() && index->is_number_integer() ? index->get<qint64>() : -1;
        if (at >= 0 && static_cast<size_t>(at) < purchases.size()) {
            const json &purchase = purchases[static_cast<size_t>(at)];
            if (purchase.is_object() && purchase.contains("budget") && purchase["budget"].is_number())
                package["budget"] = purchase["budget"];
        }
        packages.push_back(std::move(package));
    }
    if (!packages.empty())
        buy["packages"] = std::move(packages);
    return buy;
}

std::optional<json> readControlledBuy(const json &answer, const QString &mediaBuyId, AdcpError *error)
{
    const std::string tool = "control_media_buy";
    QString id;
    QString status;
    if (!readBuyAnswerHead(answer, tool, error, &id, &status))
        return std::nullopt;
    if (id != mediaBuyId)
        return directBuyRefuse(error, tool, "media_buy_id",
                               "is about " + id.toStdString() + ", not the buy it was asked to change");
    if (!answer.contains("revision") || !answer["revision"].is_number_integer())
        return directBuyRefuse(error, tool, "revision", "has no integer revision");
    json update = {{"media_buy_id", id.toStdString()}, {"revision", answer["revision"]}};
    if (!status.isEmpty())
        update["media_buy_status"] = status.toStdString();
    return update;
}

bool offersLifecycleTool(const json &capabilities, const QString &tool)
{
    return jsonStringList(jsonObject(capabilities, "media_buy"), "lifecycle_tools").contains(tool);
}

namespace {

// The accepted term an envelope field names, in words.
QString directBuyTermName(const QString &field)
{
    if (field.startsWith(QLatin1String("total_budget.currency")))
        return directBuyText("the buy's currency");
    if (field.startsWith(QLatin1String("total_budget")))
        return directBuyText("the buy's total budget");
    if (field.startsWith(QLatin1String("packages[")) && field.endsWith(QLatin1String(".budget")))
        return directBuyText("a package's budget");
    if (field.contains(QLatin1String("end_time")) || field.contains(QLatin1String("start_time")))
        return directBuyText("the flight dates");
    return directBuyText("an accepted term");
}

} // namespace

AdcpError explainControlError(AdcpError error)
{
    if (error.code == "REQUOTE_REQUIRED") {
        QString field = jsonStringOnly(error.details, "envelope_field");
        if (field.isEmpty() && error.field)
            field = QString::fromStdString(*error.field);
        const QString seller = QString::fromStdString(error.message);
        error.message =
            directBuyText("This change goes beyond what the seller accepted for this buy: it would "
                          "raise %1 (%2). A buy can be lowered or paused freely; raising it needs a "
                          "new quote from the seller. The seller said: %3")
                .arg(directBuyTermName(field), field.isEmpty() ? directBuyText("no field named") : field,
                     seller)
                .toStdString();
        if (!field.isEmpty())
            error.field = field.toStdString();
        error.suggestion =
            directBuyText("Keep the amount at or below the accepted one, or ask the seller for a new "
                          "proposal with the higher amount.")
                .toStdString();
    } else if (error.code == "CONFLICT" && error.field && *error.field == "revision") {
        error.message =
            directBuyText("The buy changed on the seller since it was shown here (%1). It has been "
                          "read again: check it and make the change once more.")
                .arg(QString::fromStdString(error.message))
                .toStdString();
    }
    return error;
}

bool isStaleCatalog(const AdcpError &error)
{
    if (error.code != "CONFLICT" || !error.field)
        return false;
    const std::string &field = *error.field;
    return field == "feed_version" || field == "pricing_version" || field == "cursor" ||
           (field.rfind("purchases[", 0) == 0 && field.find(".pricing") != std::string::npos);
}

AdcpError explainBuyError(AdcpError error)
{
    if (!isStaleCatalog(error))
        return error;
    error.message =
        directBuyText("The seller's catalog changed since it was loaded here, so the offers shown "
                      "are no longer the ones on sale (%1). Reload the catalog and buy again.")
            .arg(QString::fromStdString(error.message))
            .toStdString();
    return error;
}

} // namespace adcp::models
