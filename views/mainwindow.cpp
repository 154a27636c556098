#include "mainwindow.h"

#include "accountspanel.h"
#include "agentmanager.h"
#include "agentprofilesdialog.h"
#include "agentsecurity.h"
#include "audiencespanel.h"
#include "briefcomposer.h"
#include "buydetailwidget.h"
#include "buymodel.h"
#include "buymonitorwidget.h"
#include "buysortmodel.h"
#include "catalogpanel.h"
#include "closeopportunitydialog.h"
#include "createbuydialog.h"
#include "creativelibrary.h"
#include "creativesdialog.h"
#include "declinedialog.h"
#include "deliverychart.h"
#include "directbuyanswers.h"
#include "dispatcher.h"
#include "displaynames.h"
#include "embeddedprincipal.h"
#include "errorbanner.h"
#include "exchangeinspector.h"
#include "exchangemodel.h"
#include "jsonvalues.h"
#include "loopbackseller.h"
#include "modelroles.h"
#include "opportunitymodel.h"
#include "pricingtext.h"
#include "productlistwidget.h"
#include "productmodel.h"
#include "proposaldetailwidget.h"
#include "proposallistwidget.h"
#include "proposalmodel.h"
#include "proposalsortmodel.h"
#include "refinedialog.h"
#include "sellerconsole.h"
#include "testlabdialog.h"
#include "versioncomparedialog.h"
#include "workbench.h"
#include "workspacekeeper.h"

#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QResizeEvent>
#include <QScreen>
#include <QScopedValueRollback>
#include <QSet>
#include <QSettings>
#include <QShortcut>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyle>
#include <QTabWidget>
#include <QTextBrowser>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QTreeView>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <iterator>

namespace adcp::gui {

using namespace adcp::models;

namespace {

// The lifecycle tabs by a name that stays when tabs are added (saved as the last tab shown), in Tab order.
constexpr const char *kMainWindowTabNames[] = {"brief", "products",  "catalog",  "proposals",
                                               "buys",  "creatives", "audiences"};
static_assert(std::size(kMainWindowTabNames) == std::size_t(MainWindow::Tab::Audiences) + 1);

// The tab saved as `name`; -1 for none.
int mainWindowTabNamed(const QString &name)
{
    for (std::size_t i = 0; i < std::size(kMainWindowTabNames); ++i)
        if (name == QLatin1String(kMainWindowTabNames[i]))
            return int(i);
    return -1;
}

QLabel *sectionTitle(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setObjectName(QStringLiteral("sectionTitle"));
    return label;
}

// A page that tells a first-time user what to do next instead of showing an empty list.
QWidget *emptyState(const QString &title, const QString &hint, QWidget *parent)
{
    auto *page = new QWidget(parent);
    auto *layout = new QVBoxLayout(page);
    layout->addStretch(1);
    auto *titleLabel = new QLabel(title, page);
    titleLabel->setObjectName(QStringLiteral("emptyStateTitle"));
    titleLabel->setAlignment(Qt::AlignCenter);
    titleLabel->setWordWrap(true);
    auto *hintLabel = new QLabel(hint, page);
    hintLabel->setObjectName(QStringLiteral("emptyStateHint"));
    hintLabel->setAlignment(Qt::AlignCenter);
    hintLabel->setWordWrap(true);
    layout->addWidget(titleLabel);
    layout->addWidget(hintLabel);
    layout->addStretch(2);
    return page;
}

// Shows `content` once `model` has rows, the empty state before.
QStackedWidget *withEmptyState(QWidget *content, QAbstractItemModel *model, const QString &title,
                               const QString &hint, QWidget *parent)
{
    auto *stack = new QStackedWidget(parent);
    stack->addWidget(emptyState(title, hint, stack));
    stack->addWidget(content);
    const auto update = [stack, model] { stack->setCurrentIndex(model->rowCount() > 0 ? 1 : 0); };
    QObject::connect(model, &QAbstractItemModel::rowsInserted, stack, update);
    QObject::connect(model, &QAbstractItemModel::rowsRemoved, stack, update);
    QObject::connect(model, &QAbstractItemModel::modelReset, stack, update);
    update();
    return stack;
}

QString productHtml(const nlohmann::json &product)
{
    QString html = QStringLiteral("<h3>%1</h3><p style='color:#6b7280'>%2 · %3</p><p>%4</p>")
                       .arg(jsonString(product, "name").toHtmlEscaped(),
                            displayName(Vocabulary::DeliveryType, jsonString(product, "delivery_type")).toHtmlEscaped(),
                            jsonString(product, "product_id").toHtmlEscaped(),
                            jsonString(product, "description").toHtmlEscaped());
    const QString relevance = jsonString(product, "brief_relevance");
    if (!relevance.isEmpty())
        html += QStringLiteral("<p><b>Why it fits:</b> %1</p>").arg(relevance.toHtmlEscaped());
    QStringList channels;
    for (const QString &channel : jsonStringList(product, "channels"))
        channels << displayName(Vocabulary::Channel, channel);
    html += QStringLiteral("<p><b>Channels:</b> %1</p>").arg(channels.join(QStringLiteral(", ")).toHtmlEscaped());
    html += QStringLiteral(
        "<table cellspacing=0 cellpadding=3 border=0><tr style='color:#6b7280'><td>Pricing option</td>"
        "<td>Model</td><td>Price</td><td>Min spend</td></tr>");
    for (const auto &option : jsonArray(product, "pricing_options")) {
        const QString currency = jsonString(option, "currency");
        html += QStringLiteral("<tr><td>%1</td><td>%2</td><td>%3</td><td>%4</td></tr>")
                    .arg(jsonString(option, "pricing_option_id").toHtmlEscaped(),
                         displayName(Vocabulary::PricingModel, jsonString(option, "pricing_model"))
                             .toHtmlEscaped(),
                         optionPriceText(option).toHtmlEscaped(),
                         jsonNumber(option, "min_spend_per_package") > 0
                             ? formatMoney(jsonNumber(option, "min_spend_per_package"), currency)
                             : QString());
    }
    html += QStringLiteral("</table>");
    return html;
}

} // namespace

MainWindow::MainWindow(Workbench *workbench, QWidget *parent)
    : QMainWindow(parent), m_workbench(workbench),
      m_dialogRunner([](QDialog *dialog) { return dialog->exec(); })
{
    setObjectName(QStringLiteral("MainWindow"));
    setWindowTitle(tr("AdCP Buyer Workbench"));
    setDockNestingEnabled(true);
    // The tool panes (the seller console …) come back from here once closed.
    m_viewMenu = menuBar()->addMenu(tr("&View"));
    m_viewMenu->setObjectName(QStringLiteral("viewMenu"));
    buildAgentBar();
    buildCentre();
    buildStatusBar();
    buildShortcuts();
    wireWorkbench();
    // The first brief's deadline runs from the workbench's clock (the seller's, for the embedded seller).
    m_brief->startNew(m_workbench->now());
    setConnectionState(false, {}, {}, {});
    resize(1440, 900);
}

MainWindow::~MainWindow() = default;

void MainWindow::buildAgentBar()
{
    auto *bar = new QToolBar(tr("Agent"), this);
    bar->setObjectName(QStringLiteral("agentBar"));
    bar->setMovable(false);
    bar->setFloatable(false);

    auto *agentLabel = new QLabel(tr("Agent:"), bar);
    agentLabel->setContentsMargins(6, 0, 4, 0);
    bar->addWidget(agentLabel);
    m_agentSelector = new QComboBox(bar);
    m_agentSelector->setObjectName(QStringLiteral("agentSelector"));
    m_agentSelector->setMinimumContentsLength(22);
    m_agentSelector->addItem(tr("Embedded seller"), QStringLiteral("embedded"));
    m_agentSelector->setCurrentIndex(0);
    bar->addWidget(m_agentSelector);

    m_connectionLabel = new QLabel(bar);
    m_connectionLabel->setObjectName(QStringLiteral("connectionLabel"));
    m_connectionLabel->setContentsMargins(12, 0, 12, 0);
    m_connectionLabel->setTextFormat(Qt::RichText);
    bar->addWidget(m_connectionLabel);

    auto *spacer = new QWidget(bar);
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    bar->addWidget(spacer);
    m_connectButton = new QPushButton(tr("Test connection"), bar);
    m_connectButton->setObjectName(QStringLiteral("connectButton"));
    m_connectButton->setToolTip(tr("Read the agent's capabilities and the dialect it speaks"));
    bar->addWidget(m_connectButton);
    m_agentsButton = new QToolButton(bar);
    m_agentsButton->setObjectName(QStringLiteral("agentsButton"));
    m_agentsButton->setText(tr("⚙ Agents…"));
    m_agentsButton->setToolTip(tr("Manage agent profiles"));
    bar->addWidget(m_agentsButton);
    addToolBar(Qt::TopToolBarArea, bar);
}

void MainWindow::buildCentre()
{
    m_verticalSplitter = new QSplitter(Qt::Vertical, this);
    m_verticalSplitter->setObjectName(QStringLiteral("verticalSplitter"));
    m_horizontalSplitter = new QSplitter(Qt::Horizontal, m_verticalSplitter);
    m_horizontalSplitter->setObjectName(QStringLiteral("horizontalSplitter"));

    // Left: the planning cycles.
    auto *left = new QWidget(m_horizontalSplitter);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(8, 8, 4, 8);
    leftLayout->addWidget(sectionTitle(tr("OPPORTUNITIES"), left));
    m_opportunityView = new QTreeView(left);
    m_opportunityView->setObjectName(QStringLiteral("opportunityView"));
    m_opportunityView->setHeaderHidden(true);
    m_opportunityView->setModel(m_workbench->opportunities());
    connect(m_workbench->opportunities(), &QAbstractItemModel::rowsInserted, m_opportunityView,
            [this](const QModelIndex &parent, int first, int last) {
                // Every new opportunity opens on its counts (a restored workspace inserts several at once).
                if (parent.isValid())
                    return;
                for (int row = first; row <= last; ++row)
                    m_opportunityView->expand(m_workbench->opportunities()->index(row, 0));
            });
    m_opportunityView->setToolTip(tr("Click an opportunity to see only its proposals and buys"));
    // A click (or the arrow keys) scopes the lists; focus alone selects nothing, so it scopes nothing.
    connect(m_opportunityView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &MainWindow::onOpportunityChosen);
    leftLayout->addWidget(withEmptyState(m_opportunityView, m_workbench->opportunities(), tr("None yet"),
                                         tr("Each brief starts a planning cycle."), left),
                          1);
    auto *newBrief = new QPushButton(tr("+ New brief"), left);
    newBrief->setObjectName(QStringLiteral("newBriefButton"));
    newBrief->setToolTip(tr("Start a new planning cycle: a new opportunity with its own brief"));
    connect(newBrief, &QPushButton::clicked, this, [this] {
        m_brief->startNew(m_workbench->now());
        setCurrentTab(Tab::Brief);
    });
    leftLayout->addWidget(newBrief);

    // Centre: the lifecycle tabs.
    m_tabs = new QTabWidget(m_horizontalSplitter);
    m_tabs->setObjectName(QStringLiteral("lifecycleTabs"));
    m_tabs->setDocumentMode(true);
    // Every lifecycle tab stays in sight: the splitter cannot narrow the centre below its tabs' full names
    // (with scroll arrows, at 1440 px beside the seller console, Creatives and Audiences hid behind them).
    m_tabs->setUsesScrollButtons(false);
    m_tabs->setElideMode(Qt::ElideNone);
    m_brief = new BriefComposer(m_tabs);
    m_productList = new ProductListWidget(m_workbench->products(), m_tabs);
    m_proposalList = new ProposalListWidget(m_workbench->proposals(), m_tabs);
    m_buyMonitor = new BuyMonitorWidget(m_workbench->buys(), m_tabs);
    m_tabs->addTab(m_brief, tr("Brief"));
    QStackedWidget *products =
        withEmptyState(m_productList, m_workbench->products(), tr("No products yet"),
                       tr("Products appear here after the seller answers a brief."), m_tabs);
    m_tabs->addTab(products, tr("Products"));
    m_catalogPanel = new CatalogPanel(m_workbench, m_tabs);
    m_tabs->addTab(m_catalogPanel, tr("Catalog"));
    m_tabs->setTabToolTip(int(Tab::Catalog), tr("Buy straight from the seller's published catalog"));
    QStackedWidget *proposals =
        withEmptyState(m_proposalList, m_workbench->proposals(), tr("No proposals yet"),
                       tr("Proposals appear here after the seller answers a brief."), m_tabs);
    m_tabs->addTab(proposals, tr("Proposals"));
    QStackedWidget *buys =
        withEmptyState(m_buyMonitor, m_workbench->buys(), tr("No media buys yet"),
                       tr("Finalize a proposal and create a buy from it, or buy from the Catalog."), m_tabs);
    m_tabs->addTab(buys, tr("Buys"));
    for (QStackedWidget *stack : {products, proposals, buys}) {
        if (auto *hint = stack->findChild<QLabel *>(QStringLiteral("emptyStateHint")))
            m_emptyHints.append({hint, hint->text()});
    }
    m_creativeLibrary = new CreativeLibraryWidget(m_workbench, m_tabs);
    m_creativeLibrary->setDialogRunner([this](QDialog *dialog) { return runDialog(dialog); });
    m_tabs->addTab(m_creativeLibrary, tr("Creatives"));
    m_audiencesPanel = new AudiencesWidget(m_workbench, m_tabs);
    m_audiencesPanel->setDialogRunner([this](QDialog *dialog) { return runDialog(dialog); });
    m_tabs->addTab(m_audiencesPanel, tr("Audiences"));

    // Right: the selected item in full.
    auto *right = new QWidget(m_horizontalSplitter);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(4, 8, 8, 8);
    rightLayout->addWidget(sectionTitle(tr("DETAIL"), right));
    m_detailStack = new QStackedWidget(right);
    m_detailStack->setObjectName(QStringLiteral("detailStack"));
    m_detailStack->addWidget(emptyState(
        tr("Nothing selected"), tr("Select a product, proposal or buy to see it in full."), m_detailStack));
    m_productDetail = new QTextBrowser(m_detailStack);
    m_productDetail->setObjectName(QStringLiteral("productDetail"));
    m_detailStack->addWidget(m_productDetail);
    m_proposalDetail =
        new ProposalDetailWidget(m_workbench->proposals(), m_workbench->products(), m_detailStack);
    m_proposalDetail->setOpportunities(m_workbench->opportunities());
    m_detailStack->addWidget(m_proposalDetail);
    m_buyDetail = new BuyDetailWidget(m_workbench->buys(), m_workbench->events(), m_detailStack);
    m_buyDetail->setProductLookup([this](const QString &productId) { return productById(productId); });
    m_detailStack->addWidget(m_buyDetail);
    rightLayout->addWidget(m_detailStack, 1);

    m_horizontalSplitter->addWidget(left);
    m_horizontalSplitter->addWidget(m_tabs);
    m_horizontalSplitter->addWidget(right);
    m_horizontalSplitter->setStretchFactor(0, 0);
    m_horizontalSplitter->setStretchFactor(1, 1);
    m_horizontalSplitter->setStretchFactor(2, 0);
    m_horizontalSplitter->setSizes({230, 700, 500});
    // Dragging a handle shrinks a pane to its minimum, never away.
    m_horizontalSplitter->setChildrenCollapsible(false);
    left->setMinimumWidth(160);
    right->setMinimumWidth(300);
    // The centre's least width is its tabs' (above).

    // Bottom: every exchange, one line each, and the inspector.
    auto *bottom = new QWidget(m_verticalSplitter);
    auto *bottomLayout = new QVBoxLayout(bottom);
    bottomLayout->setContentsMargins(8, 4, 8, 4);
    bottomLayout->addWidget(sectionTitle(tr("EXCHANGES  (Ctrl+L)"), bottom));
    m_inspector = new ExchangeInspector(m_workbench->exchanges(), bottom);
    bottomLayout->addWidget(m_inspector, 1);

    m_verticalSplitter->addWidget(m_horizontalSplitter);
    m_verticalSplitter->addWidget(bottom);
    m_verticalSplitter->setStretchFactor(0, 1);
    m_verticalSplitter->setStretchFactor(1, 0);
    m_verticalSplitter->setSizes({660, 220});
    // The exchange log may be dragged small, but it cannot push the workspace out of the window.
    m_verticalSplitter->setChildrenCollapsible(false);
    m_horizontalSplitter->setMinimumHeight(320);
    bottom->setMinimumHeight(90);
    setCentralWidget(m_verticalSplitter);
}

void MainWindow::buildStatusBar()
{
    m_statusMessage = new QLabel(tr("Ready"), this);
    m_statusMessage->setObjectName(QStringLiteral("statusMessage"));
    // A long message is cut at the window's edge (whole in the tooltip), never widening the window.
    m_statusMessage->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_statusMessage->setMinimumWidth(0);
    statusBar()->addWidget(m_statusMessage, 1);
    m_statusTimer = new QTimer(this);
    m_statusTimer->setSingleShot(true);
    connect(m_statusTimer, &QTimer::timeout, m_statusMessage,
            [this] { m_statusMessage->setText(tr("Ready")); });
    m_busyBar = new QProgressBar(this);
    m_busyBar->setObjectName(QStringLiteral("busyBar"));
    m_busyBar->setRange(0, 0);
    m_busyBar->setMaximumWidth(160);
    m_busyBar->setMaximumHeight(14);
    m_busyBar->setTextVisible(false);
    m_busyBar->hide();
    statusBar()->addPermanentWidget(m_busyBar);
    m_cancelButton = new QPushButton(tr("Cancel"), this);
    m_cancelButton->setObjectName(QStringLiteral("cancelCallsButton"));
    m_cancelButton->setToolTip(tr("Cancel the calls in flight (Esc)"));
    m_cancelButton->hide();
    statusBar()->addPermanentWidget(m_cancelButton);
    connect(m_cancelButton, &QPushButton::clicked, m_workbench, &Workbench::cancelAll);
}

void MainWindow::buildShortcuts()
{
    auto *filter = new QShortcut(QKeySequence::Find, this);
    connect(filter, &QShortcut::activated, this, [this] {
        switch (static_cast<Tab>(m_tabs->currentIndex())) {
        case Tab::Products:
            m_productList->focusFilter();
            break;
        case Tab::Catalog:
            m_catalogPanel->focusFilter();
            break;
        case Tab::Proposals:
            m_proposalList->focusFilter();
            break;
        case Tab::Buys:
            m_buyMonitor->focusFilter();
            break;
        case Tab::Creatives:
            m_creativeLibrary->focusFilter();
            break;
        case Tab::Audiences:
            m_audiencesPanel->audienceView()->setFocus(Qt::ShortcutFocusReason);
            break;
        case Tab::Brief:
            m_inspector->filterEdit()->setFocus(Qt::ShortcutFocusReason);
            break;
        }
    });
    auto *log = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_L), this);
    connect(log, &QShortcut::activated, m_inspector, &ExchangeInspector::focusLog);
    auto *cancel = new QShortcut(QKeySequence(Qt::Key_Escape), this);
    connect(cancel, &QShortcut::activated, m_workbench, &Workbench::cancelAll);
    for (int i = 0; i <= int(Tab::Audiences); ++i) {
        auto *tab = new QShortcut(QKeySequence(Qt::ALT | (Qt::Key_1 + i)), this);
        connect(tab, &QShortcut::activated, this, [this, i] { m_tabs->setCurrentIndex(i); });
    }
    // Quitting keeps the workspace: it is saved as the application shuts down and reopened on the next start.
    auto *quit = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q), this);
    quit->setObjectName(QStringLiteral("quitShortcut"));
    connect(quit, &QShortcut::activated, this, &QWidget::close);
}

void MainWindow::wireWorkbench()
{
    Workbench *wb = m_workbench;
    connect(m_connectButton, &QPushButton::clicked, wb, &Workbench::connectAgent);
    connect(wb, &Workbench::connectionChanged, this, &MainWindow::setConnectionState);
    connect(wb, &Workbench::busyChanged, this, [this](bool busy, const QString &what) {
        m_busyBar->setVisible(busy);
        m_cancelButton->setVisible(busy);
        m_brief->setBusy(busy);
        m_proposalDetail->setBusy(busy);
        m_buyDetail->setBusy(busy);
        if (busy) {
            m_busyStatus = tr("%1…").arg(what);
            showStatus(m_busyStatus, 0);
        } else if (!m_busyStatus.isEmpty() && m_statusMessage->text() == m_busyStatus) {
            // Finished without a message of its own (a refresh): the bar must not go on saying it is running.
            showStatus(tr("Ready"), 0);
        }
    });
    connect(wb, &Workbench::actionSucceeded, this,
            [this](const QString &action, const QString &, const QString &message) {
                showStatus(tr("%1: %2").arg(action, message));
            });
    connect(wb, &Workbench::actionFailed, this, &MainWindow::showError);
    connect(wb, &Workbench::actionFailed, this,
            [this](const QString &action, const QString &agent, const adcp::AdcpError &error) {
                if (action == tr("Connect"))
                    showEmptyHints(agent, QString::fromStdString(error.message));
            });
    connect(wb, &Workbench::connectionChanged, this, [this] { showEmptyHints({}, {}); });

    // Brief.
    connect(m_brief, &BriefComposer::sendRequested, this, [this] {
        m_brief->errorBanner()->clearError();
        m_workbench->sendBrief(m_brief->request(), m_brief->title());
    });
    connect(wb, &Workbench::briefAnswered, this,
            [this](const QString &opportunityId, int products, int proposals) {
                // Lists scoped to another opportunity move on to the new brief's, so its answer is in sight.
                if (!m_scope.isEmpty() && !opportunityId.isEmpty() && opportunityId != m_scope) {
                    const int row = m_workbench->opportunities()->rowOf(opportunityId);
                    if (row >= 0)
                        m_opportunityView->setCurrentIndex(m_workbench->opportunities()->index(row, 0));
                }
                // Keyboard and all, the planner moves on to the answer: a focus left in the brief (now out
                // of sight) goes to the list that holds it.
                QWidget *focus = focusWidget();
                const bool fromBrief = focus && (focus == m_brief || m_brief->isAncestorOf(focus));
                if (proposals > 0) {
                    setCurrentTab(Tab::Proposals);
                    if (fromBrief)
                        m_proposalList->view()->setFocus(Qt::OtherFocusReason);
                    // The answer's first proposal in the list's order (the list may hold earlier briefs'
                    // too).
                    const QSortFilterProxyModel *list = m_proposalList->proxy();
                    QModelIndex first = list->index(0, 0);
                    for (int row = 0; !opportunityId.isEmpty() && row < list->rowCount(); ++row) {
                        if (list->index(row, 0).data(OpportunityRole).toString() == opportunityId) {
                            first = list->index(row, 0);
                            break;
                        }
                    }
                    if (first.isValid()) {
                        m_proposalList->view()->setCurrentIndex(first);
                        showProposal(first.data(IdRole).toString());
                    }
                } else if (products > 0) {
                    setCurrentTab(Tab::Products);
                    if (fromBrief)
                        m_productList->view()->setFocus(Qt::OtherFocusReason);
                }
            });

    // Lists → detail.
    connect(m_productList, &ProductListWidget::productSelected, this, &MainWindow::showProduct);
    connect(m_catalogPanel, &CatalogPanel::productSelected, this, [this](const QString &productId) {
        const ProductModel *catalog = m_workbench->catalog();
        m_productDetail->setHtml(productHtml(catalog->productJson(catalog->rowOf(productId))));
        m_detailStack->setCurrentWidget(m_productDetail);
    });
    connect(m_productList, &ProductListWidget::refineProductRequested, wb, &Workbench::refineProduct);
    // Rows a new scope filters out move the lists' current rows: that is not the planner picking something.
    connect(m_proposalList, &ProposalListWidget::proposalSelected, this, [this](const QString &id) {
        if (!m_applyingScope)
            showProposal(id);
    });
    connect(m_buyMonitor, &BuyMonitorWidget::buySelected, this, [this](const QString &id) {
        if (!m_applyingScope)
            showBuy(id);
    });
    connect(m_proposalList, &ProposalListWidget::scopeCleared, this, [this] { scopeTo({}); });
    connect(m_buyMonitor, &BuyMonitorWidget::scopeCleared, this, [this] { scopeTo({}); });
    // New proposals and buys of the scoped opportunity join the lists; a closed or renamed one says so.
    for (QAbstractItemModel *model : std::initializer_list<QAbstractItemModel *>{
             m_workbench->proposals(), m_workbench->buys(), m_workbench->opportunities()}) {
        connect(model, &QAbstractItemModel::rowsInserted, this, &MainWindow::applyScope);
        connect(model, &QAbstractItemModel::rowsRemoved, this, &MainWindow::applyScope);
        connect(model, &QAbstractItemModel::modelReset, this, &MainWindow::applyScope);
    }
    connect(m_workbench->opportunities(), &QAbstractItemModel::dataChanged, this, &MainWindow::applyScope);

    // Proposal actions.
    connect(m_proposalDetail, &ProposalDetailWidget::refineRequested, this, &MainWindow::onRefine);
    connect(m_proposalDetail, &ProposalDetailWidget::finalizeRequested, this, [this](const QString &id) {
        m_proposalDetail->errorBanner()->clearError();
        m_retryProposalAction = [this, id] { m_workbench->finalize(id); };
        m_workbench->finalize(id);
    });
    connect(m_proposalDetail, &ProposalDetailWidget::declineRequested, this, &MainWindow::onDecline);
    connect(m_proposalDetail, &ProposalDetailWidget::createBuyRequested, this,
            [this](const QString &id) { onCreateBuy(id); });
    connect(wb, &Workbench::buyRetryReady, this,
            [this](const QString &id, const nlohmann::json &fields, bool webhooks) {
                const nlohmann::json &proposal =
                    m_workbench->proposals()->proposalJson(m_workbench->proposals()->rowOf(id));
                // A signature cannot be given on the planner's behalf: with an insertion order the dialog
                // comes back, filled as before.
                if (proposal.contains("insertion_order"))
                    onCreateBuy(id, fields);
                else
                    m_workbench->createBuy(id, fields, webhooks);
            });
    connect(m_proposalDetail, &ProposalDetailWidget::compareRequested, this, &MainWindow::onCompare);
    connect(m_proposalDetail, &ProposalDetailWidget::closeOpportunityRequested, this,
            &MainWindow::onCloseOpportunity);
    connect(m_proposalDetail->errorBanner(), &ErrorBanner::remedyRequested, this,
            [this](ErrorBanner::Remedy remedy) {
                const QString id = m_proposalDetail->proposalId();
                m_proposalDetail->errorBanner()->clearError();
                switch (remedy) {
                case ErrorBanner::Remedy::FinalizeAndRetry:
                    m_workbench->finalizeAndRetryBuy(id);
                    break;
                case ErrorBanner::Remedy::ReloadLatest:
                    m_workbench->reloadLatest(id);
                    break;
                case ErrorBanner::Remedy::Retry:
                    if (m_retryProposalAction)
                        m_retryProposalAction();
                    break;
                case ErrorBanner::Remedy::OpenAccounts:
                case ErrorBanner::Remedy::OpenSetupLink: // the accounts panel and the banner answer these
                case ErrorBanner::Remedy::None:
                    break;
                }
            });

    // Buys.
    connect(wb, &Workbench::buyCreated, this, [this](const QString &mediaBuyId) {
        setCurrentTab(Tab::Buys);
        revealBuy(mediaBuyId);
        m_buyMonitor->selectBuy(mediaBuyId);
        showBuy(mediaBuyId);
    });
    connect(m_buyDetail, &BuyDetailWidget::updateRequested, this,
            [this](const QString &id, const QString &action) {
                m_buyDetail->errorBanner()->clearError();
                m_workbench->updateBuy(id, action);
            });
    connect(m_buyDetail, &BuyDetailWidget::budgetChangeRequested, this,
            [this](const QString &id, double amount) {
                m_buyDetail->errorBanner()->clearError();
                m_workbench->changeBuyBudget(id, amount);
            });
    // The buy's controls follow what the seller offers (a remote seller may not have control_media_buy).
    connect(wb, &Workbench::connectionChanged, this, [this] {
        m_buyDetail->setControlOffered(m_workbench->offersTool(QStringLiteral("control_media_buy")));
    });
    connect(m_buyDetail, &BuyDetailWidget::deliveryRequested, wb,
            [wb](const QString &id, const QString &granularity) {
                wb->setWatchedDelivery(id, granularity);
                wb->refreshDelivery(id, granularity);
            });
    m_buyDetail->deliveryChart()->setClock([wb] { return wb->now(); });
    connect(wb, &Workbench::backgroundFailed, this, [this](const QString &action, const adcp::AdcpError &error) {
        showStatus(tr("%1 (background) failed: %2").arg(action, QString::fromStdString(error.code)));
    });
    connect(m_buyDetail, &BuyDetailWidget::creativesRequested, this, [this](const QString &id) {
        const BuyModel *buys = m_workbench->buys();
        CreativesDialog dialog(
            buys->buyJson(buys->rowOf(id)),
            [this](const QString &productId) { return productById(productId); }, buys->title(buys->rowOf(id)),
            this);
        if (runDialog(&dialog) != QDialog::Accepted || dialog.packageCount() == 0)
            return;
        m_buyDetail->errorBanner()->clearError();
        m_workbench->syncCreatives(id, dialog.creatives(), dialog.assignments());
    });
    connect(m_buyDetail, &BuyDetailWidget::audiencesRequested, this, [this](const QString &id) {
        const auto choose = [this, id] {
            const nlohmann::json &buy = m_workbench->buys()->buyJson(m_workbench->buys()->rowOf(id));
            QStringList targeted;
            for (const auto &p : jsonArray(buy, "packages"))
                for (const auto &a : jsonStringList(jsonObject(p, "targeting_overlay"), "audience_include"))
                    if (!targeted.contains(a))
                        targeted << a;
            BuyAudiencesDialog dialog(m_workbench->audiences(), targeted, this);
            if (runDialog(&dialog) != QDialog::Accepted)
                return;
            const QStringList chosen = dialog.audienceIds();
            if (QSet<QString>(chosen.begin(), chosen.end()) ==
                QSet<QString>(targeted.begin(), targeted.end()))
                return;
            m_buyDetail->errorBanner()->clearError();
            m_workbench->setBuyAudiences(id, chosen);
        };
        // The account's audiences are read first: the seller may have suspended or restored one meanwhile.
        auto *once = new QObject(this);
        connect(m_workbench, &Workbench::audiencesListed, once, [once, choose] {
            once->deleteLater();
            choose();
        });
        connect(m_workbench, &Workbench::actionFailed, once, [once](const QString &action) {
            if (action == tr("List audiences"))
                once->deleteLater();
        });
        m_workbench->listAudiences();
    });
    connect(
        m_buyDetail->errorBanner(), &ErrorBanner::remedyRequested, this, [this](ErrorBanner::Remedy remedy) {
            if (remedy == ErrorBanner::Remedy::OpenAccounts || remedy == ErrorBanner::Remedy::OpenSetupLink)
                return;
            m_buyDetail->errorBanner()->clearError();
            m_workbench->refreshBuys();
        });
}

void MainWindow::showEmptyHints(const QString &agent, const QString &failure)
{
    for (const auto &[label, usual] : m_emptyHints) {
        // An agent that does not answer is the next step's obstacle, not the brief or the proposal.
        label->setText(failure.isEmpty()
                           ? usual
                           : tr("%1 did not answer (%2). Pick another agent above, or check its "
                                "address in Agents…")
                                 .arg(agent, failure));
    }
}

void MainWindow::showError(const QString &action, const QString &subject, const adcp::AdcpError &error)
{
    // Failures stay longer than results: the inline banner has the detail, the status bar the headline.
    showStatus(tr("%1 failed: %2").arg(action, QString::fromStdString(error.code)), 2 * m_statusTimeout);
    // The accounts panel shows its own calls' errors.
    if (action == tr("List accounts") || action == tr("Sync accounts"))
        return;
    if (action == tr("Load catalog") || action == tr("Load more products") ||
        action == tr("Refresh catalog") || action == tr("Buy products")) {
        setCurrentTab(Tab::Catalog);
        ErrorBanner *banner = m_catalogPanel->errorBanner();
        banner->showError(error, action);
        // The catalog on show is out of date: the one remedy is to load it again. Any other refused buy is
        // corrected on the order, not sent again as it was.
        if (isStaleCatalog(error))
            banner->remedyButton()->setText(tr("Reload catalog"));
        else if (action == tr("Buy products"))
            banner->remedyButton()->hide();
        return;
    }
    if (action == tr("Send brief")) {
        setCurrentTab(Tab::Brief);
        m_brief->errorBanner()->showError(error, action);
        return;
    }
    if (m_workbench->buys()->rowOf(subject) >= 0) {
        // Only show it: fetching delivery again here would turn a failing report into a loop.
        if (m_buyDetail->mediaBuyId() != subject)
            m_buyDetail->showBuy(subject);
        m_detailStack->setCurrentWidget(m_buyDetail);
        m_buyDetail->errorBanner()->showError(error, action);
        return;
    }
    if (m_workbench->proposals()->rowOf(subject) >= 0) {
        if (m_proposalDetail->proposalId() != subject)
            showProposal(subject);
        m_proposalDetail->errorBanner()->showError(error, action);
        return;
    }
    if (m_detailStack->currentWidget() == m_proposalDetail)
        m_proposalDetail->errorBanner()->showError(error, action);
}

int MainWindow::runDialog(QDialog *dialog)
{
    return m_dialogRunner(dialog);
}

void MainWindow::setDialogRunner(std::function<int(QDialog *)> runner)
{
    m_dialogRunner = std::move(runner);
}

void MainWindow::onRefine(const QString &proposalId)
{
    const ProposalModel *proposals = m_workbench->proposals();
    const nlohmann::json proposal = proposals->proposalJson(proposals->rowOf(proposalId));
    RefineDialog dialog(
        proposal, [this](const QString &id) { return m_workbench->products()->productName(id); }, this);
    if (runDialog(&dialog) != QDialog::Accepted)
        return;
    const nlohmann::json entries = dialog.refineEntries();
    m_proposalDetail->errorBanner()->clearError();
    m_retryProposalAction = [this, proposalId, entries] { m_workbench->refine(proposalId, entries); };
    m_workbench->refine(proposalId, entries);
}

void MainWindow::onDecline(const QString &proposalId)
{
    const ProposalModel *proposals = m_workbench->proposals();
    const int row = proposals->rowOf(proposalId);
    const nlohmann::json proposal = proposals->proposalJson(row);
    DeclineDialog dialog(proposalId, jsonString(proposal, "proposal_version"), jsonString(proposal, "name"),
                         this);
    if (runDialog(&dialog) != QDialog::Accepted || !dialog.canAccept())
        return;
    const QString reason = dialog.reason();
    const QString detail = dialog.detail();
    m_proposalDetail->errorBanner()->clearError();
    m_retryProposalAction = [this, proposalId, reason, detail] {
        m_workbench->decline(proposalId, reason, detail);
    };
    m_workbench->decline(proposalId, reason, detail);
}

void MainWindow::onCreateBuy(const QString &proposalId, const nlohmann::json &prefill)
{
    const ProposalModel *proposals = m_workbench->proposals();
    const nlohmann::json proposal = proposals->proposalJson(proposals->rowOf(proposalId));
    CreateBuyDialog dialog(proposal, m_workbench->webhookUrl().isValid(), m_workbench->now(), this);
    // The flight the brief asked for, unless a retry brings the fields it sent before.
    const nlohmann::json flight = m_workbench->briefFlight(proposals->opportunityId(proposals->rowOf(proposalId)));
    // A buy that got no answer goes again unchanged (same idempotency key): the dialog shows what it sent.
    const nlohmann::json unconfirmed = m_workbench->unconfirmedBuy(proposalId);
    // A buy the seller refused comes back as the planner sent it, to be corrected rather than typed again.
    const nlohmann::json refused = m_workbench->refusedBuyFields(proposalId);
    if (unconfirmed.is_object())
        dialog.prefill(unconfirmed);
    else if (prefill.is_object())
        dialog.prefill(prefill);
    else if (refused.is_object())
        dialog.prefill(refused);
    else if (flight.is_object())
        dialog.prefill(flight);
    if (runDialog(&dialog) != QDialog::Accepted || !dialog.problems().isEmpty())
        return;
    const nlohmann::json fields = dialog.request();
    const bool webhooks = dialog.webhooksWanted();
    m_proposalDetail->errorBanner()->clearError();
    m_retryProposalAction = [this, proposalId, fields, webhooks] {
        m_workbench->createBuy(proposalId, fields, webhooks);
    };
    m_workbench->createBuy(proposalId, fields, webhooks);
}

void MainWindow::onCompare(const QString &proposalId, int left, int right)
{
    const ProposalModel *proposals = m_workbench->proposals();
    VersionCompareDialog dialog(proposals->versions(proposals->rowOf(proposalId)), left, right, this);
    runDialog(&dialog);
}

void MainWindow::onCloseOpportunity(const QString &opportunityId)
{
    const OpportunityModel *opportunities = m_workbench->opportunities();
    const int row = opportunities->rowOf(opportunityId);
    CloseOpportunityDialog dialog(row >= 0 ? opportunities->index(row, 0).data().toString() : opportunityId,
                                  this);
    if (runDialog(&dialog) != QDialog::Accepted || !dialog.canAccept())
        return;
    m_workbench->closeOpportunity(opportunityId, dialog.reason(), dialog.detail());
}

void MainWindow::showProposal(const QString &proposalId)
{
    m_proposalDetail->showProposal(proposalId);
    m_detailStack->setCurrentWidget(m_proposalDetail);
}

void MainWindow::showBuy(const QString &mediaBuyId)
{
    m_buyDetail->showBuy(mediaBuyId);
    m_detailStack->setCurrentWidget(m_buyDetail);
    const QString granularity = m_buyDetail->deliveryChart()->granularity();
    // The report shown is re-read with the status polling, so it follows the seller's clock.
    m_workbench->setWatchedDelivery(mediaBuyId, granularity);
    m_workbench->refreshDelivery(mediaBuyId, granularity);
}

void MainWindow::showProduct(const QString &productId)
{
    const ProductModel *products = m_workbench->products();
    m_productDetail->setHtml(productHtml(products->productJson(products->rowOf(productId))));
    m_detailStack->setCurrentWidget(m_productDetail);
}

MainWindow::Detail MainWindow::currentDetail() const
{
    QWidget *current = m_detailStack->currentWidget();
    if (current == m_proposalDetail)
        return Detail::Proposal;
    if (current == m_buyDetail)
        return Detail::Buy;
    if (current == m_productDetail)
        return Detail::Product;
    return Detail::Empty;
}

QComboBox *MainWindow::agentSelector() const
{
    return m_agentSelector;
}

QToolButton *MainWindow::agentsButton() const
{
    return m_agentsButton;
}

QPushButton *MainWindow::connectButton() const
{
    return m_connectButton;
}

QTabWidget *MainWindow::lifecycleTabs() const
{
    return m_tabs;
}

QStackedWidget *MainWindow::detailStack() const
{
    return m_detailStack;
}

QTreeView *MainWindow::opportunityView() const
{
    return m_opportunityView;
}

QLabel *MainWindow::connectionLabel() const
{
    return m_connectionLabel;
}

QProgressBar *MainWindow::busyBar() const
{
    return m_busyBar;
}

QPushButton *MainWindow::cancelButton() const
{
    return m_cancelButton;
}

BriefComposer *MainWindow::briefComposer() const
{
    return m_brief;
}

ProductListWidget *MainWindow::productList() const
{
    return m_productList;
}

ProposalListWidget *MainWindow::proposalList() const
{
    return m_proposalList;
}

ProposalDetailWidget *MainWindow::proposalDetail() const
{
    return m_proposalDetail;
}

BuyMonitorWidget *MainWindow::buyMonitor() const
{
    return m_buyMonitor;
}

CatalogPanel *MainWindow::catalogPanel() const
{
    return m_catalogPanel;
}

AudiencesWidget *MainWindow::audiencesPanel() const
{
    return m_audiencesPanel;
}

CreativeLibraryWidget *MainWindow::creativeLibrary() const
{
    return m_creativeLibrary;
}

BuyDetailWidget *MainWindow::buyDetail() const
{
    return m_buyDetail;
}

ExchangeInspector *MainWindow::exchangeInspector() const
{
    return m_inspector;
}

void MainWindow::setCurrentTab(Tab tab)
{
    m_tabs->setCurrentIndex(static_cast<int>(tab));
}

nlohmann::json MainWindow::productById(const QString &productId) const
{
    for (const ProductModel *products : {m_workbench->products(), m_workbench->catalog()}) {
        const int row = products->rowOf(productId);
        if (row >= 0)
            return products->productJson(row);
    }
    // Seen earlier in the session (before an agent switch or a restart), though neither list holds it now.
    return m_workbench->knownProduct(productId);
}

void MainWindow::onOpportunityChosen()
{
    const QModelIndexList chosen = m_opportunityView->selectionModel()->selectedIndexes();
    if (chosen.isEmpty()) {
        scopeTo({});
        return;
    }
    const QModelIndex index = chosen.front();
    const QModelIndex opportunity = index.parent().isValid() ? index.parent() : index;
    const OpportunityModel *opportunities = m_workbench->opportunities();
    scopeTo(opportunities->opportunityId(opportunity.row()));
    // The detail follows: a proposal of another opportunity must not stay on show (with its Finalize on)
    // beside a list that no longer has it.
    if (currentDetail() == Detail::Proposal &&
        m_workbench->proposals()->opportunityId(
            m_workbench->proposals()->rowOf(m_proposalDetail->proposalId())) != m_scope) {
        const QModelIndex first = m_proposalList->proxy()->index(0, 0);
        if (first.isValid()) {
            m_proposalList->view()->setCurrentIndex(first);
            showProposal(first.data(IdRole).toString());
        } else {
            m_detailStack->setCurrentIndex(0);
        }
    }
    // A count row opens its list; the opportunity itself keeps the list in front, or opens its proposals.
    if (index.parent().isValid())
        setCurrentTab(index.row() == OpportunityModel::BuysRow ? Tab::Buys : Tab::Proposals);
    else if (static_cast<Tab>(m_tabs->currentIndex()) != Tab::Buys)
        setCurrentTab(Tab::Proposals);
}

void MainWindow::scopeTo(const QString &opportunityId)
{
    m_scope = opportunityId;
    if (opportunityId.isEmpty() && m_opportunityView->selectionModel()->hasSelection()) {
        // Clearing the tree's selection comes back here with nothing selected.
        const QSignalBlocker quiet(m_opportunityView->selectionModel());
        m_opportunityView->selectionModel()->clear();
    }
    applyScope();
}

void MainWindow::applyScope()
{
    const OpportunityModel *opportunities = m_workbench->opportunities();
    const int row = m_scope.isEmpty() ? -1 : opportunities->rowOf(m_scope);
    if (!m_scope.isEmpty() && row < 0)
        m_scope.clear(); // the opportunity is gone (another agent, a new workspace)
    const QScopedValueRollback quiet(m_applyingScope, true);
    m_proposalList->proxy()->setOpportunity(m_scope);
    QSet<QString> proposalIds;
    const ProposalModel *proposals = m_workbench->proposals();
    if (!m_scope.isEmpty()) {
        for (int p = 0; p < proposals->rowCount(); ++p) {
            if (proposals->opportunityId(p) == m_scope)
                proposalIds.insert(proposals->proposalId(p));
        }
    }
    m_buyMonitor->proxy()->setProposalScope(!m_scope.isEmpty(), proposalIds);
    // Unscoped, proposals of several briefs read alike ("Balanced plan" twice): the list names each one's
    // brief.
    m_proposalList->setBriefShown(m_scope.isEmpty() && proposals->opportunityCount() > 1);
    m_buyMonitor->setBriefShown(m_scope.isEmpty() && m_workbench->buys()->briefCount() > 1);
    if (m_scope.isEmpty()) {
        m_proposalList->setScope({});
        m_buyMonitor->setScope({});
        return;
    }
    const QString title = opportunities->title(row).toHtmlEscaped();
    m_proposalList->setScope(tr("Only the proposals of <b>%1</b>").arg(title));
    m_buyMonitor->setScope(tr("Only the buys made from <b>%1</b>'s proposals").arg(title));
}

void MainWindow::revealBuy(const QString &mediaBuyId)
{
    if (m_buyMonitor->isFilteredOut(mediaBuyId))
        scopeTo({});
}

void MainWindow::setConnectionState(bool connected, const QString &versions, const QString &dialect,
                                    const QString &principal)
{
    if (!connected) {
        QString text = QStringLiteral("<span style='color:#9a9a9a'>●</span> ") + tr("not connected");
        if (!principal.isEmpty())
            text += QStringLiteral(" · ") + principal.toHtmlEscaped();
        m_connectionLabel->setText(text);
        return;
    }
    QStringList parts{tr("connected")};
    if (!versions.isEmpty())
        parts << tr("AdCP %1").arg(versions);
    if (!dialect.isEmpty())
        parts << tr("dialect: %1").arg(dialect);
    if (!principal.isEmpty())
        parts << principal;
    m_connectionLabel->setText(QStringLiteral("<span style='color:#2e9d57'>●</span> ") +
                               parts.join(QStringLiteral(" · ")).toHtmlEscaped());
}

void MainWindow::setAgentManager(AgentManager *manager)
{
    m_agents = manager;
    installPlainHttpWarning(findChild<QToolBar *>(QStringLiteral("agentBar")), manager);
    installTestLabButton(
        findChild<QToolBar *>(QStringLiteral("agentBar")), manager,
        [self = QPointer<MainWindow>(this)] { return self ? self->m_embeddedSeller : nullptr; },
        [self = QPointer<MainWindow>(this)] { return self ? self->m_embeddedJwks : nlohmann::json(); });
    installAccountsPanel(this, m_workbench, manager);
    refreshAgentSelector();
    connect(manager, &AgentManager::profilesChanged, this, &MainWindow::refreshAgentSelector);
    connect(m_agentSelector, &QComboBox::activated, this,
            [this](int index) { m_agents->activate(m_agentSelector->itemData(index).toString()); });
    connect(manager, &AgentManager::activationFailed, this,
            [this](const QString &, const QString &error) { showStatus(error, 2 * m_statusTimeout); });
    connect(manager, &AgentManager::activated, this, [this](const QString &id, const QString &name) {
        const int index = m_agentSelector->findData(id);
        if (index >= 0)
            m_agentSelector->setCurrentIndex(index);
        // What was said about the previous agent's session does not belong to this one.
        m_brief->errorBanner()->clearError();
        m_proposalDetail->errorBanner()->clearError();
        m_buyDetail->errorBanner()->clearError();
        m_catalogPanel->errorBanner()->clearError();
        m_detailStack->setCurrentIndex(0);
        m_brief->setAgentName(id == QLatin1String("embedded") ? tr("the embedded seller") : name);
        showStatus(tr("Active agent: %1").arg(name));
    });
    m_inspector->setSecretProvider([this](const QString &agent) {
        return m_agents && agent == m_agents->activeName() ? m_agents->activeToken() : QByteArray();
    });
    connect(m_agentsButton, &QToolButton::clicked, this, [this] {
        AgentProfilesDialog dialog(m_agents, this);
        runDialog(&dialog);
    });
}

void MainWindow::setWorkspaceKeeper(WorkspaceKeeper *keeper, const QString &path)
{
    installWorkspaceButton(findChild<QToolBar *>(QStringLiteral("agentBar")), keeper, path);
    connect(keeper, &WorkspaceKeeper::restored, this,
            [this](const QString &, int opportunities, int proposals, int buys, int exchanges,
                   const QStringList &problems) {
                if (!problems.isEmpty()) {
                    showStatus(tr("Workspace reopened, but part of it could not be read: %1")
                                   .arg(problems.join(QLatin1Char(' '))),
                               3 * m_statusTimeout);
                    return;
                }
                if (opportunities + proposals + buys + exchanges == 0)
                    return;
                showStatus(tr("Workspace reopened: %1, %2, %3, %4")
                               .arg(opportunities == 1 ? tr("1 opportunity")
                                                       : tr("%1 opportunities").arg(opportunities),
                                    tr("%n proposal(s)", nullptr, proposals), tr("%n buy(s)", nullptr, buys),
                                    tr("%n exchange(s)", nullptr, exchanges)));
            });
}

void MainWindow::setEmbeddedSeller(std::shared_ptr<adcp::seller::Dispatcher> seller,
                                   nlohmann::json webhookJwks)
{
    m_embeddedSeller = std::move(seller);
    m_embeddedJwks = std::move(webhookJwks);
    m_curlSeller.reset();
    if (!m_embeddedSeller) {
        m_inspector->setLocalServer({});
        return;
    }
    // Copy as cURL of an embedded exchange: the seller is served on loopback to a token of this session, as the
    // planner, so the command runs as pasted while the window is open.
    m_inspector->setLocalServer([this](QUrl *url, QByteArray *token, QString *error) {
        if (!m_curlSeller) {
            m_curlToken = LoopbackSeller::freshToken();
            m_curlSeller =
                LoopbackSeller::serve(m_embeddedSeller, {qMakePair(m_curlToken, embeddedPlannerPrincipal())}, error);
            if (!m_curlSeller)
                return false;
        }
        *url = m_curlSeller->url();
        *token = m_curlToken;
        return true;
    });
}

void MainWindow::attachSellerConsole(SellerConsole *console)
{
    m_consoleDock = addToolDock(console, tr("Seller console"), Qt::RightDockWidgetArea);
    m_consoleDock->setObjectName(QStringLiteral("sellerConsoleDock"));
    resizeDocks({m_consoleDock}, {console->sizeHint().width()}, Qt::Horizontal);
    // Floated (a trainer's second screen) it opens at a size its tables can be used at.
    connect(m_consoleDock, &QDockWidget::topLevelChanged, m_consoleDock, [this, console](bool floating) {
        if (floating)
            m_consoleDock->resize(console->sizeHint().expandedTo(m_consoleDock->size()));
        else
            fitSellerConsole(width()); // docked again into a window that may be too narrow for it
    });
    BuyModel *buys = m_workbench->buys();
    // A refresh of n buys changes the model n times; the console (which asks the seller for its board) is fed
    // at most four times a second, not once per row: its board is read by a person, not polled by a program.
    auto *feed = new QTimer(console);
    feed->setSingleShot(true);
    feed->setInterval(250);
    connect(feed, &QTimer::timeout, console, [console, buys] {
        nlohmann::json list = nlohmann::json::array();
        for (int row = 0; row < buys->rowCount(); ++row)
            list.push_back(buys->buyJson(row));
        console->setBuys(std::move(list));
    });
    const auto schedule = [feed] {
        if (!feed->isActive())
            feed->start();
    };
    connect(buys, &QAbstractItemModel::dataChanged, feed, schedule);
    connect(buys, &QAbstractItemModel::rowsInserted, feed, schedule);
    connect(buys, &QAbstractItemModel::modelReset, feed, schedule);
    // The trainer changed the seller (a clock move, a broken dependency, an approval): the buys and the report
    // on screen are read again at once.
    connect(console, &SellerConsole::sellerChanged, this, [this] {
        m_workbench->refreshBuys();
        if (m_detailStack->currentWidget() == m_buyDetail && !m_buyDetail->mediaBuyId().isEmpty())
            m_workbench->refreshDelivery(m_buyDetail->mediaBuyId(), m_buyDetail->deliveryChart()->granularity());
    });
    if (m_agents) {
        connect(m_agents, &AgentManager::activated, m_consoleDock, [this](const QString &id) {
            m_consoleWanted = id == QLatin1String("embedded");
            m_consoleFolded = false;
            m_consoleDock->setVisible(m_consoleWanted);
            fitSellerConsole(width());
        });
    }
    // Shown from the View menu while the window has no room for it docked: it opens as its own window rather
    // than squeezing (and cutting) the lifecycle's panes.
    connect(m_consoleDock->toggleViewAction(), &QAction::triggered, this, [this](bool shown) {
        m_consoleFolded = false;
        if (shown && !m_consoleDock->isFloating() && width() < widthForDockedConsole())
            m_consoleDock->setFloating(true);
    });
}

int MainWindow::widthForDockedConsole() const
{
    // The centre's least width (its splitter's panes at their minimums), the console's, and the separator.
    return centralWidget()->minimumSizeHint().width() + m_consoleDock->minimumSizeHint().width() +
           style()->pixelMetric(QStyle::PM_DockWidgetSeparatorExtent, nullptr, this);
}

void MainWindow::fitSellerConsole(int windowWidth)
{
    if (!m_consoleDock || m_consoleDock->isFloating())
        return;
    const int needed = widthForDockedConsole();
    // isHidden, not isVisible: before the window is first shown (a first start on a small screen) the dock is
    // not visible yet, though it is to be.
    if (windowWidth < needed && !m_consoleDock->isHidden() && !m_consoleFolded) {
        // Docked in a window too narrow for it and the lifecycle, it would cut the tabs and the detail's
        // buttons: it is put away, and says so.
        m_consoleFolded = true;
        m_consoleDock->hide();
        showStatus(tr("The seller console is put away while the window is narrower than %1 px; it comes back "
                      "when the window is wider (View → Seller console opens it on its own).")
                       .arg(needed));
    } else if (m_consoleFolded && windowWidth >= needed) {
        m_consoleFolded = false;
        m_consoleDock->setVisible(m_consoleWanted);
        if (m_consoleWanted)
            showStatus(tr("The seller console is back beside the lifecycle."));
    }
}

bool MainWindow::isSellerConsoleFolded() const
{
    return m_consoleFolded;
}

void MainWindow::resizeEvent(QResizeEvent *event)
{
    QMainWindow::resizeEvent(event);
    fitSellerConsole(event->size().width());
}

void MainWindow::showStatus(const QString &text, int ms)
{
    m_statusMessage->setText(text);
    m_statusMessage->setToolTip(text);
    const int timeout = ms < 0 ? m_statusTimeout : ms;
    if (timeout > 0)
        m_statusTimer->start(timeout);
    else
        m_statusTimer->stop();
}

void MainWindow::setStatusTimeout(int ms)
{
    m_statusTimeout = ms;
}

QLabel *MainWindow::statusMessage() const
{
    return m_statusMessage;
}

QDockWidget *MainWindow::sellerConsoleDock() const
{
    return m_consoleDock;
}

void MainWindow::refreshAgentSelector()
{
    const QString active = m_agents ? m_agents->activeId() : QStringLiteral("embedded");
    m_agentSelector->blockSignals(true);
    m_agentSelector->clear();
    m_agentSelector->addItem(tr("Embedded seller"), QStringLiteral("embedded"));
    if (m_agents) {
        for (const AgentProfile &profile : m_agents->profiles())
            m_agentSelector->addItem(
                QStringLiteral("%1 (%2)").arg(profile.name, AgentProfile::kindName(profile.kind).toUpper()),
                profile.id);
    }
    const int index = m_agentSelector->findData(active);
    m_agentSelector->setCurrentIndex(index < 0 ? 0 : index);
    m_agentSelector->blockSignals(false);
}

QDockWidget *MainWindow::addToolDock(QWidget *widget, const QString &title, Qt::DockWidgetArea area)
{
    auto *dock = new QDockWidget(title, this);
    dock->setObjectName(widget->objectName() + QStringLiteral("Dock"));
    dock->setWidget(widget);
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                      QDockWidget::DockWidgetClosable);
    addDockWidget(area, dock);
    m_viewMenu->addAction(dock->toggleViewAction());
    return dock;
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveLayout();
    QMainWindow::closeEvent(event);
}

void MainWindow::restoreLayout()
{
    QSettings settings;
    settings.beginGroup(QStringLiteral("MainWindow"));
    if (settings.contains(QStringLiteral("geometry")))
        restoreGeometry(settings.value(QStringLiteral("geometry")).toByteArray());
    if (settings.contains(QStringLiteral("state"))) {
        restoreState(settings.value(QStringLiteral("state")).toByteArray());
    } else if (const QScreen *shown = screen()) {
        // First run on a screen narrower than the lifecycle and the docked console need together (a 1366 px
        // laptop): the window fits the screen and the console starts put away, as a narrow window puts it.
        const QSize room = shown->availableGeometry().size();
        resize(size().boundedTo(room));
        if (m_consoleDock && room.width() < widthForDockedConsole())
            fitSellerConsole(room.width());
    }
    if (settings.contains(QStringLiteral("horizontalSplitter")))
        m_horizontalSplitter->restoreState(
            settings.value(QStringLiteral("horizontalSplitter")).toByteArray());
    else
        // First run, seller console docked: the lifecycle tabs get most of the width, or the brief composer's
        // channel names are cut to four letters beside an empty detail pane.
        m_horizontalSplitter->setSizes({200, 640, 340});
    if (settings.contains(QStringLiteral("verticalSplitter")))
        m_verticalSplitter->restoreState(settings.value(QStringLiteral("verticalSplitter")).toByteArray());
    // The tab by its name. A window before the Catalog tab saved its index, in the order the tabs had then:
    // read once, mapped to the tab it meant, and replaced by the name on the next save.
    const int named = mainWindowTabNamed(settings.value(QStringLiteral("currentTab")).toString());
    if (named >= 0) {
        setCurrentTab(Tab(named));
    } else if (settings.contains(QStringLiteral("tab"))) {
        static const Tab kBeforeCatalog[] = {Tab::Brief, Tab::Products,  Tab::Proposals,
                                             Tab::Buys,  Tab::Creatives, Tab::Audiences};
        bool number = false;
        const int index = settings.value(QStringLiteral("tab")).toInt(&number);
        if (number && index >= 0 && index < int(std::size(kBeforeCatalog)))
            setCurrentTab(kBeforeCatalog[index]);
    }
    settings.remove(QStringLiteral("tab"));
}

void MainWindow::saveLayout() const
{
    QSettings settings;
    settings.beginGroup(QStringLiteral("MainWindow"));
    settings.setValue(QStringLiteral("geometry"), saveGeometry());
    settings.setValue(QStringLiteral("state"), saveState());
    settings.setValue(QStringLiteral("horizontalSplitter"), m_horizontalSplitter->saveState());
    settings.setValue(QStringLiteral("verticalSplitter"), m_verticalSplitter->saveState());
    const int current = m_tabs->currentIndex();
    if (current >= 0 && current < int(std::size(kMainWindowTabNames)))
        settings.setValue(QStringLiteral("currentTab"), QLatin1String(kMainWindowTabNames[current]));
}

} // namespace adcp::gui
