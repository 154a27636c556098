#pragma once

#include <QString>

#include <nlohmann/json.hpp>

namespace adcp::gui {

// What a creative says about its format, and the asset it carries, for sync_creatives. Shared by the buy's
// Creatives… dialog and the creative library's New creative… and Assign to a buy….

// A format id as a creative names it: its agent, id, and the dimensions and duration of the variant.
nlohmann::json creativeFormatId(const nlohmann::json &formatId);
// The creative's main asset for `formatId`, hosted at `url`: a media file for video and audio formats, an
// image otherwise (with the format's size, or a common one).
nlohmann::json creativeAsset(const nlohmann::json &formatId, const QString &url);
// "display_image 300×250", "video_standard 30 s": a format as a planner reads it.
QString formatLabel(const nlohmann::json &formatId);
// Whether a creative of format `creative` can serve where `accepted` is asked for: the same agent and id, and
// the same size where both name one.
bool formatServes(const nlohmann::json &creative, const nlohmann::json &accepted);

} // namespace adcp::gui
