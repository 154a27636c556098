#pragma once

#include <QSortFilterProxyModel>

namespace adcp::models {

// Filters the exchange log by tool/agent text and, optionally, to failures only; sorts by raw values.
class ExchangeSortModel final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ExchangeSortModel)
public:
    explicit ExchangeSortModel(QObject *parent = nullptr);

    void setFilterText(const QString &text);
    void setFailuresOnly(bool failuresOnly);
    // Background polling is hidden unless asked for: the log shows what the planner did.
    void setShowBackground(bool show);
    bool showsBackground() const;

protected:
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_text;
    bool m_failuresOnly = false;
    bool m_showBackground = false;
};

} // namespace adcp::models
