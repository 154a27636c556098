#include "subtitledelegate.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QPainter>

namespace adcp::gui {

namespace {

QFont subtitleFont(const QFont &font)
{
    QFont smaller = font;
    smaller.setPointSizeF(font.pointSizeF() > 0 ? font.pointSizeF() * 0.88 : font.pointSizeF());
    return smaller;
}

} // namespace

SubtitleDelegate::SubtitleDelegate(int subtitleColumn, QObject *parent)
    : QStyledItemDelegate(parent), m_column(subtitleColumn)
{}

void SubtitleDelegate::setShown(bool shown)
{
    if (m_shown == shown)
        return;
    m_shown = shown;
    // The rows change height: the view (the delegate's parent) lays them out again.
    if (auto *view = qobject_cast<QAbstractItemView *>(parent())) {
        view->doItemsLayout();
        view->viewport()->update();
    }
}

bool SubtitleDelegate::isShown() const
{
    return m_shown;
}

QString SubtitleDelegate::subtitle(const QModelIndex &index) const
{
    return m_shown ? index.siblingAtColumn(m_column).data().toString() : QString();
}

void SubtitleDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                             const QModelIndex &index) const
{
    if (!m_shown) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QString title = opt.text;
    const QString below = subtitle(index);
    // The background, selection and focus as the style draws them, without the text.
    opt.text.clear();
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);
    const QRect text = style->subElementRect(QStyle::SE_ItemViewItemText, &opt, widget).adjusted(2, 0, -2, 0);
    const bool selected = opt.state & QStyle::State_Selected;
    const QPalette::ColorGroup group =
        opt.state & QStyle::State_Enabled ? QPalette::Normal : QPalette::Disabled;
    const QFontMetrics titleMetrics(opt.font);
    const QFont smaller = subtitleFont(opt.font);
    const QFontMetrics belowMetrics(smaller);
    const int top = text.top() + (text.height() - titleMetrics.height() - belowMetrics.height()) / 2;
    painter->save();
    painter->setFont(opt.font);
    painter->setPen(opt.palette.color(group, selected ? QPalette::HighlightedText : QPalette::Text));
    painter->drawText(QRect(text.left(), top, text.width(), titleMetrics.height()),
                      Qt::AlignLeft | Qt::AlignVCenter,
                      titleMetrics.elidedText(title, Qt::ElideRight, text.width()));
    painter->setFont(smaller);
    QColor grey = opt.palette.color(group, selected ? QPalette::HighlightedText : QPalette::PlaceholderText);
    painter->setPen(grey);
    painter->drawText(QRect(text.left(), top + titleMetrics.height(), text.width(), belowMetrics.height()),
                      Qt::AlignLeft | Qt::AlignVCenter,
                      belowMetrics.elidedText(below, Qt::ElideRight, text.width()));
    painter->restore();
}

QSize SubtitleDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    if (m_shown)
        size.setHeight(std::max(size.height(), QFontMetrics(option.font).height() +
                                                   QFontMetrics(subtitleFont(option.font)).height() + 6));
    return size;
}

} // namespace adcp::gui
