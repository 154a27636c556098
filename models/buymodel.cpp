#include "buymodel.h"

#include "displaynames.h"
#include "jsonvalues.h"
#include "modelroles.h"

#include <QSet>

namespace adcp::models {

BuyModel::BuyModel(QObject *parent)
    : TableModel({tr("Media buy"), tr("Bought from"), tr("Status"), tr("Health"), tr("Budget"),
                  tr("Delivery"), tr("Flight"), tr("Brief")},
                 parent)
{}

BuyModel::~BuyModel() = default;

int BuyModel::rowCount(const QModelIndex &parent) const
{
    return flatRowCount(parent, m_rows.size());
}

QVariant BuyModel::data(const QModelIndex &index, int role) const
{
    if (!isCell(index))
        return {};
    const Row &row = m_rows[static_cast<size_t>(index.row())];
    const double fraction = row.budget > 0.0 ? row.spend / row.budget : 0.0;
    switch (role) {
    case IdRole:
        return row.id;
    case ProposalIdRole:
        return row.proposalId;
    case StatusRole:
        return row.status;
    case HealthRole:
        return row.health;
    case FractionRole:
        return fraction;
    case Qt::ToolTipRole:
        if (index.column() == HealthColumn && row.impairments > 0)
            return tr("%n impairment(s)", nullptr, row.impairments);
        return row.proposalId.isEmpty() ? tr("Media buy %1 · bought from the catalog").arg(row.id)
                                        : tr("Media buy %1 · proposal %2").arg(row.id, row.proposalId);
    case Qt::TextAlignmentRole:
        if (index.column() == BudgetColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::DisplayRole:
        switch (static_cast<Column>(index.column())) {
        case IdColumn:
            return row.id;
        case ProposalColumn:
            return row.title.isEmpty() ? row.proposalId : row.title;
        case StatusColumn:
            return row.status;
        case HealthColumn:
            if (row.health.isEmpty())
                return QString();
            return row.impairments > 0 ? QStringLiteral("%1 (%2)").arg(row.health).arg(row.impairments)
                                       : row.health;
        case BudgetColumn:
            return row.budget > 0.0 ? formatMoney(row.budget, row.currency) : QString();
        case PacingColumn:
            return row.budget > 0.0 ? tr("%1 spent").arg(formatMoney(row.spend, row.currency)) : QString();
        case BriefColumn:
            return m_briefTitle && !row.proposalId.isEmpty() ? m_briefTitle(row.proposalId) : QString();
        case FlightColumn:
            if (!row.start.isValid() && !row.end.isValid())
                return QString();
            return QStringLiteral("%1 → %2").arg(formatDate(row.start.toLocalTime().date()),
                                                 formatDate(row.end.toLocalTime().date()));
        case NB_COLUMNS:
            break;
        }
        return {};
    case SortRole:
        switch (static_cast<Column>(index.column())) {
        case BudgetColumn:
            return row.budget;
        case PacingColumn:
            return fraction;
        case FlightColumn:
            return row.start.isValid() ? row.start.toSecsSinceEpoch() : qint64(0);
        case HealthColumn:
            return row.impairments;
        default:
            return data(index, Qt::DisplayRole);
        }
    default:
        return {};
    }
}

void BuyModel::setTitle(const QString &mediaBuyId, const QString &title)
{
    const int row = rowOf(mediaBuyId);
    if (row < 0 || m_rows[static_cast<size_t>(row)].title == title)
        return;
    m_rows[static_cast<size_t>(row)].title = title;
    m_rows[static_cast<size_t>(row)].revision = ++m_revisions;
    Q_EMIT dataChanged(index(row, ProposalColumn), index(row, ProposalColumn));
}

void BuyModel::setBriefTitles(std::function<QString(const QString &)> lookup)
{
    m_briefTitle = std::move(lookup);
    briefTitlesChanged();
}

void BuyModel::briefTitlesChanged()
{
    if (!m_rows.empty())
        Q_EMIT dataChanged(index(0, BriefColumn), index(rowCount() - 1, BriefColumn));
}

int BuyModel::briefCount() const
{
    QSet<QString> briefs;
    for (int row = 0; row < rowCount(); ++row) {
        const QString brief = index(row, BriefColumn).data().toString();
        if (!brief.isEmpty())
            briefs.insert(brief);
    }
    return int(briefs.size());
}

QString BuyModel::title(int row) const
{
    if (row < 0 || row >= rowCount())
        return QString();
    const Row &r = m_rows[static_cast<size_t>(row)];
    return r.title.isEmpty() ? r.proposalId : r.title;
}

quint64 BuyModel::revision(int row) const
{
    return row >= 0 && row < rowCount() ? m_rows[static_cast<size_t>(row)].revision : 0;
}

QString BuyModel::status(int row) const
{
    return row >= 0 && row < rowCount() ? m_rows[static_cast<size_t>(row)].status : QString();
}

bool BuyModel::isTerminalStatus(const QString &status)
{
    return status == QLatin1String("completed") || status == QLatin1String("rejected") ||
           status == QLatin1String("canceled");
}

QString BuyModel::proposalId(int row) const
{
    return row >= 0 && row < rowCount() ? m_rows[static_cast<size_t>(row)].proposalId : QString();
}

void BuyModel::refresh(Row &row)
{
    const nlohmann::json &json = row.json;
    row.status = jsonString(json, "media_buy_status");
    if (row.status.isEmpty())
        row.status = jsonString(json, "status");
    row.health = jsonString(json, "health");
    row.proposalId = jsonString(json, "proposal_id");
    if (row.proposalId.isEmpty())
        row.proposalId = jsonString(json, "accepted_proposal_id");
    // get_media_buys of the embedded seller names a buy's proposal in its extension block.
    if (row.proposalId.isEmpty())
        row.proposalId = jsonString(jsonObject(jsonObject(json, "ext"), "workbench"), "proposal_id");
    row.currency = jsonString(json, "currency");
    if (json.contains("total_budget")) {
        row.budget = jsonAmount(json["total_budget"]);
        if (row.currency.isEmpty())
            row.currency = jsonString(json["total_budget"], "currency");
    }
    row.impairments = json.contains("impairments") && json["impairments"].is_array()
                          ? static_cast<int>(json["impairments"].size())
                          : 0;
    row.start = jsonDateTime(json, "start_time");
    row.end = jsonDateTime(json, "end_time");
}

bool BuyModel::applyDelivery(Row &row, const nlohmann::json &delivery)
{
    std::vector<std::uint8_t> compact = compactJson(delivery);
    if (compact == row.delivery)
        return false;
    row.delivery = std::move(compact);
    row.spend = jsonNumber(jsonObject(delivery, "totals"), "spend");
    row.pacingIndex = jsonNumber(delivery, "pacing_index");
    row.revision = ++m_revisions;
    row.deliveryRevision = row.revision;
    return true;
}

int BuyModel::upsertBuy(const nlohmann::json &buy)
{
    const QString id = jsonString(buy, "media_buy_id");
    if (id.isEmpty())
        return -1;
    const int existing = rowOf(id);
    if (existing < 0) {
        const int rowIndex = rowCount();
        beginInsertRows({}, rowIndex, rowIndex);
        Row row;
        row.id = id;
        row.json = buy;
        row.revision = ++m_revisions;
        refresh(row);
        m_rows.push_back(std::move(row));
        m_index.insert(id, rowIndex);
        endInsertRows();
        return rowIndex;
    }
    Row &row = m_rows[static_cast<size_t>(existing)];
    // The same snapshot again (every background poll of a quiet buy) changes nothing.
    if (!mergeBuySnapshot(row.json, buy))
        return existing;
    row.revision = ++m_revisions;
    refresh(row);
    Q_EMIT dataChanged(index(existing, 0), index(existing, NB_COLUMNS - 1));
    return existing;
}

void BuyModel::setDelivery(nlohmann::json delivery)
{
    const int existing = rowOf(jsonString(delivery, "media_buy_id"));
    if (existing < 0)
        return;
    // A poll that brings the same report changes nothing: no repaint, no detail panel rebuilt.
    Row &row = m_rows[static_cast<size_t>(existing)];
    if (!applyDelivery(row, delivery))
        return;
    // The report that came last is most often the one on screen (the watched buy is polled): it stays
    // expanded, and deliveryJson has nothing to decode.
    m_expanded = std::move(delivery);
    m_expandedRevision = row.deliveryRevision;
    Q_EMIT dataChanged(index(existing, 0), index(existing, NB_COLUMNS - 1));
}

void BuyModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_expanded = nullptr;
    m_expandedRevision = 0;
    m_index.clear();
    endResetModel();
}

nlohmann::json BuyModel::saveState() const
{
    nlohmann::json rows = nlohmann::json::array();
    for (const Row &row : m_rows)
        rows.push_back(
            {{"buy", row.json}, {"delivery", expandJson(row.delivery)}, {"title", toStdString(row.title)}});
    return rows;
}

int BuyModel::restoreState(const nlohmann::json &state)
{
    if (!state.is_array())
        return 0;
    std::vector<Row> added;
    QSet<QString> seen;
    for (const auto &item : state) {
        Row row;
        row.json = jsonObject(item, "buy");
        row.id = jsonString(row.json, "media_buy_id");
        if (row.id.isEmpty() || m_index.contains(row.id) || seen.contains(row.id))
            continue;
        row.title = jsonString(item, "title");
        row.revision = ++m_revisions;
        refresh(row);
        const nlohmann::json &delivery = jsonObject(item, "delivery");
        if (jsonString(delivery, "media_buy_id") == row.id)
            applyDelivery(row, delivery);
        seen.insert(row.id);
        added.push_back(std::move(row));
    }
    return appendIndexed(m_rows, m_index, std::move(added));
}

int BuyModel::rowOf(const QString &mediaBuyId) const
{
    return m_index.value(mediaBuyId, -1);
}

QString BuyModel::mediaBuyId(int row) const
{
    return row >= 0 && row < rowCount() ? m_rows[static_cast<size_t>(row)].id : QString();
}

const nlohmann::json &BuyModel::buyJson(int row) const
{
    static const nlohmann::json none;
    return row >= 0 && row < rowCount() ? m_rows[static_cast<size_t>(row)].json : none;
}

const nlohmann::json &BuyModel::deliveryJson(int row) const
{
    static const nlohmann::json none;
    if (row < 0 || row >= rowCount() || m_rows[static_cast<size_t>(row)].delivery.empty())
        return none;
    const Row &r = m_rows[static_cast<size_t>(row)];
    if (m_expandedRevision != r.deliveryRevision) {
        m_expanded = expandJson(r.delivery);
        m_expandedRevision = r.deliveryRevision;
    }
    return m_expanded;
}

} // namespace adcp::models
