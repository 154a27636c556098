#include "proposalengine.h"

#include "catalog.h"
#include "pricing.h"

#include <QRegularExpression>
#include <QString>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace adcp::seller::proposals {

using nlohmann::json;

namespace {

double roundUpTo(double value, double step)
{
    return std::ceil(value / step) * step;
}

std::string money(double value)
{
    return std::to_string(static_cast<long long>(std::llround(value)));
}

// Largest-remainder rounding of weights to integer percentages summing to 100.
std::vector<int> percentages(const std::vector<double> &weights)
{
    std::vector<int> out(weights.size(), 0);
    double total = 0;
    for (double w : weights)
        total += std::max(w, 0.0);
    if (weights.empty())
        return out;
    if (total <= 0) {
        for (auto &p : out)
            p = 100 / static_cast<int>(weights.size());
        out[0] += 100 - 100 / static_cast<int>(weights.size()) * static_cast<int>(weights.size());
        return out;
    }
    std::vector<std::pair<double, size_t>> remainders;
    int sum = 0;
    for (size_t i = 0; i < weights.size(); ++i) {
        const double exact = std::max(weights[i], 0.0) * 100.0 / total;
        out[i] = static_cast<int>(std::floor(exact));
        sum += out[i];
        remainders.emplace_back(exact - out[i], i);
    }
    std::stable_sort(remainders.begin(), remainders.end(),
                     [](const auto &a, const auto &b) { return a.first > b.first; });
    for (size_t k = 0; sum < 100; ++k, ++sum)
        ++out[remainders[k % remainders.size()].second];
    return out;
}

const json *optionInCurrency(const Product &product, const std::string &currency)
{
    for (const auto &option : product.publicJson.at("pricing_options")) {
        if (option.value("currency", std::string()) == currency)
            return &option;
    }
    return &product.defaultPricingOption();
}

std::string proposalCurrency(const json &proposal)
{
    return proposal.value("total_budget_guidance", json::object()).value("currency", std::string("USD"));
}

void updateGuidance(json &proposal, const Catalog &catalog, std::optional<double> requested = std::nullopt)
{
    double minimum = 0;
    for (const auto &allocation : proposal["allocations"]) {
        const Product *product = catalog.find(allocation.value("product_id", std::string()));
        const double pct = allocation.value("allocation_percentage", 0.0);
        if (!product || pct <= 0)
            continue;
        const json *option = product->pricingOption(allocation.value("pricing_option_id", std::string()));
        if (!option)
            option = &product->defaultPricingOption();
        minimum = std::max(minimum, minSpend(*option) * 100.0 / pct);
    }
    minimum = roundUpTo(std::max(minimum, 1000.0), 100);
    auto &guidance = proposal["total_budget_guidance"];
    const double previous = guidance.value("recommended", 0.0);
    const double recommended =
        std::max(minimum, requested ? *requested : (previous > 0 ? previous : minimum * 2));
    guidance["min"] = minimum;
    guidance["recommended"] = recommended;
    // A budget the buyer named ("keep the budget under 40,000") is a ceiling, not half of one.
    guidance["max"] = requested ? recommended : recommended * 2;
    if (!guidance.contains("currency"))
        guidance["currency"] = "USD";
}

// The product's option in `model` and `currency`, or null when it sells in neither.
const json *optionInModel(const Product &product, PricingModel model, const std::string &currency)
{
    for (const auto &option : product.publicJson.at("pricing_options")) {
        if (option.value("currency", std::string()) == currency &&
            option.value("pricing_model", std::string()) == pricingModelName(model))
            return &option;
    }
    return nullptr;
}

// The product's option in the first of `models` it sells in `currency`, or null.
const json *optionInAnyModel(const Product &product, const std::vector<PricingModel> &models,
                             const std::string &currency)
{
    for (const PricingModel model : models) {
        if (const json *option = optionInModel(product, model, currency))
            return option;
    }
    return nullptr;
}

json allocationFor(const Product &product, double percentage, const std::string &currency,
                   const std::string &why, const std::vector<PricingModel> &models = {})
{
    const json *option = optionInAnyModel(product, models, currency);
    if (!option)
        option = optionInCurrency(product, currency);
    return {{"product_id", product.id},
            {"allocation_percentage", percentage},
            {"pricing_option_id", option->value("pricing_option_id", std::string())},
            {"rationale", why}};
}

} // namespace

json build(const std::string &name, const std::string &description,
           const std::vector<const RankedProduct *> &picks, const BriefTerms &terms,
           const std::string &currency)
{
    std::vector<double> weights;
    for (const auto *pick : picks)
        weights.push_back(std::max(pick->score, 1));
    const auto pct = percentages(weights);
    json allocations = json::array();
    for (size_t i = 0; i < picks.size(); ++i) {
        auto allocation =
            allocationFor(*picks[i]->product, pct[i], currency, picks[i]->relevance, terms.pricingModels);
        allocation["sequence"] = static_cast<int>(i + 1);
        if (terms.flightStart && terms.flightEnd && *terms.flightStart <= *terms.flightEnd) {
            allocation["start_time"] = terms.flightStart->toString(Qt::ISODate).toStdString() + "T00:00:00Z";
            allocation["end_time"] = terms.flightEnd->toString(Qt::ISODate).toStdString() + "T23:59:59Z";
        }
        allocations.push_back(std::move(allocation));
    }
    json proposal = {{"name", name},
                     {"description", description},
                     {"allocations", std::move(allocations)},
                     {"total_budget_guidance", {{"currency", currency}}}};
    if (terms.budget)
        proposal["total_budget_guidance"]["recommended"] = *terms.budget;
    std::string alignment = "Built from the brief";
    if (!terms.channels.empty()) {
        std::string list;
        for (const auto &c : terms.channels)
            list += (list.empty() ? "" : ", ") + c;
        alignment += ": channels " + list;
    }
    if (terms.budget)
        alignment += "; budget " + money(*terms.budget) + " " + currency;
    proposal["brief_alignment"] = alignment + ".";
    return proposal;
}

std::vector<std::string> productIds(const json &proposal)
{
    std::vector<std::string> ids;
    for (const auto &allocation : proposal.value("allocations", json::array()))
        ids.push_back(allocation.value("product_id", std::string()));
    return ids;
}

void rebalance(json &proposal, const Catalog &catalog)
{
    auto &allocations = proposal["allocations"];
    std::vector<double> weights;
    for (const auto &allocation : allocations)
        weights.push_back(allocation.value("allocation_percentage", 0.0));
    const auto pct = percentages(weights);
    for (size_t i = 0; i < allocations.size(); ++i) {
        allocations[i]["allocation_percentage"] = pct[i];
        allocations[i]["sequence"] = static_cast<int>(i + 1);
    }
    updateGuidance(proposal, catalog);
}

bool removeProduct(json &proposal, const std::string &productId, const Catalog &catalog)
{
    auto &allocations = proposal["allocations"];
    const auto before = allocations.size();
    json kept = json::array();
    for (const auto &allocation : allocations) {
        if (allocation.value("product_id", std::string()) != productId)
            kept.push_back(allocation);
    }
    if (kept.size() == before || kept.empty())
        return false;
    allocations = std::move(kept);
    rebalance(proposal, catalog);
    return true;
}

AskOutcome applyAsk(json &proposal, const std::string &askText, const Catalog &catalog)
{
    AskOutcome outcome;
    std::vector<std::string> applied;
    std::vector<std::string> notApplied;
    QString text = QString::fromStdString(askText).toLower();
    const std::string currency = proposalCurrency(proposal);

    // CPM ceiling first: its amount must not be read as a budget.
    static const QRegularExpression cpmBefore(
        QStringLiteral(R"(cpm[^0-9$€£]{0,25}[$€£]?\s*([0-9]+(?:\.[0-9]+)?))"));
    static const QRegularExpression cpmAfter(QStringLiteral(R"([$€£]?\s*([0-9]+(?:\.[0-9]+)?)\s*cpm)"));
    auto cpmMatch = cpmBefore.match(text);
    if (!cpmMatch.hasMatch())
        cpmMatch = cpmAfter.match(text);
    if (cpmMatch.hasMatch()) {
        const double ceiling = cpmMatch.captured(1).toDouble();
        text.remove(cpmMatch.capturedStart(0), cpmMatch.capturedLength(0));
        json kept = json::array();
        std::vector<std::string> dropped;
        for (const auto &allocation : proposal["allocations"]) {
            const Product *product = catalog.find(allocation.value("product_id", std::string()));
            const json *option =
                product ? product->pricingOption(allocation.value("pricing_option_id", std::string()))
                        : nullptr;
            // Prices in other units are compared at their CPM equivalent; a fixed fee has none and stays.
            if (option && effectiveCpm(*option).value_or(0.0) > ceiling)
                dropped.push_back(product->id);
            else
                kept.push_back(allocation);
        }
        if (kept.empty()) {
            notApplied.push_back("no product of this proposal prices at or below a " + money(ceiling) +
                                 " CPM");
        } else if (dropped.empty()) {
            applied.push_back("every product already prices at or below a " + money(ceiling) + " CPM");
        } else {
            proposal["allocations"] = std::move(kept);
            rebalance(proposal, catalog);
            std::string list;
            for (const auto &id : dropped)
                list += (list.empty() ? "" : ", ") + id;
            applied.push_back("CPM ceiling " + money(ceiling) + " applied, removed " + list);
            outcome.changed = true;
        }
    }

    const BriefTerms terms = parseBriefText(text.toStdString());
    const bool mentionsBudget = text.contains(QLatin1String("budget"));
    if (terms.budget &&
        (mentionsBudget || text.contains(QRegularExpression(QStringLiteral(R"([$€£]|usd|eur)"))))) {
        const double minimum = proposal["total_budget_guidance"].value("min", 0.0);
        if (*terms.budget < minimum) {
            updateGuidance(proposal, catalog, minimum);
            notApplied.push_back(
                "budget " + money(*terms.budget) + " " + currency + " is below this plan's minimum of " +
                money(minimum) + " " + currency +
                " (every package must meet its minimum spend); guidance kept at the minimum");
            outcome.status = "partial";
        } else {
            updateGuidance(proposal, catalog, *terms.budget);
            applied.push_back("budget guidance set to " + money(*terms.budget) + " " + currency);
        }
        outcome.changed = true;
    }

    if (terms.flightStart && terms.flightEnd) {
        if (*terms.flightEnd < *terms.flightStart) {
            notApplied.push_back("the flight ends before it starts");
        } else {
            for (auto &allocation : proposal["allocations"]) {
                allocation["start_time"] =
                    terms.flightStart->toString(Qt::ISODate).toStdString() + "T00:00:00Z";
                allocation["end_time"] = terms.flightEnd->toString(Qt::ISODate).toStdString() + "T23:59:59Z";
            }
            applied.push_back("flight set to " + terms.flightStart->toString(Qt::ISODate).toStdString() +
                              " – " + terms.flightEnd->toString(Qt::ISODate).toStdString());
            outcome.changed = true;
        }
    }

    // Channel asks: the word before a channel word says what to do with it.
    std::vector<std::string> words;
    {
        std::string current;
        for (unsigned char c : text.toStdString()) {
            if (std::isalnum(c) || c == '_')
                current.push_back(static_cast<char>(c));
            else if (!current.empty()) {
                words.push_back(current);
                current.clear();
            }
        }
        if (!current.empty())
            words.push_back(current);
    }
    static const std::set<std::string> dropWords = {"no",   "without", "drop",  "remove", "exclude",
                                                    "less", "fewer",   "minus", "not"};
    static const std::set<std::string> onlyWords = {"only", "just", "exclusively"};
    std::string mode = "more";
    for (size_t i = 0; i < words.size(); ++i) {
        if (dropWords.contains(words[i])) {
            mode = "drop";
            continue;
        }
        if (onlyWords.contains(words[i])) {
            mode = "only";
            continue;
        }
        const auto channels = channelsForWord(words[i]);
        if (channels.empty())
            continue;
        auto inChannels = [&](const Product &p) {
            return std::any_of(channels.begin(), channels.end(),
                               [&](const auto &c) { return p.hasChannel(c); });
        };
        if (mode == "drop") {
            std::vector<std::string> removed;
            bool present = false;
            for (const auto &id : productIds(proposal)) {
                const Product *p = catalog.find(id);
                present = present || (p && inChannels(*p));
                if (p && inChannels(*p) && removeProduct(proposal, id, catalog))
                    removed.push_back(id);
            }
            if (!present)
                applied.push_back("the plan has no " + words[i] + " product");
            else if (removed.empty())
                notApplied.push_back("no " + words[i] +
                                     " product could be removed without emptying the plan");
            else {
                applied.push_back("removed " + words[i] + " products");
                outcome.changed = true;
            }
        } else if (mode == "only") {
            json kept = json::array();
            for (const auto &allocation : proposal["allocations"]) {
                const Product *p = catalog.find(allocation.value("product_id", std::string()));
                if (p && inChannels(*p))
                    kept.push_back(allocation);
            }
            if (kept.empty()) {
                for (const auto &p : catalog.products()) {
                    if (inChannels(p)) {
                        kept.push_back(allocationFor(p, 100, currency, "Added for the " + words[i] + " ask"));
                        break;
                    }
                }
            }
            if (kept.empty()) {
                notApplied.push_back("this seller has no " + words[i] + " product");
            } else {
                proposal["allocations"] = std::move(kept);
                rebalance(proposal, catalog);
                applied.push_back("plan limited to " + words[i]);
                outcome.changed = true;
            }
        } else {
            // "more X": favour an allocation already in the channel, else add the first catalog product of
            // it.
            bool favoured = false;
            for (auto &allocation : proposal["allocations"]) {
                const Product *p = catalog.find(allocation.value("product_id", std::string()));
                if (p && inChannels(*p)) {
                    allocation["allocation_percentage"] = allocation.value("allocation_percentage", 0.0) * 2;
                    favoured = true;
                }
            }
            if (!favoured) {
                const auto present = productIds(proposal);
                for (const auto &p : catalog.products()) {
                    if (inChannels(p) && std::find(present.begin(), present.end(), p.id) == present.end()) {
                        const double share = 100.0 / static_cast<double>(present.size() + 1);
                        proposal["allocations"].push_back(
                            allocationFor(p, share, currency, "Added for the " + words[i] + " ask"));
                        favoured = true;
                        break;
                    }
                }
            }
            if (favoured) {
                rebalance(proposal, catalog);
                applied.push_back("more weight on " + words[i]);
                outcome.changed = true;
            } else {
                notApplied.push_back("this seller has no " + words[i] + " product");
            }
        }
        mode = "more";
    }

    // Pricing models ("bill us per click", "on completed views"): each product sold in one of them switches
    // to the first it sells.
    if (const auto models = pricingModelsInText(text.toStdString()); !models.empty()) {
        std::string labels;
        for (const PricingModel model : models)
            labels += (labels.empty() ? "" : " or ") + pricingModelLabel(model);
        std::vector<std::string> switched;
        bool alreadyThere = false;
        for (auto &allocation : proposal["allocations"]) {
            const Product *product = catalog.find(allocation.value("product_id", std::string()));
            const json *option = product ? optionInAnyModel(*product, models, currency) : nullptr;
            if (!option)
                continue;
            const std::string optionId = option->value("pricing_option_id", std::string());
            if (allocation.value("pricing_option_id", std::string()) == optionId) {
                alreadyThere = true;
                continue;
            }
            allocation["pricing_option_id"] = optionId;
            switched.push_back(product->id + " (" + option->value("pricing_model", std::string()) + ")");
        }
        if (!switched.empty()) {
            rebalance(proposal, catalog); // minimum spends differ between options
            std::string list;
            for (const auto &id : switched)
                list += (list.empty() ? "" : ", ") + id;
            applied.push_back(labels + " pricing on " + list);
            outcome.changed = true;
        } else if (alreadyThere) {
            applied.push_back("already priced on " + labels + " where the products offer it");
        } else {
            notApplied.push_back("no product of this plan is sold on " + labels + " in " + currency);
        }
    }

    if (applied.empty() && notApplied.empty()) {
        outcome.status = "unable";
        outcome.notes = "Not applied: this seller understands budget, CPM ceiling, channel, flight-date and "
                        "pricing-model asks "
                        "(for example 'budget $80k', 'CPM under $20', 'more ctv, no display', "
                        "'2026-03-01 to 2026-03-31', 'pay per click').";
        return outcome;
    }
    if (applied.empty())
        outcome.status = "unable";
    else if (!notApplied.empty())
        outcome.status = "partial";
    std::string notes;
    for (const auto &a : applied)
        notes += (notes.empty() ? "" : "; ") + a;
    for (const auto &n : notApplied)
        notes += (notes.empty() ? "Not applied: " : "; not applied: ") + n;
    outcome.notes = notes + ".";
    return outcome;
}

void commit(json &proposal, const Catalog &catalog, const std::string &proposalId, int version)
{
    bool needsIo = false;
    const std::string currency = proposalCurrency(proposal);
    for (auto &allocation : proposal["allocations"]) {
        const Product *p = catalog.find(allocation.value("product_id", std::string()));
        if (!p)
            continue;
        if (!allocation.contains("pricing_option_id"))
            allocation["pricing_option_id"] =
                optionInCurrency(*p, currency)->value("pricing_option_id", std::string());
        needsIo = needsIo || p->requiresIo;
    }
    if (needsIo) {
        const auto &guidance = proposal["total_budget_guidance"];
        proposal["insertion_order"] = {{"io_id", "io_" + proposalId + "_" + versionLabel(version)},
                                       {"requires_signature", true},
                                       {"terms",
                                        {{"publisher", "Workbench Media Sales"},
                                         {"total_budget",
                                          {{"amount", guidance.value("recommended", 0.0)},
                                           {"currency", guidance.value("currency", "USD")}}},
                                         {"payment_terms", "net_30"}}}};
    } else {
        proposal.erase("insertion_order");
    }
}

json wireView(const StoredProposal &stored)
{
    json view = stored.current;
    if (stored.state == ProposalState::Consumed)
        view["proposal_status"] = "accepted";
    return view;
}

json wireView(StoredProposal &&stored)
{
    json view = std::move(stored.current);
    if (stored.state == ProposalState::Consumed)
        view["proposal_status"] = "accepted";
    return view;
}

} // namespace adcp::seller::proposals
