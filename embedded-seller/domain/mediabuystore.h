#pragma once

#include "acceptedorder.h"

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace adcp::seller {

// Stored media buys and their packages (tables media_buys, packages).
class MediaBuyStore final
{
public:
    struct NewBuy
    {
        AcceptedOrder order;
        std::string status; // initial media_buy_status
        std::optional<std::string> name;
        std::optional<std::string> poNumber;
        QDateTime confirmedAt;
        QDateTime creativeDeadline;
        nlohmann::json context;                  // the buyer's context object, persisted for correlation
        std::vector<nlohmann::json> packageJson; // response package objects, same order as order.packages
    };

    static bool insert(QSqlDatabase &db, const NewBuy &buy, const QDateTime &now, QString *error);

    // The buy as get_media_buys returns it (packages included), or null when the principal has no such buy.
    static nlohmann::json find(QSqlDatabase &db, const std::string &principalId,
                               const std::string &mediaBuyId, QString *error);
    // Ids of the principal's buys with one of `statuses` (all when empty), oldest first.
    static std::vector<std::string> list(QSqlDatabase &db, const std::string &principalId,
                                         const std::vector<std::string> &statuses, QString *error);
};

// Actions a buyer may take on a buy in a status (available_actions).
nlohmann::json availableActions(const std::string &status);

} // namespace adcp::seller
