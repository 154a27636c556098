#pragma once

#include <QSortFilterProxyModel>

namespace adcp::models {

// Sorts products by the raw value of a column and filters them by text (name, channels, description) and
// by channel.
class ProductSortModel final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProductSortModel)
public:
    explicit ProductSortModel(QObject *parent = nullptr);

    void setFilterText(const QString &text);
    void setChannel(const QString &channel); // empty = all channels

protected:
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_text;
    QString m_channel;
};

} // namespace adcp::models
