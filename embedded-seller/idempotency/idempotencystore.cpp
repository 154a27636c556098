#include "idempotencystore.h"

#include "storage/database.h"
#include "wire/jsonread.h"

#include <QCryptographicHash>

namespace adcp::seller {

using nlohmann::json;
using storage::execute;
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

IdempotencyStore::Claim IdempotencyStore::claim(QSqlDatabase &db, const std::string &principalId,
                                                const std::string &key, std::string_view tool,
                                                const std::string &hash, const QDateTime &now, int ttlSeconds,
                                                int inFlightSeconds)
{
    Claim result;
    storage::WriteTransaction tx(db);
    if (!tx.begin(&result.error))
        return result;
    storage::Read q(
        db,
        QStringLiteral("SELECT tool, request_hash, state, response_json, created_at, expires_at FROM "
                       "idempotency WHERE principal_id = ? AND idempotency_key = ?"),
        {qs(principalId), qs(key)}, &result.error);
    if (!q)
        return result;
    const QString nowIso = storage::isoTimeMs(now);
    const QString expiresIso = storage::isoTimeMs(now.addSecs(ttlSeconds));
    if (!q.next()) {
        if (!storage::write(
                db,
                QStringLiteral("INSERT INTO idempotency (principal_id, idempotency_key, tool, request_hash, "
                               "state, created_at, expires_at) VALUES (?, ?, ?, ?, 'in_flight', ?, ?)"),
                {qs(principalId), qs(key), qs(std::string(tool)), qs(hash), nowIso, expiresIso},
                &result.error) ||
            !tx.commit(&result.error))
            return result;
        result.outcome = Outcome::Proceed;
        return result;
    }
    const QString storedTool = q.value(0).toString();
    const QString storedHash = q.value(1).toString();
    const QString state = q.value(2).toString();
    const QDateTime createdAt = QDateTime::fromString(q.value(4).toString(), Qt::ISODateWithMs);
    const QDateTime expiresAt = QDateTime::fromString(q.value(5).toString(), Qt::ISODateWithMs);

    if (state == QLatin1String("in_flight") && createdAt.addSecs(inFlightSeconds) < now) {
        // The call that claimed the key never finished (crash): the key is free again.
        if (!storage::write(
                db,
                QStringLiteral("UPDATE idempotency SET tool = ?, request_hash = ?, created_at = ?, "
                               "expires_at = ? WHERE principal_id = ? AND idempotency_key = ?"),
                {qs(std::string(tool)), qs(hash), nowIso, expiresIso, qs(principalId), qs(key)},
                &result.error) ||
            !tx.commit(&result.error))
            return result;
        result.outcome = Outcome::Proceed;
        return result;
    }
    if (expiresAt < now)
        result.outcome = Outcome::Expired;
    else if (storedTool != qs(std::string(tool)) || storedHash != qs(hash))
        result.outcome = Outcome::Conflict;
    else if (state == QLatin1String("in_flight"))
        result.outcome = Outcome::InFlight;
    else {
        result.outcome = Outcome::Replay;
        result.response = storage::fromText(q.value(3).toString());
    }
    tx.commit(nullptr);
    return result;
}

bool IdempotencyStore::complete(QSqlDatabase &db, const std::string &principalId, const std::string &key,
                                const json &response, QString *error)
{
    return storage::write(
        db,
        QStringLiteral("UPDATE idempotency SET state = 'done', response_json = ? WHERE principal_id = ? "
                       "AND idempotency_key = ?"),
        {storage::toText(response), qs(principalId), qs(key)}, error);
}

void IdempotencyStore::release(QSqlDatabase &db, const std::string &principalId, const std::string &key)
{
    storage::write(
        db,
        QStringLiteral("DELETE FROM idempotency WHERE principal_id = ? AND idempotency_key = ? AND "
                       "state = 'in_flight'"),
        {qs(principalId), qs(key)}, nullptr);
}

} // namespace adcp::seller
