#include "proposalmodel.h"

#include "jsonvalues.h"
#include "modelroles.h"

#include <QSet>

#include <limits>

namespace adcp::models {

ProposalModel::ProposalModel(QObject *parent)
    : TableModel(
          {tr("Id"), tr("Name"), tr("Version"), tr("Status"), tr("Budget"), tr("Expires in"), tr("Brief")},
          parent),
      m_now(QDateTime::currentDateTimeUtc())
{}

ProposalModel::~ProposalModel() = default;

int ProposalModel::rowCount(const QModelIndex &parent) const
{
    return flatRowCount(parent, m_rows.size());
}

void ProposalModel::refreshCache(Row &row)
{
    const nlohmann::json &json = row.json();
    row.name = jsonString(json, "name");
    row.description = jsonString(json, "description");
    row.sellerStatus = jsonString(json, "proposal_status");
    if (row.sellerStatus.isEmpty())
        row.sellerStatus = QStringLiteral("ready"); // no status = ready to buy (pre-3.1 sellers)
    row.expiresAt = jsonDateTime(json, "expires_at");
    const nlohmann::json guidance = jsonObject(json, "total_budget_guidance");
    row.budget = jsonNumber(guidance, "recommended", jsonNumber(guidance, "max"));
    row.currency = jsonString(guidance, "currency");
}

QString ProposalModel::computedStatus(const Row &row) const
{
    if (!row.localStatus.isEmpty())
        return row.localStatus;
    // A commitment's hold and a draft's freshness both run out: neither can be finalized or bought then (the
    // seller answers PROPOSAL_EXPIRED); a refine asks for fresh terms.
    if ((row.sellerStatus == QLatin1String("committed") || row.sellerStatus == QLatin1String("draft")) &&
        row.expiresAt.isValid() && m_now >= row.expiresAt)
        return QStringLiteral("expired");
    return row.sellerStatus;
}

QVariant ProposalModel::data(const QModelIndex &index, int role) const
{
    if (!isCell(index))
        return {};
    const Row &row = m_rows[static_cast<size_t>(index.row())];
    const QDateTime &expiresAt = row.expiresAt;
    const QString status = computedStatus(row);
    const qint64 secondsLeft = expiresAt.isValid() ? m_now.secsTo(expiresAt) : 0;
    const double budget = row.budget;
    switch (role) {
    case IdRole:
        return row.id;
    case OpportunityRole:
        return row.opportunityId;
    case StatusRole:
        return status;
    case ExpiresAtRole:
        return expiresAt;
    case SecondsLeftRole:
        return secondsLeft;
    case Qt::ToolTipRole:
        if (index.column() == BriefColumn)
            return briefTitle(row.opportunityId);
        return row.description.isEmpty() ? tr("Proposal %1").arg(row.id)
                                         : tr("%1\n\nProposal %2").arg(row.description, row.id);
    case Qt::TextAlignmentRole:
        if (index.column() == BudgetColumn || index.column() == ExpiresColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::DisplayRole:
        switch (static_cast<Column>(index.column())) {
        case IdColumn:
            return row.id;
        case NameColumn:
            return row.name;
        case VersionColumn:
            return row.versions.back().version;
        case StatusColumn:
            return status;
        case BudgetColumn:
            return budget > 0.0 ? formatMoney(budget, row.currency) : QString();
        case ExpiresColumn:
            // Only a commitment's hold is a real deadline; a draft's expiry is mere freshness.
            if (status == QLatin1String("committed") && expiresAt.isValid())
                return formatCountdown(secondsLeft);
            return QStringLiteral("—");
        case BriefColumn:
            return briefTitle(row.opportunityId);
        case NB_COLUMNS:
            break;
        }
        return {};
    case SortRole:
        switch (static_cast<Column>(index.column())) {
        case BudgetColumn:
            return budget;
        case ExpiresColumn:
            return expiresAt.isValid() ? expiresAt.toSecsSinceEpoch() : std::numeric_limits<qint64>::max();
        case VersionColumn:
            return static_cast<qint64>(row.versions.size());
        default:
            return data(index, Qt::DisplayRole);
        }
    default:
        return {};
    }
}

int ProposalModel::upsertProposal(const nlohmann::json &proposal, const QDateTime &receivedAt,
                                  const QString &opportunityId)
{
    const QString id = jsonString(proposal, "proposal_id");
    ProposalVersion version{jsonString(proposal, "proposal_version"), receivedAt,
                            jsonString(proposal, "proposal_status"), proposal};
    const int existing = rowOf(id);
    if (existing < 0) {
        if (version.version.isEmpty())
            version.version = QStringLiteral("#1");
        const int row = rowCount();
        beginInsertRows({}, row, row);
        Row newRow;
        newRow.id = id;
        newRow.opportunityId = opportunityId;
        newRow.versions.push_back(std::move(version));
        refreshCache(newRow);
        m_rows.push_back(std::move(newRow));
        m_index.insert(id, row);
        endInsertRows();
        Q_EMIT versionAdded(id, m_rows.back().versions.back().version);
        Q_EMIT contentChanged();
        return row;
    }
    Row &row = m_rows[static_cast<size_t>(existing)];
    if (!opportunityId.isEmpty())
        row.opportunityId = opportunityId;
    ProposalVersion &current = row.versions.back();
    const bool unversioned = version.version.isEmpty();
    const bool same = unversioned ? current.json == proposal : current.version == version.version;
    if (same) {
        // Same version seen again (a re-read): refresh what the seller may have updated, e.g. its status.
        current.json = proposal;
        current.status = version.status;
        current.receivedAt = receivedAt;
    } else {
        if (unversioned)
            version.version = QStringLiteral("#%1").arg(row.versions.size() + 1);
        row.versions.push_back(std::move(version));
    }
    refreshCache(row);
    if (!row.localStatus.isEmpty() && !same)
        row.localStatus.clear(); // a new version supersedes a local outcome of the old one
    Q_EMIT dataChanged(index(existing, 0), index(existing, NB_COLUMNS - 1));
    if (!same)
        Q_EMIT versionAdded(id, row.versions.back().version);
    Q_EMIT contentChanged();
    return existing;
}

void ProposalModel::setLocalStatus(const QString &proposalId, const QString &status, const QString &note)
{
    const int row = rowOf(proposalId);
    if (row < 0)
        return;
    Row &r = m_rows[static_cast<size_t>(row)];
    r.localStatus = status;
    r.note = note;
    // The outcome belongs to the version it was decided on: its history row says so too.
    if (status == QLatin1String("declined") || status == QLatin1String("consumed"))
        r.versions.back().status = status;
    Q_EMIT dataChanged(index(row, 0), index(row, NB_COLUMNS - 1));
    Q_EMIT contentChanged();
}

void ProposalModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_index.clear();
    endResetModel();
    Q_EMIT contentChanged();
}

nlohmann::json ProposalModel::saveState() const
{
    nlohmann::json rows = nlohmann::json::array();
    for (const Row &row : m_rows) {
        nlohmann::json versions = nlohmann::json::array();
        for (const ProposalVersion &v : row.versions)
            versions.push_back({{"version", toStdString(v.version)},
                                {"received_at", toStdString(v.receivedAt.toUTC().toString(Qt::ISODateWithMs))},
                                {"status", toStdString(v.status)},
                                {"proposal", v.json}});
        rows.push_back({{"proposal_id", toStdString(row.id)},
                        {"opportunity_id", toStdString(row.opportunityId)},
                        {"local_status", toStdString(row.localStatus)},
                        {"note", toStdString(row.note)},
                        {"versions", std::move(versions)}});
    }
    return rows;
}

int ProposalModel::restoreState(const nlohmann::json &state)
{
    if (!state.is_array())
        return 0;
    std::vector<Row> added;
    QSet<QString> seen;
    for (const auto &item : state) {
        Row row;
        row.id = jsonString(item, "proposal_id");
        if (row.id.isEmpty() || m_index.contains(row.id) || seen.contains(row.id))
            continue;
        row.opportunityId = jsonString(item, "opportunity_id");
        row.localStatus = jsonString(item, "local_status");
        row.note = jsonString(item, "note");
        for (const auto &v : jsonArray(item, "versions")) {
            const nlohmann::json proposal = jsonObject(v, "proposal");
            if (proposal.empty() || jsonString(proposal, "proposal_id") != row.id)
                continue;
            row.versions.push_back({jsonString(v, "version"), jsonDateTime(v, "received_at"), jsonString(v, "status"),
                                    proposal});
        }
        if (row.versions.empty())
            continue;
        refreshCache(row);
        seen.insert(row.id);
        added.push_back(std::move(row));
    }
    const int count = appendIndexed(m_rows, m_index, std::move(added));
    if (count > 0)
        Q_EMIT contentChanged();
    return count;
}

int ProposalModel::rowOf(const QString &proposalId) const
{
    return m_index.value(proposalId, -1);
}

QString ProposalModel::proposalId(int row) const
{
    return row >= 0 && row < rowCount() ? m_rows[static_cast<size_t>(row)].id : QString();
}

const nlohmann::json &ProposalModel::proposalJson(int row) const
{
    static const nlohmann::json none;
    return row >= 0 && row < rowCount() ? m_rows[static_cast<size_t>(row)].json() : none;
}

QString ProposalModel::status(int row) const
{
    return row >= 0 && row < rowCount() ? computedStatus(m_rows[static_cast<size_t>(row)]) : QString();
}

QString ProposalModel::opportunityId(int row) const
{
    return row >= 0 && row < rowCount() ? m_rows[static_cast<size_t>(row)].opportunityId : QString();
}

int ProposalModel::opportunityCount() const
{
    QSet<QString> ids;
    for (const Row &row : m_rows) {
        if (!row.opportunityId.isEmpty())
            ids.insert(row.opportunityId);
    }
    return int(ids.size());
}

void ProposalModel::setBriefTitles(std::function<QString(const QString &)> lookup)
{
    m_briefTitle = std::move(lookup);
    briefTitlesChanged();
}

void ProposalModel::briefTitlesChanged()
{
    if (!m_rows.empty())
        Q_EMIT dataChanged(index(0, BriefColumn), index(rowCount() - 1, BriefColumn));
}

QString ProposalModel::briefTitle(const QString &opportunityId) const
{
    const QString title = m_briefTitle && !opportunityId.isEmpty() ? m_briefTitle(opportunityId) : QString();
    return title.isEmpty() ? opportunityId : title;
}

QString ProposalModel::note(int row) const
{
    return row >= 0 && row < rowCount() ? m_rows[static_cast<size_t>(row)].note : QString();
}

const std::vector<ProposalVersion> &ProposalModel::versions(int row) const
{
    static const std::vector<ProposalVersion> none;
    return row >= 0 && row < rowCount() ? m_rows[static_cast<size_t>(row)].versions : none;
}

QDateTime ProposalModel::now() const
{
    return m_now;
}

void ProposalModel::tick(const QDateTime &now)
{
    m_now = now;
    if (m_rows.empty())
        return;
    // Status may turn to "expired" as well, so both columns change.
    Q_EMIT dataChanged(index(0, StatusColumn), index(rowCount() - 1, ExpiresColumn));
}

} // namespace adcp::models
