#pragma once

#include <QDateTime>
#include <QLocale>
#include <QString>

namespace adcp::models {

// The AdCP vocabularies the window shows. Ids stay the model's data (sorting, filtering, copying); people
// read the display names.
enum class Vocabulary {
    Status,           // media buy, proposal, task, delivery and opportunity statuses, health
    DeclineReason,    // proposal-decline-reason
    CloseReason,      // opportunity close_reason
    Channel,          // channels
    Phase,            // opportunity phase
    Intent,           // opportunity intent
    ImpairmentReason, // impairment-reason-code
    PricingModel,     // pricing-model
    ResourceType,     // dependency kinds (creative, audience, ...)
    DeliveryType,     // guaranteed / non_guaranteed
    AccountStatus,    // account-status
    BillingParty,     // billing-party
    SyncAction,       // a sync_accounts entry's action
    CreativeStatus,   // creative-status
    PaymentTerms,     // payment-terms
    ResourceStatus,   // a dependency's status on the seller (audience, creative, catalog item, ...)
};

// The one table of display names for every enum the window shows. An id the table does not know (a newer
// spec, a seller's extension) is shown with its underscores turned into spaces and a capital first letter,
// never dropped.
QString displayName(Vocabulary vocabulary, const QString &id);
// A status as a chip shows it; "impaired (2)" keeps its count.
QString statusLabel(const QString &status);
// An error's `field` in words: "purchases[1].budget" → "purchase 2 › budget", "/packages/0/bid_price" →
// "package 1 › bid price". Unknown shapes come back as given.
QString fieldLabel(const QString &path);
// The index of a top-level list member a `field` points into ("purchases[1].budget" with "purchases" → 1),
// or -1.
int fieldIndex(const QString &path, const QString &list);
// Tooltip text that keeps the id at hand: "Display name (id)".
QString withId(const QString &name, const QString &id);
// The locale numbers, money and dates are shown in: the user's, except the untranslated "C" locale (no digit
// grouping), which reads as US English.
QLocale userLocale();
// Dates and times in the user's locale (short format), in local time.
QString formatDate(const QDate &date);
QString formatDateTime(const QDateTime &at);

} // namespace adcp::models
