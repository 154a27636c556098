#pragma once

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>

#include <nlohmann/json.hpp>

#include <vector>

class QTimer;
class QToolBar;

namespace adcp::gui {

class Workbench;
class WorkspaceStore;
struct WorkspaceSnapshot;

// What restoreWorkspace brought back.
struct RestoredCounts
{
    int opportunities = 0;
    int proposals = 0;
    int buys = 0;
    int exchanges = 0;
    std::vector<quint64> exchangeIds; // the exchanges read back, in the snapshot's order
};

// Merges a workspace read back from the store into the workbench's models and session (a live answer the
// session already holds wins); an exchange that cannot be read is left out and named in snapshot.problems.
// Every document may be anything: the file is untrusted input (fuzz/fuzz_workspace_state).
RestoredCounts restoreWorkspace(Workbench *workbench, WorkspaceSnapshot &snapshot);

// Keeps the planner's workspace with one agent (opportunities, every proposal version, decisions with their
// reasons, buys and their timeline, the products on show, the exchanges) in the WorkspaceStore, and brings
// it back when that agent is opened again, after a switch or a restart. Changes are written a moment after
// they happen (a burst of answers is one write), finished exchanges one by one; the live buys brought back
// are then re-read by the workbench's status polling as any other.
class WorkspaceKeeper final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WorkspaceKeeper)
public:
    WorkspaceKeeper(Workbench *workbench, WorkspaceStore *store, QObject *parent = nullptr);
    ~WorkspaceKeeper() override;

    // The workbench now talks to `agentId` ("embedded" or a profile id) as `principal`, for its active
    // account: that workspace is read back and merged into what the session already shows. Nothing is saved
    // under it until that is done. Picking another account of the agent later opens that account's workspace.
    void open(const QString &agentId, const QString &principal);
    QString workspace() const;
    bool isRestored() const;
    // Exchanges older than this many days are pruned when a workspace opens (0 = kept at any age); at most
    // `rows` of the planner's exchanges are kept per workspace and, counted apart, `rows` of the workbench's
    // background polling.
    void setExchangeRetention(int days, int rows);
    int retentionDays() const;
    int retentionRows() const;
    // Hands what changed to the store now (window closing; the store's destructor then waits for it).
    void saveNow();
    // Saves what changed and stops keeping the session until the next open(): a trainer scenario takes the
    // window over, and what it does must not land in the planner's workspace.
    void close();

    // The workspace of `principal` at `agentId`, for `account` (an account as the workbench holds it; null =
    // none picked).
    static QString workspaceKey(const QString &agentId, const QString &principal,
                                const nlohmann::json &account = nlohmann::json());

Q_SIGNALS:
    // A workspace was read back: how much of it the window shows again, and what could not be read.
    void restored(const QString &workspace, int opportunities, int proposals, int buys, int exchanges,
                  const QStringList &problems);

private:
    enum Kind : unsigned {
        Opportunities = 1u << 0,
        Proposals = 1u << 1,
        Buys = 1u << 2,
        Events = 1u << 3,
        Products = 1u << 4,
        Session = 1u << 5,
    };
    void markDirty(unsigned kinds);
    void saveDirty();
    void saveExchanges(int first, int last);

    QPointer<Workbench> m_workbench;
    QPointer<WorkspaceStore> m_store;
    QString m_workspace;
    QString m_agentId; // of the last open(): another account reopens there
    QString m_principal;
    bool m_restored = false;
    quint64 m_generation = 0; // an answer of an earlier open() is dropped
    unsigned m_dirty = 0;
    QTimer *m_debounce;
    QHash<unsigned, std::size_t> m_savedHash; // kind -> hash of the document last handed over
    QSet<quint64> m_savedExchanges;
    int m_retentionDays = 30;
    int m_retentionRows = 5000;
};

// A "Workspace" button on the agent bar: how long exchanges are kept (a setting the keeper applies when a
// workspace opens) and where the workspace file is.
void installWorkspaceButton(QToolBar *agentBar, WorkspaceKeeper *keeper, const QString &path);
// The retention the user chose (days; 0 = any age), 30 by default.
int savedExchangeRetentionDays();

} // namespace adcp::gui
