#include "exchangemodel.h"

#include "jsonvalues.h"
#include "modelroles.h"

#include <QBrush>
#include <QColor>

#include <algorithm>

namespace adcp::models {

// A row: everything of the exchange but its documents, which are kept CBOR-encoded (empty = null), with what
// the table shows of the response.
struct StoredExchange
{
    adcp::Exchange head; // request and response are null here
    std::vector<std::uint8_t> request;
    std::vector<std::uint8_t> response;
    bool hasResponse = false;
    QString responseStatus;
    quint64 version = 0;
    quint64 id() const { return head.id; }
};

namespace {

constexpr std::size_t kExpandedKept = 8;

StoredExchange compact(const adcp::Exchange &exchange, quint64 version)
{
    StoredExchange stored;
    stored.request = compactJson(exchange.request);
    stored.response = compactJson(exchange.response);
    stored.hasResponse = !exchange.response.is_null();
    stored.responseStatus = jsonString(exchange.response, "status");
    // Every member but the two documents (copying them only to drop them would cost what encoding saves). A
    // member added to adcp::Exchange must be copied here too (tst_models::exchangesKeptCompactComeBackWhole).
    adcp::Exchange &head = stored.head;
    head.id = exchange.id;
    head.agent = exchange.agent;
    head.tool = exchange.tool;
    head.startedAt = exchange.startedAt;
    head.elapsedMs = exchange.elapsedMs;
    head.meta = exchange.meta;
    head.requestIssues = exchange.requestIssues;
    head.responseIssues = exchange.responseIssues;
    head.error = exchange.error;
    head.canceled = exchange.canceled;
    stored.version = version;
    return stored;
}

adcp::Exchange expand(const StoredExchange &stored)
{
    adcp::Exchange exchange = stored.head;
    exchange.request = expandJson(stored.request);
    exchange.response = expandJson(stored.response);
    return exchange;
}

// `hasResponse` and `status`: whether the exchange has a response document, and its "status" member.
QString resultText(const adcp::Exchange &exchange, bool hasResponse, const QString &status)
{
    if (exchange.canceled)
        return QStringLiteral("canceled");
    if (exchange.error)
        return QString::fromStdString(exchange.error->code);
    if (!hasResponse)
        return QStringLiteral("…");
    if (exchange.meta.httpStatus > 0)
        return status.isEmpty() ? QString::number(exchange.meta.httpStatus)
                                : QStringLiteral("%1 %2").arg(exchange.meta.httpStatus).arg(status);
    return status.isEmpty() ? QStringLiteral("ok") : status;
}

bool isPollTool(const QString &tool)
{
    return tool == QLatin1String("get_task_status") || tool == QLatin1String("tasks_get");
}

// No answer yet, or an answer that is not the outcome (the seller has not finished).
bool awaitingOutcome(bool hasResponse, const QString &status)
{
    return !hasResponse || isPendingStatus(status);
}

// ✓ done, ✗ failed, ◷ awaiting the outcome (a clock face the stock Debian fonts draw; an hourglass emoji came
// out as an empty box under Xvfb).
QString resultGlyph(bool awaiting, bool failed)
{
    if (failed)
        return QStringLiteral("✗");
    return awaiting ? QStringLiteral("◷") : QStringLiteral("✓");
}

int issueCount(const adcp::Exchange &exchange)
{
    return static_cast<int>(exchange.requestIssues.size() + exchange.responseIssues.size());
}

nlohmann::json headersToJson(const HeaderList &headers)
{
    nlohmann::json array = nlohmann::json::array();
    for (const auto &header : headers)
        array.push_back({header.first.toStdString(), header.second.toStdString()});
    return array;
}

HeaderList headersFromJson(const nlohmann::json &array)
{
    HeaderList headers;
    if (!array.is_array())
        return headers;
    for (const auto &pair : array) {
        if (pair.is_array() && pair.size() == 2 && pair[0].is_string() && pair[1].is_string())
            headers.append({QByteArray::fromStdString(pair[0].get<std::string>()),
                            QByteArray::fromStdString(pair[1].get<std::string>())});
    }
    return headers;
}

nlohmann::json issuesToJson(const std::vector<ValidationIssue> &issues)
{
    nlohmann::json array = nlohmann::json::array();
    for (const auto &issue : issues)
        array.push_back({{"pointer", issue.pointer}, {"message", issue.message}, {"keyword", issue.keyword}});
    return array;
}

std::vector<ValidationIssue> issuesFromJson(const nlohmann::json &array)
{
    std::vector<ValidationIssue> issues;
    if (!array.is_array())
        return issues;
    for (const auto &item : array) {
        if (item.is_object())
            issues.push_back({toStdString(jsonString(item, "pointer")), toStdString(jsonString(item, "message")),
                              toStdString(jsonString(item, "keyword"))});
    }
    return issues;
}

} // namespace

ExchangeModel::ExchangeModel(QObject *parent) : QAbstractTableModel(parent) {}

ExchangeModel::~ExchangeModel() = default;

int ExchangeModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_exchanges.size());
}

int ExchangeModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : NB_COLUMNS;
}

QVariant ExchangeModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const StoredExchange &stored = m_exchanges[static_cast<size_t>(index.row())];
    const adcp::Exchange &exchange = stored.head;
    const bool failed = isFailure(index.row());
    const bool awaiting = awaitingOutcome(stored.hasResponse, stored.responseStatus);
    switch (role) {
    case IdRole:
        return exchange.id;
    case StatusRole:
        if (failed)
            return QStringLiteral("failed");
        return awaiting ? QStringLiteral("pending") : QStringLiteral("ok");
    case BackgroundRole:
        return isBackground(index.row());
    case Qt::ForegroundRole:
        if (index.column() == ResultColumn) {
            if (failed)
                return QBrush(QColor(0xc2, 0x41, 0x0c));
            return QBrush(awaiting ? QColor(0xb4, 0x53, 0x09) : QColor(0x2e, 0x9d, 0x57));
        }
        if (isBackground(index.row()))
            return QBrush(QColor(0x9c, 0xa3, 0xaf));
        return {};
    case Qt::ToolTipRole:
        return isBackground(index.row()) ? tr("Background polling by the workbench") : QVariant();
    case Qt::TextAlignmentRole:
        if (index.column() == DurationColumn || index.column() == IssuesColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case SortRole:
        switch (static_cast<Column>(index.column())) {
        case TimeColumn:
            return exchange.startedAt.toMSecsSinceEpoch();
        case DurationColumn:
            return exchange.elapsedMs;
        case IssuesColumn:
            return issueCount(exchange);
        default:
            return data(index, Qt::DisplayRole);
        }
    case Qt::DisplayRole:
        switch (static_cast<Column>(index.column())) {
        case TimeColumn:
            return exchange.startedAt.toLocalTime().toString(QStringLiteral("HH:mm:ss"));
        case ToolColumn:
            return exchange.tool;
        case ResultColumn:
            return QString(resultText(exchange, stored.hasResponse, stored.responseStatus) +
                           QLatin1Char(' ') + resultGlyph(awaiting, failed));
        case DurationColumn:
            return !stored.hasResponse && !exchange.error ? QString()
                                                          : QStringLiteral("%1 ms").arg(exchange.elapsedMs);
        case IssuesColumn:
            return issueCount(exchange) > 0 ? tr("%n issue(s)", nullptr, issueCount(exchange)) : QString();
        case AgentColumn:
            return exchange.agent;
        case NB_COLUMNS:
            break;
        }
        return {};
    default:
        return {};
    }
}

QVariant ExchangeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (static_cast<Column>(section)) {
    case TimeColumn:
        return tr("Time");
    case ToolColumn:
        return tr("Tool");
    case ResultColumn:
        return tr("Result");
    case DurationColumn:
        return tr("Duration");
    case IssuesColumn:
        return tr("Schema issues");
    case AgentColumn:
        return tr("Agent");
    case NB_COLUMNS:
        break;
    }
    return {};
}

void ExchangeModel::addExchange(const adcp::Exchange &exchange, bool background)
{
    const int existing = rowOfId(exchange.id);
    if (existing >= 0) {
        m_exchanges[static_cast<size_t>(existing)] = compact(exchange, ++m_versions);
        Q_EMIT dataChanged(index(existing, 0), index(existing, NB_COLUMNS - 1));
        return;
    }
    const bool polling = background || isPollTool(exchange.tool);
    const int row = rowCount();
    beginInsertRows({}, row, row);
    m_exchanges.push_back(compact(exchange, ++m_versions));
    m_background.push_back(polling);
    m_backgroundCount += polling ? 1 : 0;
    m_backgroundTotal += polling ? 1 : 0;
    endInsertRows();
    trim();
    trimBackground();
}

int ExchangeModel::backgroundTotal() const
{
    return m_backgroundTotal;
}

void ExchangeModel::setBackgroundLimit(int rows)
{
    m_backgroundLimit = std::max(1, rows);
    trimBackground();
}

int ExchangeModel::backgroundLimit() const
{
    return m_backgroundLimit;
}

void ExchangeModel::trimBackground()
{
    while (m_backgroundCount > m_backgroundLimit) {
        const auto oldest = std::find(m_background.begin(), m_background.end(), true);
        if (oldest == m_background.end())
            return;
        const int row = static_cast<int>(oldest - m_background.begin());
        beginRemoveRows({}, row, row);
        m_exchanges.erase(m_exchanges.begin() + row);
        m_background.erase(oldest);
        --m_backgroundCount;
        endRemoveRows();
    }
}

bool ExchangeModel::isBackground(int row) const
{
    return row >= 0 && row < rowCount() && m_background[static_cast<size_t>(row)];
}

int ExchangeModel::backgroundCount() const
{
    return m_backgroundCount;
}

void ExchangeModel::setLimit(int rows)
{
    m_limit = std::max(1, rows);
    trim();
}

void ExchangeModel::trim()
{
    if (rowCount() > m_limit) {
        const int excess = rowCount() - m_limit;
        beginRemoveRows({}, 0, excess - 1);
        m_exchanges.erase(m_exchanges.begin(), m_exchanges.begin() + excess);
        m_backgroundCount -= static_cast<int>(
            std::count(m_background.begin(), m_background.begin() + excess, true));
        m_background.erase(m_background.begin(), m_background.begin() + excess);
        endRemoveRows();
    }
}

int ExchangeModel::limit() const
{
    return m_limit;
}

void ExchangeModel::clear()
{
    beginResetModel();
    m_exchanges.clear();
    m_expanded.clear();
    m_background.clear();
    m_backgroundCount = 0;
    m_backgroundTotal = 0;
    endResetModel();
}

const adcp::Exchange *ExchangeModel::exchange(int row) const
{
    if (row < 0 || row >= rowCount())
        return nullptr;
    const StoredExchange &stored = m_exchanges[static_cast<size_t>(row)];
    const auto found = std::find_if(m_expanded.begin(), m_expanded.end(),
                                    [&stored](const auto &entry) { return entry.first == stored.version; });
    if (found != m_expanded.end())
        return found->second.get();
    if (m_expanded.size() >= kExpandedKept)
        m_expanded.erase(m_expanded.begin());
    m_expanded.emplace_back(stored.version, std::make_unique<adcp::Exchange>(expand(stored)));
    return m_expanded.back().second.get();
}

quint64 ExchangeModel::exchangeId(int row) const
{
    return row >= 0 && row < rowCount() ? m_exchanges[static_cast<size_t>(row)].id() : 0;
}

int ExchangeModel::rowOfId(quint64 exchangeId) const
{
    // Exchanges arrive in id order; search from the end, where a finishing call usually is.
    for (int i = rowCount() - 1; i >= 0; --i) {
        if (m_exchanges[static_cast<size_t>(i)].id() == exchangeId)
            return i;
    }
    return -1;
}

bool ExchangeModel::isFailure(int row) const
{
    if (row < 0 || row >= rowCount())
        return false;
    const adcp::Exchange &e = m_exchanges[static_cast<size_t>(row)].head;
    return e.error.has_value() || e.canceled || e.meta.httpStatus >= 400;
}

nlohmann::json exchangeToJson(const adcp::Exchange &e, bool background)
{
    nlohmann::json item = {
        {"id", e.id},
        {"agent", e.agent.toStdString()},
        {"tool", e.tool.toStdString()},
        {"started_at", e.startedAt.toUTC().toString(Qt::ISODateWithMs).toStdString()},
        {"elapsed_ms", e.elapsedMs},
        {"request", e.request},
        {"response", e.response},
        {"transport", e.meta.transport.toStdString()},
        {"url", e.meta.url.toString().toStdString()},
        {"http_status", e.meta.httpStatus},
        {"request_headers", headersToJson(e.meta.requestHeaders)},
        {"response_headers", headersToJson(e.meta.responseHeaders)},
        {"request_issues", issuesToJson(e.requestIssues)},
        {"response_issues", issuesToJson(e.responseIssues)},
        {"canceled", e.canceled},
        {"background", background},
    };
    if (e.error)
        item["error"] = e.error->toJson();
    return item;
}

std::optional<adcp::Exchange> exchangeFromJson(const nlohmann::json &item, bool *background)
{
    if (!item.is_object())
        return std::nullopt;
    const auto unsignedAt = [&item](const char *key) -> std::optional<quint64> {
        const auto it = item.find(key);
        if (it == item.end() || !it->is_number_unsigned())
            return std::nullopt;
        return it->get<quint64>();
    };
    const auto flagAt = [&item](const char *key) {
        const auto it = item.find(key);
        return it != item.end() && it->is_boolean() && it->get<bool>();
    };
    const std::optional<quint64> id = unsignedAt("id");
    if (!id)
        return std::nullopt;
    adcp::Exchange e;
    e.id = *id;
    e.agent = jsonString(item, "agent");
    e.tool = jsonString(item, "tool");
    e.startedAt = jsonDateTime(item, "started_at");
    const double elapsed = jsonNumber(item, "elapsed_ms");
    e.elapsedMs = elapsed >= 0 && elapsed < 1e12 ? static_cast<qint64>(elapsed) : 0;
    if (const auto it = item.find("request"); it != item.end())
        e.request = *it;
    if (const auto it = item.find("response"); it != item.end())
        e.response = *it;
    e.meta.transport = jsonString(item, "transport");
    e.meta.url = QUrl(jsonString(item, "url"));
    const double status = jsonNumber(item, "http_status");
    e.meta.httpStatus = status >= 0 && status < 1000 ? static_cast<int>(status) : 0;
    e.meta.requestHeaders = headersFromJson(jsonArray(item, "request_headers"));
    e.meta.responseHeaders = headersFromJson(jsonArray(item, "response_headers"));
    e.requestIssues = issuesFromJson(jsonArray(item, "request_issues"));
    e.responseIssues = issuesFromJson(jsonArray(item, "response_issues"));
    e.canceled = flagAt("canceled");
    const nlohmann::json error = jsonObject(item, "error");
    if (!error.empty())
        e.error = AdcpError::fromJson(error);
    if (background)
        *background = flagAt("background") || isPollTool(e.tool);
    return e;
}

nlohmann::json ExchangeModel::toJson() const
{
    nlohmann::json array = nlohmann::json::array();
    for (size_t i = 0; i < m_exchanges.size(); ++i)
        array.push_back(exchangeToJson(expand(m_exchanges[i]), m_background[i]));
    return {{"adcp_workbench_exchanges", 1}, {"exchanges", array}};
}

bool ExchangeModel::fromJson(const nlohmann::json &document, QString *error)
{
    if (!document.is_object() || !document.contains("exchanges") || !document["exchanges"].is_array()) {
        if (error)
            *error = tr("Not an exchange history: the document has no \"exchanges\" array.");
        return false;
    }
    std::vector<adcp::Exchange> loaded;
    std::vector<bool> background;
    for (const auto &item : document["exchanges"]) {
        bool polling = false;
        std::optional<adcp::Exchange> e = exchangeFromJson(item, &polling);
        if (!e) {
            if (error)
                *error = tr("Exchange %1 is not an object with a numeric \"id\".").arg(loaded.size());
            return false;
        }
        loaded.push_back(std::move(*e));
        background.push_back(polling);
    }
    beginResetModel();
    m_background = std::move(background);
    m_backgroundCount = static_cast<int>(std::count(m_background.begin(), m_background.end(), true));
    m_exchanges.clear();
    for (adcp::Exchange &e : loaded)
        m_exchanges.push_back(compact(e, ++m_versions));
    endResetModel();
    trim();
    return true;
}

int ExchangeModel::prependHistory(std::vector<adcp::Exchange> exchanges, const std::vector<bool> &background)
{
    std::vector<adcp::Exchange> kept;
    std::vector<bool> keptBackground;
    const int room = m_limit - rowCount();
    for (size_t i = 0; i < exchanges.size(); ++i) {
        if (rowOfId(exchanges[i].id) >= 0 ||
            std::any_of(kept.cbegin(), kept.cend(),
                        [&](const adcp::Exchange &e) { return e.id == exchanges[i].id; }))
            continue;
        kept.push_back(std::move(exchanges[i]));
        keptBackground.push_back(i < background.size() && background[i]);
    }
    // Background rows beyond the room backgroundLimit() leaves go first (the oldest of them), so that they do
    // not take the planner's rows' places under limit() only to be trimmed afterwards.
    int backgroundRoom = std::max(0, m_backgroundLimit - m_backgroundCount);
    for (auto i = static_cast<std::ptrdiff_t>(kept.size()) - 1; i >= 0; --i) {
        if (!keptBackground[static_cast<size_t>(i)])
            continue;
        if (backgroundRoom > 0) {
            --backgroundRoom;
            continue;
        }
        kept.erase(kept.begin() + i);
        keptBackground.erase(keptBackground.begin() + i);
    }
    // The newest of the history fill the room the limit leaves.
    if (room <= 0)
        return 0;
    if (static_cast<int>(kept.size()) > room) {
        const auto drop = static_cast<std::ptrdiff_t>(kept.size()) - room;
        kept.erase(kept.begin(), kept.begin() + drop);
        keptBackground.erase(keptBackground.begin(), keptBackground.begin() + drop);
    }
    if (kept.empty())
        return 0;
    std::vector<StoredExchange> stored;
    stored.reserve(kept.size());
    for (adcp::Exchange &e : kept)
        stored.push_back(compact(e, ++m_versions));
    beginInsertRows({}, 0, static_cast<int>(kept.size()) - 1);
    m_exchanges.insert(m_exchanges.begin(), std::make_move_iterator(stored.begin()),
                       std::make_move_iterator(stored.end()));
    m_background.insert(m_background.begin(), keptBackground.begin(), keptBackground.end());
    m_backgroundCount += static_cast<int>(std::count(keptBackground.begin(), keptBackground.end(), true));
    endInsertRows();
    trimBackground();
    return static_cast<int>(kept.size());
}

bool ExchangeModel::isFinished(int row) const
{
    if (row < 0 || row >= rowCount())
        return false;
    const StoredExchange &stored = m_exchanges[static_cast<size_t>(row)];
    return stored.hasResponse || stored.head.error || stored.head.canceled;
}

QString curlCommand(const adcp::Exchange &exchange, const QUrl &endpoint, const QByteArray &bearerToken)
{
    const nlohmann::json body = {
        {"jsonrpc", "2.0"},
        {"id", exchange.id},
        {"method", "tools/call"},
        {"params", {{"name", exchange.tool.toStdString()}, {"arguments", exchange.request}}}};
    QString url = exchange.meta.url.toString();
    if (url.isEmpty())
        url = endpoint.isEmpty() ? QStringLiteral("http://127.0.0.1:8765/mcp") : endpoint.toString();
    QString command = QStringLiteral("curl -sS -X POST '%1'").arg(url);
    command += QStringLiteral(" \\\n  -H 'Content-Type: application/json'");
    command += QStringLiteral(" \\\n  -H 'Accept: application/json, text/event-stream'");
    for (const auto &header : exchange.meta.requestHeaders) {
        const QString name = QString::fromLatin1(header.first);
        if (name.compare(QLatin1String("content-type"), Qt::CaseInsensitive) == 0 ||
            name.compare(QLatin1String("accept"), Qt::CaseInsensitive) == 0)
            continue;
        QString value = QString::fromLatin1(header.second);
        const bool authorization = name.compare(QLatin1String("authorization"), Qt::CaseInsensitive) == 0;
        if (authorization && !bearerToken.isEmpty()) {
            value = QStringLiteral("Bearer ") + QString::fromUtf8(bearerToken);
        } else if (authorization && value.contains(QLatin1String("****"))) {
            // The log keeps the token masked; the command names a shell variable instead, so it runs as pasted
            // once ADCP_TOKEN holds the agent's token (double quotes let the shell expand it).
            command += QStringLiteral(" \\\n  -H \"%1: Bearer $ADCP_TOKEN\"").arg(name);
            continue;
        }
        command += QStringLiteral(" \\\n  -H '%1: %2'").arg(name, value);
    }
    QString json = QString::fromStdString(body.dump());
    json.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
    command += QStringLiteral(" \\\n  -d '%1'").arg(json);
    return command;
}

bool isPendingStatus(const QString &status)
{
    return status == QLatin1String("submitted") || status == QLatin1String("working") ||
           status == QLatin1String("input-required");
}

QString exchangeSummary(const adcp::Exchange &exchange)
{
    const bool failed = exchange.error.has_value() || exchange.canceled || exchange.meta.httpStatus >= 400;
    const bool hasResponse = !exchange.response.is_null();
    const QString status = jsonString(exchange.response, "status");
    return QStringLiteral("%1 %2 %3 %4 ms %5")
        .arg(exchange.startedAt.toLocalTime().toString(QStringLiteral("HH:mm:ss")), exchange.tool,
             resultText(exchange, hasResponse, status))
        .arg(exchange.elapsedMs)
        .arg(resultGlyph(awaitingOutcome(hasResponse, status), failed));
}

} // namespace adcp::models
