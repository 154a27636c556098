#include "accountspanel.h"

#include "accountmodel.h"
#include "agentmanager.h"
#include "briefcomposer.h"
#include "buydetailwidget.h"
#include "displaynames.h"
#include "errorbanner.h"
#include "filterablelistwidget.h"
#include "jsonvalues.h"
#include "mainwindow.h"
#include "modelroles.h"
#include "proposaldetailwidget.h"
#include "statuschipdelegate.h"
#include "workbench.h"

#include <QComboBox>
#include <QDesktopServices>
#include <QDockWidget>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QToolBar>
#include <QToolButton>
#include <QTreeView>
#include <QUrl>
#include <QVBoxLayout>

namespace adcp::gui {

using models::AccountModel;
using models::Vocabulary;
using nlohmann::json;

AccountsPanel::AccountsPanel(Workbench *workbench, QWidget *parent) : QWidget(parent), m_workbench(workbench)
{
    setObjectName(QStringLiteral("accountsPanel"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("sectionTitle"));
    layout->addWidget(m_title);
    auto *activeRow = new QHBoxLayout;
    m_active = new QLabel(this);
    m_active->setObjectName(QStringLiteral("accountsActiveLabel"));
    m_active->setWordWrap(true);
    m_active->setTextFormat(Qt::RichText);
    activeRow->addWidget(m_active, 1);
    m_clear = new QPushButton(tr("Stop using"), this);
    m_clear->setObjectName(QStringLiteral("accountsClearButton"));
    m_clear->setToolTip(
        tr("Send requests without a picked account again (buys name the brand and operator)"));
    activeRow->addWidget(m_clear, 0, Qt::AlignTop);
    layout->addLayout(activeRow);
    m_error = new ErrorBanner(this);
    layout->addWidget(m_error);
    layout->addWidget(buildList(), 1);
    layout->addWidget(buildSyncForm());

    connect(m_clear, &QPushButton::clicked, this, [this] {
        m_workbench->setActiveAccount(json());
        Q_EMIT accountChosen(json());
    });
    connect(m_workbench, &Workbench::activeAccountChanged, this, &AccountsPanel::updateActive);
    connect(m_workbench, &Workbench::activeAccountRefreshed, this, &AccountsPanel::updateActive);
    connect(m_workbench, &Workbench::busyChanged, this, [this](bool busy) {
        m_busy = busy;
        updateButtons();
    });
    connect(m_workbench, &Workbench::accountsListed, this, [this] {
        m_error->clearError();
        // A listing read again (Refresh, the watch of a pending account) keeps the planner's selection.
        if (const int row = m_workbench->accounts()->rowOf(m_selectedKey); row >= 0 && selectedRow() != row) {
            const QModelIndex at = m_proxy->mapFromSource(m_workbench->accounts()->index(row, 0));
            m_view->setCurrentIndex(at);
        }
        updateButtons();
    });
    connect(m_workbench, &Workbench::accountsSynced, this, [this](const QList<int> &rows) {
        m_error->clearError();
        if (rows.isEmpty()) {
            m_syncResult->setText(tr("The seller reported no account for this entry."));
            return;
        }
        const int row = rows.constFirst();
        const AccountModel *accounts = m_workbench->accounts();
        const QString result = accounts->index(row, AccountModel::ResultColumn).data().toString();
        const QString status = accounts->index(row, AccountModel::StatusColumn).data().toString();
        m_syncResult->setText(accounts->status(row).isEmpty() || accounts->accountJson(row).contains("errors")
                                  ? result
                                  : tr("%1 · %2").arg(result, status));
        // The synced account is selected, so "Use this account" is the next click.
        const QModelIndex at = m_proxy->mapFromSource(accounts->index(row, 0));
        m_view->setCurrentIndex(at);
        m_view->scrollTo(at);
        updateSelection();
    });
    connect(m_workbench, &Workbench::actionFailed, this,
            [this](const QString &action, const QString &, const adcp::AdcpError &error) {
                if (action == tr("List accounts") || action == tr("Sync accounts"))
                    m_error->showError(error, action);
            });
    updateActive(m_workbench->activeAccount());
    setAgentName(QString());
    updateSelection();
}

AccountsPanel::~AccountsPanel() = default;

QWidget *AccountsPanel::buildList()
{
    auto *box = new QGroupBox(tr("Your accounts at this seller"), this);
    auto *layout = new QVBoxLayout(box);
    auto *filters = new QHBoxLayout;
    filters->addWidget(new QLabel(tr("Status:"), box));
    m_statusFilter = new QComboBox(box);
    m_statusFilter->setObjectName(QStringLiteral("accountsStatusFilter"));
    m_statusFilter->addItem(tr("Any status"), QString());
    for (const char *status :
         {"active", "pending_approval", "payment_required", "suspended", "rejected", "closed"})
        m_statusFilter->addItem(models::displayName(Vocabulary::AccountStatus, QLatin1String(status)),
                                QLatin1String(status));
    filters->addWidget(m_statusFilter);
    filters->addStretch(1);
    m_refresh = new QPushButton(tr("Refresh"), box);
    m_refresh->setObjectName(QStringLiteral("accountsRefreshButton"));
    m_refresh->setToolTip(tr("Read the accounts again (list_accounts)"));
    filters->addWidget(m_refresh);
    layout->addLayout(filters);

    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSortRole(models::SortRole);
    m_view = makeListView(m_workbench->accounts(), m_proxy, QStringLiteral("accounts"), box);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setItemDelegateForColumn(AccountModel::StatusColumn,
                                     new StatusChipDelegate(models::StatusRole, m_view));
    // The name the seller gives already says advertiser and operator; the id is in the tooltip.
    for (int column : {AccountModel::IdColumn, AccountModel::BrandColumn, AccountModel::OperatorColumn})
        m_view->setColumnHidden(column, true);
    m_view->header()->setStretchLastSection(true);
    m_view->setColumnWidth(AccountModel::NameColumn, 170);
    m_view->setColumnWidth(AccountModel::StatusColumn, 150);
    m_view->setColumnWidth(AccountModel::BillingColumn, 110);
    layout->addWidget(m_view, 1);

    auto *pager = new QHBoxLayout;
    m_listState = new QLabel(box);
    m_listState->setObjectName(QStringLiteral("accountsListState"));
    m_listState->setWordWrap(true);
    pager->addWidget(m_listState, 1);
    m_more = new QPushButton(tr("Load more"), box);
    m_more->setObjectName(QStringLiteral("accountsMoreButton"));
    m_more->setToolTip(tr("Read the next page of accounts"));
    pager->addWidget(m_more);
    m_use = new QPushButton(tr("Use this account"), box);
    m_use->setObjectName(QStringLiteral("accountsUseButton"));
    m_use->setToolTip(tr("Name this account on every brief, buy and report"));
    pager->addWidget(m_use);
    layout->addLayout(pager);

    auto *setupRow = new QHBoxLayout;
    m_setup = new QLabel(box);
    m_setup->setObjectName(QStringLiteral("accountsSetupLabel"));
    m_setup->setWordWrap(true);
    setupRow->addWidget(m_setup, 1);
    m_setupLink = new QPushButton(tr("Open setup link"), box);
    m_setupLink->setObjectName(QStringLiteral("accountsSetupLinkButton"));
    setupRow->addWidget(m_setupLink, 0, Qt::AlignTop);
    layout->addLayout(setupRow);

    connect(m_refresh, &QPushButton::clicked, this, &AccountsPanel::refresh);
    connect(m_statusFilter, &QComboBox::activated, this, &AccountsPanel::refresh);
    connect(m_more, &QPushButton::clicked, this, [this] { m_workbench->listAccounts(QString(), true); });
    connect(m_use, &QPushButton::clicked, this, &AccountsPanel::useSelected);
    connect(m_view, &QTreeView::doubleClicked, this, &AccountsPanel::useSelected);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &AccountsPanel::updateSelection);
    connect(m_setupLink, &QPushButton::clicked, this, [this] {
        const QString url = m_workbench->accounts()->setupUrl(selectedRow());
        if (!url.isEmpty())
            QDesktopServices::openUrl(QUrl(url));
    });
    const auto changed = [this] { updateSelection(); };
    connect(m_workbench->accounts(), &QAbstractItemModel::dataChanged, this, changed);
    connect(m_workbench->accounts(), &QAbstractItemModel::modelReset, this, changed);
    connect(m_workbench->accounts(), &QAbstractItemModel::rowsInserted, this, changed);
    return box;
}

QWidget *AccountsPanel::buildSyncForm()
{
    auto *box = new QGroupBox(tr("Register an advertiser with this seller"), this);
    auto *form = new QFormLayout(box);
    m_brand = new QLineEdit(box);
    m_brand->setObjectName(QStringLiteral("accountsBrand"));
    m_brand->setPlaceholderText(tr("brand domain, e.g. acme-coffee.example"));
    form->addRow(tr("Advertiser"), m_brand);
    m_operator = new QLineEdit(box);
    m_operator->setObjectName(QStringLiteral("accountsOperator"));
    m_operator->setPlaceholderText(tr("who places the orders, e.g. buyer-agency.example"));
    form->addRow(tr("Operator"), m_operator);
    m_billing = new QComboBox(box);
    m_billing->setObjectName(QStringLiteral("accountsBilling"));
    for (const char *party : {"operator", "advertiser", "agent"})
        m_billing->addItem(models::displayName(Vocabulary::BillingParty, QLatin1String(party)),
                           QLatin1String(party));
    form->addRow(tr("Invoices go to"), m_billing);
    auto *actions = new QHBoxLayout;
    m_syncResult = new QLabel(box);
    m_syncResult->setObjectName(QStringLiteral("accountsSyncResult"));
    m_syncResult->setWordWrap(true);
    actions->addWidget(m_syncResult, 1);
    m_sync = new QPushButton(tr("Sync account"), box);
    m_sync->setObjectName(QStringLiteral("accountsSyncButton"));
    m_sync->setToolTip(
        tr("Ask the seller to provision this account, or to report the one it holds (sync_accounts)"));
    actions->addWidget(m_sync, 0, Qt::AlignTop);
    form->addRow(actions);
    connect(m_sync, &QPushButton::clicked, this, &AccountsPanel::sync);
    connect(m_brand, &QLineEdit::textChanged, this, &AccountsPanel::updateButtons);
    connect(m_operator, &QLineEdit::textChanged, this, &AccountsPanel::updateButtons);
    connect(m_brand, &QLineEdit::returnPressed, this, &AccountsPanel::sync);
    connect(m_operator, &QLineEdit::returnPressed, this, &AccountsPanel::sync);
    return box;
}

void AccountsPanel::prefillSync(const QString &brandDomain, const QString &operatorDomain)
{
    m_brand->setText(brandDomain);
    m_operator->setText(operatorDomain);
    m_syncResult->clear();
    m_sync->setFocus(Qt::OtherFocusReason);
}

void AccountsPanel::refresh()
{
    m_workbench->listAccounts(m_statusFilter->currentData().toString(), false);
}

void AccountsPanel::setAgentName(const QString &name)
{
    m_title->setText(name.isEmpty() ? tr("ACCOUNTS") : tr("ACCOUNTS AT %1").arg(name.toUpper()));
}

ErrorBanner *AccountsPanel::errorBanner() const
{
    return m_error;
}

QTreeView *AccountsPanel::view() const
{
    return m_view;
}

void AccountsPanel::updateActive(const json &account)
{
    if (AccountModel::referenceOf(account).is_null()) {
        m_active->setText(
            tr("<b>No account picked.</b> Buys name %1 via %2; briefs and reports name no account.")
                .arg(m_workbench->brandDomain().toHtmlEscaped(),
                     m_workbench->operatorDomain().toHtmlEscaped()));
        m_clear->setVisible(false);
        updateButtons();
        return;
    }
    const QString status = models::jsonString(account, "status");
    QString text = tr("Active account: <b>%1</b>").arg(AccountModel::titleOf(account).toHtmlEscaped());
    if (!status.isEmpty())
        text +=
            QStringLiteral(" · ") + models::displayName(Vocabulary::AccountStatus, status).toHtmlEscaped();
    m_active->setText(text);
    m_clear->setVisible(true);
    updateButtons();
}

int AccountsPanel::selectedRow() const
{
    const QModelIndex current = m_view->currentIndex();
    return current.isValid() ? m_proxy->mapToSource(current).row() : -1;
}

void AccountsPanel::updateSelection()
{
    const AccountModel *accounts = m_workbench->accounts();
    const int row = selectedRow();
    if (row >= 0)
        m_selectedKey = accounts->key(row);
    QString setup = accounts->setupMessage(row);
    if (setup.isEmpty() && accounts->status(row) == QLatin1String("pending_approval"))
        setup = tr("The seller is still reviewing this account; the list is read again now and then, and "
                   "shows when it is ready.");
    m_setup->setText(setup);
    m_setup->setVisible(!setup.isEmpty());
    m_setupLink->setVisible(!accounts->setupUrl(row).isEmpty());
    m_setupLink->setToolTip(accounts->setupUrl(row));
    m_listState->setText(accounts->rowCount() == 0
                             ? tr("No accounts listed yet. Refresh, or register one below.")
                             : tr("%n account(s) shown", nullptr, accounts->rowCount()));
    updateButtons();
}

void AccountsPanel::updateButtons()
{
    const bool connected = m_workbench->client() != nullptr;
    m_refresh->setEnabled(connected && !m_busy);
    m_more->setVisible(m_workbench->accounts()->hasMore());
    m_more->setEnabled(!m_busy);
    const int row = selectedRow();
    const QString status = m_workbench->accounts()->status(row);
    // A failed entry or a closed or refused account is not something to buy on; the one in use is picked.
    const json reference = AccountModel::referenceOf(m_workbench->accounts()->accountJson(row));
    m_use->setEnabled(row >= 0 && !status.isEmpty() && status != QLatin1String("closed") &&
                      status != QLatin1String("rejected") && !reference.is_null() &&
                      reference != AccountModel::referenceOf(m_workbench->activeAccount()));
    m_sync->setEnabled(connected && !m_busy && !m_brand->text().trimmed().isEmpty() &&
                       !m_operator->text().trimmed().isEmpty());
}

void AccountsPanel::useSelected()
{
    const int row = selectedRow();
    if (row < 0 || !m_use->isEnabled())
        return;
    const json account = m_workbench->accounts()->accountJson(row);
    m_workbench->setActiveAccount(account);
    Q_EMIT accountChosen(account);
}

void AccountsPanel::sync()
{
    if (!m_sync->isEnabled())
        return;
    m_syncResult->setText(tr("Syncing…"));
    m_workbench->syncAccount(m_brand->text().trimmed(), m_operator->text().trimmed(),
                             m_billing->currentData().toString());
}

AccountsPanel *installAccountsPanel(MainWindow *window, Workbench *workbench, AgentManager *agents)
{
    auto *bar = window->findChild<QToolBar *>(QStringLiteral("agentBar"));
    if (!bar || !agents)
        return nullptr;
    auto *panel = new AccountsPanel(workbench, window);
    QDockWidget *dock = window->addToolDock(panel, QObject::tr("Accounts"), Qt::RightDockWidgetArea);
    dock->hide();
    panel->setAgentName(agents->activeId() == QLatin1String("embedded") ? QObject::tr("Embedded seller")
                                                                        : agents->activeName());
    auto *button = new QToolButton(bar);
    button->setObjectName(QStringLiteral("accountsButton"));
    bar->addWidget(button);
    const auto label = [button, workbench](const json &account) {
        if (AccountModel::referenceOf(account).is_null()) {
            // Buys still name an account: the brand's, by its domain and operator (Workbench::scoped).
            button->setText(
                QObject::tr("Account: %1 (brand)")
                    .arg(button->fontMetrics().elidedText(workbench->brandDomain(), Qt::ElideMiddle, 180)));
            button->setToolTip(
                QObject::tr("The brand's account: what you buy names the brand %1, operated by %2, and the "
                            "seller uses the account it keeps for them. Click to pick another of the "
                            "accounts you hold at this agent.")
                    .arg(workbench->brandDomain(), workbench->operatorDomain()));
            return;
        }
        // Short on the bar (the agent bar must not overflow); the whole name and id in the tooltip.
        const QString title = AccountModel::titleOf(account);
        QString name = models::jsonString(account, "name");
        if (name.isEmpty())
            name = title;
        QString text =
            QObject::tr("Account: %1").arg(button->fontMetrics().elidedText(name, Qt::ElideRight, 180));
        // An account the seller does not let buy right now says so where the planner looks.
        const QString status = models::jsonString(account, "status");
        if (!status.isEmpty() && status != QLatin1String("active"))
            text += QStringLiteral(" · ") + models::displayName(Vocabulary::AccountStatus, status);
        button->setText(text);
        button->setToolTip(QObject::tr("Requests name %1. Click to change.").arg(title));
    };
    label(workbench->activeAccount());
    QObject::connect(workbench, &Workbench::activeAccountChanged, button, label);
    QObject::connect(workbench, &Workbench::activeAccountRefreshed, button, label);

    const auto open = [window, dock] {
        // Beside the seller console when that is docked, so neither squeezes the workspace.
        auto *console = window->sellerConsoleDock();
        const bool first = !dock->isVisible();
        if (console && console->isVisible() && !console->isFloating() && !dock->isFloating() &&
            window->dockWidgetArea(console) == window->dockWidgetArea(dock))
            window->tabifyDockWidget(console, dock);
        dock->show();
        dock->raise();
        // Alone on its side it starts narrow: the lifecycle tabs keep the room.
        if (first && !dock->isFloating() && window->tabifiedDockWidgets(dock).isEmpty())
            window->resizeDocks({dock}, {420}, Qt::Horizontal);
    };
    QObject::connect(button, &QToolButton::clicked, dock, [open, panel, workbench] {
        open();
        if (workbench->accounts()->rowCount() == 0)
            panel->refresh();
    });
    QObject::connect(panel, &AccountsPanel::accountChosen, agents,
                     [agents](const json &account) { saveActiveAccount(agents->activeId(), account); });
    QObject::connect(agents, &AgentManager::activated, panel,
                     [panel, dock](const QString &, const QString &name) {
                         panel->setAgentName(name);
                         if (dock->isVisible())
                             panel->refresh();
                     });
    // ACCOUNT_NOT_FOUND and friends, wherever they are shown: the panel, with the sync already filled in.
    for (ErrorBanner *banner :
         {window->briefComposer()->errorBanner(), window->proposalDetail()->errorBanner(),
          window->buyDetail()->errorBanner()}) {
        QObject::connect(banner, &ErrorBanner::remedyRequested, panel,
                         [open, panel, workbench](ErrorBanner::Remedy remedy) {
                             if (remedy != ErrorBanner::Remedy::OpenAccounts)
                                 return;
                             panel->prefillSync(workbench->brandDomain(), workbench->operatorDomain());
                             open();
                             panel->refresh();
                         });
    }
    return panel;
}

} // namespace adcp::gui
