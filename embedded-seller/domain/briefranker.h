#pragma once

#include "pricing.h"

#include <QDate>

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace adcp::seller {

class Catalog;
struct Product;

// What the seller reads out of a brief or a refine ask: words, the channels they name, a budget, a flight.
struct BriefTerms
{
    std::vector<std::string> tokens; // lower-case words without stop words, in order, distinct
    std::set<std::string> channels;  // AdCP channel ids the text asks for
    std::optional<double> budget;    // an amount written with a currency sign/word or after "budget"
    std::optional<QDate> flightStart;
    std::optional<QDate> flightEnd;
    std::vector<PricingModel> pricingModels; // models the text asks to buy on ("pay per click"), in order
};

BriefTerms parseBriefText(const std::string &text);
// Channel ids named by one word ("video" → olv and ctv, "billboards" → dooh, ...); empty when none.
std::set<std::string> channelsForWord(const std::string &word);

struct RankedProduct
{
    const Product *product = nullptr;
    int score = 0;
    std::string relevance; // brief_relevance: why the product fits (or not)
};

// Fills the product's prepared ranking terms (nameWords, descriptionWords, targetingText) from its public JSON
// and seller targeting; Catalog does this once for every product it holds.
void prepareForRanking(Product &product);

// Deterministic ranking: channel matches, ranking keywords (audiences, contexts, geos), name and description
// terms, budget against minimum spend, flight against guaranteed lead time. Ties keep catalog order.
std::vector<RankedProduct> rankProducts(const Catalog &catalog, const BriefTerms &terms, const QDate &today);

} // namespace adcp::seller
