#include "productsortmodel.h"

#include "modelroles.h"
#include "productmodel.h"

namespace adcp::models {

ProductSortModel::ProductSortModel(QObject *parent) : QSortFilterProxyModel(parent)
{
    setSortRole(SortRole);
}

void ProductSortModel::setFilterText(const QString &text)
{
    m_text = text.trimmed();
    invalidateFilter();
}

void ProductSortModel::setChannel(const QString &channel)
{
    m_channel = channel;
    invalidateFilter();
}

bool ProductSortModel::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const QVariant l = left.data(SortRole);
    const QVariant r = right.data(SortRole);
    if (l.typeId() == QMetaType::Double || l.typeId() == QMetaType::Int)
        return l.toDouble() < r.toDouble();
    return QString::compare(l.toString(), r.toString(), Qt::CaseInsensitive) < 0;
}

bool ProductSortModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QAbstractItemModel *model = sourceModel();
    const QModelIndex channelCell = model->index(sourceRow, ProductModel::ChannelsColumn, sourceParent);
    // Channel ids for the channel filter; the typed filter matches ids and the names shown.
    const QString channels = channelCell.data(SortRole).toString();
    if (!m_channel.isEmpty() && !channels.split(QStringLiteral(", ")).contains(m_channel))
        return false;
    if (m_text.isEmpty())
        return true;
    const QModelIndex name = model->index(sourceRow, ProductModel::NameColumn, sourceParent);
    return name.data().toString().contains(m_text, Qt::CaseInsensitive) ||
           channels.contains(m_text, Qt::CaseInsensitive) ||
           channelCell.data().toString().contains(m_text, Qt::CaseInsensitive) ||
           name.data(Qt::ToolTipRole).toString().contains(m_text, Qt::CaseInsensitive) ||
           name.data(IdRole).toString().contains(m_text, Qt::CaseInsensitive);
}

} // namespace adcp::models
