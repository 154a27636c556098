#include "taskcontext.h"

#include "domain/mediabuystore.h"
#include "monitoring/mediabuyview.h"

namespace adcp::seller {

using nlohmann::json;

adcp::ToolOutcome getMediaBuys(TaskContext &task, const json &args)
{
    QString error;
    std::vector<std::string> ids;
    if (auto it = args.find("media_buy_ids"); it != args.end() && it->is_array()) {
        for (const auto &id : *it) {
            if (id.is_string())
                ids.push_back(id.get<std::string>());
        }
    } else {
        // Without ids the spec's default filter is ["active"].
        std::vector<std::string> statuses{"active"};
        if (auto filter = args.find("status_filter"); filter != args.end()) {
            statuses.clear();
            if (filter->is_string())
                statuses.push_back(filter->get<std::string>());
            else if (filter->is_array()) {
                for (const auto &s : *filter) {
                    if (s.is_string())
                        statuses.push_back(s.get<std::string>());
                }
            }
        }
        ids = MediaBuyStore::list(task.db, task.principal.id, statuses, &error);
    }
    json result = {{"media_buys", json::array()}};
    for (const auto &id : ids) {
        json buy = MediaBuyStore::find(task.db, task.principal.id, id, &error);
        if (buy.is_null()) {
            // Unknown and foreign ids look the same.
            result["errors"].push_back(
                adcp::AdcpError::make("MEDIA_BUY_NOT_FOUND", "no such media buy: " + id, "media_buy_ids")
                    .toJson());
            continue;
        }
        decorateMediaBuy(task.db, task.principal.id, buy, args, task.now);
        result["media_buys"].push_back(std::move(buy));
    }
    if (!error.isEmpty())
        return failure("SERVICE_UNAVAILABLE",
                       "the seller could not read its media buys: " + error.toStdString());
    return adcp::ToolOutcome::success(std::move(result));
}

} // namespace adcp::seller
