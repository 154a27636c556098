#pragma once

#include <QStyledItemDelegate>

class QTreeView;

namespace adcp::gui {

// Wraps a tree view's cells to their column's width: QTreeView sizes rows by a delegate that does not know
// the column's width, so long text was elided however tall the row could be. Rows are laid out again when
// a column is resized. The view should have setWordWrap(true) and setUniformRowHeights(false).
class WrapDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WrapDelegate)
public:
    explicit WrapDelegate(QTreeView *view);

    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

private:
    QTreeView *m_view;
};

} // namespace adcp::gui
