#pragma once

#include "adcperror.h"

#include <QDateTime>
#include <QSqlDatabase>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace adcp::seller {

// The buyer's planning cycle (opportunity context): advisory metadata kept per principal. It never changes
// prices, eligibility or availability.
class OpportunityStore final
{
public:
    // Checks an opportunity object of a request: closed needs close_reason, close_reason needs closed,
    // close_reason other needs close_detail. `field` is the request member holding it ("opportunity").
    static std::optional<adcp::AdcpError> check(const nlohmann::json &opportunity, const std::string &field);
    // Creates or updates (members present replace stored ones; absent status = unchanged).
    static bool upsert(QSqlDatabase &db, const std::string &principalId, const nlohmann::json &opportunity,
                       const QDateTime &now, QString *error);
    static bool close(QSqlDatabase &db, const std::string &principalId, const std::string &opportunityId,
                      const std::string &reason, const std::optional<std::string> &detail,
                      const QDateTime &now, QString *error);
    // The stored opportunity as an opportunity-context object, or null.
    static nlohmann::json find(QSqlDatabase &db, const std::string &principalId,
                               const std::string &opportunityId, QString *error);
};

} // namespace adcp::seller
