#pragma once

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace adcp::seller {

// Per-principal idempotency records of mutating calls. A key is claimed (in_flight) before the handler runs
// and holds the response once it succeeded; failed calls release the key, so only successes replay.
class IdempotencyStore final
{
public:
    enum class Outcome { Proceed, Replay, Conflict, Expired, InFlight, Failed };
    struct Claim
    {
        Outcome outcome = Outcome::Failed;
        nlohmann::json response; // Replay: the stored response
        QString error;           // Failed: why
    };

    // Canonical hash of a request: the tool name and the arguments without idempotency_key, context,
    // governance_context and push_notification_config.authentication.credentials, keys sorted.
    static std::string requestHash(std::string_view tool, const nlohmann::json &arguments);

    static Claim claim(QSqlDatabase &db, const std::string &principalId, const std::string &key,
                       std::string_view tool, const std::string &hash, const QDateTime &now, int ttlSeconds,
                       int inFlightSeconds);
    static bool complete(QSqlDatabase &db, const std::string &principalId, const std::string &key,
                         const nlohmann::json &response, QString *error);
    static void release(QSqlDatabase &db, const std::string &principalId, const std::string &key);
};

} // namespace adcp::seller
