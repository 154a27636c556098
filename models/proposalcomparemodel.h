#pragma once

#include <QAbstractTableModel>

#include <nlohmann/json.hpp>

#include <vector>

namespace adcp::models {

// Two versions of a proposal side by side, one row per term (name, status, hold, budget guidance, and each
// product's allocation), with ChangedRole marking what moved between them.
class ProposalCompareModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProposalCompareModel)
public:
    enum Column { FieldColumn, LeftColumn, RightColumn, NB_COLUMNS };

    explicit ProposalCompareModel(QObject *parent = nullptr);
    ~ProposalCompareModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void compare(const QString &leftLabel, const nlohmann::json &left, const QString &rightLabel,
                 const nlohmann::json &right);
    int changedCount() const;

private:
    struct Row
    {
        QString field;
        QString left;
        QString right;
    };
    std::vector<Row> m_rows;
    QString m_leftLabel;
    QString m_rightLabel;
};

} // namespace adcp::models
