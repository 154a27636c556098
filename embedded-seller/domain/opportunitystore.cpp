#include "opportunitystore.h"

#include "storage/database.h"

#include <QSqlQuery>

namespace adcp::seller {

using nlohmann::json;
using storage::execute;
using storage::qs;
using storage::ss;

namespace {

QVariant textOrNull(const json &object, const char *member)
{
    const auto it = object.find(member);
    if (it == object.end() || it->is_null())
        return {};
    return it->is_string() ? QVariant(qs(it->get<std::string>())) : QVariant(storage::toText(*it));
}

} // namespace

std::optional<adcp::AdcpError> OpportunityStore::check(const json &opportunity, const std::string &field)
{
    if (!opportunity.is_object() || !opportunity.contains("opportunity_id") ||
        !opportunity["opportunity_id"].is_string() ||
        opportunity["opportunity_id"].get<std::string>().empty())
        return adcp::AdcpError::make("INVALID_REQUEST", "the opportunity needs an opportunity_id",
                                     field + ".opportunity_id");
    const std::string status = opportunity.value("status", std::string());
    const bool hasReason = opportunity.contains("close_reason");
    if (status == "closed" && !hasReason)
        return adcp::AdcpError::make("INVALID_REQUEST", "a closed opportunity needs a close_reason",
                                     field + ".close_reason");
    if (status != "closed" && (hasReason || opportunity.contains("close_detail")))
        return adcp::AdcpError::make("INVALID_REQUEST",
                                     "close_reason and close_detail belong to status closed",
                                     field + (hasReason ? ".close_reason" : ".close_detail"));
    if (hasReason && opportunity.value("close_reason", std::string()) == "other" &&
        opportunity.value("close_detail", std::string()).empty())
        return adcp::AdcpError::make("INVALID_REQUEST", "close_reason other needs a close_detail",
                                     field + ".close_detail");
    return std::nullopt;
}

bool OpportunityStore::upsert(QSqlDatabase &db, const std::string &principalId, const json &o,
                              const QDateTime &now, QString *error)
{
    const QString nowIso = storage::isoTimeMs(now);
    const QString id = qs(o.at("opportunity_id").get<std::string>());
    if (!storage::write(
            db,
            QStringLiteral(
                "INSERT INTO opportunities (principal_id, opportunity_id, status, created_at, "
                "updated_at) VALUES (?, ?, 'open', ?, ?) ON CONFLICT (principal_id, opportunity_id) "
                "DO NOTHING"),
            {qs(principalId), id, nowIso, nowIso}, error))
        return false;
    // Only the members the buyer sent change; the others keep their stored value.
    for (const char *member : {"phase", "intent", "planning_horizon", "response_deadline", "status",
                               "close_reason", "close_detail"}) {
        if (!o.contains(member))
            continue;
        if (!storage::write(
                db,
                QStringLiteral("UPDATE opportunities SET ") + QString::fromLatin1(member) +
                    QStringLiteral(" = ?, updated_at = ? WHERE principal_id = ? AND opportunity_id = ?"),
                {textOrNull(o, member), nowIso, qs(principalId), id}, error))
            return false;
    }
    if (o.value("status", std::string()) == "open") {
        if (!storage::write(
                db,
                QStringLiteral("UPDATE opportunities SET close_reason = NULL, close_detail = NULL WHERE "
                               "principal_id = ? AND opportunity_id = ?"),
                {qs(principalId), id}, error))
            return false;
    }
    return true;
}

bool OpportunityStore::close(QSqlDatabase &db, const std::string &principalId,
                             const std::string &opportunityId, const std::string &reason,
                             const std::optional<std::string> &detail, const QDateTime &now, QString *error)
{
    const QString nowIso = storage::isoTimeMs(now);
    return storage::write(
        db,
        QStringLiteral("INSERT INTO opportunities (principal_id, opportunity_id, status, close_reason, "
                       "close_detail, created_at, updated_at) VALUES (?, ?, 'closed', ?, ?, ?, ?) ON "
                       "CONFLICT (principal_id, opportunity_id) DO UPDATE SET status = 'closed', "
                       "close_reason = excluded.close_reason, close_detail = excluded.close_detail, "
                       "updated_at = excluded.updated_at"),
        {qs(principalId), qs(opportunityId), qs(reason), detail ? QVariant(qs(*detail)) : QVariant(), nowIso,
         nowIso},
        error);
}

json OpportunityStore::find(QSqlDatabase &db, const std::string &principalId,
                            const std::string &opportunityId, QString *error)
{
    QSqlQuery q(storage::connectionFor(db));
    if (!execute(
            q,
            QStringLiteral("SELECT phase, intent, planning_horizon, response_deadline, status, close_reason, "
                           "close_detail FROM opportunities WHERE principal_id = ? AND opportunity_id = ?"),
            {qs(principalId), qs(opportunityId)}, error))
        return nullptr;
    if (!q.next())
        return nullptr;
    json o = {{"opportunity_id", opportunityId}};
    const char *members[] = {"phase",  "intent",       "planning_horizon", "response_deadline",
                             "status", "close_reason", "close_detail"};
    for (int i = 0; i < 7; ++i) {
        if (q.value(i).isNull())
            continue;
        const QString text = q.value(i).toString();
        if (std::string_view(members[i]) == "planning_horizon")
            o[members[i]] = storage::fromText(text);
        else
            o[members[i]] = ss(text);
    }
    return o;
}

} // namespace adcp::seller
