#include "taskcontext.h"

#include <QUuid>

namespace adcp::seller {

adcp::ToolOutcome getAdcpCapabilities(TaskContext &task, const nlohmann::json &arguments);
adcp::ToolOutcome getProducts(TaskContext &task, const nlohmann::json &arguments);
adcp::ToolOutcome checkGetProducts(TaskContext &task, const nlohmann::json &arguments);
adcp::ToolOutcome createMediaBuy(TaskContext &task, const nlohmann::json &arguments);
adcp::ToolOutcome checkCreateMediaBuy(TaskContext &task, const nlohmann::json &arguments);
adcp::ToolOutcome getMediaBuys(TaskContext &task, const nlohmann::json &arguments);

const std::vector<ToolSpec> &toolSpecs()
{
    static const std::vector<ToolSpec> specs = {
        {"get_adcp_capabilities", "/schemas/protocol/get-adcp-capabilities-request.json",
         "Describe what this seller supports: AdCP versions, media-buy buying modes, proposals and their "
         "lifecycle (finalize, decline, versions), idempotency and the negotiation dialects it speaks.",
         false, getAdcpCapabilities},
        {"get_products", "/schemas/media-buy/get-products-request.json",
         "Discover products. buying_mode brief ranks the catalog against a natural-language brief and "
         "returns "
         "proposals; wholesale returns the whole priced catalog; refine revises earlier products and "
         "proposals "
         "(include, omit, more_like_this, finalize, decline).",
         true, getProducts, checkGetProducts},
        {"create_media_buy", "/schemas/media-buy/create-media-buy-request.json",
         "Create a media buy from a committed proposal (proposal_id, proposal_version, total_budget) or from "
         "explicit packages (product, pricing option, budget). Returns at once with the media_buy_id and "
         "status.",
         true, createMediaBuy, checkCreateMediaBuy},
        {"get_media_buys", "/schemas/media-buy/get-media-buys-request.json",
         "List this account's media buys with their packages, status and available actions.", false,
         getMediaBuys},
    };
    return specs;
}

std::string newId(const char *prefix)
{
    const QString hex = QUuid::createUuid().toString(QUuid::Id128);
    return std::string(prefix) + "_" + hex.left(20).toStdString();
}

QString isoTime(const QDateTime &time)
{
    return time.toUTC().toString(Qt::ISODate);
}

adcp::ToolOutcome failureWithErrors(std::vector<adcp::AdcpError> errors)
{
    nlohmann::json list = nlohmann::json::array();
    for (const auto &e : errors)
        list.push_back(e.toJson());
    adcp::ToolOutcome outcome;
    outcome.result = {{"errors", std::move(list)}};
    outcome.error = std::move(errors.front());
    return outcome;
}

adcp::ToolOutcome failure(const char *code, std::string message, std::optional<std::string> field,
                          std::optional<std::string> suggestion)
{
    return failureWithErrors(
        {adcp::AdcpError::make(code, std::move(message), std::move(field), std::move(suggestion))});
}

} // namespace adcp::seller
