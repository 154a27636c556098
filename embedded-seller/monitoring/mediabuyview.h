#pragma once

#include <QDateTime>
#include <QSqlDatabase>

#include <nlohmann/json.hpp>

#include <string>

namespace adcp::seller {

// What execution and monitoring add to a media buy as get_media_buys returns it: the current lifecycle status
// (refreshed against the seller clock first), health and open impairments, cancellation or rejection details,
// per-package paused/canceled flags, creative approvals, delivery snapshots and history on request.
// `buy` is the object core built; `arguments` the get_media_buys request.
void decorateMediaBuy(QSqlDatabase &db, const std::string &principalId, nlohmann::json &buy,
                      const nlohmann::json &arguments, const QDateTime &now);

} // namespace adcp::seller
