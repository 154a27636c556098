#include "impairmentmodel.h"

#include "displaynames.h"
#include "jsonvalues.h"
#include "modelroles.h"

#include <algorithm>

namespace adcp::models {

ImpairmentModel::ImpairmentModel(QObject *parent)
    : TableModel({tr("Resource"), tr("Packages"), tr("Transition"), tr("Reason"), tr("Remediation"),
                  tr("Observed at")},
                 parent)
{}

ImpairmentModel::~ImpairmentModel() = default;

int ImpairmentModel::rowCount(const QModelIndex &parent) const
{
    return flatRowCount(parent, m_rows.size());
}

QVariant ImpairmentModel::data(const QModelIndex &index, int role) const
{
    if (!isCell(index))
        return {};
    const Row &row = m_rows[static_cast<size_t>(index.row())];
    switch (role) {
    case IdRole:
        return row.id;
    case StatusRole:
        return row.to;
    case Qt::ToolTipRole:
        return row.reason;
    case SortRole:
        if (index.column() == ObservedColumn)
            return row.observedAt.toMSecsSinceEpoch();
        return data(index, Qt::DisplayRole);
    case Qt::DisplayRole:
        switch (static_cast<Column>(index.column())) {
        case ResourceColumn:
            return QStringLiteral("%1 %2").arg(displayName(Vocabulary::ResourceType, row.resourceType).toLower(),
                                               row.resourceId);
        case PackagesColumn:
            return row.packageIds.join(QStringLiteral(", "));
        case TransitionColumn:
            return QStringLiteral("%1 → %2").arg(
                row.from.isEmpty() ? QStringLiteral("?") : displayName(Vocabulary::ResourceStatus, row.from),
                displayName(Vocabulary::ResourceStatus, row.to));
        case ReasonColumn:
            return displayName(Vocabulary::ImpairmentReason, row.reasonCode);
        case RemediationColumn:
            return row.remediation;
        case ObservedColumn:
            return formatDateTime(row.observedAt);
        case NB_COLUMNS:
            break;
        }
        return {};
    default:
        return {};
    }
}

void ImpairmentModel::setImpairments(const nlohmann::json &impairments,
                                     const QHash<QString, QString> &packageNames)
{
    beginResetModel();
    m_rows.clear();
    if (impairments.is_array()) {
        for (const auto &impairment : impairments) {
            Row row;
            row.id = jsonString(impairment, "impairment_id");
            row.resourceType = jsonString(impairment, "resource_type");
            row.resourceId = jsonString(impairment, "resource_id");
            for (const QString &packageId : jsonStringList(impairment, "package_ids"))
                row.packageIds << packageNames.value(packageId, packageId);
            const nlohmann::json transition = jsonObject(impairment, "transition");
            row.from = jsonString(transition, "from");
            row.to = jsonString(transition, "to");
            row.reasonCode = jsonString(impairment, "reason_code");
            row.reason = jsonString(impairment, "reason");
            row.remediation = jsonString(impairment, "remediation");
            row.observedAt = jsonDateTime(impairment, "observed_at");
            m_rows.push_back(std::move(row));
        }
    }
    std::stable_sort(m_rows.begin(), m_rows.end(),
                     [](const Row &a, const Row &b) { return a.observedAt < b.observedAt; });
    endResetModel();
}

} // namespace adcp::models
