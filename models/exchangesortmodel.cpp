#include "exchangesortmodel.h"

#include "exchangemodel.h"
#include "modelroles.h"

namespace adcp::models {

ExchangeSortModel::ExchangeSortModel(QObject *parent) : QSortFilterProxyModel(parent)
{
    setSortRole(SortRole);
}

void ExchangeSortModel::setFilterText(const QString &text)
{
    m_text = text.trimmed();
    invalidateFilter();
}

void ExchangeSortModel::setFailuresOnly(bool failuresOnly)
{
    m_failuresOnly = failuresOnly;
    invalidateFilter();
}

void ExchangeSortModel::setShowBackground(bool show)
{
    m_showBackground = show;
    invalidateFilter();
}

bool ExchangeSortModel::showsBackground() const
{
    return m_showBackground;
}

bool ExchangeSortModel::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const QVariant l = left.data(SortRole);
    const QVariant r = right.data(SortRole);
    switch (l.typeId()) {
    case QMetaType::Int:
    case QMetaType::LongLong:
        return l.toLongLong() < r.toLongLong();
    default:
        return QString::compare(l.toString(), r.toString(), Qt::CaseInsensitive) < 0;
    }
}

bool ExchangeSortModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex tool = sourceModel()->index(sourceRow, ExchangeModel::ToolColumn, sourceParent);
    if (!m_showBackground && tool.data(BackgroundRole).toBool())
        return false;
    if (m_failuresOnly && tool.data(StatusRole).toString() != QLatin1String("failed"))
        return false;
    if (m_text.isEmpty())
        return true;
    return tool.data().toString().contains(m_text, Qt::CaseInsensitive) ||
           sourceModel()
               ->index(sourceRow, ExchangeModel::ResultColumn, sourceParent)
               .data()
               .toString()
               .contains(m_text, Qt::CaseInsensitive);
}

} // namespace adcp::models
