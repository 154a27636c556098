#pragma once

#include "agentclient.h"

#include <QAbstractTableModel>

#include <memory>
#include <optional>
#include <vector>

namespace adcp::models {

struct StoredExchange; // one row as the model keeps it (exchangemodel.cpp)

// Every request/response pair of the session, oldest first, for the exchange strip and the inspector.
class ExchangeModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ExchangeModel)
public:
    enum Column {
        TimeColumn,
        ToolColumn,
        ResultColumn,
        DurationColumn,
        IssuesColumn,
        AgentColumn,
        NB_COLUMNS
    };

    explicit ExchangeModel(QObject *parent = nullptr);
    ~ExchangeModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // A started exchange is shown as "…" until the same id finishes.
    // Beyond limit() rows the oldest go: a long session keeps its recent history, not every body it ever saw.
    // `background`: the workbench's own polling (status refreshes, task follow-ups), kept apart from what the
    // planner asked for. Polls of a submitted task are background whatever the caller says.
    void addExchange(const adcp::Exchange &exchange, bool background = false);
    bool isBackground(int row) const;
    // Background rows held now, and how many the session has seen in all (rows beyond backgroundLimit() go,
    // oldest first: a long session keeps the planner's exchanges, not every status refresh and its body).
    int backgroundCount() const;
    int backgroundTotal() const;
    void setBackgroundLimit(int rows);
    int backgroundLimit() const;
    void clear();
    void setLimit(int rows);
    int limit() const;

    // The row's exchange, whole. Rows keep their request and response compact (CBOR: a month of hourly
    // delivery is megabytes as a JSON tree and a tenth of that encoded) and are expanded on demand; the
    // pointer stays valid until several other rows have been expanded — use it at once, do not keep it.
    const adcp::Exchange *exchange(int row) const;
    quint64 exchangeId(int row) const; // 0 for a row that does not exist; nothing is expanded
    int rowOfId(quint64 exchangeId) const;
    bool isFailure(int row) const;

    // The history as a JSON document, and back (replaces the rows). Secrets were masked when recorded.
    nlohmann::json toJson() const;
    bool fromJson(const nlohmann::json &document, QString *error = nullptr);
    // Exchanges of an earlier session (oldest first) put before this session's rows; ids already shown are
    // skipped and only the newest that fit under limit() are kept. Returns how many were added.
    int prependHistory(std::vector<adcp::Exchange> exchanges, const std::vector<bool> &background);
    // The exchange has its outcome (an answer, an error, or it was canceled).
    bool isFinished(int row) const;

private:
    void trim();
    void trimBackground();

    std::vector<StoredExchange> m_exchanges;
    std::vector<bool> m_background; // per row
    quint64 m_versions = 0;         // each stored row gets a new one; keys the expanded copies below
    // The last rows expanded, newest last: (version, exchange).
    mutable std::vector<std::pair<quint64, std::unique_ptr<adcp::Exchange>>> m_expanded;
    int m_backgroundCount = 0;
    int m_backgroundTotal = 0;
    int m_limit = 500;
    int m_backgroundLimit = 100;
};

// One exchange as the history document and the saved workspace keep it, and back; nullopt for an entry that
// is not an object with a numeric id (every other member is read leniently: the file may be damaged).
nlohmann::json exchangeToJson(const adcp::Exchange &exchange, bool background);
std::optional<adcp::Exchange> exchangeFromJson(const nlohmann::json &item, bool *background = nullptr);

// A shell command that repeats the exchange with curl (MCP tools/call over HTTP; in-process calls go to
// `endpoint`, the local --serve URL). Masked secrets stay masked unless `bearerToken` is given.
QString curlCommand(const adcp::Exchange &exchange, const QUrl &endpoint = {},
                    const QByteArray &bearerToken = {});
// A task the seller has not finished (submitted, working, input-required): neither a success nor a failure.
bool isPendingStatus(const QString &status);
// "12:01:03 get_products 200 84 ms ✓"
QString exchangeSummary(const adcp::Exchange &exchange);

} // namespace adcp::models
