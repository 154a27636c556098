#pragma once

#include "adcperror.h"

#include <QString>

#include <nlohmann/json.hpp>

#include <optional>

// The AdCP 3.2 direct-buy answers (list_products, buy_products, control_media_buy) read into what the window
// keeps. A seller's answer is untrusted input: a member missing or of the wrong type gives INVALID_RESPONSE
// naming it, never an exception, and nothing of a bad answer is kept.
namespace adcp::models {

// One list_products answer.
struct CatalogPage
{
    bool unchanged = false;  // outcome "unchanged": the catalog on show is current
    nlohmann::json products; // the page's products (objects with a product_id); empty if unchanged
    QString nextCursor;      // empty on the last page
    QString feedVersion;
    QString pricingVersion; // empty when the seller does not version its pricing
};
std::optional<CatalogPage> readCatalogPage(const nlohmann::json &answer, AdcpError *error);

// A buy_products answer as a media buy the buy monitor shows (media_buy_id, media_buy_status, revision,
// total_budget, flight and packages from the accepted terms, proposal_id of the accepted snapshot). A
// `submitted` answer never reaches here: the client follows its task to the end, and the completed task's
// result (a media buy without the accepted terms) is read here in its place.
std::optional<nlohmann::json> readDirectBuy(const nlohmann::json &answer, AdcpError *error);

// A control_media_buy answer as a change to merge into the buy (media_buy_id, revision, media_buy_status
// when the seller gave one). `mediaBuyId` is the buy the request named: an answer about another is refused.
std::optional<nlohmann::json> readControlledBuy(const nlohmann::json &answer, const QString &mediaBuyId,
                                                AdcpError *error);

// Whether the seller's get_adcp_capabilities lists `tool` under media_buy.lifecycle_tools.
bool offersLifecycleTool(const nlohmann::json &capabilities, const QString &tool);

// A control_media_buy refusal in the planner's words: REQUOTE_REQUIRED says which accepted term the change
// would break (details.envelope_field, else the field) and what to do instead; a stale revision says the buy
// was read again. Other errors are returned as they came.
AdcpError explainControlError(AdcpError error);
// A buy_products refusal: a stale feed or pricing version says the catalog changed and should be loaded
// again. Other errors are returned as they came.
AdcpError explainBuyError(AdcpError error);
// Whether a refusal is the seller saying the listed catalog (feed, pricing or page cursor) is out of date.
bool isStaleCatalog(const AdcpError &error);

} // namespace adcp::models
