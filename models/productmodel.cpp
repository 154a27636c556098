#include "productmodel.h"

#include "displaynames.h"
#include "jsonvalues.h"
#include "modelroles.h"

namespace adcp::models {

ProductModel::ProductModel(QObject *parent)
    : TableModel({tr("#"), tr("Product"), tr("Channels"), tr("Delivery"), tr("Price"), tr("Min spend"),
                  tr("Why it fits")},
                 parent)
{}

ProductModel::~ProductModel() = default;

int ProductModel::rowCount(const QModelIndex &parent) const
{
    return flatRowCount(parent, m_rows.size());
}

QVariant ProductModel::data(const QModelIndex &index, int role) const
{
    if (!isCell(index))
        return {};
    const Row &row = m_rows[static_cast<size_t>(index.row())];
    switch (role) {
    case IdRole:
        return row.id;
    case Qt::ToolTipRole:
        return row.description;
    case Qt::TextAlignmentRole:
        if (index.column() == PriceColumn || index.column() == MinSpendColumn || index.column() == RankColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::DisplayRole:
        switch (static_cast<Column>(index.column())) {
        case RankColumn:
            return index.row() + 1;
        case NameColumn:
            return row.name;
        case ChannelsColumn:
        {
            QStringList names;
            for (const QString &channel : row.channels)
                names << displayName(Vocabulary::Channel, channel);
            return names.join(QStringLiteral(", "));
        }
        case DeliveryColumn:
            return displayName(Vocabulary::DeliveryType, row.deliveryType);
        case PriceColumn:
            if (row.price <= 0.0)
                return row.pricingModel.toUpper();
            return QString((row.auction ? tr("floor ") : QString()) +
                           formatUnitPrice(row.price, row.currency) + QLatin1Char(' ') +
                           row.pricingModel.toUpper());
        case MinSpendColumn:
            return row.minSpend > 0.0 ? formatMoney(row.minSpend, row.currency) : QString();
        case RelevanceColumn:
            return row.relevance;
        case NB_COLUMNS:
            break;
        }
        return {};
    case SortRole:
        switch (static_cast<Column>(index.column())) {
        case RankColumn:
            return index.row();
        case PriceColumn:
            return row.price;
        case MinSpendColumn:
            return row.minSpend;
        case ChannelsColumn:
            return row.channels.join(QStringLiteral(", ")); // the ids, for filters
        default:
            return data(index, Qt::DisplayRole);
        }
    default:
        return {};
    }
}

ProductModel::Row ProductModel::rowFromJson(const nlohmann::json &product)
{
    Row row;
    row.id = jsonString(product, "product_id");
    row.name = jsonString(product, "name");
    row.description = jsonString(product, "description");
    row.channels = jsonStringList(product, "channels");
    row.deliveryType = jsonString(product, "delivery_type");
    if (product.contains("pricing_options") && product["pricing_options"].is_array() &&
        !product["pricing_options"].empty()) {
        const auto &option = product["pricing_options"].front();
        row.pricingModel = jsonString(option, "pricing_model");
        row.currency = jsonString(option, "currency");
        row.price = jsonNumber(option, "fixed_price");
        if (row.price <= 0.0) {
            row.price = jsonNumber(option, "floor_price");
            row.auction = row.price > 0.0;
        }
        row.minSpend = jsonNumber(option, "min_spend_per_package");
    }
    if (product.contains("brief_relevance")) {
        const auto &relevance = product["brief_relevance"];
        row.relevance = relevance.is_string() ? QString::fromStdString(relevance.get<std::string>())
                                              : jsonString(relevance, "explanation");
    }
    row.json = product;
    return row;
}

void ProductModel::setProducts(const nlohmann::json &products)
{
    beginResetModel();
    m_rows.clear();
    if (products.is_array()) {
        m_rows.reserve(products.size());
        for (const auto &product : products) {
            m_rows.push_back(rowFromJson(product));
            if (!m_rows.back().name.isEmpty())
                m_names.insert(m_rows.back().id, m_rows.back().name);
        }
    }
    endResetModel();
}

void ProductModel::appendProducts(const nlohmann::json &products)
{
    if (!products.is_array() || products.empty())
        return;
    const int first = rowCount();
    beginInsertRows({}, first, first + static_cast<int>(products.size()) - 1);
    for (const auto &product : products) {
        m_rows.push_back(rowFromJson(product));
        if (!m_rows.back().name.isEmpty())
            m_names.insert(m_rows.back().id, m_rows.back().name);
    }
    endInsertRows();
}

void ProductModel::clear()
{
    m_names.clear();
    setProducts(nlohmann::json::array());
}

nlohmann::json ProductModel::products() const
{
    nlohmann::json products = nlohmann::json::array();
    for (const Row &row : m_rows)
        products.push_back(row.json);
    return products;
}

const nlohmann::json &ProductModel::productJson(int row) const
{
    static const nlohmann::json none;
    if (row < 0 || row >= rowCount())
        return none;
    return m_rows[static_cast<size_t>(row)].json;
}

int ProductModel::rowOf(const QString &productId) const
{
    for (size_t i = 0; i < m_rows.size(); ++i) {
        if (m_rows[i].id == productId)
            return static_cast<int>(i);
    }
    return -1;
}

QString ProductModel::productName(const QString &productId) const
{
    // A refine answer lists only what it changed; proposals still name products of earlier answers.
    const int row = rowOf(productId);
    if (row >= 0)
        return m_rows[static_cast<size_t>(row)].name;
    return m_names.value(productId, productId);
}

} // namespace adcp::models
