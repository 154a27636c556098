#include "labhistory.h"

#include "labreport.h"

#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QUuid>

namespace adcp::lab {

using nlohmann::json;

namespace {

QString textAt(const json &object, const char *key)
{
    if (!object.is_object())
        return {};
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? QString::fromStdString(it->get<std::string>()) : QString();
}

struct StoredStep
{
    QString suite;
    QString step;
    QString title;
    QString verdict;
    QString reason;
};

QList<StoredStep> stepsOf(const json &run)
{
    QList<StoredStep> out;
    if (!run.is_object())
        return out;
    const auto steps = run.find("steps");
    if (steps == run.end() || !steps->is_array())
        return out;
    for (const auto &s : *steps)
        out.append({textAt(s, "suite"), textAt(s, "step"), textAt(s, "title"), textAt(s, "verdict"),
                    textAt(s, "reason")});
    return out;
}

} // namespace

LabHistory::LabHistory(QString path)
    : m_path(std::move(path))
    , m_connection(QStringLiteral("lab-history-") + QUuid::createUuid().toString(QUuid::WithoutBraces))
{
}

LabHistory::~LabHistory()
{
    if (QSqlDatabase::contains(m_connection)) {
        QSqlDatabase::database(m_connection, false).close();
        QSqlDatabase::removeDatabase(m_connection);
    }
}

QString LabHistory::defaultPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/testlab-history.sqlite");
}

bool LabHistory::open(QString *error)
{
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
    db.setDatabaseName(m_path);
    if (!db.open()) {
        *error = db.lastError().text();
        return false;
    }
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS lab_runs (id INTEGER PRIMARY KEY, agent_url TEXT NOT NULL, "
                               "agent_name TEXT NOT NULL, started_at TEXT NOT NULL, passed INTEGER NOT NULL, "
                               "failed INTEGER NOT NULL, not_applicable INTEGER NOT NULL, report TEXT NOT NULL)")) ||
        !q.exec(QStringLiteral("CREATE INDEX IF NOT EXISTS lab_runs_agent ON lab_runs(agent_url, id)"))) {
        *error = q.lastError().text();
        return false;
    }
    return true;
}

qint64 LabHistory::save(const LabRun &run, QString *error)
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("INSERT INTO lab_runs (agent_url, agent_name, started_at, passed, failed, not_applicable, "
                             "report) VALUES (?, ?, ?, ?, ?, ?, ?)"));
    q.addBindValue(run.config.historyKey());
    q.addBindValue(run.agentName);
    q.addBindValue(run.startedAt.toString(Qt::ISODateWithMs));
    q.addBindValue(run.count(Verdict::Passed));
    q.addBindValue(run.count(Verdict::Failed));
    q.addBindValue(run.count(Verdict::NotApplicable));
    q.addBindValue(QString::fromStdString(runToJson(run).dump()));
    if (!q.exec()) {
        *error = q.lastError().text();
        return 0;
    }
    return q.lastInsertId().toLongLong();
}

QList<LabHistory::Entry> LabHistory::runs(const QString &agentUrl, int limit) const
{
    QList<Entry> out;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    // Every agent's runs for an empty URL (a null QString binds as NULL, which equals nothing).
    const QString filter = agentUrl.isEmpty() ? QString() : agentUrl;
    q.prepare(QStringLiteral(
        "SELECT id, agent_url, agent_name, started_at, passed, failed, not_applicable FROM lab_runs "
        "WHERE ? IS NULL OR agent_url = ? ORDER BY id DESC LIMIT ?"));
    q.addBindValue(filter);
    q.addBindValue(filter);
    q.addBindValue(limit);
    if (!q.exec())
        return out;
    while (q.next())
        out.append({q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toString(),
                    QDateTime::fromString(q.value(3).toString(), Qt::ISODateWithMs), q.value(4).toInt(),
                    q.value(5).toInt(), q.value(6).toInt()});
    return out;
}

std::optional<json> LabHistory::load(qint64 id) const
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("SELECT report FROM lab_runs WHERE id = ?"));
    q.addBindValue(id);
    if (!q.exec() || !q.next())
        return std::nullopt;
    const QByteArray text = q.value(0).toString().toUtf8();
    json run = json::parse(text.constBegin(), text.constEnd(), nullptr, false);
    if (run.is_discarded() || !run.is_object())
        return std::nullopt;
    return run;
}

QHash<QString, QString> verdictsOf(const json &run)
{
    QHash<QString, QString> out;
    for (const StoredStep &s : stepsOf(run))
        out.insert(s.suite + u'/' + s.step, s.verdict);
    return out;
}

QList<StepChange> compareRuns(const json &before, const json &after)
{
    QList<StepChange> changes;
    const QHash<QString, QString> old = verdictsOf(before);
    QSet<QString> seen;
    for (const StoredStep &s : stepsOf(after)) {
        const QString key = s.suite + u'/' + s.step;
        seen.insert(key);
        const QString was = old.value(key);
        if (was != s.verdict)
            changes.append({s.suite, s.step, s.title, was, s.verdict, s.reason});
    }
    for (const StoredStep &s : stepsOf(before))
        if (!seen.contains(s.suite + u'/' + s.step))
            changes.append({s.suite, s.step, s.title, s.verdict, QString(), QString()});
    return changes;
}

} // namespace adcp::lab
