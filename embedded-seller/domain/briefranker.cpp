#include "briefranker.h"

#include "catalog.h"

#include <QRegularExpression>
#include <QString>

#include <algorithm>
#include <cmath>
#include <map>

namespace adcp::seller {

namespace {

const std::set<std::string> &stopWords()
{
    static const std::set<std::string> words = {
        "a",      "an",    "and",  "the",      "for",   "with", "to",    "of",          "in",    "on",
        "at",     "by",    "is",   "are",      "we",    "our",  "us",    "want",        "need",  "looking",
        "like",   "would", "some", "campaign", "brand", "ads",  "ad",    "advertising", "reach", "from",
        "this",   "that",  "it",   "be",       "or",    "per",  "about", "please",      "plus",  "also",
        "across", "into",  "over", "under",    "up",    "out",  "more",  "less",        "only",  "no"};
    return words;
}

std::string lower(const std::string &text)
{
    std::string out = text;
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

std::vector<std::string> words(const std::string &text)
{
    std::vector<std::string> out;
    std::string current;
    for (unsigned char c : lower(text)) {
        if (std::isalnum(c) || c == '_') {
            current.push_back(static_cast<char>(c));
        } else if (!current.empty()) {
            out.push_back(current);
            current.clear();
        }
    }
    if (!current.empty())
        out.push_back(current);
    return out;
}

std::optional<double> amount(const QString &number, const QString &suffix)
{
    QString digits = number;
    digits.remove(QLatin1Char(','));
    bool ok = false;
    double value = digits.toDouble(&ok);
    if (!ok)
        return std::nullopt;
    const QString s = suffix.toLower();
    if (s == QLatin1String("k") || s == QLatin1String("thousand"))
        value *= 1000;
    else if (s == QLatin1String("m") || s == QLatin1String("million") || s == QLatin1String("mm"))
        value *= 1000000;
    return value;
}

} // namespace

std::set<std::string> channelsForWord(const std::string &word)
{
    static const std::map<std::string, std::set<std::string>> synonyms = {
        {"display", {"display"}},
        {"banner", {"display"}},
        {"banners", {"display"}},
        {"video", {"olv", "ctv"}},
        {"olv", {"olv"}},
        {"preroll", {"olv"}},
        {"outstream", {"olv"}},
        {"instream", {"olv"}},
        {"ctv", {"ctv"}},
        {"tv", {"ctv"}},
        {"television", {"ctv"}},
        {"streaming", {"ctv", "streaming_audio"}},
        {"ott", {"ctv"}},
        {"audio", {"streaming_audio", "podcast"}},
        {"radio", {"streaming_audio"}},
        {"music", {"streaming_audio"}},
        {"podcast", {"podcast"}},
        {"podcasts", {"podcast"}},
        {"dooh", {"dooh"}},
        {"ooh", {"dooh"}},
        {"outdoor", {"dooh"}},
        {"billboard", {"dooh"}},
        {"billboards", {"dooh"}},
        {"screens", {"dooh"}},
        {"social", {"social"}},
        {"retail", {"retail_media"}},
        {"retail_media", {"retail_media"}},
        {"shopper", {"retail_media"}},
        {"shoppers", {"retail_media"}},
        {"ecommerce", {"retail_media"}},
        {"gaming", {"gaming"}},
        {"games", {"gaming"}},
    };
    const auto it = synonyms.find(word);
    return it == synonyms.end() ? std::set<std::string>{} : it->second;
}

BriefTerms parseBriefText(const std::string &text)
{
    BriefTerms terms;
    for (const auto &w : words(text)) {
        for (const auto &c : channelsForWord(w))
            terms.channels.insert(c);
        if (w.size() < 2 || stopWords().contains(w))
            continue;
        if (std::find(terms.tokens.begin(), terms.tokens.end(), w) == terms.tokens.end())
            terms.tokens.push_back(w);
    }

    const QString q = QString::fromStdString(text);
    static const QRegularExpression currencyFirst(
        QStringLiteral(
            R"((?:\$|€|£|usd\s*|eur\s*)\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*(k|m|mm|thousand|million)?\b)"),
        QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression currencyAfter(
        QStringLiteral(
            R"(\b([0-9][0-9,]*(?:\.[0-9]+)?)\s*(k|m|mm|thousand|million)?\s*(?:usd|dollars|eur|euros)\b)"),
        QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression afterBudget(
        QStringLiteral(R"(budget\D{0,12}?([0-9][0-9,]*(?:\.[0-9]+)?)\s*(k|m|mm|thousand|million)?\b)"),
        QRegularExpression::CaseInsensitiveOption);
    for (const auto *re : {&afterBudget, &currencyFirst, &currencyAfter}) {
        const auto m = re->match(q);
        if (m.hasMatch()) {
            terms.budget = amount(m.captured(1), m.captured(2));
            if (terms.budget)
                break;
        }
    }

    static const QRegularExpression isoDate(QStringLiteral(R"(\b(\d{4}-\d{2}-\d{2})\b)"));
    auto it = isoDate.globalMatch(q);
    std::vector<QDate> dates;
    while (it.hasNext()) {
        const QDate date = QDate::fromString(it.next().captured(1), Qt::ISODate);
        if (date.isValid())
            dates.push_back(date);
    }
    if (!dates.empty())
        terms.flightStart = dates.front();
    if (dates.size() > 1)
        terms.flightEnd = dates[1];
    terms.pricingModels = pricingModelsInText(text);
    return terms;
}

void prepareForRanking(Product &product)
{
    // Runs while a catalog is built, so a member of the wrong type ranks as empty instead of throwing.
    const auto text = [&product](const char *key) {
        const auto it = product.publicJson.find(key);
        return it != product.publicJson.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    product.nameWords = words(text("name"));
    product.descriptionWords = words(text("description"));
    product.targetingText = lower(product.targeting.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::vector<RankedProduct> rankProducts(const Catalog &catalog, const BriefTerms &terms, const QDate &today)
{
    std::vector<RankedProduct> ranked;
    for (const auto &product : catalog.products()) {
        RankedProduct r;
        r.product = &product;
        std::vector<std::string> reasons;

        std::vector<std::string> channelHits;
        for (const auto &c : product.channels) {
            if (terms.channels.contains(c))
                channelHits.push_back(c);
        }
        r.score += 6 * static_cast<int>(channelHits.size());
        if (!channelHits.empty()) {
            std::string list;
            for (const auto &c : channelHits)
                list += (list.empty() ? "" : ", ") + c;
            reasons.push_back("channel " + list + " requested");
        }

        std::vector<std::string> termHits;
        std::vector<std::string> targetingHits;
        for (const auto &t : terms.tokens) {
            const bool keyword =
                std::find(product.keywords.begin(), product.keywords.end(), t) != product.keywords.end();
            const bool inName =
                std::find(product.nameWords.begin(), product.nameWords.end(), t) != product.nameWords.end();
            const bool inDescription = std::find(product.descriptionWords.begin(), product.descriptionWords.end(),
                                                 t) != product.descriptionWords.end();
            const bool inTargeting = t.size() > 2 && product.targetingText.find(t) != std::string::npos;
            if (keyword || inName)
                r.score += 2;
            else if (inDescription)
                r.score += 1;
            if (inTargeting) {
                r.score += 2;
                targetingHits.push_back(t);
            } else if (keyword || inName || inDescription) {
                termHits.push_back(t);
            }
        }
        auto quoted = [](const std::vector<std::string> &list) {
            std::string out;
            for (size_t i = 0; i < list.size() && i < 5; ++i)
                out += (i ? ", '" : "'") + list[i] + "'";
            return out;
        };
        if (!termHits.empty())
            reasons.push_back("brief terms " + quoted(termHits));
        if (!targetingHits.empty())
            reasons.push_back("targeting matches " + quoted(targetingHits));

        const bool wantsGuaranteed =
            std::find(terms.tokens.begin(), terms.tokens.end(), "guaranteed") != terms.tokens.end();
        if (wantsGuaranteed && product.deliveryType == "guaranteed") {
            r.score += 2;
            reasons.push_back("guaranteed delivery requested");
        }

        const auto &option = product.defaultPricingOption();
        const double floorSpend = minSpend(option);
        const std::string currency = option.value("currency", std::string("USD"));
        if (terms.budget) {
            if (floorSpend > *terms.budget) {
                r.score -= 4;
                reasons.push_back("minimum spend " + std::to_string(static_cast<long long>(floorSpend)) +
                                  " " + currency + " is above the budget");
            } else if (r.score > 0) {
                r.score += 1;
                reasons.push_back("minimum spend " + std::to_string(static_cast<long long>(floorSpend)) +
                                  " " + currency + " fits the budget");
            }
        }
        if (terms.flightStart && product.deliveryType == "guaranteed" && r.score > 0 &&
            today.daysTo(*terms.flightStart) < 3) {
            r.score -= 1;
            reasons.push_back("short lead time for guaranteed inventory");
        }

        if (reasons.empty())
            r.relevance = "No specific match with the brief; general catalog product.";
        else {
            std::string text;
            for (const auto &reason : reasons)
                text += (text.empty() ? "" : "; ") + reason;
            text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
            r.relevance = text + ".";
        }
        ranked.push_back(std::move(r));
    }
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const RankedProduct &a, const RankedProduct &b) { return a.score > b.score; });
    return ranked;
}

} // namespace adcp::seller
