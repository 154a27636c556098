#include "buysortmodel.h"

#include "buymodel.h"
#include "modelroles.h"

namespace adcp::models {

BuySortModel::BuySortModel(QObject *parent) : QSortFilterProxyModel(parent)
{
    setSortRole(SortRole);
}

void BuySortModel::setFilterText(const QString &text)
{
    m_text = text.trimmed();
    invalidateFilter();
}

void BuySortModel::setImpairedOnly(bool impairedOnly)
{
    m_impairedOnly = impairedOnly;
    invalidateFilter();
}

bool BuySortModel::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const QVariant l = left.data(SortRole);
    const QVariant r = right.data(SortRole);
    switch (l.typeId()) {
    case QMetaType::Double:
    case QMetaType::Int:
    case QMetaType::LongLong:
        return l.toDouble() < r.toDouble();
    default:
        return QString::compare(l.toString(), r.toString(), Qt::CaseInsensitive) < 0;
    }
}

void BuySortModel::setProposalScope(bool scoped, const QSet<QString> &proposalIds)
{
    if (scoped == m_scoped && proposalIds == m_proposalIds)
        return;
    m_scoped = scoped;
    m_proposalIds = scoped ? proposalIds : QSet<QString>();
    invalidateFilter();
}

bool BuySortModel::isScoped() const
{
    return m_scoped;
}

bool BuySortModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex id = sourceModel()->index(sourceRow, BuyModel::IdColumn, sourceParent);
    if (m_impairedOnly && id.data(HealthRole).toString() != QLatin1String("impaired"))
        return false;
    if (m_scoped && !m_proposalIds.contains(id.data(ProposalIdRole).toString()))
        return false;
    if (m_text.isEmpty())
        return true;
    if (id.data().toString().contains(m_text, Qt::CaseInsensitive) ||
        id.data(StatusRole).toString().contains(m_text, Qt::CaseInsensitive))
        return true;
    // By what it was bought from, or by the brief.
    for (const int column : {int(BuyModel::ProposalColumn), int(BuyModel::BriefColumn)}) {
        if (sourceModel()
                ->index(sourceRow, column, sourceParent)
                .data()
                .toString()
                .contains(m_text, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

} // namespace adcp::models
