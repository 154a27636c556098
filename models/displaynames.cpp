#include "displaynames.h"

#include <QCoreApplication>
#include <QHash>
#include <QLocale>
#include <QRegularExpression>

#include <utility>
#include <vector>

namespace adcp::models {

namespace {

struct Entry
{
    Vocabulary vocabulary;
    const char *id;
    const char *name; // translated in the "DisplayNames" context
};

// Names follow how planners talk (an IAB-style media plan), not how the schema spells the value.
constexpr Entry kEntries[] = {
    // Statuses: media buys, proposals, tasks, delivery, opportunities, health.
    {Vocabulary::Status, "pending_creatives", QT_TRANSLATE_NOOP("DisplayNames", "Waiting for creatives")},
    {Vocabulary::Status, "pending_start", QT_TRANSLATE_NOOP("DisplayNames", "Scheduled")},
    {Vocabulary::Status, "active", QT_TRANSLATE_NOOP("DisplayNames", "Running")},
    {Vocabulary::Status, "paused", QT_TRANSLATE_NOOP("DisplayNames", "Paused")},
    {Vocabulary::Status, "completed", QT_TRANSLATE_NOOP("DisplayNames", "Completed")},
    {Vocabulary::Status, "rejected", QT_TRANSLATE_NOOP("DisplayNames", "Rejected")},
    {Vocabulary::Status, "canceled", QT_TRANSLATE_NOOP("DisplayNames", "Canceled")},
    {Vocabulary::Status, "draft", QT_TRANSLATE_NOOP("DisplayNames", "Draft")},
    {Vocabulary::Status, "committed", QT_TRANSLATE_NOOP("DisplayNames", "Committed (held)")},
    {Vocabulary::Status, "accepted", QT_TRANSLATE_NOOP("DisplayNames", "Accepted")},
    {Vocabulary::Status, "ready", QT_TRANSLATE_NOOP("DisplayNames", "Ready to buy")},
    {Vocabulary::Status, "expired", QT_TRANSLATE_NOOP("DisplayNames", "Hold expired")},
    {Vocabulary::Status, "declined", QT_TRANSLATE_NOOP("DisplayNames", "Declined")},
    {Vocabulary::Status, "consumed", QT_TRANSLATE_NOOP("DisplayNames", "Bought")},
    {Vocabulary::Status, "submitted", QT_TRANSLATE_NOOP("DisplayNames", "Awaiting seller approval")},
    {Vocabulary::Status, "working", QT_TRANSLATE_NOOP("DisplayNames", "In progress")},
    {Vocabulary::Status, "input-required", QT_TRANSLATE_NOOP("DisplayNames", "Needs input")},
    {Vocabulary::Status, "failed", QT_TRANSLATE_NOOP("DisplayNames", "Failed")},
    {Vocabulary::Status, "auth-required", QT_TRANSLATE_NOOP("DisplayNames", "Sign-in required")},
    {Vocabulary::Status, "delivering", QT_TRANSLATE_NOOP("DisplayNames", "Delivering")},
    {Vocabulary::Status, "not_delivering", QT_TRANSLATE_NOOP("DisplayNames", "Not delivering")},
    {Vocabulary::Status, "budget_exhausted", QT_TRANSLATE_NOOP("DisplayNames", "Budget spent")},
    {Vocabulary::Status, "flight_ended", QT_TRANSLATE_NOOP("DisplayNames", "Flight ended")},
    {Vocabulary::Status, "goal_met", QT_TRANSLATE_NOOP("DisplayNames", "Goal met")},
    {Vocabulary::Status, "open", QT_TRANSLATE_NOOP("DisplayNames", "Open")},
    {Vocabulary::Status, "closed", QT_TRANSLATE_NOOP("DisplayNames", "Closed")},
    {Vocabulary::Status, "ok", QT_TRANSLATE_NOOP("DisplayNames", "Healthy")},
    {Vocabulary::Status, "impaired", QT_TRANSLATE_NOOP("DisplayNames", "Impaired")},
    // Decline reasons.
    {Vocabulary::DeclineReason, "price", QT_TRANSLATE_NOOP("DisplayNames", "Price too high")},
    {Vocabulary::DeclineReason, "inventory_fit", QT_TRANSLATE_NOOP("DisplayNames", "Inventory does not fit")},
    {Vocabulary::DeclineReason, "audience_fit", QT_TRANSLATE_NOOP("DisplayNames", "Audience does not fit")},
    {Vocabulary::DeclineReason, "creative_unsupported",
     QT_TRANSLATE_NOOP("DisplayNames", "Our creatives are not supported")},
    {Vocabulary::DeclineReason, "measurement_unsupported",
     QT_TRANSLATE_NOOP("DisplayNames", "Our measurement is not supported")},
    {Vocabulary::DeclineReason, "policy", QT_TRANSLATE_NOOP("DisplayNames", "Brand or policy concern")},
    {Vocabulary::DeclineReason, "timing", QT_TRANSLATE_NOOP("DisplayNames", "Timing does not work")},
    {Vocabulary::DeclineReason, "budget_changed", QT_TRANSLATE_NOOP("DisplayNames", "Our budget changed")},
    {Vocabulary::DeclineReason, "selected_alternative",
     QT_TRANSLATE_NOOP("DisplayNames", "Chose another proposal")},
    {Vocabulary::DeclineReason, "other", QT_TRANSLATE_NOOP("DisplayNames", "Other reason")},
    // Opportunity close reasons.
    {Vocabulary::CloseReason, "accepted_with_seller",
     QT_TRANSLATE_NOOP("DisplayNames", "Bought from this seller")},
    {Vocabulary::CloseReason, "purchased_elsewhere", QT_TRANSLATE_NOOP("DisplayNames", "Bought elsewhere")},
    {Vocabulary::CloseReason, "selected_alternative",
     QT_TRANSLATE_NOOP("DisplayNames", "Chose an alternative")},
    {Vocabulary::CloseReason, "not_pursued", QT_TRANSLATE_NOOP("DisplayNames", "Not pursued")},
    {Vocabulary::CloseReason, "budget_changed", QT_TRANSLATE_NOOP("DisplayNames", "Budget changed")},
    {Vocabulary::CloseReason, "timing_changed", QT_TRANSLATE_NOOP("DisplayNames", "Timing changed")},
    {Vocabulary::CloseReason, "other", QT_TRANSLATE_NOOP("DisplayNames", "Other reason")},
    // Channels.
    {Vocabulary::Channel, "display", QT_TRANSLATE_NOOP("DisplayNames", "Display")},
    {Vocabulary::Channel, "olv", QT_TRANSLATE_NOOP("DisplayNames", "Online video")},
    {Vocabulary::Channel, "social", QT_TRANSLATE_NOOP("DisplayNames", "Social")},
    {Vocabulary::Channel, "search", QT_TRANSLATE_NOOP("DisplayNames", "Search")},
    {Vocabulary::Channel, "ctv", QT_TRANSLATE_NOOP("DisplayNames", "Connected TV")},
    {Vocabulary::Channel, "linear_tv", QT_TRANSLATE_NOOP("DisplayNames", "Linear TV")},
    {Vocabulary::Channel, "radio", QT_TRANSLATE_NOOP("DisplayNames", "Radio")},
    {Vocabulary::Channel, "streaming_audio", QT_TRANSLATE_NOOP("DisplayNames", "Streaming audio")},
    {Vocabulary::Channel, "podcast", QT_TRANSLATE_NOOP("DisplayNames", "Podcasts")},
    {Vocabulary::Channel, "dooh", QT_TRANSLATE_NOOP("DisplayNames", "Digital out-of-home")},
    {Vocabulary::Channel, "ooh", QT_TRANSLATE_NOOP("DisplayNames", "Out-of-home")},
    {Vocabulary::Channel, "print", QT_TRANSLATE_NOOP("DisplayNames", "Print")},
    {Vocabulary::Channel, "cinema", QT_TRANSLATE_NOOP("DisplayNames", "Cinema")},
    {Vocabulary::Channel, "email", QT_TRANSLATE_NOOP("DisplayNames", "Email")},
    {Vocabulary::Channel, "gaming", QT_TRANSLATE_NOOP("DisplayNames", "Gaming")},
    {Vocabulary::Channel, "retail_media", QT_TRANSLATE_NOOP("DisplayNames", "Retail media")},
    {Vocabulary::Channel, "influencer", QT_TRANSLATE_NOOP("DisplayNames", "Influencers")},
    {Vocabulary::Channel, "affiliate", QT_TRANSLATE_NOOP("DisplayNames", "Affiliate")},
    {Vocabulary::Channel, "product_placement", QT_TRANSLATE_NOOP("DisplayNames", "Product placement")},
    {Vocabulary::Channel, "sponsored_intelligence",
     QT_TRANSLATE_NOOP("DisplayNames", "Sponsored AI answers")},
    // Opportunity phase and intent.
    {Vocabulary::Phase, "exploratory", QT_TRANSLATE_NOOP("DisplayNames", "Exploring")},
    {Vocabulary::Phase, "planning", QT_TRANSLATE_NOOP("DisplayNames", "Planning")},
    {Vocabulary::Phase, "active_sourcing", QT_TRANSLATE_NOOP("DisplayNames", "Sourcing now")},
    {Vocabulary::Intent, "test", QT_TRANSLATE_NOOP("DisplayNames", "Test only")},
    {Vocabulary::Intent, "speculative", QT_TRANSLATE_NOOP("DisplayNames", "Speculative")},
    {Vocabulary::Intent, "planning", QT_TRANSLATE_NOOP("DisplayNames", "Planning")},
    {Vocabulary::Intent, "live_rfp", QT_TRANSLATE_NOOP("DisplayNames", "Live RFP")},
    // Impairment reasons.
    {Vocabulary::ImpairmentReason, "policy_violation", QT_TRANSLATE_NOOP("DisplayNames", "Policy violation")},
    {Vocabulary::ImpairmentReason, "consent_expired", QT_TRANSLATE_NOOP("DisplayNames", "Consent expired")},
    {Vocabulary::ImpairmentReason, "ttl_expired", QT_TRANSLATE_NOOP("DisplayNames", "Data too old")},
    {Vocabulary::ImpairmentReason, "pii_audit_failed",
     QT_TRANSLATE_NOOP("DisplayNames", "Privacy audit failed")},
    {Vocabulary::ImpairmentReason, "seller_removed",
     QT_TRANSLATE_NOOP("DisplayNames", "Removed by the seller")},
    {Vocabulary::ImpairmentReason, "content_rejected", QT_TRANSLATE_NOOP("DisplayNames", "Content rejected")},
    {Vocabulary::ImpairmentReason, "identity_authorization_revoked",
     QT_TRANSLATE_NOOP("DisplayNames", "Authorization revoked")},
    {Vocabulary::ImpairmentReason, "identity_authorization_expired",
     QT_TRANSLATE_NOOP("DisplayNames", "Authorization expired")},
    {Vocabulary::ImpairmentReason, "source_private",
     QT_TRANSLATE_NOOP("DisplayNames", "Source made private")},
    {Vocabulary::ImpairmentReason, "source_offline", QT_TRANSLATE_NOOP("DisplayNames", "Source offline")},
    {Vocabulary::ImpairmentReason, "property_depublished",
     QT_TRANSLATE_NOOP("DisplayNames", "Site or app taken down")},
    // Pricing models.
    {Vocabulary::PricingModel, "cpm", QT_TRANSLATE_NOOP("DisplayNames", "CPM (per 1,000 impressions)")},
    {Vocabulary::PricingModel, "vcpm", QT_TRANSLATE_NOOP("DisplayNames", "vCPM (per 1,000 viewable)")},
    {Vocabulary::PricingModel, "cpc", QT_TRANSLATE_NOOP("DisplayNames", "CPC (per click)")},
    {Vocabulary::PricingModel, "cpcv", QT_TRANSLATE_NOOP("DisplayNames", "CPCV (per completed view)")},
    {Vocabulary::PricingModel, "cpv", QT_TRANSLATE_NOOP("DisplayNames", "CPV (per view)")},
    {Vocabulary::PricingModel, "cpp", QT_TRANSLATE_NOOP("DisplayNames", "CPP (per rating point)")},
    {Vocabulary::PricingModel, "cpa", QT_TRANSLATE_NOOP("DisplayNames", "CPA (per action)")},
    {Vocabulary::PricingModel, "revenue_share", QT_TRANSLATE_NOOP("DisplayNames", "Revenue share")},
    {Vocabulary::PricingModel, "flat_rate", QT_TRANSLATE_NOOP("DisplayNames", "Flat rate")},
    {Vocabulary::PricingModel, "time", QT_TRANSLATE_NOOP("DisplayNames", "Per time period")},
    // Dependency kinds and delivery types.
    {Vocabulary::ResourceType, "creative", QT_TRANSLATE_NOOP("DisplayNames", "Creative")},
    {Vocabulary::ResourceType, "audience", QT_TRANSLATE_NOOP("DisplayNames", "Audience")},
    {Vocabulary::ResourceType, "catalog_item", QT_TRANSLATE_NOOP("DisplayNames", "Catalog item")},
    {Vocabulary::ResourceType, "event_source", QT_TRANSLATE_NOOP("DisplayNames", "Conversion source")},
    {Vocabulary::ResourceType, "property", QT_TRANSLATE_NOOP("DisplayNames", "Site or app")},
    // What a dependency's status says, whatever its kind (the seller console's dependency board).
    {Vocabulary::ResourceStatus, "processing", QT_TRANSLATE_NOOP("DisplayNames", "Being processed")},
    {Vocabulary::ResourceStatus, "ready", QT_TRANSLATE_NOOP("DisplayNames", "Ready")},
    {Vocabulary::ResourceStatus, "too_small", QT_TRANSLATE_NOOP("DisplayNames", "Too few matched")},
    {Vocabulary::ResourceStatus, "suspended", QT_TRANSLATE_NOOP("DisplayNames", "Suspended")},
    {Vocabulary::ResourceStatus, "pending_review", QT_TRANSLATE_NOOP("DisplayNames", "Awaiting review")},
    {Vocabulary::ResourceStatus, "approved", QT_TRANSLATE_NOOP("DisplayNames", "Approved")},
    {Vocabulary::ResourceStatus, "rejected", QT_TRANSLATE_NOOP("DisplayNames", "Rejected")},
    {Vocabulary::ResourceStatus, "archived", QT_TRANSLATE_NOOP("DisplayNames", "Archived")},
    {Vocabulary::ResourceStatus, "pending", QT_TRANSLATE_NOOP("DisplayNames", "Pending")},
    {Vocabulary::ResourceStatus, "warning", QT_TRANSLATE_NOOP("DisplayNames", "Has warnings")},
    {Vocabulary::ResourceStatus, "withdrawn", QT_TRANSLATE_NOOP("DisplayNames", "Withdrawn")},
    {Vocabulary::ResourceStatus, "insufficient", QT_TRANSLATE_NOOP("DisplayNames", "Too few events")},
    {Vocabulary::ResourceStatus, "minimum", QT_TRANSLATE_NOOP("DisplayNames", "Just enough events")},
    {Vocabulary::ResourceStatus, "good", QT_TRANSLATE_NOOP("DisplayNames", "Healthy")},
    {Vocabulary::ResourceStatus, "excellent", QT_TRANSLATE_NOOP("DisplayNames", "Excellent")},
    {Vocabulary::ResourceStatus, "published", QT_TRANSLATE_NOOP("DisplayNames", "Published")},
    {Vocabulary::ResourceStatus, "depublished", QT_TRANSLATE_NOOP("DisplayNames", "Taken down")},
    {Vocabulary::DeliveryType, "guaranteed", QT_TRANSLATE_NOOP("DisplayNames", "Guaranteed")},
    {Vocabulary::DeliveryType, "non_guaranteed",
     QT_TRANSLATE_NOOP("DisplayNames", "Auction (non-guaranteed)")},
    // Accounts: status, who is invoiced, what a sync did.
    {Vocabulary::AccountStatus, "active", QT_TRANSLATE_NOOP("DisplayNames", "Ready to buy")},
    {Vocabulary::AccountStatus, "pending_approval",
     QT_TRANSLATE_NOOP("DisplayNames", "Awaiting seller approval")},
    {Vocabulary::AccountStatus, "rejected", QT_TRANSLATE_NOOP("DisplayNames", "Refused by the seller")},
    {Vocabulary::AccountStatus, "payment_required", QT_TRANSLATE_NOOP("DisplayNames", "Payment required")},
    {Vocabulary::AccountStatus, "suspended", QT_TRANSLATE_NOOP("DisplayNames", "Suspended")},
    {Vocabulary::AccountStatus, "closed", QT_TRANSLATE_NOOP("DisplayNames", "Closed")},
    {Vocabulary::PaymentTerms, "net_15", QT_TRANSLATE_NOOP("DisplayNames", "Net 15 days")},
    {Vocabulary::PaymentTerms, "net_30", QT_TRANSLATE_NOOP("DisplayNames", "Net 30 days")},
    {Vocabulary::PaymentTerms, "net_45", QT_TRANSLATE_NOOP("DisplayNames", "Net 45 days")},
    {Vocabulary::PaymentTerms, "net_60", QT_TRANSLATE_NOOP("DisplayNames", "Net 60 days")},
    {Vocabulary::PaymentTerms, "net_90", QT_TRANSLATE_NOOP("DisplayNames", "Net 90 days")},
    {Vocabulary::PaymentTerms, "prepay", QT_TRANSLATE_NOOP("DisplayNames", "Paid in advance")},
    {Vocabulary::BillingParty, "operator",
     QT_TRANSLATE_NOOP("DisplayNames", "Operator (agency or brand direct)")},
    {Vocabulary::BillingParty, "agent", QT_TRANSLATE_NOOP("DisplayNames", "Buying agent")},
    {Vocabulary::BillingParty, "advertiser", QT_TRANSLATE_NOOP("DisplayNames", "Advertiser")},
    {Vocabulary::SyncAction, "created", QT_TRANSLATE_NOOP("DisplayNames", "Created")},
    {Vocabulary::SyncAction, "updated", QT_TRANSLATE_NOOP("DisplayNames", "Updated")},
    {Vocabulary::SyncAction, "unchanged", QT_TRANSLATE_NOOP("DisplayNames", "Already up to date")},
    {Vocabulary::SyncAction, "failed", QT_TRANSLATE_NOOP("DisplayNames", "Failed")},
    // The creative library.
    {Vocabulary::CreativeStatus, "processing", QT_TRANSLATE_NOOP("DisplayNames", "Being processed")},
    {Vocabulary::CreativeStatus, "pending_review", QT_TRANSLATE_NOOP("DisplayNames", "Awaiting review")},
    {Vocabulary::CreativeStatus, "approved", QT_TRANSLATE_NOOP("DisplayNames", "Approved")},
    {Vocabulary::CreativeStatus, "suspended", QT_TRANSLATE_NOOP("DisplayNames", "Suspended")},
    {Vocabulary::CreativeStatus, "rejected", QT_TRANSLATE_NOOP("DisplayNames", "Rejected")},
    {Vocabulary::CreativeStatus, "archived", QT_TRANSLATE_NOOP("DisplayNames", "Archived")},
};

const QHash<QString, const char *> &table()
{
    static const QHash<QString, const char *> map = [] {
        QHash<QString, const char *> m;
        for (const Entry &entry : kEntries)
            m.insert(QString::number(int(entry.vocabulary)) + QLatin1Char('/') + QLatin1String(entry.id),
                     entry.name);
        return m;
    }();
    return map;
}

QString humanized(const QString &id)
{
    QString text = id;
    text.replace(QLatin1Char('_'), QLatin1Char(' '));
    text.replace(QLatin1Char('-'), QLatin1Char(' '));
    if (!text.isEmpty())
        text[0] = text.at(0).toUpper();
    return text;
}

} // namespace

QLocale userLocale()
{
    const QLocale locale;
    return locale.language() == QLocale::C ? QLocale(QLocale::English, QLocale::UnitedStates) : locale;
}

QString displayName(Vocabulary vocabulary, const QString &id)
{
    if (id.isEmpty())
        return id;
    const char *name = table().value(QString::number(int(vocabulary)) + QLatin1Char('/') + id, nullptr);
    return name ? QCoreApplication::translate("DisplayNames", name) : humanized(id);
}

QString statusLabel(const QString &status)
{
    // "impaired (2)": the name of the first word, the rest kept.
    const qsizetype space = status.indexOf(QLatin1Char(' '));
    if (space < 0)
        return displayName(Vocabulary::Status, status);
    return displayName(Vocabulary::Status, status.left(space)) + status.mid(space);
}

namespace {

// "purchases" → "purchase": list members are named one at a time.
QString singular(QString name)
{
    if (name.endsWith(QLatin1String("ies")))
        return name.chopped(3) + u'y';
    if (name.endsWith(u's') && !name.endsWith(QLatin1String("ss")))
        name.chop(1);
    return name;
}

// The path's segments as (name, index) pairs; index -1 for a plain member. Both the dotted form with
// brackets and the JSON pointer form are read; anything else gives nothing.
std::vector<std::pair<QString, int>> fieldSegments(const QString &path)
{
    std::vector<std::pair<QString, int>> segments;
    QString text = path.trimmed();
    if (text.startsWith(u'/')) { // JSON pointer: numbers are indexes of the segment before
        for (const QString &part : text.mid(1).split(u'/')) {
            bool number = false;
            const int index = part.toInt(&number);
            if (number && !segments.empty() && segments.back().second < 0)
                segments.back().second = index;
            else if (!part.isEmpty())
                segments.emplace_back(part, -1);
            else
                return {};
        }
        return segments;
    }
    static const QRegularExpression member(QStringLiteral("^([A-Za-z_][A-Za-z0-9_]*)(?:\\[(\\d{1,6})\\])?$"));
    for (const QString &part : text.split(u'.')) {
        const QRegularExpressionMatch match = member.match(part);
        if (!match.hasMatch())
            return {};
        segments.emplace_back(match.captured(1),
                              match.captured(2).isEmpty() ? -1 : match.captured(2).toInt());
    }
    return segments;
}

} // namespace

QString fieldLabel(const QString &path)
{
    const auto segments = fieldSegments(path);
    if (segments.empty())
        return path;
    QStringList words;
    for (const auto &[name, index] : segments) {
        QString word = name;
        word.replace(u'_', u' ');
        words << (index >= 0 ? QStringLiteral("%1 %2").arg(singular(word)).arg(index + 1) : word);
    }
    return words.join(QStringLiteral(" › "));
}

int fieldIndex(const QString &path, const QString &list)
{
    const auto segments = fieldSegments(path);
    return !segments.empty() && segments.front().first == list ? segments.front().second : -1;
}

QString withId(const QString &name, const QString &id)
{
    return name == id || id.isEmpty() ? name : QStringLiteral("%1 (%2)").arg(name, id);
}

QString formatDate(const QDate &date)
{
    return date.isValid() ? userLocale().toString(date, QLocale::ShortFormat) : QString();
}

QString formatDateTime(const QDateTime &at)
{
    return at.isValid() ? userLocale().toString(at.toLocalTime(), QLocale::ShortFormat) : QString();
}

} // namespace adcp::models
