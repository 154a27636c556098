#include "proposalcomparemodel.h"

#include "jsonvalues.h"
#include "modelroles.h"

#include <QBrush>
#include <QColor>
#include <QMap>

namespace adcp::models {

namespace {

QString describeAllocation(const nlohmann::json &allocation)
{
    if (allocation.is_null())
        return QStringLiteral("—");
    QString text;
    const double share = jsonNumber(allocation, "allocation_percentage", -1);
    if (share >= 0)
        text = QStringLiteral("%1 %").arg(share);
    else
        text = QStringLiteral("%1–%2 %")
                   .arg(jsonNumber(allocation, "min_spend_target_percentage"))
                   .arg(jsonNumber(allocation, "max_spend_percentage"));
    const QString option = jsonString(allocation, "pricing_option_id");
    if (!option.isEmpty())
        text += QStringLiteral(" · ") + option;
    return text;
}

QMap<QString, nlohmann::json> allocationsById(const nlohmann::json &proposal)
{
    QMap<QString, nlohmann::json> map;
    if (proposal.contains("allocations") && proposal["allocations"].is_array()) {
        for (const auto &allocation : proposal["allocations"])
            map.insert(jsonString(allocation, "product_id"), allocation);
    }
    return map;
}

QString guidanceValue(const nlohmann::json &proposal, const char *key)
{
    const nlohmann::json guidance = jsonObject(proposal, "total_budget_guidance");
    const double value = jsonNumber(guidance, key, -1);
    return value < 0 ? QStringLiteral("—") : formatMoney(value, jsonString(guidance, "currency"));
}

QString orDash(const QString &text)
{
    return text.isEmpty() ? QStringLiteral("—") : text;
}

} // namespace

ProposalCompareModel::ProposalCompareModel(QObject *parent) : QAbstractTableModel(parent) {}

ProposalCompareModel::~ProposalCompareModel() = default;

int ProposalCompareModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int ProposalCompareModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : NB_COLUMNS;
}

QVariant ProposalCompareModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows[static_cast<size_t>(index.row())];
    const bool changed = row.left != row.right;
    switch (role) {
    case ChangedRole:
        return changed;
    case Qt::BackgroundRole:
        if (changed && index.column() != FieldColumn)
            return QBrush(index.column() == LeftColumn ? QColor(0xfd, 0xec, 0xec) : QColor(0xe6, 0xf4, 0xea));
        return {};
    case Qt::DisplayRole:
        switch (static_cast<Column>(index.column())) {
        case FieldColumn:
            return row.field;
        case LeftColumn:
            return row.left;
        case RightColumn:
            return row.right;
        case NB_COLUMNS:
            break;
        }
        return {};
    default:
        return {};
    }
}

QVariant ProposalCompareModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (static_cast<Column>(section)) {
    case FieldColumn:
        return tr("Term");
    case LeftColumn:
        return m_leftLabel;
    case RightColumn:
        return m_rightLabel;
    case NB_COLUMNS:
        break;
    }
    return {};
}

void ProposalCompareModel::compare(const QString &leftLabel, const nlohmann::json &left,
                                   const QString &rightLabel, const nlohmann::json &right)
{
    beginResetModel();
    m_leftLabel = leftLabel;
    m_rightLabel = rightLabel;
    m_rows.clear();
    m_rows.push_back({tr("Name"), orDash(jsonString(left, "name")), orDash(jsonString(right, "name"))});
    m_rows.push_back({tr("Status"), orDash(jsonString(left, "proposal_status")),
                      orDash(jsonString(right, "proposal_status"))});
    m_rows.push_back(
        {tr("Expires at"), orDash(jsonString(left, "expires_at")), orDash(jsonString(right, "expires_at"))});
    m_rows.push_back({tr("Budget min"), guidanceValue(left, "min"), guidanceValue(right, "min")});
    m_rows.push_back(
        {tr("Budget recommended"), guidanceValue(left, "recommended"), guidanceValue(right, "recommended")});
    m_rows.push_back({tr("Budget max"), guidanceValue(left, "max"), guidanceValue(right, "max")});
    const QMap<QString, nlohmann::json> leftAllocations = allocationsById(left);
    const QMap<QString, nlohmann::json> rightAllocations = allocationsById(right);
    QStringList products = leftAllocations.keys();
    for (const QString &id : rightAllocations.keys()) {
        if (!products.contains(id))
            products << id;
    }
    for (const QString &id : products) {
        m_rows.push_back({tr("Allocation %1").arg(id), describeAllocation(leftAllocations.value(id)),
                          describeAllocation(rightAllocations.value(id))});
    }
    m_rows.push_back({tr("Description"), orDash(jsonString(left, "description")),
                      orDash(jsonString(right, "description"))});
    endResetModel();
}

int ProposalCompareModel::changedCount() const
{
    int count = 0;
    for (const Row &row : m_rows)
        count += row.left != row.right ? 1 : 0;
    return count;
}

} // namespace adcp::models
