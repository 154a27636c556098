#include "allocationmodel.h"

#include "jsonvalues.h"
#include "modelroles.h"

namespace adcp::models {

AllocationModel::AllocationModel(QObject *parent) : QAbstractTableModel(parent) {}

AllocationModel::~AllocationModel() = default;

int AllocationModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int AllocationModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : NB_COLUMNS;
}

QVariant AllocationModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows[static_cast<size_t>(index.row())];
    const double share = row.share > 0.0 ? row.share : row.maxShare;
    switch (role) {
    case IdRole:
        return row.productId;
    case FractionRole:
        return share / 100.0;
    case SortRole:
        return index.column() == ShareColumn || index.column() == AmountColumn ? QVariant(share)
                                                                               : data(index, Qt::DisplayRole);
    case Qt::ToolTipRole:
        // The pricing cell names its option (its id is what the seller and the exchanges say).
        if (index.column() == PricingColumn)
            return row.pricingOptionId;
        // The product names its pricing too, for a view too narrow to show that column.
        if (index.column() == ProductColumn) {
            const QString pricing = data(this->index(index.row(), PricingColumn), Qt::DisplayRole).toString();
            return row.rationale.isEmpty() ? tr("Pricing: %1").arg(pricing)
                                           : tr("Pricing: %1\n%2").arg(pricing, row.rationale);
        }
        return row.rationale;
    case Qt::TextAlignmentRole:
        if (index.column() == AmountColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::DisplayRole:
        switch (static_cast<Column>(index.column())) {
        case ProductColumn:
            return m_namer ? m_namer(row.productId) : row.productId;
        case ShareColumn:
            if (row.share > 0.0)
                return QStringLiteral("%1 %").arg(row.share, 0, 'f', row.share == int(row.share) ? 0 : 1);
            return tr("%1–%2 %").arg(row.minShare, 0, 'f', 0).arg(row.maxShare, 0, 'f', 0);
        case AmountColumn:
            return m_budget > 0.0 && row.share > 0.0 ? formatMoney(m_budget * row.share / 100.0, m_currency)
                                                     : QString();
        case PricingColumn:
            if (m_describer) {
                if (const QString text = m_describer(row.productId, row.pricingOptionId); !text.isEmpty())
                    return text;
            }
            return row.pricingOptionId;
        case NB_COLUMNS:
            break;
        }
        return {};
    default:
        return {};
    }
}

QVariant AllocationModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (static_cast<Column>(section)) {
    case ProductColumn:
        return tr("Product");
    case ShareColumn:
        return tr("Share");
    case AmountColumn:
        return tr("Amount");
    case PricingColumn:
        return tr("Pricing option");
    case NB_COLUMNS:
        break;
    }
    return {};
}

void AllocationModel::setProposal(const nlohmann::json &proposal)
{
    beginResetModel();
    m_rows.clear();
    const nlohmann::json guidance = jsonObject(proposal, "total_budget_guidance");
    m_budget = jsonNumber(guidance, "recommended", jsonNumber(guidance, "max"));
    m_currency = jsonString(guidance, "currency");
    if (proposal.contains("allocations") && proposal["allocations"].is_array()) {
        for (const auto &allocation : proposal["allocations"]) {
            Row row;
            row.productId = jsonString(allocation, "product_id");
            row.share = jsonNumber(allocation, "allocation_percentage");
            row.minShare = jsonNumber(allocation, "min_spend_target_percentage");
            row.maxShare = jsonNumber(allocation, "max_spend_percentage");
            row.pricingOptionId = jsonString(allocation, "pricing_option_id");
            row.rationale = jsonString(allocation, "rationale");
            m_rows.push_back(std::move(row));
        }
    }
    endResetModel();
}

void AllocationModel::setProductNamer(std::function<QString(const QString &)> namer)
{
    m_namer = std::move(namer);
    if (!m_rows.empty())
        Q_EMIT dataChanged(index(0, ProductColumn), index(rowCount() - 1, ProductColumn));
}

void AllocationModel::setPricingDescriber(std::function<QString(const QString &, const QString &)> describer)
{
    m_describer = std::move(describer);
    if (!m_rows.empty())
        Q_EMIT dataChanged(index(0, PricingColumn), index(rowCount() - 1, PricingColumn));
}

} // namespace adcp::models
