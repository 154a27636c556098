#include "taskcontext.h"

#include "complyscenarios.h"
#include "domain/catalog.h"

#include <algorithm>
#include <map>
#include <set>

namespace adcp::seller {

using nlohmann::json;

adcp::ToolOutcome listCreativeFormats(TaskContext &task, const json &args)
{
    if (auto seeded = seededCreativeFormats(task, args))
        return *seeded;
    // The formats this seller's products accept, deduplicated by (agent_url, id, size).
    std::map<std::string, json> formats;
    std::string nameSearch = args.value("name_search", std::string());
    std::transform(nameSearch.begin(), nameSearch.end(), nameSearch.begin(), ::tolower);
    std::set<std::string> wanted;
    for (const auto &f : args.value("format_ids", json::array()))
        wanted.insert(f.value("id", std::string()));
    if (task.catalog) {
        for (const auto &product : task.catalog->products()) {
            for (const auto &f : product.publicJson.value("format_ids", json::array())) {
                if (!f.is_object() || !f.contains("id"))
                    continue;
                const std::string id = f["id"].get<std::string>();
                if (!wanted.empty() && !wanted.count(id))
                    continue;
                std::string name = id;
                std::replace(name.begin(), name.end(), '_', ' ');
                if (f.contains("width") && f.contains("height"))
                    name.append(1, ' ')
                        .append(std::to_string(f["width"].get<int>()))
                        .append(1, 'x')
                        .append(std::to_string(f["height"].get<int>()));
                std::string lower = name;
                std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
                if (!nameSearch.empty() && lower.find(nameSearch) == std::string::npos)
                    continue;
                if (args.contains("max_width") && f.value("width", 0) > args["max_width"].get<int>())
                    continue;
                if (args.contains("max_height") && f.value("height", 0) > args["max_height"].get<int>())
                    continue;
                formats.emplace(f.dump(), json{{"format_id", f}, {"name", name}});
            }
        }
    }
    json list = json::array();
    for (auto &[key, format] : formats)
        list.push_back(std::move(format));
    return adcp::ToolOutcome::success({{"formats", list}, {"source", "publisher"}});
}

} // namespace adcp::seller
