#pragma once

#include <QSet>
#include <QSortFilterProxyModel>

namespace adcp::models {

// Sorts buys by raw values and filters them by text and, optionally, to impaired ones only and to the buys
// created from a set of proposals (one opportunity's).
class BuySortModel final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BuySortModel)
public:
    explicit BuySortModel(QObject *parent = nullptr);

    void setFilterText(const QString &text);
    void setImpairedOnly(bool impairedOnly);
    // Only the buys created from these proposals (`scoped`), or every buy (not `scoped`).
    void setProposalScope(bool scoped, const QSet<QString> &proposalIds = {});
    bool isScoped() const;

protected:
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_text;
    bool m_impairedOnly = false;
    bool m_scoped = false;
    QSet<QString> m_proposalIds;
};

} // namespace adcp::models
