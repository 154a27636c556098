#pragma once

#include "proposalmodel.h"

#include <QAbstractTableModel>

namespace adcp::models {

// The version history of one proposal, oldest first.
class ProposalVersionModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProposalVersionModel)
public:
    enum Column { VersionColumn, ReceivedColumn, StatusColumn, BudgetColumn, AllocationsColumn, NB_COLUMNS };

    explicit ProposalVersionModel(QObject *parent = nullptr);
    ~ProposalVersionModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void setVersions(const std::vector<ProposalVersion> &versions);
    const ProposalVersion *version(int row) const;

private:
    std::vector<ProposalVersion> m_versions;
};

} // namespace adcp::models
