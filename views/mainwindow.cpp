#include "mainwindow.h"

#include <QCloseEvent>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListView>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace adcp::gui {

namespace {

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
    auto *hintLabel = new QLabel(hint, page);
    hintLabel->setObjectName(QStringLiteral("emptyStateHint"));
    hintLabel->setAlignment(Qt::AlignCenter);
    hintLabel->setWordWrap(true);
    layout->addWidget(titleLabel);
    layout->addWidget(hintLabel);
    layout->addStretch(2);
    return page;
}

} // namespace

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent)
{
    setObjectName(QStringLiteral("MainWindow"));
    setWindowTitle(tr("AdCP Buyer Workbench"));
    buildAgentBar();
    buildCentre();
    statusBar()->showMessage(tr("Ready"));
    setConnectionState(false, {}, {}, {});
    resize(1440, 880);
    restoreLayout();
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

    m_settingsButton = new QToolButton(bar);
    m_settingsButton->setObjectName(QStringLiteral("agentSettingsButton"));
    m_settingsButton->setText(tr("Agents…"));
    m_settingsButton->setToolTip(tr("Manage agent profiles"));
    bar->addWidget(m_settingsButton);

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
    m_opportunityView->setRootIsDecorated(true);
    leftLayout->addWidget(m_opportunityView, 1);
    auto *newBrief = new QPushButton(tr("+ New brief"), left);
    newBrief->setObjectName(QStringLiteral("newBriefButton"));
    connect(newBrief, &QPushButton::clicked, this, [this] { setCurrentTab(Tab::Brief); });
    leftLayout->addWidget(newBrief);

    // Centre: the lifecycle tabs.
    m_tabs = new QTabWidget(m_horizontalSplitter);
    m_tabs->setObjectName(QStringLiteral("lifecycleTabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(
        emptyState(tr("Write a brief to the embedded seller"),
                   tr("Describe the campaign, its budget and flight; the seller answers with products "
                      "and proposals."),
                   m_tabs),
        tr("Brief"));
    m_tabs->addTab(emptyState(tr("No products yet"),
                              tr("Products appear here after the seller answers a brief."), m_tabs),
                   tr("Products"));
    m_tabs->addTab(emptyState(tr("No proposals yet"),
                              tr("Proposals appear here after the seller answers a brief."), m_tabs),
                   tr("Proposals"));
    m_tabs->addTab(emptyState(tr("No media buys yet"), tr("Create a buy from a committed proposal."), m_tabs),
                   tr("Buys"));

    // Right: the selected item in full.
    auto *right = new QWidget(m_horizontalSplitter);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(4, 8, 8, 8);
    rightLayout->addWidget(sectionTitle(tr("DETAIL"), right));
    m_detailStack = new QStackedWidget(right);
    m_detailStack->setObjectName(QStringLiteral("detailStack"));
    m_detailStack->addWidget(emptyState(
        tr("Nothing selected"), tr("Select a product, proposal or buy to see it in full."), m_detailStack));
    rightLayout->addWidget(m_detailStack, 1);

    m_horizontalSplitter->addWidget(left);
    m_horizontalSplitter->addWidget(m_tabs);
    m_horizontalSplitter->addWidget(right);
    m_horizontalSplitter->setStretchFactor(0, 0);
    m_horizontalSplitter->setStretchFactor(1, 1);
    m_horizontalSplitter->setStretchFactor(2, 0);
    m_horizontalSplitter->setSizes({240, 760, 420});

    // Bottom: every exchange, one line each.
    auto *bottom = new QWidget(m_verticalSplitter);
    auto *bottomLayout = new QVBoxLayout(bottom);
    bottomLayout->setContentsMargins(8, 4, 8, 4);
    bottomLayout->addWidget(sectionTitle(tr("EXCHANGES"), bottom));
    m_exchangeStrip = new QListView(bottom);
    m_exchangeStrip->setObjectName(QStringLiteral("exchangeStrip"));
    m_exchangeStrip->setUniformItemSizes(true);
    bottomLayout->addWidget(m_exchangeStrip, 1);

    m_verticalSplitter->addWidget(m_horizontalSplitter);
    m_verticalSplitter->addWidget(bottom);
    m_verticalSplitter->setStretchFactor(0, 1);
    m_verticalSplitter->setStretchFactor(1, 0);
    m_verticalSplitter->setSizes({700, 150});

    setCentralWidget(m_verticalSplitter);
}

QComboBox *MainWindow::agentSelector() const
{
    return m_agentSelector;
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

QListView *MainWindow::exchangeStrip() const
{
    return m_exchangeStrip;
}

QLabel *MainWindow::connectionLabel() const
{
    return m_connectionLabel;
}

void MainWindow::setCurrentTab(Tab tab)
{
    m_tabs->setCurrentIndex(static_cast<int>(tab));
}

void MainWindow::setConnectionState(bool connected, const QString &versions, const QString &dialect,
                                    const QString &principal)
{
    if (!connected) {
        m_connectionLabel->setText(QStringLiteral("<span style='color:#9a9a9a'>●</span> ") +
                                   tr("not connected"));
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
    if (settings.contains(QStringLiteral("state")))
        restoreState(settings.value(QStringLiteral("state")).toByteArray());
    if (settings.contains(QStringLiteral("horizontalSplitter")))
        m_horizontalSplitter->restoreState(
            settings.value(QStringLiteral("horizontalSplitter")).toByteArray());
    if (settings.contains(QStringLiteral("verticalSplitter")))
        m_verticalSplitter->restoreState(settings.value(QStringLiteral("verticalSplitter")).toByteArray());
}

void MainWindow::saveLayout() const
{
    QSettings settings;
    settings.beginGroup(QStringLiteral("MainWindow"));
    settings.setValue(QStringLiteral("geometry"), saveGeometry());
    settings.setValue(QStringLiteral("state"), saveState());
    settings.setValue(QStringLiteral("horizontalSplitter"), m_horizontalSplitter->saveState());
    settings.setValue(QStringLiteral("verticalSplitter"), m_verticalSplitter->saveState());
}

} // namespace adcp::gui
