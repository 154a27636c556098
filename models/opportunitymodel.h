#pragma once

#include <QAbstractItemModel>

#include <nlohmann/json.hpp>

#include <vector>

namespace adcp::models {

// The planning cycles of the session (left panel): each opportunity, and under it how many proposals and
// buys hang on it (the buys line carries ⚠ when one is impaired).
class OpportunityModel final : public QAbstractItemModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OpportunityModel)
public:
    enum ChildRow { ProposalsRow, BuysRow, NB_CHILD_ROWS };

    explicit OpportunityModel(QObject *parent = nullptr);
    ~OpportunityModel() override;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

    // Returns the row of the (new or existing) opportunity.
    int addOpportunity(const QString &opportunityId, const QString &title, const QString &phase);
    void setCounts(const QString &opportunityId, int proposals, int buys, bool impaired);
    void setClosed(const QString &opportunityId, const QString &closeReason);
    int rowOf(const QString &opportunityId) const;
    QString opportunityId(int row) const;
    // The name the planner gave the brief (the tree adds "· closed" to a closed one).
    QString title(int row) const;
    // How the opportunity closed, empty while it is open (or unknown here).
    QString closeReason(const QString &opportunityId) const;
    void clear();

    // The opportunities (title, phase, how they closed), for the saved workspace; restoreState adds the ones
    // the model does not hold yet, skips entries it cannot read and returns how many it added. The counts
    // are derived, so neither keeps them.
    nlohmann::json saveState() const;
    int restoreState(const nlohmann::json &state);

private:
    struct Row
    {
        QString id;
        QString title;
        QString phase;
        QString closeReason;
        int proposals = 0;
        int buys = 0;
        bool impaired = false;
    };
    std::vector<Row> m_rows;
};

} // namespace adcp::models
