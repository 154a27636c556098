#include "workspacekeeper.h"

#include "accountmodel.h"
#include "buyeventmodel.h"
#include "buymodel.h"
#include "exchangemodel.h"
#include "opportunitymodel.h"
#include "productmodel.h"
#include "proposalmodel.h"
#include "workbench.h"
#include "workspacestore.h"

#include <QActionGroup>
#include <QMenu>
#include <QSettings>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>

#include <functional>

namespace adcp::gui {

using nlohmann::json;

namespace {

const QString kRetentionKey = QStringLiteral("Workspace/exchangeRetentionDays");

// A burst of answers (a refresh touches every buy) becomes one write.
constexpr int kSaveDelayMs = 400;

const char *kindName(unsigned kind)
{
    switch (kind) {
    case 1u << 0:
        return "opportunities";
    case 1u << 1:
        return "proposals";
    case 1u << 2:
        return "buys";
    case 1u << 3:
        return "events";
    case 1u << 4:
        return "products";
    default:
        return "session";
    }
}

} // namespace

WorkspaceKeeper::WorkspaceKeeper(Workbench *workbench, WorkspaceStore *store, QObject *parent)
    : QObject(parent), m_workbench(workbench), m_store(store), m_debounce(new QTimer(this))
{
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(kSaveDelayMs);
    connect(m_debounce, &QTimer::timeout, this, &WorkspaceKeeper::saveDirty);

    // The models are about to be cleared for another agent: what they hold goes to the old workspace.
    connect(workbench, &Workbench::sessionAboutToReset, this, &WorkspaceKeeper::close);
    connect(workbench, &Workbench::sessionStateChanged, this, [this] { markDirty(Session); });
    // Another account of the same agent: its own workspace. What the window holds is saved to the account
    // left, the planning is cleared and the new account's workspace is read back. A closed keeper (another
    // agent is being set up, a trainer scenario runs) reads the account at the next open().
    connect(workbench, &Workbench::activeAccountChanged, this, [this] {
        if (m_workspace.isEmpty() || !m_workbench)
            return;
        if (workspaceKey(m_agentId, m_principal, m_workbench->activeAccount()) == m_workspace)
            return;
        close();
        m_workbench->startAccountSession();
        open(m_agentId, m_principal);
    });

    const auto watch = [this](QAbstractItemModel *model, unsigned kinds) {
        const auto dirty = [this, kinds] { markDirty(kinds); };
        connect(model, &QAbstractItemModel::rowsInserted, this, dirty);
        connect(model, &QAbstractItemModel::rowsRemoved, this, dirty);
        connect(model, &QAbstractItemModel::dataChanged, this, dirty);
        connect(model, &QAbstractItemModel::modelReset, this, dirty);
    };
    watch(workbench->opportunities(), Opportunities);
    // A buy's snapshot also moves the timeline's "last seen" state, which has no signal of its own.
    watch(workbench->buys(), Buys | Events);
    watch(workbench->events(), Events);
    watch(workbench->products(), Products);
    // Not dataChanged: the countdown ticks every second without changing what a proposal holds.
    connect(workbench->proposals(), &models::ProposalModel::contentChanged, this, [this] { markDirty(Proposals); });

    models::ExchangeModel *exchanges = workbench->exchanges();
    connect(exchanges, &QAbstractItemModel::rowsInserted, this,
            [this](const QModelIndex &, int first, int last) { saveExchanges(first, last); });
    connect(exchanges, &QAbstractItemModel::dataChanged, this,
            [this](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
                saveExchanges(topLeft.row(), bottomRight.row());
            });
}

WorkspaceKeeper::~WorkspaceKeeper()
{
    saveNow();
}

QString WorkspaceKeeper::workspaceKey(const QString &agentId, const QString &principal, const json &account)
{
    QString key = agentId + QLatin1Char('/') + principal;
    // Work for no particular account keeps the key it had before accounts were known.
    const json reference = models::AccountModel::referenceOf(account);
    if (!reference.is_null())
        key += QLatin1Char('#') +
               QString::fromStdString(reference.dump(-1, ' ', false, json::error_handler_t::replace));
    return key;
}

RestoredCounts restoreWorkspace(Workbench *workbench, WorkspaceSnapshot &snapshot)
{
    RestoredCounts counts;
    const auto document = [&snapshot](const char *kind) {
        return snapshot.documents.value(QString::fromLatin1(kind));
    };
    counts.opportunities = workbench->opportunities()->restoreState(document("opportunities"));
    counts.proposals = workbench->proposals()->restoreState(document("proposals"));
    counts.buys = workbench->buys()->restoreState(document("buys"));
    workbench->events()->restoreState(document("events"));
    const json products = document("products");
    if (workbench->products()->rowCount() == 0 && products.is_array() && !products.empty())
        workbench->products()->setProducts(products);
    workbench->restoreSessionState(document("session"));

    std::vector<adcp::Exchange> history;
    std::vector<bool> background;
    for (const json &item : snapshot.exchanges) {
        bool polling = false;
        if (std::optional<adcp::Exchange> exchange = models::exchangeFromJson(item, &polling)) {
            counts.exchangeIds.push_back(exchange->id);
            history.push_back(std::move(*exchange));
            background.push_back(polling);
        } else {
            snapshot.problems.append(
                WorkspaceKeeper::tr("A saved exchange could not be read; it was left out."));
        }
    }
    counts.exchanges = workbench->exchanges()->prependHistory(std::move(history), background);
    return counts;
}

void WorkspaceKeeper::open(const QString &agentId, const QString &principal)
{
    close();
    m_agentId = agentId;
    m_principal = principal;
    m_workspace = workspaceKey(agentId, principal, m_workbench ? m_workbench->activeAccount() : json());
    const quint64 generation = ++m_generation;
    if (!m_store || !m_workbench)
        return;
    // The log still shows what the window did before (another agent, a trainer's scenario): that belongs to
    // the workspace it was saved in, or to none; only what happens from now on is saved here.
    const models::ExchangeModel *exchanges = m_workbench->exchanges();
    for (int row = 0; row < exchanges->rowCount(); ++row)
        m_savedExchanges.insert(exchanges->exchangeId(row));
    m_store->pruneExchanges(m_workspace, m_retentionDays, m_retentionRows);
    const QString workspace = m_workspace;
    m_store->load(m_workspace, m_workbench->exchanges()->limit(), m_workbench->exchanges()->backgroundLimit(),
                  this, [this, generation, workspace](WorkspaceSnapshot snapshot) {
                      if (generation != m_generation)
                          return;
                      const RestoredCounts counts = restoreWorkspace(m_workbench, snapshot);
                      for (quint64 id : counts.exchangeIds)
                          m_savedExchanges.insert(id);

                      m_restored = true;
                      // What arrived while the file was read is saved with what came back.
                      markDirty(Opportunities | Proposals | Buys | Events | Products | Session);
                      saveExchanges(0, m_workbench->exchanges()->rowCount() - 1);
                      Q_EMIT restored(workspace, counts.opportunities, counts.proposals, counts.buys,
                                      counts.exchanges, snapshot.problems);
                  });
}

QString WorkspaceKeeper::workspace() const
{
    return m_workspace;
}

bool WorkspaceKeeper::isRestored() const
{
    return m_restored;
}

void WorkspaceKeeper::setExchangeRetention(int days, int rows)
{
    m_retentionDays = std::max(0, days);
    m_retentionRows = std::max(1, rows);
}

int WorkspaceKeeper::retentionDays() const
{
    return m_retentionDays;
}

int WorkspaceKeeper::retentionRows() const
{
    return m_retentionRows;
}

void WorkspaceKeeper::saveNow()
{
    m_debounce->stop();
    saveDirty();
}

void WorkspaceKeeper::close()
{
    saveNow();
    m_restored = false;
    m_workspace.clear();
    m_savedHash.clear();
    m_savedExchanges.clear();
    m_dirty = 0;
    ++m_generation;
}

void WorkspaceKeeper::markDirty(unsigned kinds)
{
    m_dirty |= kinds;
    if (m_restored && !m_debounce->isActive())
        m_debounce->start();
}

void WorkspaceKeeper::saveDirty()
{
    if (!m_restored || !m_store || !m_workbench || m_dirty == 0)
        return;
    const unsigned dirty = std::exchange(m_dirty, 0u);
    for (unsigned kind = 1; kind <= Session; kind <<= 1) {
        if ((dirty & kind) == 0)
            continue;
        json document;
        switch (kind) {
        case Opportunities:
            document = m_workbench->opportunities()->saveState();
            break;
        case Proposals:
            document = m_workbench->proposals()->saveState();
            break;
        case Buys:
            document = m_workbench->buys()->saveState();
            break;
        case Events:
            document = m_workbench->events()->saveState();
            break;
        case Products:
            document = m_workbench->products()->products();
            break;
        default:
            document = m_workbench->sessionState();
            break;
        }
        // Replacement characters stand in for invalid UTF-8 a peer may have sent: the document is always
        // written.
        std::string text = document.dump(-1, ' ', false, json::error_handler_t::replace);
        const std::size_t hash = std::hash<std::string>{}(text);
        if (m_savedHash.value(kind) == hash && m_savedHash.contains(kind))
            continue;
        m_savedHash.insert(kind, hash);
        m_store->saveDocument(m_workspace, QString::fromLatin1(kindName(kind)), std::move(text));
    }
}

void WorkspaceKeeper::saveExchanges(int first, int last)
{
    if (!m_restored || !m_store || !m_workbench)
        return;
    const models::ExchangeModel *exchanges = m_workbench->exchanges();
    for (int row = std::max(0, first); row <= last && row < exchanges->rowCount(); ++row) {
        // Expanded only when it is to be written (rows keep their documents encoded).
        if (!exchanges->isFinished(row) || m_savedExchanges.contains(exchanges->exchangeId(row)))
            continue;
        const adcp::Exchange *exchange = exchanges->exchange(row);
        if (!exchange)
            continue;
        m_savedExchanges.insert(exchange->id);
        const bool background = exchanges->isBackground(row);
        m_store->saveExchange(m_workspace, exchange->id, exchange->startedAt,
                              models::exchangeToJson(*exchange, background)
                                  .dump(-1, ' ', false, json::error_handler_t::replace),
                              background);
    }
}

int savedExchangeRetentionDays()
{
    bool ok = false;
    const int days = QSettings().value(kRetentionKey, 30).toInt(&ok);
    return ok && days >= 0 && days <= 3650 ? days : 30;
}

void installWorkspaceButton(QToolBar *agentBar, WorkspaceKeeper *keeper, const QString &path)
{
    if (!agentBar || !keeper)
        return;
    auto *button = new QToolButton(agentBar);
    button->setObjectName(QStringLiteral("workspaceButton"));
    button->setText(QObject::tr("Workspace"));
    button->setPopupMode(QToolButton::InstantPopup);
    button->setToolTip(QObject::tr("Opportunities, proposals, buys and exchanges are kept per agent in %1 and "
                                   "come back when the agent is opened again")
                           .arg(path));
    auto *menu = new QMenu(button);
    menu->setObjectName(QStringLiteral("workspaceMenu"));
    QMenu *retention = menu->addMenu(QObject::tr("Keep exchanges for"));
    auto *group = new QActionGroup(retention);
    const int current = keeper->retentionDays();
    const std::pair<int, QString> choices[] = {{7, QObject::tr("7 days")},
                                               {30, QObject::tr("30 days")},
                                               {90, QObject::tr("90 days")},
                                               {0, QObject::tr("Any age")}};
    for (const auto &[days, label] : choices) {
        QAction *action = retention->addAction(label);
        action->setCheckable(true);
        action->setChecked(days == current);
        action->setData(days);
        group->addAction(action);
        QObject::connect(action, &QAction::triggered, keeper, [keeper, days = days] {
            QSettings().setValue(kRetentionKey, days);
            keeper->setExchangeRetention(days, keeper->retentionRows());
        });
    }
    QAction *where = menu->addAction(QObject::tr("Kept in %1").arg(path));
    where->setEnabled(false);
    button->setMenu(menu);
    agentBar->addWidget(button);
}

} // namespace adcp::gui
