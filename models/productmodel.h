#pragma once

#include "tablemodel.h"
#include <QHash>
#include <QStringList>

#include <nlohmann/json.hpp>

#include <vector>

namespace adcp::models {

// The products of the latest get_products answer, in the seller's order (its relevance ranking).
class ProductModel final : public TableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProductModel)
public:
    enum Column {
        RankColumn,
        NameColumn,
        ChannelsColumn,
        DeliveryColumn,
        PriceColumn,
        MinSpendColumn,
        RelevanceColumn,
        NB_COLUMNS
    };

    explicit ProductModel(QObject *parent = nullptr);
    ~ProductModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

    // Replaces the rows with a get_products `products` array.
    void setProducts(const nlohmann::json &products);
    // Adds a further page of products after those on show (list_products paging).
    void appendProducts(const nlohmann::json &products);
    void clear();
    // The products on show, as setProducts() takes them (for the saved workspace).
    nlohmann::json products() const;
    const nlohmann::json &productJson(int row) const;
    int rowOf(const QString &productId) const;
    QString productName(const QString &productId) const;

private:
    struct Row
    {
        QString id;
        QString name;
        QString description;
        QStringList channels;
        QString deliveryType;
        QString pricingModel;
        double price = 0.0; // fixed price, else floor, else 0
        bool auction = false;
        QString currency;
        double minSpend = 0.0;
        QString relevance;
        nlohmann::json json;
    };
    static Row rowFromJson(const nlohmann::json &product);

    std::vector<Row> m_rows;
    QHash<QString, QString> m_names; // product_id -> name, of every answer this session
};

} // namespace adcp::models
