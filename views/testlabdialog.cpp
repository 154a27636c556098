#include "testlabdialog.h"

#include "agentmanager.h"
#include "labhistory.h"
#include "labreport.h"
#include "labrunner.h"
#include "labrunnersettings.h"
#include "labsuite.h"
#include "loopbackseller.h"
#include "officialrunner.h"
#include "secretstore.h"

#include "dispatcher.h"
#include "sellercontext.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QSet>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QTreeWidget>

#include <QVBoxLayout>
#include <utility>

namespace adcp::gui {

namespace {

// The index of a step in m_steps, on its tree row.
constexpr int kStepRole = Qt::UserRole + 1;

QString verdictText(adcp::lab::Verdict verdict)
{
    switch (verdict) {
    case adcp::lab::Verdict::Passed:
        return QObject::tr("✓ passed");
    case adcp::lab::Verdict::Failed:
        return QObject::tr("✗ failed");
    case adcp::lab::Verdict::NotApplicable:
        return QObject::tr("– not applicable");
    }
    return {};
}

// The verdict as the engine gave it: the runner's "skipped" stays "skipped".
QString stepVerdictText(const adcp::lab::StepResult &step)
{
    return step.given.isEmpty() ? verdictText(step.verdict) : QStringLiteral("– ") + step.given;
}

QColor verdictColour(adcp::lab::Verdict verdict)
{
    switch (verdict) {
    case adcp::lab::Verdict::Passed:
        return QColor(0x1b, 0x7f, 0x3b);
    case adcp::lab::Verdict::Failed:
        return QColor(0xb3, 0x26, 0x1e);
    case adcp::lab::Verdict::NotApplicable:
        break;
    }
    return QColor(0x6b, 0x72, 0x80);
}

QString exchangesText(const adcp::lab::StepResult &step)
{
    QString out = step.title + QStringLiteral("\n") +
                  (step.given.isEmpty() ? adcp::lab::verdictName(step.verdict) : step.given) +
                  QStringLiteral(": ") + step.reason + QStringLiteral("\n\n");
    if (step.exchanges.empty())
        return out + QObject::tr("(this step made no call)");
    for (const adcp::lab::LabExchange &raw : step.exchanges) {
        const nlohmann::json exchange = adcp::lab::exchangeToJson(raw);
        const int http = exchange["http_status"].get<int>();
        out += QStringLiteral("── %1 %2 (%3 ms%4)\n")
                   .arg(QString::fromStdString(exchange["principal"].get<std::string>()),
                        QString::fromStdString(exchange["tool"].get<std::string>()))
                   .arg(exchange["elapsed_ms"].get<qint64>())
                   .arg(http == 0 ? QString()
                                  : QStringLiteral(", HTTP %1").arg(http)); // the runner reports none
        const bool webhook = raw.principal == QLatin1String("webhook");     // a delivery that reached the lab
        if (exchange["request"].is_null())
            out += webhook ? QString()
                           : QObject::tr("request: (the AdCP runner does not report what it sent)\n");
        else
            out += (webhook ? QObject::tr("the agent delivered:\n") : QObject::tr("request:\n")) +
                   QString::fromStdString(exchange["request"].dump(2)) + u'\n';
        out += (webhook ? QObject::tr("the lab's receiver:\n") : QObject::tr("answer:\n")) +
               QString::fromStdString(exchange["response"].dump(2)) + u'\n';
        for (const auto &issue : exchange["response_issues"])
            out += QObject::tr("schema issue: ") + QString::fromStdString(issue.get<std::string>()) + u'\n';
        out += u'\n';
    }
    return out;
}

} // namespace

TestLabDialog::TestLabDialog(AgentManager *manager, QWidget *parent)
    : QDialog(parent), m_manager(manager), m_runner(std::make_unique<adcp::lab::LabRunner>()),
      m_official(std::make_unique<adcp::lab::OfficialRunner>()),
      m_historyPath(adcp::lab::LabHistory::defaultPath())
{
    setObjectName(QStringLiteral("testLabDialog"));
    setWindowTitle(tr("Test lab"));
    buildUi();
    refreshAgents();
    connect(m_runner.get(), &adcp::lab::LabRunner::stepStarted, this,
            [this](const QString &suite, const QString &, const QString &title, int index, int total) {
                onStepStarted(suite, title, index, total);
            });
    connect(m_runner.get(), &adcp::lab::LabRunner::stepFinished, this, &TestLabDialog::onStepFinished);
    connect(m_runner.get(), &adcp::lab::LabRunner::finished, this, &TestLabDialog::onRunFinished);
    connect(m_official.get(), &adcp::lab::OfficialRunner::itemStarted, this,
            [this](const QString &item, int index, int count) {
                const QString what = item == adcp::lab::kFullSelection ? tr("the full selection") : item;
                m_status->setText(
                    tr("Running %1 with the AdCP runner (%2 of %3)…").arg(what).arg(index + 1).arg(count));
                m_runnerLog += tr("▶ adcp storyboard run … %1")
                                   .arg(item == adcp::lab::kFullSelection ? QString() : item) +
                               u'\n';
                if (!m_tree->currentItem())
                    m_exchanges->setPlainText(m_runnerLog);
            });
    connect(m_official.get(), &adcp::lab::OfficialRunner::outputLine, this, [this](const QString &line) {
        m_runnerLog += line + u'\n';
        if (!m_tree->currentItem())
            m_exchanges->appendPlainText(line);
    });
    connect(m_official.get(), &adcp::lab::OfficialRunner::stepFinished, this, &TestLabDialog::addStepRow);
    connect(m_official.get(), &adcp::lab::OfficialRunner::itemFinished, this,
            [this](const QString &, int index, int count) {
                if (count > 1)
                    m_progress->setValue(index + 1);
            });
    connect(m_official.get(), &adcp::lab::OfficialRunner::finished, this, &TestLabDialog::onRunFinished);
    if (m_manager)
        connect(m_manager, &AgentManager::profilesChanged, this, &TestLabDialog::refreshAgents);
    connect(m_agent, &QComboBox::currentIndexChanged, this, [this] { setRunning(false); });
    refreshRunner();
}

TestLabDialog::~TestLabDialog()
{
    // The run still in progress talks to the served seller: it ends before the server goes.
    m_runner.reset();
    m_official.reset();
    m_servedSeller.reset();
    m_runnerSeller.reset();
    if (m_listing) { // ends before the widgets its answer would fill
        m_listing->disconnect(this);
        m_listing->kill();
        m_listing->waitForFinished(5000);
    }
}

namespace {

const QString kEmbeddedTarget = QStringLiteral("embedded");
// On a "Compare with" entry: the other agent's name, when the run is not of the agent on show.
constexpr int kOtherAgentRole = Qt::UserRole + 1;

} // namespace

void TestLabDialog::setEmbeddedSeller(std::shared_ptr<adcp::seller::Dispatcher> dispatcher,
                                      nlohmann::json webhookJwks)
{
    m_embeddedSeller = std::move(dispatcher);
    m_embeddedJwks = std::move(webhookJwks);
    refreshAgents();
    if (m_embeddedSeller && !runInProgress())
        m_agent->setCurrentIndex(0); // offered first, and the target until another is picked
}

QUrl TestLabDialog::servedEmbeddedUrl() const
{
    return m_servedUrl;
}

bool TestLabDialog::serveEmbeddedSeller(QString *error)
{
    if (m_servedSeller)
        return true;
    m_servedTokenA = LoopbackSeller::freshToken();
    m_servedTokenB = LoopbackSeller::freshToken();
    // A is a sandbox principal like the storyboards' buyer, so the controller-driven steps can run; B is an
    // ordinary second buyer.
    m_servedSeller = LoopbackSeller::serve(m_embeddedSeller,
                                           {{m_servedTokenA, adcp::seller::Principal{"test-lab-a", true}},
                                            {m_servedTokenB, adcp::seller::Principal{"test-lab-b", false}}},
                                           error, m_embeddedJwks);
    if (!m_servedSeller)
        return false;
    m_servedUrl = m_servedSeller->url();
    return true;
}

const adcp::lab::LabRun &TestLabDialog::lastRun() const
{
    return m_lastRun;
}

void TestLabDialog::setHistoryPath(const QString &path)
{
    m_historyPath = path;
}

void TestLabDialog::buildUi()
{
    auto *form = new QFormLayout;
    m_agent = new QComboBox(this);
    m_agent->setObjectName(QStringLiteral("labAgent"));
    form->addRow(tr("Agent"), m_agent);
    m_targetWarning = new QLabel(this);
    m_targetWarning->setObjectName(QStringLiteral("labTargetWarning"));
    m_targetWarning->setWordWrap(true);
    m_targetWarning->setStyleSheet(QStringLiteral("color: #b45309;"));
    m_targetWarning->hide();
    form->addRow(QString(), m_targetWarning);
    // The console may change while the lab is open: its settings are read again every second on show.
    auto *watch = new QTimer(this);
    watch->setInterval(1000);
    connect(watch, &QTimer::timeout, this, [this] {
        if (isVisible())
            updateTargetWarning();
    });
    watch->start();
    m_brand = new QLineEdit(QStringLiteral("lab.example"), this);
    m_brand->setObjectName(QStringLiteral("labBrand"));
    m_brand->setToolTip(tr("The advertiser's domain the lab buys for; a seller may serve only brands it onboarded."));
    form->addRow(tr("Brand domain"), m_brand);
    m_tokenB = new QLineEdit(this);
    m_tokenB->setObjectName(QStringLiteral("labTokenB"));
    m_tokenB->setEchoMode(QLineEdit::Password);
    m_tokenB->setPlaceholderText(tr("optional: a second principal's token, for the isolation suite"));
    form->addRow(tr("Second token"), m_tokenB);
    m_suites = new QListWidget(this);
    m_suites->setObjectName(QStringLiteral("labSuites"));
    for (const adcp::lab::LabSuite &suite : adcp::lab::labSuites()) {
        auto *item = new QListWidgetItem(suite.title + QStringLiteral("  (") + suite.name + u')', m_suites);
        item->setData(Qt::UserRole, suite.name);
        item->setFlags(suite.name == QLatin1String("discovery") ? Qt::ItemIsEnabled : Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
        item->setCheckState(Qt::Checked);
    }
    m_suites->setMaximumHeight(m_suites->sizeHintForRow(0) * int(adcp::lab::labSuites().size()) + 6);

    m_engine = new QComboBox(this);
    m_engine->setObjectName(QStringLiteral("labEngine"));
    m_engine->addItem(tr("Lab suites (built in)"));
    m_engine->addItem(tr("Official AdCP runner (@adcp/sdk storyboards, needs node)"));
    m_engine->setToolTip(tr("The official runner's verdicts are shown as it gives them, never re-graded"));
    form->insertRow(1, tr("Engine"), m_engine);

    auto *officialPage = new QWidget(this);
    auto *officialLayout = new QVBoxLayout(officialPage);
    officialLayout->setContentsMargins(0, 0, 0, 0);
    auto *runnerRow = new QHBoxLayout;
    m_runnerStatus = new QLabel(officialPage);
    m_runnerStatus->setObjectName(QStringLiteral("labRunnerStatus"));
    m_runnerStatus->setWordWrap(true);
    auto *runnerSettings = new QPushButton(tr("Runner settings…"), officialPage);
    runnerSettings->setObjectName(QStringLiteral("labRunnerSettings"));
    runnerSettings->setToolTip(
        tr("Where the runner and node are, or install the runner from the npm registry"));
    runnerRow->addWidget(m_runnerStatus, 1);
    runnerRow->addWidget(runnerSettings);
    officialLayout->addLayout(runnerRow);
    m_storyboards = new QListWidget(officialPage);
    m_storyboards->setObjectName(QStringLiteral("labStoryboards"));
    m_storyboards->setToolTip(
        tr("Each checked bundle or storyboard runs as one runner process, in this order"));
    officialLayout->addWidget(m_storyboards, 1);
    m_receiver =
        new QCheckBox(tr("Let the runner host its loopback webhook receiver (grades its webhook steps; the "
                         "agent must reach 127.0.0.1)"),
                      officialPage);
    m_receiver->setObjectName(QStringLiteral("labRunnerReceiver"));
    officialLayout->addWidget(m_receiver);
    m_suitePages = new QStackedWidget(this);
    m_suitePages->addWidget(m_suites);
    m_suitePages->addWidget(officialPage);
    m_suitePages->setMaximumHeight(m_suites->maximumHeight() + 60);
    form->addRow(tr("Suites"), m_suitePages);
    connect(m_engine, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_suitePages->setCurrentIndex(index);
        if (index == 1)
            refreshRunner();
        setRunning(false);
    });
    connect(runnerSettings, &QPushButton::clicked, this, &TestLabDialog::openRunnerSettings);
    connect(m_storyboards, &QListWidget::itemChanged, this, [this](QListWidgetItem *changed) {
        // The full selection is the runner's own pick: it runs alone.
        if (changed->checkState() == Qt::Checked) {
            const bool full = changed->data(Qt::UserRole).toString() == adcp::lab::kFullSelection;
            const QSignalBlocker quiet(m_storyboards);
            for (int row = 0; row < m_storyboards->count(); ++row) {
                QListWidgetItem *item = m_storyboards->item(row);
                if (item != changed &&
                    (full || item->data(Qt::UserRole).toString() == adcp::lab::kFullSelection))
                    item->setCheckState(Qt::Unchecked);
            }
            m_storyboards->viewport()->update();
        }
        setRunning(false);
    });

    m_run = new QPushButton(tr("Run"), this);
    m_run->setObjectName(QStringLiteral("labRun"));
    m_run->setDefault(true);
    m_cancel = new QPushButton(tr("Cancel run"), this);
    m_cancel->setObjectName(QStringLiteral("labCancel"));
    m_save = new QPushButton(tr("Save report…"), this);
    m_save->setObjectName(QStringLiteral("labSave"));
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("labProgress"));
    m_status = new QLabel(tr("Pick an agent and run."), this);
    m_status->setObjectName(QStringLiteral("labStatus"));
    m_compare = new QComboBox(this);
    m_compare->setObjectName(QStringLiteral("labCompare"));
    m_compare->setMinimumContentsLength(30);
    m_compare->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_compare->setToolTip(tr("Show each step's verdict in an earlier run of this agent; changed steps are bold"));
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_run);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_progress, 1);
    buttons->addWidget(new QLabel(tr("Compare with"), this));
    buttons->addWidget(m_compare);
    buttons->addWidget(m_save);

    m_tree = new QTreeWidget(this);
    m_tree->setObjectName(QStringLiteral("labResults"));
    m_tree->setHeaderLabels({tr("Step"), tr("Verdict"), tr("Reason"), tr("ms"), tr("Before")});
    // Every column can be dragged wider; the last (Before) takes what is left.
    m_tree->header()->setSectionResizeMode(QHeaderView::Interactive);
    m_tree->header()->setStretchLastSection(true);
    m_tree->setColumnWidth(0, 360);
    m_tree->setColumnWidth(1, 110);
    m_tree->setColumnWidth(2, 420);
    m_tree->setColumnWidth(3, 60);
    m_exchanges = new QPlainTextEdit(this);
    m_exchanges->setObjectName(QStringLiteral("labExchanges"));
    m_exchanges->setReadOnly(true);
    m_exchanges->setPlaceholderText(tr("Select a step to see the exchanges behind its verdict."));
    m_exchanges->setMinimumHeight(100);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_tree);
    split->addWidget(m_exchanges);
    split->setChildrenCollapsible(false);
    split->setObjectName(QStringLiteral("labSplit"));
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    // The verdicts take most of the height (a run has dozens of steps); the details pane starts tall enough
    // for a request line and a short answer. Where the planner drags the handle is kept for the next time.
    split->setSizes({400, 160});
    split->restoreState(QSettings().value(QStringLiteral("testLab/split")).toByteArray());
    connect(split, &QSplitter::splitterMoved, this,
            [split] { QSettings().setValue(QStringLiteral("testLab/split"), split->saveState()); });

    auto *close = new QDialogButtonBox(QDialogButtonBox::Close, this);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addLayout(buttons);
    layout->addWidget(m_status);
    layout->addWidget(split, 1);
    layout->addWidget(close);
    resize(1100, 760);

    connect(m_run, &QPushButton::clicked, this, &TestLabDialog::startRun);
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        m_runner->cancel();
        m_official->cancel();
        m_status->setText(tr("Canceling…"));
    });
    connect(m_save, &QPushButton::clicked, this, &TestLabDialog::saveReport);
    connect(m_compare, &QComboBox::activated, this, [this](int index) {
        compareWith(m_compare->itemData(index).toLongLong(),
                    m_compare->itemData(index, kOtherAgentRole).toString());
    });
    connect(m_tree, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem *item) { showStep(item); });
    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);
    setRunning(false);
    m_save->setEnabled(false);
}

void TestLabDialog::refreshAgents()
{
    const QString current = m_agent->currentData().toString();
    m_agent->clear();
    if (m_embeddedSeller)
        m_agent->addItem(tr("Embedded seller — served on loopback for the run"), kEmbeddedTarget);
    if (m_manager)
        for (const AgentProfile &profile : m_manager->profiles())
            if (profile.kind != AgentProfile::Kind::Embedded)
                m_agent->addItem(profile.name + QStringLiteral(" — ") + profile.url.toString(), profile.id);
    if (m_agent->count() == 0)
        m_agent->addItem(tr("(add a remote agent under Agents… first)"));
    const int index = m_agent->findData(current);
    m_agent->setCurrentIndex(index >= 0 ? index : 0);
    setRunning(false);
}

void TestLabDialog::keyPressEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_Escape && event->modifiers() == Qt::NoModifier && runInProgress()) {
        m_escapedDuringRun = true;
        m_status->setText(runningHint());
        event->accept();
        return;
    }
    QDialog::keyPressEvent(event);
}

bool TestLabDialog::runInProgress() const
{
    return (m_runner && m_runner->isRunning()) || (m_official && m_official->isRunning());
}

QString TestLabDialog::runningHint() const
{
    return tr(
        "A run is in progress. Cancel run stops it; Close leaves it running, and the Test lab button opens "
        "it again.");
}

void TestLabDialog::updateTargetWarning()
{
    QString warning;
    if (m_embeddedSeller && m_agent->currentData().toString() == kEmbeddedTarget) {
        const adcp::seller::SellerOptions options = m_embeddedSeller->context().options();
        if (options.manualApproval)
            warning = tr("Manual approval is on in the seller console: the accounts the lab opens stay "
                         "pending approval and its buys wait for you, so account and buying steps fail "
                         "(ACCOUNT_SETUP_REQUIRED). Turn it off for a conformance run.");
        else if (!options.manualApprovalAccounts.isEmpty())
            warning = tr("The seller console holds some accounts' buys for approval: steps buying for "
                         "them wait for you and may fail.");
    }
    m_targetWarning->setText(warning);
    m_targetWarning->setVisible(!warning.isEmpty());
}

void TestLabDialog::setRunning(bool running)
{
    updateTargetWarning();
    running = running || runInProgress();
    bool ready = !m_agent->currentData().toString().isEmpty();
    if (officialEngine()) {
        bool any = false;
        for (int row = 0; row < m_storyboards->count(); ++row)
            any = any || m_storyboards->item(row)->checkState() == Qt::Checked;
        ready = ready && m_runnerLocation.isValid() && any;
    }
    m_run->setEnabled(!running && ready);
    m_cancel->setEnabled(running);
    m_agent->setEnabled(!running);
    m_engine->setEnabled(!running);
    m_suitePages->setEnabled(!running);
    m_brand->setEnabled(!running);
    m_tokenB->setEnabled(!running);
    m_compare->setEnabled(!running);
    m_save->setEnabled(!running && !m_lastRun.steps.empty());
}

void TestLabDialog::startRun()
{
    m_escapedDuringRun = false;
    const QString id = m_agent->currentData().toString();
    if (id == kEmbeddedTarget && m_embeddedSeller) {
        QString error;
        if (!(officialEngine() ? serveEmbeddedForRunner(&error) : serveEmbeddedSeller(&error))) {
            m_status->setText(error);
            return;
        }
        AgentProfile served;
        served.name = tr("the embedded seller");
        served.url = officialEngine() ? m_runnerSeller->url() : m_servedUrl;
        served.kind = AgentProfile::Kind::Mcp;
        setRunning(true);
        runWithToken(served, officialEngine() ? m_runnerToken : m_servedTokenA);
        return;
    }
    AgentProfile chosen;
    bool found = false;
    if (m_manager)
        for (const AgentProfile &profile : m_manager->profiles())
            if (profile.id == id) {
                chosen = profile;
                found = true;
            }
    if (!found) {
        m_status->setText(tr("Add a remote agent under Agents… first."));
        return;
    }
    setRunning(true);
    m_status->setText(tr("Reading the agent's token…"));
    SecretStore *secrets = m_manager->secretStore();
    if (!secrets) {
        runWithToken(chosen, {});
        return;
    }
    QPointer<TestLabDialog> self(this);
    secrets->read(chosen.secretKey(), [self, chosen](std::optional<QByteArray> secret, const QString &) {
        if (self)
            self->runWithToken(chosen, secret.value_or(QByteArray()));
    });
}

void TestLabDialog::runWithToken(const AgentProfile &profile, const QByteArray &token)
{
    adcp::lab::LabConfig config;
    config.url = profile.url;
    config.protocol =
        profile.kind == AgentProfile::Kind::A2a ? adcp::lab::LabProtocol::A2a : adcp::lab::LabProtocol::Mcp;
    config.token = token;
    config.tokenB = m_tokenB->text().trimmed().toUtf8();
    if (config.tokenB.isEmpty() && profile.url == m_servedUrl && m_servedSeller)
        config.tokenB = m_servedTokenB;
    config.historyPath = m_historyPath;
    const bool embedded = (profile.url == m_servedUrl && m_servedSeller) ||
                          (m_runnerSeller && profile.url == m_runnerSeller->url());
    if (embedded) {
        config.agentKey = kEmbeddedTarget;
        config.agentName = tr("Embedded seller");
    }
    if (!m_brand->text().trimmed().isEmpty())
        config.brandDomain = m_brand->text().trimmed().toLower();
    if (officialEngine()) {
        startOfficial(profile, token, config);
        return;
    }
    for (int row = 0; row < m_suites->count(); ++row) {
        const QListWidgetItem *item = m_suites->item(row);
        if (item->checkState() == Qt::Checked)
            config.suites << item->data(Qt::UserRole).toString();
    }
    m_tree->clear();
    m_exchanges->clear();
    m_runnerLog.clear();
    m_steps.clear();
    m_progress->setRange(0, adcp::lab::LabRunner::stepCount(config.suites));
    m_progress->setValue(0);
    QString error;
    if (!m_runner->start(config, &error)) {
        m_status->setText(error);
        setRunning(false);
        return;
    }
    m_status->setText(tr("Running against %1…").arg(profile.name));
}

bool TestLabDialog::officialEngine() const
{
    return m_engine && m_engine->currentIndex() == 1;
}

void TestLabDialog::refreshRunner()
{
    QString why;
    m_runnerLocation = LabRunnerSettings::load().locate(&why);
    if (!m_runnerLocation.isValid()) {
        m_runnerStatus->setText(
            tr("✗ %1. Open Runner settings… to name it or to install it from npm.").arg(why));
        m_storyboards->clear();
        m_listedScript.clear();
    } else {
        m_runnerStatus->setText(tr("Runner: %1").arg(m_runnerLocation.describe()));
        if (m_listedScript != m_runnerLocation.script && officialEngine())
            loadStoryboards();
    }
    setRunning(false);
}

void TestLabDialog::loadStoryboards()
{
    if (m_listing)
        return;
    m_listedScript = m_runnerLocation.script;
    m_storyboards->clear();
    auto *loading = new QListWidgetItem(tr("Reading the runner's storyboards…"), m_storyboards);
    loading->setFlags(Qt::NoItemFlags);
    m_listing = new QProcess(this);
    m_listing->setProgram(m_runnerLocation.node);
    m_listing->setArguments({m_runnerLocation.script, QStringLiteral("storyboard"), QStringLiteral("list"),
                             QStringLiteral("--json")});
    const auto fill = [this](const QByteArray &out, const QString &failure) {
        QProcess *process = std::exchange(m_listing, nullptr);
        process->deleteLater();
        m_storyboards->clear();
        QString error = failure;
        std::vector<adcp::lab::RunnerEntry> entries;
        if (error.isEmpty())
            entries = adcp::lab::parseStoryboardList(adcp::lab::parseRunnerOutput(out), &error);
        if (entries.empty()) {
            auto *item =
                new QListWidgetItem(tr("The runner listed no storyboards: %1").arg(error), m_storyboards);
            item->setFlags(Qt::NoItemFlags);
            m_listedScript.clear();
            setRunning(false);
            return;
        }
        const QStringList checked = QSettings()
                                        .value(QStringLiteral("testLab/officialSelection"),
                                               QStringList{QStringLiteral("capability-discovery")})
                                        .toStringList();
        const QSignalBlocker quiet(m_storyboards);
        auto *full = new QListWidgetItem(tr("Full selection — the runner picks storyboards from the agent's "
                                            "capabilities (slow; runs alone)"),
                                         m_storyboards);
        full->setData(Qt::UserRole, adcp::lab::kFullSelection);
        for (const adcp::lab::RunnerEntry &entry : entries) {
            auto *item = new QListWidgetItem(
                (entry.bundle ? tr("%1 — %2 bundle: %3 (%4)").arg(entry.id, entry.group, entry.title)
                              : tr("    %1 — %2 (%3)").arg(entry.id, entry.title))
                    .arg(entry.steps == 1 ? tr("1 step") : tr("%1 steps").arg(entry.steps)),
                m_storyboards);
            item->setData(Qt::UserRole, entry.id);
        }
        QListWidgetItem *firstChecked = nullptr;
        for (int row = 0; row < m_storyboards->count(); ++row) {
            QListWidgetItem *item = m_storyboards->item(row);
            item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable);
            const bool on = checked.contains(item->data(Qt::UserRole).toString());
            item->setCheckState(on ? Qt::Checked : Qt::Unchecked);
            if (on && !firstChecked)
                firstChecked = item;
        }
        if (firstChecked) // what will run is in sight
            m_storyboards->scrollToItem(firstChecked, QAbstractItemView::PositionAtCenter);
        setRunning(false);
    };
    connect(m_listing, &QProcess::finished, this, [this, fill](int code, QProcess::ExitStatus status) {
        const QByteArray out = m_listing->readAllStandardOutput();
        fill(out, status == QProcess::NormalExit && code == 0
                      ? QString()
                      : tr("it ended with exit code %1: %2")
                            .arg(code)
                            .arg(QString::fromUtf8(m_listing->readAllStandardError().right(600)).trimmed()));
    });
    connect(m_listing, &QProcess::errorOccurred, this, [this, fill](QProcess::ProcessError failure) {
        if (failure == QProcess::FailedToStart)
            fill({}, tr("%1 could not start: %2").arg(m_runnerLocation.node, m_listing->errorString()));
    });
    m_listing->start();
}

void TestLabDialog::openRunnerSettings()
{
    auto *dialog = new LabRunnerSettingsDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this] {
        m_listedScript.clear(); // the runner may have changed: list its storyboards again
        refreshRunner();
    });
    dialog->open();
}

bool TestLabDialog::serveEmbeddedForRunner(QString *error)
{
    m_runnerSeller.reset();
    m_runnerToken = LoopbackSeller::freshToken();
    const std::string principal =
        "test-lab-runner-" +
        QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMddhhmmsszzz")).toStdString();
    m_runnerSeller = LoopbackSeller::serve(
        m_embeddedSeller, {{m_runnerToken, adcp::seller::Principal{principal, true}}}, error, m_embeddedJwks);
    return m_runnerSeller != nullptr;
}

void TestLabDialog::startOfficial(const AgentProfile &profile, const QByteArray &token,
                                  const adcp::lab::LabConfig &config)
{
    adcp::lab::OfficialRunConfig official;
    official.lab = config;
    official.lab.token = token;
    official.lab.tokenB.clear();
    official.runner = m_runnerLocation;
    official.webhookReceiver = m_receiver->isChecked();
    for (int row = 0; row < m_storyboards->count(); ++row) {
        const QListWidgetItem *item = m_storyboards->item(row);
        if (item->checkState() == Qt::Checked)
            official.selection << item->data(Qt::UserRole).toString();
    }
    QSettings().setValue(QStringLiteral("testLab/officialSelection"), official.selection);
    m_tree->clear();
    m_exchanges->clear();
    m_runnerLog.clear();
    m_steps.clear();
    const int items = int(official.selection.size());
    m_progress->setRange(0, items > 1 ? items : 0); // one runner process: busy until it ends
    m_progress->setValue(0);
    QString error;
    if (!m_official->start(official, &error)) {
        m_status->setText(error);
        m_progress->setRange(0, 1);
        setRunning(false);
        return;
    }
    m_status->setText(tr("Running the AdCP runner against %1…").arg(profile.name));
}

QTreeWidgetItem *TestLabDialog::suiteItem(const QString &suite)
{
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i)
        if (m_tree->topLevelItem(i)->data(0, Qt::UserRole).toString() == suite)
            return m_tree->topLevelItem(i);
    auto *item = new QTreeWidgetItem(m_tree, {suite});
    item->setData(0, Qt::UserRole, suite);
    item->setExpanded(true);
    QFont bold = item->font(0);
    bold.setBold(true);
    item->setFont(0, bold);
    return item;
}

void TestLabDialog::onStepStarted(const QString &suite, const QString &title, int index, int total)
{
    const QString step = tr("Step %1 of %2: %3 — %4").arg(index + 1).arg(total).arg(suite, title);
    // After an Escape the hint stays under the progress until the run ends.
    m_status->setText(m_escapedDuringRun ? step + QLatin1Char('\n') + runningHint() : step);
}

void TestLabDialog::onStepFinished(const adcp::lab::StepResult &step, int index, int)
{
    addStepRow(step);
    m_progress->setValue(index + 1);
}

void TestLabDialog::addStepRow(const adcp::lab::StepResult &step)
{
    QTreeWidgetItem *parent = suiteItem(step.suite);
    auto *item = new QTreeWidgetItem(
        parent, {step.title, stepVerdictText(step), step.reason, QString::number(step.elapsedMs)});
    item->setData(0, kStepRole, int(m_steps.size()));
    item->setToolTip(0, step.title + QStringLiteral(" (") + step.suite + u'/' + step.step + u')');
    item->setToolTip(2, step.reason);
    item->setForeground(1, verdictColour(step.verdict));
    m_steps.push_back(step);
    if (step.verdict == adcp::lab::Verdict::Failed)
        parent->setForeground(0, verdictColour(step.verdict));
}

void TestLabDialog::onRunFinished(const adcp::lab::LabRun &run)
{
    m_lastRun = run;
    if (m_progress->maximum() == 0) { // the runner's one process: busy until now
        m_progress->setRange(0, 1);
        m_progress->setValue(run.canceled ? 0 : 1);
    }
    setRunning(false);
    m_save->setEnabled(!run.steps.empty());
    QString text = tr("%1 passed, %2 failed, %3 not applicable")
                       .arg(run.count(adcp::lab::Verdict::Passed))
                       .arg(run.count(adcp::lab::Verdict::Failed))
                       .arg(run.count(adcp::lab::Verdict::NotApplicable));
    if (!run.engine.isEmpty()) {
        text += tr(" (verdicts of the %1)").arg(run.engine);
        if (!run.engineStatus.isEmpty())
            m_status->setToolTip(tr("The runner's own summary (its words):\n") +
                                 run.engineStatus.join(u'\n'));
    } else {
        m_status->setToolTip({});
    }
    if (run.canceled)
        text = tr("Canceled. ") + text;
    else if (!run.fatal.isEmpty())
        text = tr("The run could not proceed: %1").arg(run.fatal);
    if (!run.historyError.isEmpty())
        text += tr(" (not kept in the history: %1)").arg(run.historyError);
    m_status->setText(text);
    m_runSummary = text;
    refreshComparisons();
}

void TestLabDialog::refreshComparisons()
{
    m_compare->clear();
    m_compare->addItem(tr("(no comparison)"), qint64(0));
    adcp::lab::LabHistory history(m_historyPath);
    QString error;
    if (m_lastRun.historyId == 0 || !history.open(&error))
        return;
    for (const auto &entry : history.runs(m_lastRun.config.historyKey(), 20)) {
        if (entry.id == m_lastRun.historyId)
            continue;
        m_compare->addItem(tr("%1 · %2 passed, %3 failed")
                               .arg(QLocale().toString(entry.startedAt.toLocalTime(), QLocale::ShortFormat))
                               .arg(entry.passed)
                               .arg(entry.failed),
                           entry.id);
    }
    // Two agents on the same suites, side by side: the latest run of every other agent.
    QSet<QString> agents{m_lastRun.config.historyKey()};
    bool separated = false;
    for (const auto &entry : history.runs({}, 200)) {
        if (agents.contains(entry.agentUrl))
            continue;
        agents.insert(entry.agentUrl);
        if (!std::exchange(separated, true))
            m_compare->insertSeparator(m_compare->count());
        // The embedded seller is kept under a name, not under the loopback address of one run.
        const QString who = entry.agentUrl.startsWith(QLatin1String("http"))
                                ? tr("%1 (%2)").arg(entry.agentName, entry.agentUrl)
                                : entry.agentName;
        m_compare->addItem(tr("%1 · %2 passed, %3 failed").arg(who).arg(entry.passed).arg(entry.failed),
                           entry.id);
        m_compare->setItemData(m_compare->count() - 1, entry.agentName, kOtherAgentRole);
    }
}

void TestLabDialog::compareWith(qint64 historyId, const QString &otherAgent)
{
    m_tree->headerItem()->setText(4, otherAgent.isEmpty() ? tr("Before") : otherAgent);
    QHash<QString, QString> before;
    if (historyId != 0) {
        adcp::lab::LabHistory history(m_historyPath);
        QString error;
        if (history.open(&error))
            if (const auto run = history.load(historyId))
                before = adcp::lab::verdictsOf(*run);
    }
    int changed = 0;
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        QTreeWidgetItem *suite = m_tree->topLevelItem(i);
        for (int j = 0; j < suite->childCount(); ++j) {
            QTreeWidgetItem *item = suite->child(j);
            const auto &step = m_steps[size_t(item->data(0, kStepRole).toInt())];
            const QString was = before.value(step.suite + u'/' + step.step);
            const bool differs = historyId != 0 && was != adcp::lab::verdictName(step.verdict);
            item->setText(4, historyId == 0 ? QString() : was.isEmpty() ? tr("(not run)") : was);
            QFont font = item->font(0);
            font.setBold(differs);
            for (int column = 0; column < item->columnCount(); ++column)
                item->setFont(column, font);
            changed += differs;
        }
    }
    if (historyId == 0)
        m_status->setText(m_runSummary); // back from a comparison: the run's own counts again
    else
        m_status->setText(otherAgent.isEmpty()
                              ? tr("%n step(s) changed since that run", nullptr, changed)
                              : tr("%n step(s) differ from %1's run", nullptr, changed).arg(otherAgent));
}

void TestLabDialog::showStep(QTreeWidgetItem *item)
{
    if (!item || !item->data(0, kStepRole).isValid()) {
        // A suite's row: the runner's own output of the run, when the runner ran it.
        if (item && !m_runnerLog.isEmpty() && item->text(0).startsWith(QLatin1String("official/")))
            m_exchanges->setPlainText(tr("The AdCP runner's output for this run:\n") + m_runnerLog);
        else
            m_exchanges->clear();
        return;
    }
    const int index = item->data(0, kStepRole).toInt();
    if (index >= 0 && index < int(m_steps.size()))
        m_exchanges->setPlainText(exchangesText(m_steps[size_t(index)]));
}

void TestLabDialog::saveReport()
{
    QString filter;
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save test lab report"), QStringLiteral("adcp-lab-report.html"),
        tr("HTML page (*.html);;JUnit XML (*.xml);;JSON (*.json)"), &filter);
    if (path.isEmpty())
        return;
    QByteArray bytes;
    if (path.endsWith(QLatin1String(".xml")))
        bytes = adcp::lab::runToJunitXml(m_lastRun);
    else if (path.endsWith(QLatin1String(".json")))
        bytes = QByteArray::fromStdString(adcp::lab::runToJson(m_lastRun).dump(2));
    else
        bytes = adcp::lab::runToHtml(m_lastRun);
    QString error;
    if (!adcp::lab::writeReport(path, bytes, &error))
        QMessageBox::warning(this, tr("Save test lab report"), tr("Could not write %1: %2").arg(path, error));
    else
        m_status->setText(m_runSummary + tr(" — saved to %1").arg(QDir::toNativeSeparators(path)));
}

void installTestLabButton(QToolBar *agentBar, AgentManager *manager,
                          std::function<std::shared_ptr<adcp::seller::Dispatcher>()> embeddedSeller,
                          std::function<nlohmann::json()> embeddedJwks)
{
    if (!agentBar || !manager)
        return;
    // One action, on the agent bar and in the window's Tools menu.
    auto *open = new QAction(QObject::tr("Test lab…"), agentBar);
    open->setObjectName(QStringLiteral("testLabAction"));
    open->setToolTip(
        QObject::tr("Check an agent (a remote one, or the embedded seller) with the test lab's suites"));
    auto *button = new QToolButton(agentBar);
    button->setObjectName(QStringLiteral("testLabButton"));
    button->setDefaultAction(open);
    agentBar->addWidget(button);
    if (auto *window = qobject_cast<QMainWindow *>(agentBar->window())) {
        QMenu *tools = window->menuBar()->findChild<QMenu *>(QStringLiteral("toolsMenu"));
        if (!tools) {
            tools = window->menuBar()->addMenu(QObject::tr("&Tools"));
            tools->setObjectName(QStringLiteral("toolsMenu"));
        }
        tools->addAction(open);
    }
    QObject::connect(open, &QAction::triggered, agentBar, [agentBar, manager, embeddedSeller, embeddedJwks] {
        auto *dialog = agentBar->window()->findChild<TestLabDialog *>();
        if (!dialog) {
            // Kept when closed: the last run stays on show until the window goes.
            dialog = new TestLabDialog(manager, agentBar->window());
            if (embeddedSeller)
                if (auto seller = embeddedSeller())
                    dialog->setEmbeddedSeller(std::move(seller),
                                              embeddedJwks ? embeddedJwks() : nlohmann::json());
        }
        dialog->show();
        dialog->raise();
        dialog->activateWindow();
    });
}

} // namespace adcp::gui
