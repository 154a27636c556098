#include "buyeventmodel.h"

#include "displaynames.h"
#include "jsonvalues.h"
#include "modelroles.h"

#include <QSet>

#include <algorithm>

namespace adcp::models {

namespace {

QString buyStatus(const nlohmann::json &buy)
{
    const QString status = jsonString(buy, "media_buy_status");
    return status.isEmpty() ? jsonString(buy, "status") : status;
}

QHash<QString, nlohmann::json> impairmentsById(const nlohmann::json &buy)
{
    QHash<QString, nlohmann::json> map;
    if (buy.contains("impairments") && buy["impairments"].is_array()) {
        for (const auto &impairment : buy["impairments"])
            map.insert(jsonString(impairment, "impairment_id"), impairment);
    }
    return map;
}

// "creative cr_9 is now Rejected — Creative rejected"; once recovered, "creative cr_9 is back (was Rejected —
// Creative rejected)". Display names for the vocabularies, the id as it is.
QString describeImpairment(const nlohmann::json &impairment, bool recovered)
{
    const nlohmann::json transition = jsonObject(impairment, "transition");
    const QString type = displayName(Vocabulary::ResourceType, jsonString(impairment, "resource_type"));
    const QString what = QStringLiteral("%1 %2").arg(type.toLower(), jsonString(impairment, "resource_id"));
    QStringList why;
    const QString to = jsonString(transition, "to");
    if (!to.isEmpty())
        why << displayName(Vocabulary::ResourceStatus, to);
    const QString reason = jsonString(impairment, "reason_code");
    if (!reason.isEmpty())
        why << displayName(Vocabulary::ImpairmentReason, reason);
    const QString cause = why.join(QStringLiteral(" — "));
    if (recovered)
        return cause.isEmpty() ? BuyEventModel::tr("Recovered: %1 is back").arg(what)
                               : BuyEventModel::tr("Recovered: %1 is back (was %2)").arg(what, cause);
    return cause.isEmpty() ? BuyEventModel::tr("Impaired: %1").arg(what)
                           : BuyEventModel::tr("Impaired: %1 is now %2").arg(what, cause);
}

QString statusEvent(const QString &status)
{
    return BuyEventModel::tr("Status: %1").arg(displayName(Vocabulary::Status, status));
}

} // namespace

BuyEventModel::BuyEventModel(QObject *parent) : QAbstractTableModel(parent) {}

BuyEventModel::~BuyEventModel() = default;

int BuyEventModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_events.size());
}

int BuyEventModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : NB_COLUMNS;
}

QVariant BuyEventModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Event &event = m_events[static_cast<size_t>(index.row())];
    QStringList sources;
    if (event.sources & Webhook)
        sources << (event.reemissions > 0 ? tr("webhook (re-emitted ×%1)").arg(event.reemissions + 1)
                                          : tr("webhook"));
    if (event.sources & Snapshot)
        sources << tr("snapshot");
    switch (role) {
    case IdRole:
        return event.mediaBuyId;
    case SourceRole:
        return event.sources;
    case Qt::ToolTipRole:
        if (index.column() == TimeColumn)
            return tr("%1 on the seller's clock").arg(formatDateTime(event.at));
        if (index.column() == EventColumn) // whole, with how it was learnt (the column may be hidden)
            return tr("%1\nSeen by %2").arg(event.text, sources.join(QStringLiteral(" + ")));
        if (index.column() == SourceColumn && event.reemissions > 0)
            return tr("The seller sent this notification %n more time(s) under a new idempotency key",
                      nullptr, event.reemissions);
        return {};
    case SortRole:
        if (index.column() == TimeColumn)
            return event.at.toMSecsSinceEpoch();
        return data(index, Qt::DisplayRole);
    case Qt::DisplayRole:
        switch (static_cast<Column>(index.column())) {
        case TimeColumn:
            // With the date: a trainer's seller clock may run days ahead of the exchange log's wall clock.
            return formatDateTime(event.at);
        case BuyColumn:
            return event.mediaBuyId;
        case EventColumn:
            return event.text;
        case SourceColumn:
            return sources.join(QStringLiteral(" + "));
        case NB_COLUMNS:
            break;
        }
        return {};
    default:
        return {};
    }
}

QVariant BuyEventModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == Qt::ToolTipRole && section == TimeColumn)
        return tr("When it happened on the seller's clock (a trainer may run it faster than yours)");
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (static_cast<Column>(section)) {
    case TimeColumn:
        return tr("Seller time");
    case BuyColumn:
        return tr("Media buy");
    case EventColumn:
        return tr("Event");
    case SourceColumn:
        return tr("Seen by");
    case NB_COLUMNS:
        break;
    }
    return {};
}

void BuyEventModel::record(const QString &key, const QString &mediaBuyId, const QDateTime &at,
                           const QString &text, Source source, bool reemission)
{
    const int existing = m_index.value(key, -1);
    if (existing >= 0) {
        Event &event = m_events[static_cast<size_t>(existing)];
        // The same fact again: only a re-emission (or a second source) is news.
        const bool again = (event.sources & source) != 0;
        if (again && !reemission)
            return;
        event.sources |= source;
        if (again)
            ++event.reemissions;
        Q_EMIT dataChanged(index(existing, 0), index(existing, NB_COLUMNS - 1));
        return;
    }
    const int row = rowCount();
    beginInsertRows({}, row, row);
    // A "re-emission" of a notification id that announced another fact is a new fact, not a repeat.
    m_events.push_back({key, mediaBuyId, at, text, source, 0});
    m_index.insert(key, row);
    endInsertRows();
}

void BuyEventModel::applySnapshot(const nlohmann::json &buy, const QDateTime &seenAt)
{
    const QString id = jsonString(buy, "media_buy_id");
    if (id.isEmpty())
        return;
    static const nlohmann::json kNone;
    const auto last = m_lastSnapshot.constFind(id);
    const nlohmann::json &previous = last != m_lastSnapshot.cend() ? *last : kNone;
    const QString status = buyStatus(buy);
    if (!status.isEmpty() && status != buyStatus(previous))
        record(id + QStringLiteral("/status/") + status, id, seenAt, statusEvent(status), Snapshot);
    // Only a snapshot that carries health says anything about impairments.
    if (buy.contains("health")) {
        const QHash<QString, nlohmann::json> now = impairmentsById(buy);
        const QHash<QString, nlohmann::json> before = impairmentsById(previous);
        for (auto it = now.cbegin(); it != now.cend(); ++it) {
            if (!before.contains(it.key())) {
                const QDateTime observed = jsonDateTime(it.value(), "observed_at");
                record(id + QStringLiteral("/impairment/") + it.key(), id,
                       observed.isValid() ? observed : seenAt, describeImpairment(it.value(), false),
                       Snapshot);
            }
        }
        for (auto it = before.cbegin(); it != before.cend(); ++it) {
            if (!now.contains(it.key()))
                record(id + QStringLiteral("/recovered/") + it.key(), id, seenAt,
                       describeImpairment(it.value(), true), Snapshot);
        }
    }
    // The status the snapshot carries is the status, whichever member it uses (`previous` is not read after
    // this: the insertion may move it).
    mergeBuySnapshot(m_lastSnapshot[id], buy);
}

void BuyEventModel::applyWebhook(const nlohmann::json &payload, const QDateTime &receivedAt, bool reemission)
{
    // Webhook bodies put the business payload under `result`; impairment notifications carry the impairment
    // itself plus the buy's health.
    const nlohmann::json result = jsonObject(payload, "result");
    const nlohmann::json &body = result.is_object() && !result.empty() ? result : payload;
    QString id = jsonString(body, "media_buy_id");
    if (id.isEmpty())
        id = jsonString(payload, "media_buy_id");
    if (id.isEmpty())
        return;
    const QString notificationType = jsonString(body, "notification_type");
    // An impairment notification carries the impairment either nested (with `resolved`) or flat.
    const nlohmann::json nested = jsonObject(body, "impairment");
    const nlohmann::json &impairment = nested.is_object() && !nested.empty() ? nested : body;
    if (impairment.contains("impairment_id")) {
        const QString impairmentId = jsonString(impairment, "impairment_id");
        const bool cleared =
            (body.contains("resolved") && body["resolved"].is_boolean() && body["resolved"].get<bool>()) ||
            jsonString(body, "state") == QLatin1String("resolved") ||
            jsonString(body, "status") == QLatin1String("resolved") ||
            jsonString(body, "health") == QLatin1String("ok");
        if (cleared)
            record(id + QStringLiteral("/recovered/") + impairmentId, id, receivedAt,
                   describeImpairment(impairment, true), Webhook, reemission);
        else
            record(id + QStringLiteral("/impairment/") + impairmentId, id,
                   jsonDateTime(impairment, "observed_at").isValid() ? jsonDateTime(impairment, "observed_at")
                                                                     : receivedAt,
                   describeImpairment(impairment, false), Webhook, reemission);
        return;
    }
    const QString status = buyStatus(body);
    if (!status.isEmpty() && notificationType.isEmpty())
        record(id + QStringLiteral("/status/") + status, id, receivedAt, statusEvent(status), Webhook,
               reemission);
}

void BuyEventModel::clear()
{
    beginResetModel();
    m_events.clear();
    m_index.clear();
    m_lastSnapshot.clear();
    endResetModel();
}

nlohmann::json BuyEventModel::saveState() const
{
    nlohmann::json events = nlohmann::json::array();
    for (const Event &event : m_events)
        events.push_back({{"key", toStdString(event.key)},
                          {"media_buy_id", toStdString(event.mediaBuyId)},
                          {"at", toStdString(event.at.toUTC().toString(Qt::ISODateWithMs))},
                          {"text", toStdString(event.text)},
                          {"sources", event.sources},
                          {"reemissions", event.reemissions}});
    nlohmann::json snapshots = nlohmann::json::object();
    for (auto it = m_lastSnapshot.cbegin(); it != m_lastSnapshot.cend(); ++it)
        snapshots[toStdString(it.key())] = it.value();
    return {{"events", std::move(events)}, {"last_snapshots", std::move(snapshots)}};
}

int BuyEventModel::restoreState(const nlohmann::json &state)
{
    const nlohmann::json snapshots = jsonObject(state, "last_snapshots");
    for (auto it = snapshots.begin(); it != snapshots.end(); ++it) {
        const QString id = toQString(it.key());
        if (it->is_object() && !m_lastSnapshot.contains(id))
            m_lastSnapshot.insert(id, *it);
    }
    std::vector<Event> added;
    for (const auto &item : jsonArray(state, "events")) {
        const QString key = jsonString(item, "key");
        const double sourceBits = jsonNumber(item, "sources");
        const int sources = sourceBits >= 1 && sourceBits <= 3 ? static_cast<int>(sourceBits) : 0;
        if (key.isEmpty() || sources == 0 || m_index.contains(key) ||
            std::any_of(added.cbegin(), added.cend(), [&key](const Event &event) { return event.key == key; }))
            continue;
        const double reemissions = jsonNumber(item, "reemissions");
        added.push_back({key, jsonString(item, "media_buy_id"), jsonDateTime(item, "at"), jsonString(item, "text"),
                         sources, reemissions >= 0 && reemissions < 1e6 ? static_cast<int>(reemissions) : 0});
    }
    if (added.empty())
        return 0;
    const int first = rowCount();
    beginInsertRows({}, first, first + static_cast<int>(added.size()) - 1);
    for (Event &event : added) {
        m_index.insert(event.key, static_cast<int>(m_events.size()));
        m_events.push_back(std::move(event));
    }
    endInsertRows();
    return static_cast<int>(added.size());
}

int BuyEventModel::sources(int row) const
{
    return row >= 0 && row < rowCount() ? m_events[static_cast<size_t>(row)].sources : 0;
}

int BuyEventModel::reemissions(int row) const
{
    return row >= 0 && row < rowCount() ? m_events[static_cast<size_t>(row)].reemissions : 0;
}

} // namespace adcp::models
