#include "proposalsortmodel.h"

#include "modelroles.h"
#include "proposalmodel.h"

namespace adcp::models {

ProposalSortModel::ProposalSortModel(QObject *parent) : QSortFilterProxyModel(parent)
{
    setSortRole(SortRole);
}

void ProposalSortModel::setFilterText(const QString &text)
{
    m_text = text.trimmed();
    invalidateFilter();
}

void ProposalSortModel::setStatuses(const QSet<QString> &statuses)
{
    m_statuses = statuses;
    invalidateFilter();
}

void ProposalSortModel::setOpportunity(const QString &opportunityId)
{
    if (opportunityId == m_opportunity)
        return;
    m_opportunity = opportunityId;
    invalidateFilter();
}

QString ProposalSortModel::opportunity() const
{
    return m_opportunity;
}

bool ProposalSortModel::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const QVariant l = left.data(SortRole);
    const QVariant r = right.data(SortRole);
    switch (l.typeId()) {
    case QMetaType::Double:
        return l.toDouble() < r.toDouble();
    case QMetaType::LongLong:
        return l.toLongLong() < r.toLongLong();
    default:
        return QString::compare(l.toString(), r.toString(), Qt::CaseInsensitive) < 0;
    }
}

bool ProposalSortModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QAbstractItemModel *model = sourceModel();
    const QModelIndex id = model->index(sourceRow, ProposalModel::IdColumn, sourceParent);
    if (!m_statuses.isEmpty() && !m_statuses.contains(id.data(StatusRole).toString()))
        return false;
    if (!m_opportunity.isEmpty() && id.data(OpportunityRole).toString() != m_opportunity)
        return false;
    if (m_text.isEmpty())
        return true;
    if (id.data().toString().contains(m_text, Qt::CaseInsensitive))
        return true;
    // By name, or by the brief it answered.
    for (const int column : {int(ProposalModel::NameColumn), int(ProposalModel::BriefColumn)}) {
        if (model->index(sourceRow, column, sourceParent)
                .data()
                .toString()
                .contains(m_text, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

} // namespace adcp::models
