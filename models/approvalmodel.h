#pragma once

#include <QAbstractTableModel>
#include <QDateTime>

#include <nlohmann/json.hpp>

#include <vector>

namespace adcp::models {

// The seller's tasks waiting for a trainer's approval. setTasks() changes only what changed (rows come and go
// one by one; a task seen again keeps its row), so a view's buttons are not rebuilt under the pointer while
// the buyer polls.
class ApprovalModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ApprovalModel)
public:
    enum Column { WhatColumn, SinceColumn, ActionColumn, NB_COLUMNS };

    explicit ApprovalModel(QObject *parent = nullptr);
    ~ApprovalModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // list_tasks entries (task_id, task_type, created_at, ...), in the seller's order. An entry with an
    // "account" object ({principal_id, account_id, name, brand_domain}) is an account awaiting approval.
    void setTasks(const nlohmann::json &tasks);
    QString taskId(int row) const;
    // The account a row holds for approval (empty: the row is a held buy), and the buyer it belongs to.
    QString accountId(int row) const;
    QString accountPrincipal(int row) const;
    // The first row that holds a buy, -1 when none does.
    int firstBuyRow() const;
    int rowOf(const QString &taskId) const;

private:
    struct Task
    {
        QString id;
        QString type;
        QString subject; // what the held buy accepts or buys, in the reviewer's words
        QDateTime createdAt;
        QString mediaBuyId;
        QString accountPrincipal;
        QString accountId;
    };
    std::vector<Task> m_tasks;
};

} // namespace adcp::models
