#pragma once

#include <QAbstractTableModel>
#include <QDateTime>
#include <QHash>

#include <nlohmann/json.hpp>

#include <vector>

namespace adcp::models {

// The timeline of what happened to the buys: status changes and impairments appearing or clearing. The same
// event may be learnt from a snapshot (get_media_buys) and from a webhook; it is one row marked with both
// sources, so webhook/snapshot parity shows at a glance.
class BuyEventModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BuyEventModel)
public:
    enum Column { TimeColumn, BuyColumn, EventColumn, SourceColumn, NB_COLUMNS };
    enum Source { Snapshot = 0x1, Webhook = 0x2 };

    explicit BuyEventModel(QObject *parent = nullptr);
    ~BuyEventModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Compares a buy from get_media_buys with the last one seen and records the differences.
    void applySnapshot(const nlohmann::json &buy, const QDateTime &seenAt);
    // Records what an AdCP webhook payload (task, media-buy status or impairment notification) says.
    // `reemission`: the seller sent the same notification again under a new idempotency_key; the row says so.
    void applyWebhook(const nlohmann::json &payload, const QDateTime &receivedAt, bool reemission = false);
    void clear();

    // The timeline and the last snapshot of each buy (what the next snapshot is compared with), for the saved
    // workspace. restoreState adds the events the model does not hold yet, skips entries it cannot read and
    // returns how many it added.
    nlohmann::json saveState() const;
    int restoreState(const nlohmann::json &state);

    int sources(int row) const;
    // How many re-emissions of the row's webhook arrived.
    int reemissions(int row) const;

private:
    struct Event
    {
        QString key; // identifies the same fact across sources
        QString mediaBuyId;
        QDateTime at;
        QString text;
        int sources = 0;
        int reemissions = 0;
    };
    void record(const QString &key, const QString &mediaBuyId, const QDateTime &at, const QString &text,
                Source source, bool reemission = false);

    std::vector<Event> m_events;
    QHash<QString, int> m_index;
    QHash<QString, nlohmann::json> m_lastSnapshot; // media_buy_id -> last buy seen
};

} // namespace adcp::models
