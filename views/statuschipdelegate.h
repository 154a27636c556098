#pragma once

#include <QStyledItemDelegate>

namespace adcp::gui {

// Paints a status as a coloured, rounded chip ("committed", "impaired", ...). Reads the text from `role`.
class StatusChipDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StatusChipDelegate)
public:
    explicit StatusChipDelegate(int role, QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

private:
    int m_role;
};

// Paints a horizontal bar for a 0..1 fraction (FractionRole) with the display text over it: allocation
// shares, delivery pacing.
class PercentBarDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PercentBarDelegate)
public:
    explicit PercentBarDelegate(QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
};

} // namespace adcp::gui
