#pragma once

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <nlohmann/json.hpp>

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace adcp::seller {

// The idempotency keys of the calls running now in this process, one set per seller context. A running call's
// claim lives here, not in the database: a durable in-flight row cost every keyed call a write transaction of
// its own (begin, insert, commit, and the WAL frames of the table's pages) before the handler's, and it only
// ever answered concurrent duplicates, which all meet this set. A crash loses nothing with it: the call's
// writes and its record commit together or not at all, so after a restart the key is simply free.
class InFlightKeys final
{
public:
    // A key taken by one call; given back when the Hold ends (after the call's record committed, so a
    // duplicate sees either this set's entry or the stored record).
    class Hold final
    {
    public:
        Hold() = default;
        Hold(InFlightKeys *keys, std::pair<std::string, std::string> id) : m_keys(keys), m_id(std::move(id))
        {}
        Hold(Hold &&other) noexcept
            : m_keys(std::exchange(other.m_keys, nullptr)), m_id(std::move(other.m_id))
        {}
        Hold &operator=(Hold &&other) noexcept;
        ~Hold() { release(); }
        Hold(const Hold &) = delete;
        Hold &operator=(const Hold &) = delete;
        void release();

    private:
        InFlightKeys *m_keys = nullptr;
        std::pair<std::string, std::string> m_id; // principal, key
    };

    enum class Taken { Now, SameRequest, OtherRequest };
    // Takes (principal, key) for a request whose identity is `fingerprint` (tool and request hash), or says
    // whether the call holding it runs the same request.
    Taken take(const std::string &principal, const std::string &key, const std::string &fingerprint,
               Hold *hold);
    int size() const;

private:
    mutable std::mutex m_mutex;
    std::map<std::pair<std::string, std::string>, std::string> m_running; // -> fingerprint
};

// Per-principal idempotency records of mutating calls. claim() takes the key in the context's InFlightKeys
// and reads the stored record; complete() stores the response inside the handler's held transaction, so a
// record exists exactly when the call's writes do; failed calls store nothing, so only successes replay.
class IdempotencyStore final
{
public:
    enum class Outcome { Proceed, Replay, Conflict, Expired, InFlight, Failed };
    struct Claim
    {
        Outcome outcome = Outcome::Failed;
        nlohmann::json response; // Replay: the stored response
        QString error;           // Failed: why
        InFlightKeys::Hold hold; // Proceed: the key, held until the call is over
    };

    // Canonical hash of a request: the tool name and the arguments without idempotency_key, context,
    // governance_context and push_notification_config.authentication.credentials, keys sorted.
    static std::string requestHash(std::string_view tool, const nlohmann::json &arguments);

    // A stored in-flight row (written by an earlier version, or another process still running one) younger
    // than `inFlightSeconds` answers InFlight; an older one is abandoned and the key proceeds.
    static Claim claim(QSqlDatabase &db, InFlightKeys &running, const std::string &principalId,
                       const std::string &key, std::string_view tool, const std::string &hash,
                       const QDateTime &now, int inFlightSeconds);
    // Stores the completed record; false (with `*alreadyDone` set) when another process completed the same
    // key meanwhile: the caller's transaction must roll back, and a new claim replays that record.
    static bool complete(QSqlDatabase &db, const std::string &principalId, const std::string &key,
                         std::string_view tool, const std::string &hash, const nlohmann::json &response,
                         const QDateTime &now, int ttlSeconds, bool *alreadyDone, QString *error);
};

} // namespace adcp::seller
