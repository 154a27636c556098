#include "opportunitymodel.h"

#include <QColor>

#include "displaynames.h"
#include "jsonvalues.h"
#include "modelroles.h"

#include <algorithm>

namespace adcp::models {

namespace {
// Top-level items have internal id 0; a child stores its parent's row + 1.
constexpr quintptr kTopLevel = 0;
} // namespace

OpportunityModel::OpportunityModel(QObject *parent) : QAbstractItemModel(parent) {}

OpportunityModel::~OpportunityModel() = default;

QModelIndex OpportunityModel::index(int row, int column, const QModelIndex &parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    if (!parent.isValid())
        return createIndex(row, column, kTopLevel);
    return createIndex(row, column, static_cast<quintptr>(parent.row()) + 1);
}

QModelIndex OpportunityModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == kTopLevel)
        return {};
    return createIndex(static_cast<int>(child.internalId() - 1), 0, kTopLevel);
}

int OpportunityModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return static_cast<int>(m_rows.size());
    if (parent.internalId() == kTopLevel && parent.column() == 0)
        return NB_CHILD_ROWS;
    return 0;
}

int OpportunityModel::columnCount(const QModelIndex &) const
{
    return 1;
}

QVariant OpportunityModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const bool topLevel = index.internalId() == kTopLevel;
    const Row &row = m_rows[static_cast<size_t>(topLevel ? index.row() : int(index.internalId() - 1))];
    switch (role) {
    case IdRole:
        return row.id;
    case StatusRole:
        return row.closeReason.isEmpty() ? QStringLiteral("open") : QStringLiteral("closed");
    case HealthRole:
        return row.impaired ? QStringLiteral("impaired") : QStringLiteral("ok");
    case Qt::ToolTipRole:
        if (topLevel) {
            QString tip = tr("%1 · phase: %2")
                              .arg(row.id, row.phase.isEmpty() ? tr("unset")
                                                               : displayName(Vocabulary::Phase, row.phase));
            if (!row.closeReason.isEmpty())
                tip += QStringLiteral("\n") +
                       tr("Closed: %1").arg(displayName(Vocabulary::CloseReason, row.closeReason).toLower());
            return tip;
        }
        return {};
    case Qt::ForegroundRole:
        if (topLevel && !row.closeReason.isEmpty())
            return QColor(0x6b, 0x72, 0x80);
        return {};
    case Qt::DisplayRole:
        if (topLevel) {
            // The reason is in the tooltip: in the narrow tree "(closed: bought from this seller)" was cut.
            if (!row.closeReason.isEmpty())
                return tr("%1 · closed").arg(row.title);
            return row.title;
        }
        if (index.row() == ProposalsRow)
            return tr("%n proposal(s)", nullptr, row.proposals);
        return row.impaired ? tr("%n buy(s) ⚠", nullptr, row.buys) : tr("%n buy(s)", nullptr, row.buys);
    default:
        return {};
    }
}

int OpportunityModel::addOpportunity(const QString &opportunityId, const QString &title, const QString &phase)
{
    const int existing = rowOf(opportunityId);
    if (existing >= 0) {
        // The same planning cycle briefed again under a new name: the name the planner typed last wins.
        Row &row = m_rows[static_cast<size_t>(existing)];
        if (!title.isEmpty() && title != row.title) {
            row.title = title;
            Q_EMIT dataChanged(index(existing, 0), index(existing, 0));
        }
        return existing;
    }
    const int row = rowCount();
    beginInsertRows({}, row, row);
    m_rows.push_back({opportunityId, title, phase, {}, 0, 0, false});
    endInsertRows();
    return row;
}

void OpportunityModel::setCounts(const QString &opportunityId, int proposals, int buys, bool impaired)
{
    const int row = rowOf(opportunityId);
    if (row < 0)
        return;
    Row &r = m_rows[static_cast<size_t>(row)];
    r.proposals = proposals;
    r.buys = buys;
    r.impaired = impaired;
    const QModelIndex parentIndex = index(row, 0);
    Q_EMIT dataChanged(index(0, 0, parentIndex), index(NB_CHILD_ROWS - 1, 0, parentIndex));
}

void OpportunityModel::setClosed(const QString &opportunityId, const QString &closeReason)
{
    const int row = rowOf(opportunityId);
    if (row < 0)
        return;
    m_rows[static_cast<size_t>(row)].closeReason = closeReason;
    Q_EMIT dataChanged(index(row, 0), index(row, 0));
}

int OpportunityModel::rowOf(const QString &opportunityId) const
{
    for (size_t i = 0; i < m_rows.size(); ++i) {
        if (m_rows[i].id == opportunityId)
            return static_cast<int>(i);
    }
    return -1;
}

QString OpportunityModel::closeReason(const QString &opportunityId) const
{
    const int row = rowOf(opportunityId);
    return row >= 0 ? m_rows[size_t(row)].closeReason : QString();
}

QString OpportunityModel::title(int row) const
{
    return row >= 0 && row < static_cast<int>(m_rows.size()) ? m_rows[static_cast<size_t>(row)].title
                                                             : QString();
}

QString OpportunityModel::opportunityId(int row) const
{
    return row >= 0 && row < rowCount() ? m_rows[static_cast<size_t>(row)].id : QString();
}

void OpportunityModel::clear()
{
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

nlohmann::json OpportunityModel::saveState() const
{
    nlohmann::json rows = nlohmann::json::array();
    for (const Row &row : m_rows)
        rows.push_back({{"opportunity_id", toStdString(row.id)},
                        {"title", toStdString(row.title)},
                        {"phase", toStdString(row.phase)},
                        {"close_reason", toStdString(row.closeReason)}});
    return rows;
}

int OpportunityModel::restoreState(const nlohmann::json &state)
{
    if (!state.is_array())
        return 0;
    std::vector<Row> added;
    for (const auto &item : state) {
        const QString id = jsonString(item, "opportunity_id");
        if (id.isEmpty() || rowOf(id) >= 0 ||
            std::any_of(added.cbegin(), added.cend(), [&id](const Row &row) { return row.id == id; }))
            continue;
        added.push_back({id, jsonString(item, "title"), jsonString(item, "phase"), jsonString(item, "close_reason"),
                         0, 0, false});
    }
    if (added.empty())
        return 0;
    const int first = rowCount();
    beginInsertRows({}, first, first + static_cast<int>(added.size()) - 1);
    m_rows.insert(m_rows.end(), added.begin(), added.end());
    endInsertRows();
    return static_cast<int>(added.size());
}

} // namespace adcp::models
