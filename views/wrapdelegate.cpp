#include "wrapdelegate.h"

#include <QApplication>
#include <QHeaderView>
#include <QTreeView>

namespace adcp::gui {

WrapDelegate::WrapDelegate(QTreeView *view) : QStyledItemDelegate(view), m_view(view)
{
    connect(view->header(), &QHeaderView::sectionResized, view, [view] { view->doItemsLayout(); });
}

QSize WrapDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem cell(option);
    initStyleOption(&cell, index);
    const int width = m_view->header()->sectionSize(index.column());
    if (width <= 0)
        return QStyledItemDelegate::sizeHint(option, index);
    // The style wraps the text to the rectangle's width when the rectangle is valid and wrapping is asked.
    cell.features |= QStyleOptionViewItem::WrapText;
    cell.rect = QRect(0, 0, width, std::max(1, option.rect.height()));
    const QWidget *widget = option.widget ? option.widget : m_view;
    const QSize size = widget->style()->sizeFromContents(QStyle::CT_ItemViewItem, &cell, QSize(), widget);
    return {width, size.height()};
}

} // namespace adcp::gui
