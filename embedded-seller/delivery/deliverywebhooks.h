#pragma once

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <string>

namespace adcp::seller {

// Delivery reports to a buy's reporting_webhook: one `scheduled` report per elapsed hour or day of seller
// time (reporting_frequency), numbered from 1, a `final` report when the buy ends, and a `window_update`
// when delivery is recorded late into a window already reported. Reports leave through the webhook outbox
// and carry the same figures get_media_buy_delivery returns for the same window.
class DeliveryWebhooks final
{
public:
    // Enqueues every report that is due at `now`; returns how many (or -1 on a database error).
    static int sendDue(QSqlDatabase &db, const QDateTime &now, QString *error);
    // Re-sends the window containing `at` as a window_update when it was already reported.
    static bool windowUpdated(QSqlDatabase &db, const std::string &principalId, const std::string &mediaBuyId,
                              const QDateTime &at, const QDateTime &now, QString *error);
};

} // namespace adcp::seller
