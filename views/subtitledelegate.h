#pragma once

#include <QStyledItemDelegate>

namespace adcp::gui {

// Draws a cell's text with a second, smaller grey line under it: the text of another column of the same row
// (a proposal's name over the brief it answered). Off, it draws the cell as usual. Its parent, when a view,
// lays its rows out again on setShown().
class SubtitleDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SubtitleDelegate)
public:
    SubtitleDelegate(int subtitleColumn, QObject *parent);

    void setShown(bool shown);
    bool isShown() const;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

private:
    QString subtitle(const QModelIndex &index) const;

    int m_column;
    bool m_shown = false;
};

} // namespace adcp::gui
