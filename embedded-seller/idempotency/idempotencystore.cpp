#include "idempotencystore.h"

#include "storage/database.h"
#include "wire/jsonread.h"

#include <QCryptographicHash>

namespace adcp::seller {

using nlohmann::json;
using storage::qs;

std::string IdempotencyStore::requestHash(std::string_view tool, const json &arguments)
{
    json canonical = arguments;
    if (canonical.is_object()) {
        canonical.erase("idempotency_key");
        canonical.erase("context");
        canonical.erase("governance_context");
        if (auto pnc = canonical.find("push_notification_config");
            pnc != canonical.end() && pnc->is_object()) {
            if (auto auth = pnc->find("authentication"); auth != pnc->end() && auth->is_object())
                auth->erase("credentials");
        }
    }
    // nlohmann::json objects keep their keys sorted, so dump() is canonical for equal documents.
    const std::string text = std::string(tool) + '\n' + adcp::wire::dump(canonical);
    return QCryptographicHash::hash(QByteArray::fromStdString(text), QCryptographicHash::Sha256)
        .toHex()
        .toStdString();
}

InFlightKeys::Hold &InFlightKeys::Hold::operator=(Hold &&other) noexcept
{
    if (this != &other) {
        release();
        m_keys = std::exchange(other.m_keys, nullptr);
        m_id = std::move(other.m_id);
    }
    return *this;
}

void InFlightKeys::Hold::release()
{
    if (InFlightKeys *keys = std::exchange(m_keys, nullptr)) {
        std::lock_guard lock(keys->m_mutex);
        keys->m_running.erase(m_id);
    }
}

InFlightKeys::Taken InFlightKeys::take(const std::string &principal, const std::string &key,
                                       const std::string &fingerprint, Hold *hold)
{
    std::pair<std::string, std::string> id{principal, key};
    std::lock_guard lock(m_mutex);
    const auto [it, inserted] = m_running.try_emplace(id, fingerprint);
    if (!inserted)
        return it->second == fingerprint ? Taken::SameRequest : Taken::OtherRequest;
    *hold = Hold(this, std::move(id));
    return Taken::Now;
}

int InFlightKeys::size() const
{
    std::lock_guard lock(m_mutex);
    return int(m_running.size());
}

IdempotencyStore::Claim IdempotencyStore::claim(QSqlDatabase &db, InFlightKeys &running,
                                                const std::string &principalId, const std::string &key,
                                                std::string_view tool, const std::string &hash,
                                                const QDateTime &now, int inFlightSeconds)
{
    Claim result;
    const std::string fingerprint = std::string(tool) + '\n' + hash;
    switch (running.take(principalId, key, fingerprint, &result.hold)) {
    case InFlightKeys::Taken::Now:
        break;
    case InFlightKeys::Taken::SameRequest:
        result.outcome = Outcome::InFlight;
        return result;
    case InFlightKeys::Taken::OtherRequest:
        result.outcome = Outcome::Conflict;
        return result;
    }
    storage::Read q(
        db,
        QStringLiteral("SELECT tool, request_hash, state, response_json, created_at, expires_at FROM "
                       "idempotency WHERE principal_id = ? AND idempotency_key = ?"),
        {qs(principalId), qs(key)}, &result.error);
    if (!q) {
        result.hold.release();
        return result;
    }
    if (!q.next()) {
        result.outcome = Outcome::Proceed;
        return result;
    }
    const QString storedTool = q.value(0).toString();
    const QString storedHash = q.value(1).toString();
    const QString state = q.value(2).toString();
    const QDateTime createdAt = QDateTime::fromString(q.value(4).toString(), Qt::ISODateWithMs);
    const QDateTime expiresAt = QDateTime::fromString(q.value(5).toString(), Qt::ISODateWithMs);
    const bool inFlight = state == QLatin1String("in_flight");
    if (inFlight && (!createdAt.isValid() || createdAt.addSecs(inFlightSeconds) < now)) {
        // The call that stored this claim never finished (a crash, under an earlier version): the key is
        // free.
        result.outcome = Outcome::Proceed;
        return result;
    }
    if (!inFlight && (!expiresAt.isValid() || expiresAt < now))
        result.outcome = Outcome::Expired;
    else if (storedTool != qs(std::string(tool)) || storedHash != qs(hash))
        result.outcome = Outcome::Conflict;
    else if (inFlight)
        result.outcome = Outcome::InFlight;
    else {
        result.outcome = Outcome::Replay;
        result.response = storage::fromText(q.value(3).toString());
    }
    result.hold.release();
    return result;
}

bool IdempotencyStore::complete(QSqlDatabase &db, const std::string &principalId, const std::string &key,
                                std::string_view tool, const std::string &hash, const json &response,
                                const QDateTime &now, int ttlSeconds, bool *alreadyDone, QString *error)
{
    *alreadyDone = false;
    // A row here is an abandoned in-flight claim (taken over above) or a record another process completed
    // meanwhile; only the first may be replaced.
    int changed = 0;
    if (!storage::write(
            db,
            QStringLiteral(
                "INSERT INTO idempotency (principal_id, idempotency_key, tool, request_hash, state, "
                "response_json, created_at, expires_at) VALUES (?, ?, ?, ?, 'done', ?, ?, ?) "
                "ON CONFLICT (principal_id, idempotency_key) DO UPDATE SET tool = excluded.tool, "
                "request_hash = excluded.request_hash, state = 'done', "
                "response_json = excluded.response_json, created_at = excluded.created_at, "
                "expires_at = excluded.expires_at WHERE idempotency.state = 'in_flight'"),
            {qs(principalId), qs(key), qs(std::string(tool)), qs(hash), storage::jsonText(response),
             storage::isoTimeMs(now), storage::isoTimeMs(now.addSecs(ttlSeconds))},
            error, &changed))
        return false;
    if (changed == 1)
        return true;
    *alreadyDone = true;
    if (error)
        *error = QStringLiteral("another process completed this idempotency_key meanwhile");
    return false;
}

} // namespace adcp::seller
