#include "statuschipdelegate.h"

#include "displaynames.h"
#include "modelroles.h"
#include "theme.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>

namespace adcp::gui {

StatusChipDelegate::StatusChipDelegate(int role, QObject *parent) : QStyledItemDelegate(parent), m_role(role)
{}

void StatusChipDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                               const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QString status = index.data(m_role).toString();
    // The model keeps the spec's id (sorting, filtering, copying); the chip shows its name.
    const QString label = models::statusLabel(index.data(Qt::DisplayRole).toString());
    opt.text.clear();
    QApplication::style()->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);
    if (label.isEmpty())
        return;

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    QFont font = opt.font;
    font.setPointSizeF(font.pointSizeF() * 0.9);
    font.setWeight(QFont::DemiBold);
    painter->setFont(font);
    const QFontMetrics metrics(font);
    const int width = metrics.horizontalAdvance(label) + 16;
    const int height = std::min(opt.rect.height() - 4, metrics.height() + 4);
    const QRect chip(opt.rect.left() + 4, opt.rect.center().y() - height / 2, width, height);
    const QColor colour = statusColor(status);
    QColor fill = colour;
    fill.setAlpha(opt.state & QStyle::State_Selected ? 255 : 36);
    QPainterPath path;
    path.addRoundedRect(chip, height / 2.0, height / 2.0);
    painter->fillPath(path, fill);
    painter->setPen(opt.state & QStyle::State_Selected ? QColor(Qt::white) : colour.darker(115));
    painter->drawText(chip, Qt::AlignCenter, label);
    painter->restore();
}

QSize StatusChipDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    const QString label = models::statusLabel(index.data(Qt::DisplayRole).toString());
    size.setWidth(std::max(size.width(), option.fontMetrics.horizontalAdvance(label)) + 20);
    size.setHeight(std::max(size.height(), option.fontMetrics.height() + 8));
    return size;
}

PercentBarDelegate::PercentBarDelegate(QObject *parent) : QStyledItemDelegate(parent) {}

void PercentBarDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                               const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QString text = opt.text;
    opt.text.clear();
    QApplication::style()->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);
    const double fraction = std::clamp(index.data(models::FractionRole).toDouble(), 0.0, 1.0);

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const QRect track = opt.rect.adjusted(4, 4, -4, -4);
    QPainterPath trackPath;
    trackPath.addRoundedRect(track, 3, 3);
    painter->fillPath(trackPath, QColor(0xe8, 0xeb, 0xf0));
    if (fraction > 0.0) {
        QRect bar = track;
        bar.setWidth(std::max(4, static_cast<int>(track.width() * fraction)));
        QPainterPath barPath;
        barPath.addRoundedRect(bar, 3, 3);
        painter->fillPath(barPath, QColor(0x2f, 0x6f, 0xd6, 150));
    }
    painter->setPen(opt.palette.color(QPalette::Text));
    painter->drawText(track.adjusted(6, 0, -6, 0), Qt::AlignVCenter | Qt::AlignLeft, text);
    painter->restore();
}

} // namespace adcp::gui
