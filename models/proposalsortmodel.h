#pragma once

#include <QSet>
#include <QSortFilterProxyModel>

namespace adcp::models {

// Sorts proposals by raw values (budget as a number, expiry as a time) and filters them by text, status and
// the opportunity they were issued under.
class ProposalSortModel final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProposalSortModel)
public:
    explicit ProposalSortModel(QObject *parent = nullptr);

    void setFilterText(const QString &text);
    // Statuses to show; empty = all.
    void setStatuses(const QSet<QString> &statuses);
    // Only the proposals of this opportunity; empty = every proposal.
    void setOpportunity(const QString &opportunityId);
    QString opportunity() const;

protected:
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_text;
    QSet<QString> m_statuses;
    QString m_opportunity;
};

} // namespace adcp::models
