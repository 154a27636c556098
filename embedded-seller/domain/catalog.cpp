#include "catalog.h"

#include "briefranker.h"
#include "pricing.h"
#include "productfeed.h"
#include "storage/database.h"

#include <QFile>

#include <algorithm>
#include <iterator>

namespace adcp::seller {

using nlohmann::json;
using storage::execute;
using storage::fromText;
using storage::toText;

const json *Product::pricingOption(std::string_view pricingOptionId) const
{
    const auto it = publicJson.find("pricing_options");
    if (it == publicJson.end() || !it->is_array())
        return nullptr;
    for (const auto &option : *it) {
        if (option.value("pricing_option_id", std::string()) == pricingOptionId)
            return &option;
    }
    return nullptr;
}

const json &Product::defaultPricingOption() const
{
    return publicJson.at("pricing_options").at(0);
}

std::string Product::currency() const
{
    return defaultPricingOption().value("currency", std::string("USD"));
}

bool Product::hasChannel(std::string_view channel) const
{
    return std::find(channels.begin(), channels.end(), channel) != channels.end();
}

bool isAuction(const json &pricingOption)
{
    return !pricingOption.contains("fixed_price");
}

double minSpend(const json &pricingOption)
{
    double minimum = pricingOption.value("min_spend_per_package", 0.0);
    // A fixed fee is the least a package in it can cost: the flat price, or the shortest booking of a time
    // option.
    const auto model = pricingModelFromString(pricingOption.value("pricing_model", std::string()));
    if (model && isFixedFee(*model)) {
        double units = 1;
        if (const auto parameters = pricingOption.find("parameters");
            model == PricingModel::Time && parameters != pricingOption.end() && parameters->is_object())
            units = std::max(1.0, parameters->value("min_duration", 1.0));
        minimum = std::max(minimum, unitPrice(pricingOption) * units);
    }
    return minimum;
}

namespace {

// Reads a products file (`{"products": [...]}`, the catalog or the compliance fixtures); null on failure,
// with `error` naming the file by `what`.
json readProductFile(const QString &path, QStringView what, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("cannot read the ") + what + QLatin1Char(' ') + file.fileName();
        return nullptr;
    }
    auto doc = json::parse(file.readAll().toStdString(), nullptr, false);
    if (doc.is_discarded() || !doc.contains("products") || !doc["products"].is_array()) {
        if (error)
            *error = QStringLiteral("the ") + what + QLatin1Char(' ') + file.fileName() +
                     QStringLiteral(" is not valid JSON with a products array");
        return nullptr;
    }
    return doc;
}

void prepareForAnswers(Product &product)
{
    product.publicMembers = wire::prepareMembers(product.publicJson);
    product.answerTextBytes = 2;
    for (const auto &member : product.publicMembers)
        product.answerTextBytes += member.piece.text.size() + 1;
    product.formatOptionsMember.clear();
    if (nlohmann::json options = productfeed::formatOptions(product); !options.empty()) {
        product.formatOptionsMember.push_back(wire::prepareMember("format_options", options));
        product.answerTextBytes += product.formatOptionsMember.front().piece.text.size() + 1;
    }
}

} // namespace

Catalog::Catalog(std::vector<Product> products) : m_products(std::move(products))
{
    for (auto &product : m_products) {
        prepareForRanking(product);
        prepareForAnswers(product);
    }
    if (std::none_of(m_products.begin(), m_products.end(), [](const Product &p) { return p.sandboxFixture; }))
        return;
    std::vector<Product> visible;
    std::copy_if(m_products.begin(), m_products.end(), std::back_inserter(visible),
                 [](const Product &p) { return !p.sandboxFixture; });
    m_withoutFixtures = std::make_shared<const Catalog>(std::move(visible));
}

bool Catalog::seedIfEmpty(QSqlDatabase &db, const QString &resourcePath, const QString &nowIso,
                          QString *error)
{
    storage::Read count(db, QStringLiteral("SELECT COUNT(*) FROM products"), {}, error);
    if (!count)
        return false;
    if (count.next() && count.value(0).toInt() > 0)
        return true;

    const json doc = readProductFile(
        resourcePath.isEmpty() ? QStringLiteral(":/seller/catalog.json") : resourcePath, u"catalog", error);
    if (doc.is_null())
        return false;
    storage::WriteTransaction tx(db);
    if (!tx.begin(error))
        return false;
    int position = 0;
    for (const auto &entry : doc["products"]) {
        const auto &product = entry.at("product");
        QSqlQuery insert(storage::connectionFor(db));
        if (!execute(insert,
                     QStringLiteral(
                         "INSERT INTO products (product_id, position, delivery_type, product_json, "
                         "seller_json, implementation_config, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"),
                     {storage::qs(product.at("product_id").get<std::string>()), position++,
                      storage::qs(product.at("delivery_type").get<std::string>()), toText(product),
                      toText(entry.value("seller", json::object())),
                      entry.contains("implementation_config")
                          ? QVariant(toText(entry["implementation_config"]))
                          : QVariant(),
                      nowIso},
                     error))
            return false;
    }
    return tx.commit(error);
}

bool Catalog::seedComplianceFixtures(QSqlDatabase &db, const QString &resourcePath, const QString &nowIso,
                                     QString *error)
{
    const json doc = readProductFile(
        resourcePath.isEmpty() ? QStringLiteral(":/seller/compliance-fixtures.json") : resourcePath,
        u"compliance fixtures", error);
    if (doc.is_null())
        return false;
    storage::WriteTransaction tx(db);
    if (!tx.begin(error))
        return false;
    for (const auto &entry : doc["products"]) {
        const auto &product = entry.at("product");
        // The same seller metadata seed_product gives a fixture: sandbox only, ranked by its channels.
        const json seller = {{"sandbox_fixture", true},
                             {"keywords", product.value("channels", json::array())},
                             {"compliance_fixture", true}};
        QSqlQuery insert(storage::connectionFor(db));
        if (!execute(
                insert,
                QStringLiteral("INSERT INTO products (product_id, position, delivery_type, product_json, "
                               "seller_json, implementation_config, updated_at) VALUES (?, (SELECT "
                               "COALESCE(MAX(position), -1) + 1 FROM products), ?, ?, ?, NULL, ?) ON "
                               "CONFLICT (product_id) DO NOTHING"),
                {storage::qs(product.at("product_id").get<std::string>()),
                 storage::qs(product.at("delivery_type").get<std::string>()), toText(product), toText(seller),
                 nowIso},
                error))
            return false;
    }
    return tx.commit(error);
}

bool Catalog::upsertProduct(QSqlDatabase &db, const json &product, const json &seller,
                            const json &implementationConfig, const QString &nowIso, QString *error)
{
    if (!product.is_object() || !product.contains("product_id") || !product["product_id"].is_string() ||
        !product.contains("pricing_options") || !product["pricing_options"].is_array() ||
        product["pricing_options"].empty()) {
        if (error)
            *error = QStringLiteral("a product needs product_id and at least one pricing option");
        return false;
    }
    QSqlQuery q(storage::connectionFor(db));
    return execute(
        q,
        QStringLiteral("INSERT INTO products (product_id, position, delivery_type, product_json, "
                       "seller_json, implementation_config, updated_at) VALUES (?, (SELECT "
                       "COALESCE(MAX(position), -1) + 1 FROM products), ?, ?, ?, ?, ?) ON CONFLICT "
                       "(product_id) DO UPDATE SET delivery_type = excluded.delivery_type, product_json = "
                       "excluded.product_json, seller_json = excluded.seller_json, implementation_config = "
                       "excluded.implementation_config, updated_at = excluded.updated_at"),
        {storage::qs(product["product_id"].get<std::string>()),
         storage::qs(product.value("delivery_type", std::string("non_guaranteed"))), toText(product),
         toText(seller.is_object() ? seller : json::object()),
         implementationConfig.is_null() ? QVariant() : QVariant(toText(implementationConfig)), nowIso},
        error);
}

std::shared_ptr<const Catalog> Catalog::load(QSqlDatabase &db, QString *error)
{
    storage::Read q(
        db,
        QStringLiteral("SELECT product_id, position, delivery_type, product_json, seller_json FROM products "
                       "ORDER BY position, product_id"),
        {}, error);
    if (!q)
        return nullptr;
    std::vector<Product> products;
    while (q.next()) {
        Product p;
        p.id = storage::ss(q.value(0).toString());
        p.position = q.value(1).toInt();
        p.deliveryType = storage::ss(q.value(2).toString());
        p.publicJson = fromText(q.value(3).toString());
        const auto seller = fromText(q.value(4).toString());
        if (!p.publicJson.is_object() || !p.publicJson.contains("pricing_options") ||
            p.publicJson["pricing_options"].empty()) {
            if (error)
                *error = QStringLiteral("product ") + q.value(0).toString() + QStringLiteral(" is malformed");
            return nullptr;
        }
        for (const auto &c : p.publicJson.value("channels", json::array()))
            p.channels.push_back(c.get<std::string>());
        if (seller.is_object()) {
            for (const auto &k : seller.value("keywords", json::array()))
                p.keywords.push_back(k.get<std::string>());
            p.targeting = seller.value("targeting", json::object());
            p.requiresIo = seller.value("requires_io", false);
            p.sandboxFixture = seller.value("sandbox_fixture", false);
        }
        products.push_back(std::move(p));
    }
    return std::make_shared<const Catalog>(std::move(products));
}

const Product *Catalog::find(std::string_view productId) const
{
    for (const auto &p : m_products) {
        if (p.id == productId)
            return &p;
    }
    return nullptr;
}

std::shared_ptr<const Catalog> Catalog::withoutSandboxFixtures(std::shared_ptr<const Catalog> catalog)
{
    if (!catalog || !catalog->m_withoutFixtures)
        return catalog;
    return catalog->m_withoutFixtures;
}

} // namespace adcp::seller
