#include "proposalversionmodel.h"

#include "jsonvalues.h"
#include "modelroles.h"

namespace adcp::models {

ProposalVersionModel::ProposalVersionModel(QObject *parent) : QAbstractTableModel(parent) {}

ProposalVersionModel::~ProposalVersionModel() = default;

int ProposalVersionModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_versions.size());
}

int ProposalVersionModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : NB_COLUMNS;
}

QVariant ProposalVersionModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ProposalVersion &version = m_versions[static_cast<size_t>(index.row())];
    const nlohmann::json guidance = jsonObject(version.json, "total_budget_guidance");
    const double budget = jsonNumber(guidance, "recommended", jsonNumber(guidance, "max"));
    const size_t allocations = version.json.contains("allocations") && version.json["allocations"].is_array()
                                   ? version.json["allocations"].size()
                                   : 0;
    switch (role) {
    case IdRole:
        return version.version;
    case StatusRole:
        return version.status;
    case SortRole:
        return index.row();
    case Qt::DisplayRole:
        switch (static_cast<Column>(index.column())) {
        case VersionColumn:
            return version.version;
        case ReceivedColumn:
            return version.receivedAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        case StatusColumn:
            return version.status.isEmpty() ? tr("ready") : version.status;
        case BudgetColumn:
            return budget > 0.0 ? formatMoney(budget, jsonString(guidance, "currency")) : QString();
        case AllocationsColumn:
            return tr("%n product(s)", nullptr, static_cast<int>(allocations));
        case NB_COLUMNS:
            break;
        }
        return {};
    default:
        return {};
    }
}

QVariant ProposalVersionModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (static_cast<Column>(section)) {
    case VersionColumn:
        return tr("Version");
    case ReceivedColumn:
        return tr("Received");
    case StatusColumn:
        return tr("Status");
    case BudgetColumn:
        return tr("Budget");
    case AllocationsColumn:
        return tr("Allocations");
    case NB_COLUMNS:
        break;
    }
    return {};
}

void ProposalVersionModel::setVersions(const std::vector<ProposalVersion> &versions)
{
    beginResetModel();
    m_versions = versions;
    endResetModel();
}

const ProposalVersion *ProposalVersionModel::version(int row) const
{
    return row >= 0 && row < rowCount() ? &m_versions[static_cast<size_t>(row)] : nullptr;
}

} // namespace adcp::models
