#pragma once

#include <QSqlDatabase>
#include <QString>

#include "wire/jsonwrite.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace adcp::seller {

// One product as buyers see it (the public AdCP Product object) plus the seller's own ranking metadata.
// The seller-private implementation_config is deliberately not part of this type: it stays in the database
// and is read only through ProductConfigStore when an order is stored, so no response can leak it.
struct Product
{
    std::string id;
    int position = 0;
    std::string deliveryType;
    std::vector<std::string> channels;
    std::vector<std::string> keywords; // ranking terms (audiences, contexts, geos), never sent to buyers
    nlohmann::json targeting;          // seller-side description of the targeting the product offers
    bool requiresIo = false;     // a committed proposal with this product carries an insertion order to sign
    bool sandboxFixture = false; // seeded through comply_test_controller; sold to sandbox accounts only
    nlohmann::json publicJson;   // the public Product object
    // Brief-ranking terms, prepared once when a Catalog is built so that no call lower-cases the catalog:
    // the lower-case words of the name and the description, and the targeting description as lower-case text.
    std::vector<std::string> nameWords;
    std::vector<std::string> descriptionWords;
    std::string targetingText;
    // The public object as answer text, prepared once when a Catalog is built so that no call copies or
    // writes a product: each member of publicJson, in key order, and the 3.2 format_options member (none when
    // the product has no format options). answerTextBytes: their text's length, for reserving.
    std::vector<wire::PreparedMember> publicMembers;
    std::vector<wire::PreparedMember> formatOptionsMember;
    std::size_t answerTextBytes = 0;

    const nlohmann::json *pricingOption(std::string_view pricingOptionId) const;
    const nlohmann::json &defaultPricingOption() const;
    std::string currency() const;
    bool hasChannel(std::string_view channel) const;
};

bool isAuction(const nlohmann::json &pricingOption);
// The least a package in the option can cost: min_spend_per_package, or a fixed fee's price (flat_rate; time:
// the price of min_duration units, at least one).
double minSpend(const nlohmann::json &pricingOption);

class Catalog final
{
public:
    explicit Catalog(std::vector<Product> products);

    // Inserts the products of the bundled catalog (`resourcePath`, default ":/seller/catalog.json") when the
    // products table is empty.
    static bool seedIfEmpty(QSqlDatabase &db, const QString &resourcePath, const QString &nowIso,
                            QString *error);
    // Adds the AdCP compliance storyboards' canonical fixture products (`resourcePath`, default
    // ":/seller/compliance-fixtures.json") as sandbox fixtures: sold to sandbox accounts only, never to
    // others. A product id already in the catalog (a catalog product, or a fixture a test run re-seeded) is
    // left as it is.
    static bool seedComplianceFixtures(QSqlDatabase &db, const QString &resourcePath, const QString &nowIso,
                                       QString *error);
    static std::shared_ptr<const Catalog> load(QSqlDatabase &db, QString *error);
    // The catalog as non-sandbox callers see it: `catalog` itself when it holds no sandbox fixtures.
    static std::shared_ptr<const Catalog> withoutSandboxFixtures(std::shared_ptr<const Catalog> catalog);
    // Adds or replaces one product (seller console, test fixtures that seed products). `product` is the
    // public Product object; `seller` holds ranking keywords/targeting/requires_io; `implementationConfig`
    // may be null. Call SellerContext::reloadCatalog() afterwards.
    static bool upsertProduct(QSqlDatabase &db, const nlohmann::json &product, const nlohmann::json &seller,
                              const nlohmann::json &implementationConfig, const QString &nowIso,
                              QString *error);

    const std::vector<Product> &products() const { return m_products; }
    const Product *find(std::string_view productId) const;

private:
    std::vector<Product> m_products;
    // What non-sandbox callers see when this catalog holds sandbox fixtures (built once, here, instead of a copy
    // of every product on every call); null when there are none.
    std::shared_ptr<const Catalog> m_withoutFixtures;
};

} // namespace adcp::seller
