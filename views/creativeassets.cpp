#include "creativeassets.h"

#include "creativemodel.h"
#include "jsonvalues.h"

namespace adcp::gui {

using namespace adcp::models;
using nlohmann::json;

json creativeFormatId(const json &formatId)
{
    json id = {{"agent_url", formatId.value("agent_url", std::string())},
               {"id", formatId.value("id", std::string())}};
    for (const char *key : {"width", "height", "duration_ms"}) {
        if (formatId.contains(key))
            id[key] = formatId[key];
    }
    return id;
}

json creativeAsset(const json &formatId, const QString &url)
{
    const QString id = jsonString(formatId, "id");
    const int width = static_cast<int>(jsonNumber(formatId, "width", 0));
    const int height = static_cast<int>(jsonNumber(formatId, "height", 0));
    if (id.contains(QLatin1String("audio")))
        return {{"asset_type", "audio"}, {"url", url.toStdString()}};
    const bool video = id.contains(QLatin1String("video")) || id.contains(QLatin1String("ctv"));
    return {{"asset_type", video ? "video" : "image"},
            {"url", url.toStdString()},
            {"width", width > 0 ? width : (video ? 1920 : 300)},
            {"height", height > 0 ? height : (video ? 1080 : 250)}};
}

QString formatLabel(const json &formatId)
{
    // Sized as the library's Format column names it (CreativeModel::formatOf); a timed format by its length.
    QString label = CreativeModel::formatOf({{"format_id", formatId}});
    if (!(formatId.contains("width") && formatId.contains("height")) && formatId.contains("duration_ms"))
        label += QStringLiteral(" %1 s").arg(jsonNumber(formatId, "duration_ms") / 1000.0);
    return label;
}

bool formatServes(const json &creative, const json &accepted)
{
    if (jsonString(creative, "id") != jsonString(accepted, "id"))
        return false;
    const QString agent = jsonString(creative, "agent_url");
    const QString acceptedAgent = jsonString(accepted, "agent_url");
    if (!agent.isEmpty() && !acceptedAgent.isEmpty() && agent != acceptedAgent)
        return false;
    for (const char *key : {"width", "height"}) {
        if (creative.contains(key) && accepted.contains(key) &&
            jsonNumber(creative, key) != jsonNumber(accepted, key))
            return false;
    }
    return true;
}

} // namespace adcp::gui
