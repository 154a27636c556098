#include "proposalstore.h"

#include "storage/database.h"
#include "wire/jsonread.h"

#include <QSqlQuery>

namespace adcp::seller {

using nlohmann::json;
using storage::execute;
using storage::qs;
using storage::ss;

namespace {

const QString kColumns = QStringLiteral(
    "p.principal_id, p.proposal_id, p.request_id, p.current_version, p.status, p.versioned, p.expires_at, "
    "p.opportunity_id, p.media_buy_id, p.declined_version, p.decline_reason, p.decline_detail, "
    "v.proposal_json");
const QString kFrom = QStringLiteral(
    " FROM proposals p JOIN proposal_versions v ON v.principal_id = p.principal_id AND v.proposal_id = "
    "p.proposal_id AND v.version = p.current_version ");

std::optional<std::string> optionalText(const QVariant &value)
{
    if (value.isNull())
        return std::nullopt;
    return ss(value.toString());
}

StoredProposal fromRow(const storage::Read &q)
{
    StoredProposal p;
    p.principalId = ss(q.value(0).toString());
    p.proposalId = ss(q.value(1).toString());
    p.requestId = ss(q.value(2).toString());
    p.version = q.value(3).toInt();
    p.state = proposalStateFromString(ss(q.value(4).toString())).value_or(ProposalState::Draft);
    p.versioned = q.value(5).toInt() != 0;
    p.expiresAt = QDateTime::fromString(q.value(6).toString(), Qt::ISODateWithMs);
    p.opportunityId = optionalText(q.value(7));
    p.mediaBuyId = optionalText(q.value(8));
    if (!q.value(9).isNull())
        p.declinedVersion = q.value(9).toInt();
    p.declineReason = optionalText(q.value(10));
    p.declineDetail = optionalText(q.value(11));
    p.current = storage::fromText(q.value(12).toString());
    return p;
}

// The buyer-facing proposal_status of a stored state.
std::string wireStatus(ProposalState state)
{
    switch (state) {
    case ProposalState::Draft:
        return "draft";
    case ProposalState::Consumed:
        return "accepted";
    case ProposalState::Committed:
    case ProposalState::Consuming:
    case ProposalState::Declined:
        return "committed";
    }
    return "draft";
}

} // namespace

std::string toString(ProposalState state)
{
    switch (state) {
    case ProposalState::Draft:
        return "draft";
    case ProposalState::Committed:
        return "committed";
    case ProposalState::Consuming:
        return "consuming";
    case ProposalState::Consumed:
        return "consumed";
    case ProposalState::Declined:
        return "declined";
    }
    return "draft";
}

std::optional<ProposalState> proposalStateFromString(const std::string &text)
{
    for (auto s : {ProposalState::Draft, ProposalState::Committed, ProposalState::Consuming,
                   ProposalState::Consumed, ProposalState::Declined}) {
        if (toString(s) == text)
            return s;
    }
    return std::nullopt;
}

std::string versionLabel(int version)
{
    std::string label(1, 'v');
    label.append(std::to_string(version));
    return label;
}

std::optional<int> versionNumber(const std::string &label)
{
    if (label.size() < 2 || label[0] != 'v')
        return std::nullopt;
    int value = 0;
    for (size_t i = 1; i < label.size(); ++i) {
        if (label[i] < '0' || label[i] > '9' || i > 9)
            return std::nullopt;
        value = value * 10 + (label[i] - '0');
    }
    return value > 0 ? std::optional<int>(value) : std::nullopt;
}

std::optional<StoredProposal> ProposalStore::find(QSqlDatabase &db, const std::string &principalId,
                                                  const std::string &proposalId, QString *error)
{
    storage::Read q(db,
                    QStringLiteral("SELECT ") + kColumns + kFrom +
                        QStringLiteral("WHERE p.principal_id = ? AND p.proposal_id = ?"),
                    {qs(principalId), qs(proposalId)}, error);
    if (!q)
        return std::nullopt;
    if (!q.next())
        return std::nullopt;
    return fromRow(q);
}

std::vector<StoredProposal> ProposalStore::findByRequest(QSqlDatabase &db, const std::string &principalId,
                                                         const std::string &requestId, QString *error)
{
    std::vector<StoredProposal> out;
    storage::Read q(db,
                    QStringLiteral("SELECT ") + kColumns + kFrom +
                        QStringLiteral("WHERE p.principal_id = ? AND p.request_id = ? ORDER BY p.created_at, "
                                       "p.proposal_id"),
                    {qs(principalId), qs(requestId)}, error);
    if (!q)
        return out;
    while (q.next())
        out.push_back(fromRow(q));
    return out;
}

std::optional<std::string> ProposalStore::latestOpenRequest(QSqlDatabase &db, const std::string &principalId,
                                                            const QDateTime &now, QString *error)
{
    QSqlQuery q(storage::connectionFor(db));
    // Compact proposals (request ids "rp_…", request_proposals) are never refined through get_products.
    if (!execute(
            q,
            QStringLiteral("SELECT request_id FROM proposals WHERE principal_id = ? AND status IN ('draft', "
                           "'committed') AND expires_at >= ? AND request_id NOT LIKE 'rp\\_%' ESCAPE '\\' "
                           "ORDER BY created_at DESC, rowid DESC LIMIT 1"),
            {qs(principalId), storage::isoTimeMs(now)}, error))
        return std::nullopt;
    if (!q.next())
        return std::nullopt;
    return ss(q.value(0).toString());
}

std::vector<ProposalVersion> ProposalStore::versions(QSqlDatabase &db, const std::string &principalId,
                                                     const std::string &proposalId, QString *error)
{
    std::vector<ProposalVersion> out;
    storage::Read q(
        db,
        QStringLiteral("SELECT version, status, cause, created_at, proposal_json FROM proposal_versions "
                       "WHERE principal_id = ? AND proposal_id = ? ORDER BY version"),
        {qs(principalId), qs(proposalId)}, error);
    if (!q)
        return out;
    while (q.next()) {
        out.push_back({q.value(0).toInt(), ss(q.value(1).toString()), ss(q.value(2).toString()),
                       QDateTime::fromString(q.value(3).toString(), Qt::ISODateWithMs),
                       storage::fromText(q.value(4).toString())});
    }
    return out;
}

bool ProposalStore::insert(QSqlDatabase &db, StoredProposal &p, const std::string &cause,
                           const QDateTime &now, QString *error, std::string *storedText)
{
    p.version = 1;
    p.current["proposal_id"] = p.proposalId;
    p.current["proposal_version"] = versionLabel(p.version);
    p.current["proposal_status"] = wireStatus(p.state);
    p.current["expires_at"] = ss(storage::isoTime(p.expiresAt));
    const QString at = storage::isoTimeMs(now);
    std::string text = wire::dump(p.current);
    if (storedText)
        *storedText = text;
    if (!storage::write(
            db,
            QStringLiteral("INSERT INTO proposals (principal_id, proposal_id, request_id, current_version, "
                           "status, versioned, expires_at, opportunity_id, created_at, updated_at) VALUES "
                           "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
            {qs(p.principalId), qs(p.proposalId), qs(p.requestId), p.version, qs(toString(p.state)),
             p.versioned ? 1 : 0, storage::isoTimeMs(p.expiresAt),
             p.opportunityId ? QVariant(qs(*p.opportunityId)) : QVariant(), at, at},
            error))
        return false;
    return storage::write(
        db,
        QStringLiteral("INSERT INTO proposal_versions (principal_id, proposal_id, version, status, "
                       "proposal_json, cause, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"),
        {qs(p.principalId), qs(p.proposalId), p.version, qs(toString(p.state)),
         storage::utf8(std::move(text)), qs(cause), at},
        error);
}

bool ProposalStore::addVersion(QSqlDatabase &db, StoredProposal &p, const std::string &cause,
                               const QDateTime &now, QString *error)
{
    const int next = p.version + 1;
    p.current["proposal_version"] = versionLabel(next);
    p.current["proposal_status"] = wireStatus(p.state);
    p.current["expires_at"] = ss(storage::isoTime(p.expiresAt));
    int rows = 0;
    if (!storage::write(
            db,
            QStringLiteral(
                "UPDATE proposals SET current_version = ?, status = ?, expires_at = ?, updated_at = "
                "? WHERE principal_id = ? AND proposal_id = ? AND current_version = ?"),
            {next, qs(toString(p.state)), storage::isoTimeMs(p.expiresAt), storage::isoTimeMs(now),
             qs(p.principalId), qs(p.proposalId), p.version},
            error, &rows))
        return false;
    if (rows != 1) {
        if (error)
            *error = QStringLiteral("the proposal changed meanwhile");
        return false;
    }
    if (!storage::write(
            db,
            QStringLiteral("INSERT INTO proposal_versions (principal_id, proposal_id, version, status, "
                           "proposal_json, cause, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"),
            {qs(p.principalId), qs(p.proposalId), next, qs(toString(p.state)), storage::jsonText(p.current),
             qs(cause), storage::isoTimeMs(now)},
            error))
        return false;
    p.version = next;
    return true;
}

bool ProposalStore::markVersioned(QSqlDatabase &db, const std::string &principalId,
                                  const std::string &proposalId, QString *error)
{
    return storage::write(
        db, QStringLiteral("UPDATE proposals SET versioned = 1 WHERE principal_id = ? AND proposal_id = ?"),
        {qs(principalId), qs(proposalId)}, error);
}

bool ProposalStore::recordDecline(QSqlDatabase &db, StoredProposal &p, const std::string &reason,
                                  const std::optional<std::string> &detail, const QDateTime &now,
                                  QString *error)
{
    int rows = 0;
    if (!storage::write(
            db,
            QStringLiteral("UPDATE proposals SET status = 'declined', versioned = 1, declined_version = ?, "
                           "decline_reason = ?, decline_detail = ?, declined_at = ?, updated_at = ? WHERE "
                           "principal_id = ? AND proposal_id = ? AND status IN ('draft', 'committed')"),
            {p.version, qs(reason), detail ? QVariant(qs(*detail)) : QVariant(), storage::isoTimeMs(now),
             storage::isoTimeMs(now), qs(p.principalId), qs(p.proposalId)},
            error, &rows))
        return false;
    if (rows != 1) {
        if (error)
            *error = QStringLiteral("the proposal can no longer be declined");
        return false;
    }
    p.state = ProposalState::Declined;
    p.versioned = true;
    p.declinedVersion = p.version;
    p.declineReason = reason;
    p.declineDetail = detail;
    return true;
}

bool ProposalStore::reserve(QSqlDatabase &db, const std::string &principalId, const std::string &proposalId,
                            int version, const QDateTime &now, QString *error)
{
    int rows = 0;
    if (!storage::write(
            db,
            QStringLiteral("UPDATE proposals SET status = 'consuming', updated_at = ? WHERE principal_id = ? "
                           "AND proposal_id = ? AND status = 'committed' AND current_version = ? AND "
                           "expires_at >= ?"),
            {storage::isoTimeMs(now), qs(principalId), qs(proposalId), version, storage::isoTimeMs(now)},
            error, &rows))
        return false;
    return rows == 1;
}

bool ProposalStore::release(QSqlDatabase &db, const std::string &principalId, const std::string &proposalId,
                            const QDateTime &now, QString *error)
{
    return storage::write(
        db,
        QStringLiteral("UPDATE proposals SET status = 'committed', updated_at = ? WHERE principal_id = ? "
                       "AND proposal_id = ? AND status = 'consuming'"),
        {storage::isoTimeMs(now), qs(principalId), qs(proposalId)}, error);
}

bool ProposalStore::consume(QSqlDatabase &db, const std::string &principalId, const std::string &proposalId,
                            const std::string &mediaBuyId, const QDateTime &now, QString *error)
{
    int rows = 0;
    if (!storage::write(
            db,
            QStringLiteral("UPDATE proposals SET status = 'consumed', media_buy_id = ?, updated_at = ? WHERE "
                           "principal_id = ? AND proposal_id = ? AND status = 'consuming'"),
            {qs(mediaBuyId), storage::isoTimeMs(now), qs(principalId), qs(proposalId)}, error, &rows))
        return false;
    if (rows != 1) {
        if (error)
            *error = QStringLiteral("the proposal is no longer reserved");
        return false;
    }
    return true;
}

} // namespace adcp::seller
