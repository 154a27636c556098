#include "workspacestore.h"

#include "wire/jsonread.h"

#include <QDir>
#include <QFileInfo>
#include <QPointer>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QThread>
#include <QUuid>

#include <algorithm>

namespace adcp::gui {

namespace {

// A saved document larger than this is not read back (the workspace keeps bodies the seller sent, so a
// hostile agent could otherwise make every start-up parse a huge file).
constexpr std::size_t kMaxDocumentBytes = 64u << 20;

} // namespace

std::optional<nlohmann::json> parseWorkspaceDocument(const QByteArray &utf8, QString *error)
{
    wire::ParseLimits limits;
    limits.maxBytes = kMaxDocumentBytes;
    auto document =
        wire::parse(std::string_view(utf8.constData(), static_cast<std::size_t>(utf8.size())), limits);
    if (!document) {
        *error = QString::fromStdString(document.error().message());
        return std::nullopt;
    }
    return std::move(*document);
}

class WorkspaceStore::Worker final : public QObject
{
public:
    explicit Worker(WorkspaceStore *store)
        : m_store(store),
          m_connection(QStringLiteral("workspace-") + QUuid::createUuid().toString(QUuid::WithoutBraces))
    {
    }

    ~Worker() override
    {
        if (QSqlDatabase::contains(m_connection)) {
            QSqlDatabase::database(m_connection, false).close();
            QSqlDatabase::removeDatabase(m_connection);
        }
    }

    void open(const QString &path)
    {
        QDir().mkpath(QFileInfo(path).absolutePath());
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
        db.setDatabaseName(path);
        if (!db.open()) {
            fail(tr("The workspace file %1 could not be opened: %2").arg(path, db.lastError().text()));
            return;
        }
        QSqlQuery q(db);
        const char *statements[] = {
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=NORMAL",
            "PRAGMA busy_timeout=5000",
            "CREATE TABLE IF NOT EXISTS workspace_documents (workspace TEXT NOT NULL, kind TEXT NOT NULL, "
            "document TEXT NOT NULL, saved_at TEXT NOT NULL, PRIMARY KEY (workspace, kind))",
            "CREATE TABLE IF NOT EXISTS workspace_exchanges (workspace TEXT NOT NULL, id INTEGER NOT NULL, "
            "started_at TEXT NOT NULL, document TEXT NOT NULL, background INTEGER NOT NULL DEFAULT 0, "
            "PRIMARY KEY (workspace, id))",
        };
        for (const char *statement : statements) {
            if (!q.exec(QString::fromLatin1(statement))) {
                fail(tr("The workspace file %1 could not be prepared: %2").arg(path, q.lastError().text()));
                return;
            }
        }
        // Files written before the planner's exchanges were kept apart from the workbench's polling have no
        // background column: it is added and filled from the flag each saved exchange carries.
        bool hasBackground = false;
        if (q.exec(QStringLiteral("PRAGMA table_info(workspace_exchanges)"))) {
            while (q.next())
                hasBackground = hasBackground || q.value(1).toString() == QLatin1String("background");
        }
        if (!hasBackground) {
            if (!q.exec(
                    QStringLiteral("ALTER TABLE workspace_exchanges ADD COLUMN background INTEGER NOT NULL "
                                   "DEFAULT 0"))) {
                fail(tr("The workspace file %1 could not be prepared: %2").arg(path, q.lastError().text()));
                return;
            }
            // A damaged row stays a planner's exchange; reading it later names it.
            q.exec(
                QStringLiteral("UPDATE workspace_exchanges SET background = 1 WHERE json_valid(document) AND "
                               "json_extract(document, '$.background') = 1"));
        }
        q.exec(QStringLiteral("DROP INDEX IF EXISTS workspace_exchanges_by_time"));
        if (!q.exec(QStringLiteral(
                "CREATE INDEX IF NOT EXISTS workspace_exchanges_by_kind ON workspace_exchanges "
                "(workspace, background, started_at)"))) {
            fail(tr("The workspace file %1 could not be prepared: %2").arg(path, q.lastError().text()));
            return;
        }
        m_open = true;
    }

    void saveDocument(const QString &workspace, const QString &kind, const std::string &document)
    {
        if (!m_open)
            return;
        QSqlQuery q(QSqlDatabase::database(m_connection, false));
        q.prepare(QStringLiteral("INSERT INTO workspace_documents (workspace, kind, document, saved_at) "
                                 "VALUES (?, ?, ?, ?) ON CONFLICT (workspace, kind) DO UPDATE SET "
                                 "document = excluded.document, saved_at = excluded.saved_at"));
        q.addBindValue(workspace);
        q.addBindValue(kind);
        q.addBindValue(QString::fromStdString(document));
        q.addBindValue(QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
        exec(q);
    }

    void saveExchange(const QString &workspace, quint64 id, const QDateTime &startedAt, bool background,
                      const std::string &document)
    {
        if (!m_open)
            return;
        QSqlQuery q(QSqlDatabase::database(m_connection, false));
        q.prepare(QStringLiteral("INSERT OR REPLACE INTO workspace_exchanges (workspace, id, started_at, "
                                 "document, background) VALUES (?, ?, ?, ?, ?)"));
        q.addBindValue(workspace);
        q.addBindValue(static_cast<qint64>(id & 0x7fffffffffffffffULL));
        q.addBindValue(startedAt.toUTC().toString(Qt::ISODateWithMs));
        q.addBindValue(QString::fromStdString(document));
        q.addBindValue(background ? 1 : 0);
        exec(q);
    }

    void pruneExchanges(const QString &workspace, int keepDays, int keepRows)
    {
        if (!m_open)
            return;
        QSqlQuery q(QSqlDatabase::database(m_connection, false));
        if (keepDays > 0) {
            q.prepare(QStringLiteral("DELETE FROM workspace_exchanges WHERE workspace = ? AND started_at < ?"));
            q.addBindValue(workspace);
            q.addBindValue(QDateTime::currentDateTimeUtc().addDays(-keepDays).toString(Qt::ISODateWithMs));
            exec(q);
        }
        // The planner's exchanges and the workbench's polling are counted apart: a day of polling does not
        // push what the planner did out of the file.
        for (const int background : {0, 1}) {
            q.prepare(
                QStringLiteral("DELETE FROM workspace_exchanges WHERE workspace = ? AND background = ? AND "
                               "id NOT IN (SELECT id FROM workspace_exchanges WHERE workspace = ? AND "
                               "background = ? ORDER BY started_at DESC, id DESC LIMIT ?)"));
            q.addBindValue(workspace);
            q.addBindValue(background);
            q.addBindValue(workspace);
            q.addBindValue(background);
            q.addBindValue(std::max(0, keepRows));
            exec(q);
        }
    }

    void removeWorkspace(const QString &workspace)
    {
        if (!m_open)
            return;
        QSqlQuery q(QSqlDatabase::database(m_connection, false));
        for (const QString &table : {QStringLiteral("workspace_documents"), QStringLiteral("workspace_exchanges")}) {
            q.prepare(QStringLiteral("DELETE FROM %1 WHERE workspace = ?").arg(table));
            q.addBindValue(workspace);
            exec(q);
        }
    }

    WorkspaceSnapshot load(const QString &workspace, int exchangeRows, int backgroundRows)
    {
        WorkspaceSnapshot snapshot;
        if (!m_open)
            return snapshot;
        QSqlQuery q(QSqlDatabase::database(m_connection, false));
        q.setForwardOnly(true);
        q.prepare(QStringLiteral("SELECT kind, document FROM workspace_documents WHERE workspace = ?"));
        q.addBindValue(workspace);
        if (exec(q)) {
            while (q.next()) {
                const QString kind = q.value(0).toString();
                if (auto document = parse(q.value(1).toString(), tr("the %1 of the workspace").arg(kind),
                                          &snapshot.problems))
                    snapshot.documents.insert(kind, std::move(*document));
            }
        }
        // The newest of the planner's exchanges and, apart, the newest of the background polling, merged
        // oldest first.
        q.prepare(
            QStringLiteral("SELECT id, document FROM (SELECT id, document, started_at FROM (SELECT id, "
                           "document, started_at FROM workspace_exchanges WHERE workspace = ? AND "
                           "background = 0 ORDER BY started_at DESC, id DESC LIMIT ?) UNION ALL SELECT id, "
                           "document, started_at FROM (SELECT id, document, started_at FROM "
                           "workspace_exchanges WHERE workspace = ? AND background <> 0 ORDER BY "
                           "started_at DESC, id DESC LIMIT ?)) ORDER BY started_at, id"));
        q.addBindValue(workspace);
        q.addBindValue(std::max(0, exchangeRows));
        q.addBindValue(workspace);
        q.addBindValue(std::max(0, backgroundRows));
        if (exec(q)) {
            while (q.next()) {
                if (auto document = parse(q.value(1).toString(),
                                          tr("exchange %1").arg(q.value(0).toLongLong()), &snapshot.problems))
                    snapshot.exchanges.push_back(std::move(*document));
            }
        }
        return snapshot;
    }

private:
    std::optional<nlohmann::json> parse(const QString &text, const QString &what, QStringList *problems) const
    {
        QString error;
        auto document = parseWorkspaceDocument(text.toUtf8(), &error);
        if (!document)
            problems->append(tr("%1 could not be read (%2); it was left out.").arg(what, error));
        return document;
    }

    bool exec(QSqlQuery &q)
    {
        if (q.exec())
            return true;
        fail(tr("The workspace file could not be written: %1").arg(q.lastError().text()));
        return false;
    }

    void fail(const QString &message)
    {
        // Reported once per kind of failure in a row, not once per write of a full disk.
        if (message == m_lastFailure)
            return;
        m_lastFailure = message;
        // Emitted on the store's own thread, from its event loop: whoever connects right after making the
        // store (before the loop runs) hears about a file that could not even be opened.
        WorkspaceStore *store = m_store;
        QMetaObject::invokeMethod(
            store,
            [store, message] {
                store->m_lastError = message;
                Q_EMIT store->failed(message);
            },
            Qt::QueuedConnection);
    }

    WorkspaceStore *m_store;
    QString m_connection;
    QString m_lastFailure;
    bool m_open = false;
};

WorkspaceStore::WorkspaceStore(const QString &path, QObject *parent)
    : QObject(parent), m_path(path), m_thread(new QThread), m_worker(new Worker(this))
{
    m_thread->setObjectName(QStringLiteral("workspace-store"));
    m_worker->moveToThread(m_thread);
    m_thread->start();
    post([path](Worker &worker) { worker.open(path); });
}

WorkspaceStore::~WorkspaceStore()
{
    // The worker is deleted on its own thread (its database connection belongs there), after the writes
    // already queued.
    Worker *worker = m_worker;
    QMetaObject::invokeMethod(worker, [worker] { delete worker; }, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
    delete m_thread;
}

QString WorkspaceStore::path() const
{
    return m_path;
}

QString WorkspaceStore::lastError() const
{
    return m_lastError;
}

QString WorkspaceStore::defaultPath()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
        .filePath(QStringLiteral("workspaces.sqlite"));
}

void WorkspaceStore::post(std::function<void(Worker &)> job)
{
    Worker *worker = m_worker;
    QMetaObject::invokeMethod(worker, [worker, job = std::move(job)] { job(*worker); }, Qt::QueuedConnection);
}

void WorkspaceStore::saveDocument(const QString &workspace, const QString &kind, std::string document)
{
    post([workspace, kind, document = std::move(document)](Worker &worker) {
        worker.saveDocument(workspace, kind, document);
    });
}

void WorkspaceStore::saveExchange(const QString &workspace, quint64 id, const QDateTime &startedAt,
                                  std::string document, bool background)
{
    post([workspace, id, startedAt, background, document = std::move(document)](Worker &worker) {
        worker.saveExchange(workspace, id, startedAt, background, document);
    });
}

void WorkspaceStore::pruneExchanges(const QString &workspace, int keepDays, int keepRows)
{
    post([workspace, keepDays, keepRows](Worker &worker) { worker.pruneExchanges(workspace, keepDays, keepRows); });
}

void WorkspaceStore::removeWorkspace(const QString &workspace)
{
    post([workspace](Worker &worker) { worker.removeWorkspace(workspace); });
}

void WorkspaceStore::load(const QString &workspace, int exchangeRows, int backgroundRows, QObject *context,
                          std::function<void(WorkspaceSnapshot)> done)
{
    // The answer travels back through the store (which outlives its thread's jobs); `context` is looked at
    // only on its own thread.
    QPointer<QObject> receiver(context);
    post([this, workspace, exchangeRows, backgroundRows, receiver, done = std::move(done)](Worker &worker) {
        WorkspaceSnapshot snapshot = worker.load(workspace, exchangeRows, backgroundRows);
        QMetaObject::invokeMethod(
            this,
            [receiver, done, snapshot = std::move(snapshot)]() mutable {
                if (receiver)
                    done(std::move(snapshot));
            },
            Qt::QueuedConnection);
    });
}

void WorkspaceStore::flush()
{
    QMetaObject::invokeMethod(m_worker, [] {}, Qt::BlockingQueuedConnection);
}

} // namespace adcp::gui
