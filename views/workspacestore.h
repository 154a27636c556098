#pragma once

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QStringList>

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <vector>

class QThread;

namespace adcp::gui {

// What a workspace held when it was saved: one document per kind (opportunities, proposals, buys, ...) and
// the newest exchanges, oldest first. Documents are parsed with depth and size limits; a row that cannot
// be read is left out and named in `problems`.
struct WorkspaceSnapshot
{
    QHash<QString, nlohmann::json> documents;
    std::vector<nlohmann::json> exchanges;
    QStringList problems;
};

// One stored document (UTF-8 JSON) read as the store reads it: nesting depth and size limited, never
// throwing; on failure *error says why.
std::optional<nlohmann::json> parseWorkspaceDocument(const QByteArray &utf8, QString *error);

// The planner's workspaces in a local SQLite file (one per agent and principal, keyed by a string the
// caller chooses). All database work runs on the store's own thread, in the order it was asked for; the
// GUI thread only hands over documents already serialized and receives loaded snapshots through a callback.
// Writes are committed one by one (WAL), so what was handed over before a crash is on disk after it.
class WorkspaceStore final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WorkspaceStore)
public:
    // Opens (creating) the file on the store's thread; a failure is reported by failed() and every later
    // call is then a no-op.
    explicit WorkspaceStore(const QString &path, QObject *parent = nullptr);
    // Waits for the writes already handed over, then closes the file.
    ~WorkspaceStore() override;

    QString path() const;
    // The last failure reported by failed(), empty when none.
    QString lastError() const;
    // The default file in the user's application-data folder.
    static QString defaultPath();

    // Replaces the document of `kind` in `workspace`.
    void saveDocument(const QString &workspace, const QString &kind, std::string document);
    // Adds (or replaces, by id) one exchange of `workspace`; `background`: the workbench's own polling, kept
    // and counted apart from what the planner asked for.
    void saveExchange(const QString &workspace, quint64 id, const QDateTime &startedAt, std::string document,
                      bool background = false);
    // Drops the exchanges older than `keepDays` (0 = keep every age), and all but the newest `keepRows` of
    // the planner's exchanges and, apart, of the background ones.
    void pruneExchanges(const QString &workspace, int keepDays, int keepRows);
    // Forgets everything `workspace` holds.
    void removeWorkspace(const QString &workspace);
    // Reads `workspace` (its documents, the newest `exchangeRows` of the planner's exchanges and the newest
    // `backgroundRows` background ones, oldest first) after every write asked for before; `done` runs on the
    // thread that made the store, unless `context` is gone by then.
    void load(const QString &workspace, int exchangeRows, int backgroundRows, QObject *context,
              std::function<void(WorkspaceSnapshot)> done);
    // Blocks until every write handed over so far is committed (shutdown and tests).
    void flush();

Q_SIGNALS:
    // Delivered through the event loop of the thread that made the store, never earlier.
    void failed(const QString &message);

private:
    class Worker;
    void post(std::function<void(Worker &)> job);

    QString m_path;
    QString m_lastError;
    QThread *m_thread;
    Worker *m_worker;
};

} // namespace adcp::gui
