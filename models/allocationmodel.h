#pragma once

#include <QAbstractTableModel>

#include <nlohmann/json.hpp>

#include <functional>
#include <vector>

namespace adcp::models {

// The allocations of one proposal version: product, share of the budget (with a bar), amount, pricing option.
class AllocationModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AllocationModel)
public:
    enum Column { ProductColumn, ShareColumn, AmountColumn, PricingColumn, NB_COLUMNS };

    explicit AllocationModel(QObject *parent = nullptr);
    ~AllocationModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // `budget` is the proposal's recommended total, so shares can be shown as amounts too.
    void setProposal(const nlohmann::json &proposal);
    // Product names for display (ids otherwise).
    void setProductNamer(std::function<QString(const QString &)> namer);
    // How a product's pricing option reads ("CPCV $0.022"); the option id is shown when it says nothing.
    void
    setPricingDescriber(std::function<QString(const QString &productId, const QString &optionId)> describer);

private:
    struct Row
    {
        QString productId;
        double share = 0.0; // percent
        double minShare = 0.0;
        double maxShare = 0.0;
        QString pricingOptionId;
        QString rationale;
    };
    std::vector<Row> m_rows;
    double m_budget = 0.0;
    QString m_currency;
    std::function<QString(const QString &)> m_namer;
    std::function<QString(const QString &, const QString &)> m_describer;
};

} // namespace adcp::models
