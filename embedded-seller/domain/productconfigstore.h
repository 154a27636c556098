#pragma once

#include <QString>

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace adcp::seller {

struct ProductConfigLookup
{
    bool ok = true;
    std::string error; // why the lookup failed (ok == false)
    std::map<std::string, nlohmann::json>
        configs; // product_id → implementation_config; absent ids are not found
};

// Where the seller keeps the private implementation_config of each product (ad-server template, placements,
// key-values). create_media_buy asks exactly once per request, with the deduplicated product ids of the
// order; the answer may be partial (products without a config), and it travels with the order to execution.
class ProductConfigStore
{
public:
    virtual ~ProductConfigStore() = default;
    virtual ProductConfigLookup lookup(const std::vector<std::string> &productIds) = 0;
};

// Reads the configs from the products table through the calling thread's connection.
class DatabaseProductConfigStore final : public ProductConfigStore
{
public:
    explicit DatabaseProductConfigStore(std::function<QString()> connectionName);
    ProductConfigLookup lookup(const std::vector<std::string> &productIds) override;

private:
    std::function<QString()> m_connectionName;
};

} // namespace adcp::seller
