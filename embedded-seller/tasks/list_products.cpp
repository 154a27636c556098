#include "taskcontext.h"

#include "domain/catalog.h"
#include "domain/compactproposals.h"
#include "domain/productfeed.h"

#include <algorithm>
#include <charconv>

namespace adcp::seller {

using nlohmann::json;

namespace {

constexpr int kListDefaultPage = 25;

// A page cursor: the offset of the page's first product and the feed version it was cut from, so a cursor
// of a feed that has changed since is refused instead of skipping or repeating products.
std::string listCursor(size_t offset, const std::string &feedVersion)
{
    return std::string("o").append(std::to_string(offset)).append(".").append(feedVersion);
}

std::optional<size_t> listCursorOffset(const std::string &cursor, const std::string &feedVersion,
                                       bool *staleFeed)
{
    const auto dot = cursor.find('.');
    if (cursor.size() < 3 || cursor[0] != 'o' || dot == std::string::npos)
        return std::nullopt;
    size_t offset = 0;
    const auto [end, ec] = std::from_chars(cursor.data() + 1, cursor.data() + dot, offset);
    if (ec != std::errc() || end != cursor.data() + dot)
        return std::nullopt;
    *staleFeed = cursor.substr(dot + 1) != feedVersion;
    return offset;
}

// The canonical product restricted to the requested fields (product_id and name always).
json listSelectFields(json product, const json &fields)
{
    if (!fields.is_array())
        return product;
    json out = {{"product_id", product["product_id"]}, {"name", product["name"]}};
    for (const auto &f : fields) {
        if (f.is_string() && product.contains(f.get<std::string>()))
            out[f.get<std::string>()] = product[f.get<std::string>()];
    }
    return out;
}

} // namespace

// list_products (AdCP 3.2): the published catalog as canonical products, filtered by criteria.product_ids and
// criteria.offer_filters, paged, with the feed and pricing versions buy_products later names. The versions
// describe the whole catalog this caller may buy from (cache_scope public: no account has its own prices),
// not the page, so a buyer can buy from any page of one listing.
adcp::ToolOutcome listProducts(TaskContext &task, const json &args)
{
    const Catalog &catalog = *task.catalog;
    const std::string feed = productfeed::feedVersion(catalog);
    const std::string pricing = productfeed::pricingVersion(catalog);
    json result = {{"feed_version", feed}, {"pricing_version", pricing}, {"cache_scope", "public"}};

    if (args.contains("if_feed_version") && args["if_feed_version"] == feed &&
        (!args.contains("if_pricing_version") || args["if_pricing_version"] == pricing)) {
        result["outcome"] = "unchanged";
        return adcp::ToolOutcome::success(std::move(result));
    }

    size_t offset = 0;
    if (args.contains("cursor")) {
        bool staleFeed = false;
        const auto parsed = listCursorOffset(args["cursor"].get<std::string>(), feed, &staleFeed);
        if (!parsed)
            return failure("INVALID_REQUEST", "cursor is not a cursor this seller issued", "cursor",
                           "send next_cursor from a previous list_products answer, or no cursor");
        if (staleFeed)
            return failure("CONFLICT", "the product feed changed since this cursor was issued", "cursor",
                           "list again from the first page (no cursor)");
        offset = *parsed;
    }

    const json criteria = args.value("criteria", json::object());
    const json filters = criteria.value("offer_filters", json::object());
    const json wanted = criteria.value("product_ids", json());
    std::vector<const Product *> matching;
    for (const auto &p : catalog.products()) {
        if (wanted.is_array() && std::find(wanted.begin(), wanted.end(), json(p.id)) == wanted.end())
            continue;
        if (productfeed::matchesFilters(p, filters))
            matching.push_back(&p);
    }

    const size_t pageSize = static_cast<size_t>(args.value("max_results", kListDefaultPage));
    json products = json::array();
    const json fields = args.value("fields", json());
    for (size_t i = offset; i < matching.size() && i < offset + pageSize; ++i) {
        products.push_back(listSelectFields(compact::canonicalProduct(*matching[i], std::string()), fields));
    }
    result["outcome"] = "listed";
    result["products"] = std::move(products);
    if (offset + pageSize < matching.size())
        result["next_cursor"] = listCursor(offset + pageSize, feed);
    return adcp::ToolOutcome::success(std::move(result));
}

} // namespace adcp::seller
