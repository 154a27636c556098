#pragma once

#include <QSortFilterProxyModel>

namespace adcp::models {

// Sorts buys by raw values and filters them by text and, optionally, to impaired ones only.
class BuySortModel final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BuySortModel)
public:
    explicit BuySortModel(QObject *parent = nullptr);

    void setFilterText(const QString &text);
    void setImpairedOnly(bool impairedOnly);

protected:
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_text;
    bool m_impairedOnly = false;
};

} // namespace adcp::models
