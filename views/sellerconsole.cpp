#include "sellerconsole.h"

#include "approvalmodel.h"
#include "backoffice.h"
#include "dispatcher.h"
#include "displaynames.h"
#include "jobs/deadletters.h"
#include "jobs/execution.h"
#include "jsonvalues.h"
#include "sellercontext.h"
#include "subtitledelegate.h"

#include <QCheckBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHash>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSet>
#include <QSettings>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QTableView>
#include <QTableWidget>
#include <QThreadPool>
#include <QTimer>
#include <QVBoxLayout>

#include <cmath>
#include <optional>
#include <utility>

namespace adcp::gui {

using namespace adcp::models;
using nlohmann::json;

namespace {

struct DependencyKind
{
    const char *type;
    const char *offline; // a status that takes the resource out of service
    const char *online;  // the status that restores it
};

// The five resource kinds buys depend on, with the statuses the console flips between.
constexpr DependencyKind kKinds[] = {
    {"creative", "suspended", "approved"},     {"audience", "suspended", "ready"},
    {"catalog_item", "withdrawn", "approved"}, {"event_source", "insufficient", "good"},
    {"property", "depublished", "published"},
};

const DependencyKind *kindOf(const QString &type)
{
    for (const DependencyKind &kind : kKinds) {
        if (type == QLatin1String(kind.type))
            return &kind;
    }
    return nullptr;
}

QLabel *note(QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setWordWrap(true);
    label->setStyleSheet(QStringLiteral("color: #6b7280;"));
    return label;
}

} // namespace

SellerConsole::SellerConsole(std::shared_ptr<adcp::seller::Dispatcher> dispatcher, std::string principalId,
                             QWidget *parent)
    : QWidget(parent), m_dispatcher(std::move(dispatcher)), m_home(m_dispatcher),
      m_principal(
          std::make_unique<adcp::seller::Principal>(adcp::seller::Principal{std::move(principalId), true}))
{
    setObjectName(QStringLiteral("sellerConsole"));
    m_reader = std::make_unique<QThreadPool>();
    m_reader->setMaxThreadCount(1);
    // The reader thread keeps its connection to the seller's store for the console's lifetime.
    m_reader->setExpiryTimeout(-1);
    // Docked beside a buy's detail it keeps room for its tables' buttons.
    setMinimumWidth(340);
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto *content = new QWidget(scroll);
    auto *layout = new QVBoxLayout(content);
    buildClock(layout);
    buildOptions(layout);
    buildApprovals(layout);
    buildDependencies(layout);
    buildAdapters(layout);
    buildDeadLetters(layout);
    layout->addStretch(1);
    scroll->setWidget(content);
    outer->addWidget(scroll);
    // Docked, the console is never narrower than what it holds: scrolled sideways, it would hide the
    // Approve/Reject and Break/Restore buttons at its right edge (a 1600-pixel screen gave it 385 of 440).
    setMinimumWidth(
        std::max(340, content->minimumSizeHint().width() + scroll->verticalScrollBar()->sizeHint().width()));

    m_clockTimer = new QTimer(this);
    m_clockTimer->setInterval(500);
    connect(m_clockTimer, &QTimer::timeout, this, [this] {
        refreshClock();
        // A buy waiting for approval is news even when no buy has changed yet (the first buy of a session),
        // and an ad-server step fails and is retried without any buy changing.
        if (isVisible())
            readBoard(Approvals | AdServerSteps);
    });
    m_clockTimer->start();
    refresh();
}

SellerConsole::~SellerConsole()
{
    // A read still running posts its board to this object: it must end first.
    m_reader->clear();
    m_reader->waitForDone();
}

void SellerConsole::buildClock(QVBoxLayout *layout)
{
    auto *box = new QGroupBox(tr("Seller clock"), this);
    auto *v = new QVBoxLayout(box);
    m_clock = new QLabel(box);
    m_clock->setObjectName(QStringLiteral("sellerClock"));
    m_clock->setStyleSheet(QStringLiteral("font-family: monospace; font-size: 12pt;"));
    v->addWidget(m_clock);
    auto *rates = new QHBoxLayout;
    // The style's 80-pixel least width of a text button made this row the console's widest (five of them);
    // the buttons still take that width where the dock has room, and no less than their text where it has
    // none.
    const auto compact = [](QPushButton *button) {
        button->setMinimumWidth(button->fontMetrics().horizontalAdvance(button->text()) + 24);
    };
    for (const double rate : {1.0, 60.0, 3600.0}) {
        auto *button = new QPushButton(QStringLiteral("%1×").arg(rate), box);
        button->setObjectName(QStringLiteral("clockRate%1").arg(int(rate)));
        button->setCheckable(true);
        button->setAutoExclusive(true);
        button->setChecked(m_dispatcher->context().clock().rate() == rate);
        connect(button, &QPushButton::clicked, this, [this, rate] {
            m_dispatcher->context().clock().setRate(rate);
            refreshClock();
        });
        compact(button);
        rates->addWidget(button);
    }
    auto *hour = new QPushButton(tr("+1 h"), box);
    auto *day = new QPushButton(tr("+1 day"), box);
    compact(hour);
    compact(day);
    connect(hour, &QPushButton::clicked, this, [this] { advanceClock(3600); });
    connect(day, &QPushButton::clicked, this, [this] { advanceClock(86400); });
    rates->addSpacing(12);
    rates->addWidget(hour);
    rates->addWidget(day);
    v->addLayout(rates);
    layout->addWidget(box);
}

namespace {

// Where the console keeps the embedded seller's options between runs.
const QString kOptionsGroup = QStringLiteral("embeddedSeller/");

} // namespace

void SellerConsole::restoreSavedOptions(adcp::seller::SellerContext &context)
{
    const QSettings settings;
    const auto flag = [&settings](const char *key, bool *value) {
        const QVariant saved = settings.value(kOptionsGroup + QLatin1String(key));
        if (saved.isValid())
            *value = saved.toString() == QLatin1String("true");
    };
    // The saved number, or nothing when it is absent, not a number or out of range.
    const auto number = [&settings](const char *key, int low, int high) -> std::optional<int> {
        bool ok = false;
        const int saved = settings.value(kOptionsGroup + QLatin1String(key)).toInt(&ok);
        if (ok && saved >= low && saved <= high)
            return saved;
        return std::nullopt;
    };
    adcp::seller::SellerOptions options = context.options();
    flag("autoCommitOnIssue", &options.autoCommitOnIssue);
    flag("manualApproval", &options.manualApproval);
    flag("requireProposalVersion", &options.requireProposalVersion);
    if (const std::optional<int> hours = number("holdHours", 1, 24 * 30))
        options.holdSeconds = *hours * 3600;
    context.setOptions(options);
    if (const std::optional<int> delaySeconds = number("impairmentWebhookDelaySeconds", 0, 300))
        context.setWebhookCoalescenceWindow("impairment", qint64(*delaySeconds) * 1000);
}

void SellerConsole::saveOption(const char *key, const QVariant &value)
{
    // Only the seller the console was made with keeps the trainer's choices; a trainer scenario's seller (a
    // reset replaced it for the scenario's run) saves nothing.
    if (m_home.lock() == m_dispatcher)
        QSettings().setValue(kOptionsGroup + QLatin1String(key), value);
}

void SellerConsole::buildOptions(QVBoxLayout *layout)
{
    auto *box = new QGroupBox(tr("Seller options"), this);
    auto *form = new QFormLayout(box);
    // A narrow dock puts each label above its box: side by side, these rows made the console 436 px wide at
    // least, more than a 1366 px screen leaves beside the lifecycle's 976.
    form->setRowWrapPolicy(QFormLayout::WrapLongRows);
    adcp::seller::SellerContext &context = m_dispatcher->context();
    const adcp::seller::SellerOptions options = context.options();
    m_autoCommit = new QCheckBox(tr("Issue brief proposals already committed"), box);
    m_autoCommit->setObjectName(QStringLiteral("autoCommitBox"));
    m_autoCommit->setChecked(options.autoCommitOnIssue);
    form->addRow(tr("Auto-commit"), m_autoCommit);
    m_holdHours = new QSpinBox(box);
    m_holdHours->setObjectName(QStringLiteral("holdHoursBox"));
    m_holdHours->setRange(1, 24 * 30);
    m_holdHours->setSuffix(tr(" h"));
    m_holdHours->setValue(std::max(1, options.holdSeconds / 3600));
    form->addRow(tr("Hold duration"), m_holdHours);
    m_manualApproval = new QCheckBox(tr("Buys wait for approval in this console"), box);
    m_manualApproval->setObjectName(QStringLiteral("manualApprovalBox"));
    m_manualApproval->setChecked(options.manualApproval);
    form->addRow(tr("Manual approval"), m_manualApproval);
    m_requireVersion = new QCheckBox(tr("Reject buys that omit proposal_version"), box);
    m_requireVersion->setChecked(options.requireProposalVersion);
    form->addRow(tr("Versions"), m_requireVersion);
    // Impairment webhooks wait this long for a newer state of the same impairment (a flap sends one webhook);
    // the timeline marks them "webhook" only once they arrive.
    auto *coalesce = new QSpinBox(box);
    coalesce->setObjectName(QStringLiteral("impairmentDelayBox"));
    coalesce->setRange(0, 300);
    coalesce->setSuffix(tr(" s"));
    const auto windows = options.webhookCoalescenceMs;
    const auto impairment = windows.find("impairment");
    coalesce->setValue(impairment == windows.end() ? 0 : int(impairment->second / 1000));
    coalesce->setToolTip(tr("How long the seller holds an impairment webhook back in case a newer state replaces "
                            "it; 0 sends at once."));
    form->addRow(tr("Impairment delay"), coalesce);
    connect(coalesce, &QSpinBox::valueChanged, this, [this](int seconds) {
        m_dispatcher->context().setWebhookCoalescenceWindow("impairment", qint64(seconds) * 1000);
        saveOption("impairmentWebhookDelaySeconds", seconds);
    });
    connect(m_autoCommit, &QCheckBox::toggled, this, [this](bool on) {
        m_dispatcher->context().setAutoCommitOnIssue(on);
        saveOption("autoCommitOnIssue", on);
    });
    connect(m_holdHours, &QSpinBox::valueChanged, this, [this](int hours) {
        m_dispatcher->context().setHoldSeconds(hours * 3600);
        saveOption("holdHours", hours);
    });
    connect(m_requireVersion, &QCheckBox::toggled, this, [this](bool on) {
        m_dispatcher->context().setRequireProposalVersion(on);
        saveOption("requireProposalVersion", on);
    });
    connect(m_manualApproval, &QCheckBox::toggled, this, [this](bool on) {
        adcp::seller::SellerOptions changed = m_dispatcher->context().options();
        changed.manualApproval = on;
        m_dispatcher->context().setOptions(changed);
        saveOption("manualApproval", on);
        Q_EMIT sellerActionTaken({{"kind", "seller_action"}, {"action", "manual_approval"}, {"enabled", on}});
    });
    layout->addWidget(box);
}

void SellerConsole::buildApprovals(QVBoxLayout *layout)
{
    auto *box = new QGroupBox(tr("Pending approvals"), this);
    auto *v = new QVBoxLayout(box);
    m_approvalModel = new ApprovalModel(this);
    m_approvals = new QTableView(box);
    m_approvals->setObjectName(QStringLiteral("approvalTable"));
    m_approvals->setModel(m_approvalModel);
    m_approvals->verticalHeader()->hide();
    m_approvals->setSelectionMode(QAbstractItemView::NoSelection);
    m_approvals->horizontalHeader()->setSectionResizeMode(ApprovalModel::WhatColumn, QHeaderView::Stretch);
    m_approvals->horizontalHeader()->setSectionResizeMode(ApprovalModel::SinceColumn,
                                                          QHeaderView::ResizeToContents);
    // The buttons are index widgets, which ResizeToContents does not measure: the column takes their width
    // when a row gets them.
    m_approvals->horizontalHeader()->setSectionResizeMode(ApprovalModel::ActionColumn, QHeaderView::Fixed);
    m_approvals->setMinimumHeight(90);
    m_approvals->setMaximumHeight(160);
    // A row's buttons are made once, when the task appears, and live as long as the row: a refresh that finds
    // the same tasks changes nothing under the pointer.
    connect(m_approvalModel, &QAbstractItemModel::rowsInserted, this,
            [this](const QModelIndex &, int first, int last) { addApprovalButtons(first, last); });
    v->addWidget(m_approvals);
    m_approvalNote = note(box);
    m_approvalNote->setObjectName(QStringLiteral("approvalNote"));
    v->addWidget(m_approvalNote);
    layout->addWidget(box);
}

void SellerConsole::addApprovalButtons(int first, int last)
{
    for (int row = first; row <= last; ++row) {
        const QString taskId = m_approvalModel->taskId(row);
        const QString accountId = m_approvalModel->accountId(row);
        const QString accountPrincipal = m_approvalModel->accountPrincipal(row);
        auto *buttons = new QWidget(m_approvals);
        auto *h = new QHBoxLayout(buttons);
        h->setContentsMargins(2, 0, 2, 0);
        auto *approve = new QPushButton(tr("Approve"), buttons);
        approve->setObjectName(QStringLiteral("approve-%1").arg(taskId));
        auto *reject = new QPushButton(tr("Reject"), buttons);
        reject->setObjectName(QStringLiteral("reject-%1").arg(taskId));
        h->addWidget(approve);
        h->addWidget(reject);
        const auto decide = [this, taskId, accountId, accountPrincipal](bool yes) {
            // What was decided stays in the note after its row is gone: said with its name and the seller's
            // time, it reads as the last decision, not as news about whatever the list shows next.
            const int at = m_approvalModel->rowOf(taskId);
            const QString what =
                at >= 0 ? m_approvalModel->index(at, 0).data().toString().section(u'\n', 0, 0) : QString();
            m_approvalNote->setText(yes ? tr("Approving…") : tr("Rejecting…"));
            const auto shown = [this, yes, what](const QString &error) {
                if (!error.isEmpty()) {
                    m_approvalNote->setText(error);
                    return;
                }
                const QString when =
                    m_dispatcher->context().clock().now().toUTC().toString(QStringLiteral("HH:mm:ss 'UTC'"));
                m_approvalNote->setText(
                    what.isEmpty()
                        ? (yes ? tr("Approved at %1.") : tr("Rejected at %1.")).arg(when)
                        : (yes ? tr("Approved “%1” at %2.") : tr("Rejected “%1” at %2.")).arg(what, when));
            };
            if (accountId.isEmpty())
                approveTask(taskId, yes, shown);
            else
                decideAccount(accountPrincipal, accountId, yes, shown);
        };
        connect(approve, &QPushButton::clicked, this, [decide] { decide(true); });
        connect(reject, &QPushButton::clicked, this, [decide] { decide(false); });
        m_approvals->setIndexWidget(m_approvalModel->index(row, ApprovalModel::ActionColumn), buttons);
        QHeaderView *header = m_approvals->horizontalHeader();
        header->resizeSection(
            ApprovalModel::ActionColumn,
            std::max(header->sectionSize(ApprovalModel::ActionColumn), buttons->sizeHint().width()));
    }
}

void SellerConsole::buildDependencies(QVBoxLayout *layout)
{
    auto *box = new QGroupBox(tr("Dependency board"), this);
    auto *v = new QVBoxLayout(box);
    m_dependencies = new QTableWidget(0, 4, box);
    m_dependencies->setObjectName(QStringLiteral("dependencyTable"));
    m_dependencies->setHorizontalHeaderLabels({tr("Resource"), tr("Resource"), tr("Status"), QString()});
    m_dependencies->verticalHeader()->hide();
    // The resource's name (or id) with its kind on a second line under it: a column for the kind left the
    // name ~70 px in the docked console ("hom…ple"). The kind's column stays, hidden, as the rows' type data.
    auto *names = new SubtitleDelegate(0, m_dependencies);
    names->setShown(true);
    m_dependencies->setItemDelegateForColumn(1, names);
    m_dependencies->setColumnHidden(0, true);
    QStyleOptionViewItem option;
    option.font = m_dependencies->font();
    m_dependencies->verticalHeader()->setDefaultSectionSize(names->sizeHint(option, {}).height() + 4);
    // The id takes what room is left (elided, whole in its tooltip): Break and Restore always stay in sight.
    QHeaderView *header = m_dependencies->horizontalHeader();
    header->setStretchLastSection(false);
    header->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(1, QHeaderView::Stretch);
    header->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(3, QHeaderView::Fixed);
    m_dependencies->setTextElideMode(Qt::ElideMiddle);
    m_dependencies->setWordWrap(false);
    m_dependencies->setMinimumHeight(160);
    v->addWidget(m_dependencies);
    m_dependencyNote = note(box);
    v->addWidget(m_dependencyNote);
    layout->addWidget(box);
}

void SellerConsole::buildAdapters(QVBoxLayout *layout)
{
    auto *box = new QGroupBox(tr("Ad server adapters"), this);
    auto *form = new QFormLayout(box);
    m_latency = new QSlider(Qt::Horizontal, box);
    m_latency->setObjectName(QStringLiteral("latencySlider"));
    m_latency->setRange(0, 5000);
    m_latency->setSingleStep(100);
    m_latencyValue = new QLabel(tr("0 ms"), box);
    auto *latencyRow = new QHBoxLayout;
    latencyRow->addWidget(m_latency, 1);
    latencyRow->addWidget(m_latencyValue);
    form->addRow(tr("Latency"), latencyRow);
    m_failure = new QSlider(Qt::Horizontal, box);
    m_failure->setObjectName(QStringLiteral("failureSlider"));
    m_failure->setRange(0, 100);
    m_failureValue = new QLabel(tr("0 %"), box);
    auto *failureRow = new QHBoxLayout;
    failureRow->addWidget(m_failure, 1);
    failureRow->addWidget(m_failureValue);
    form->addRow(tr("Failure rate"), failureRow);
    m_adapterNote = note(box);
    form->addRow(m_adapterNote);
    m_adServerSummary = new QLabel(tr("No ad-server step is failing."), box);
    m_adServerSummary->setObjectName(QStringLiteral("adServerStepSummary"));
    m_adServerSummary->setWordWrap(true);
    form->addRow(m_adServerSummary);
    m_adServerSteps = new QTableWidget(0, 4, box);
    m_adServerSteps->setObjectName(QStringLiteral("adServerStepTable"));
    m_adServerSteps->setHorizontalHeaderLabels({tr("Package"), tr("Step"), tr("Tries"), tr("Last error")});
    m_adServerSteps->verticalHeader()->hide();
    m_adServerSteps->horizontalHeader()->setStretchLastSection(true);
    // The step and its tries take what they need; the error has the rest (in full in its tooltip).
    m_adServerSteps->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_adServerSteps->horizontalHeader()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    m_adServerSteps->setColumnWidth(0, 120);
    m_adServerSteps->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_adServerSteps->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_adServerSteps->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_adServerSteps->setWordWrap(false);
    m_adServerSteps->setMaximumHeight(140);
    m_adServerSteps->hide();
    form->addRow(m_adServerSteps);
    connect(m_latency, &QSlider::valueChanged, this, [this](int ms) {
        m_latencyValue->setText(tr("%1 ms").arg(ms));
        if (m_adapters.setLatency)
            m_adapters.setLatency(ms);
    });
    connect(m_failure, &QSlider::valueChanged, this, [this](int percent) {
        m_failureValue->setText(tr("%1 %").arg(percent));
        if (m_adapters.setFailureRate)
            m_adapters.setFailureRate(percent / 100.0);
    });
    setAdapterControl({});
    layout->addWidget(box);
}

SellerConsole::AdapterControl
SellerConsole::adapterControl(std::shared_ptr<adcp::seller::Execution> execution)
{
    if (!execution)
        return {};
    const adcp::seller::SimulatedAdServer *adapter = execution->adapter("guaranteed");
    return {[execution](int latencyMs) {
                for (const char *name : {"guaranteed", "exchange"}) {
                    if (auto *adapter = execution->adapter(name))
                        adapter->setLatency(latencyMs);
                }
            },
            [execution](double failureRate) {
                for (const char *name : {"guaranteed", "exchange"}) {
                    if (auto *adapter = execution->adapter(name))
                        adapter->setFailureRate(failureRate);
                }
            },
            execution->maxAttempts(), adapter ? adapter->options().latencyMs : 0,
            adapter ? adapter->options().failureRate : 0.0};
}

QSlider *SellerConsole::latencySlider() const
{
    return m_latency;
}

QSlider *SellerConsole::failureSlider() const
{
    return m_failure;
}

QLabel *SellerConsole::adapterNote() const
{
    return m_adapterNote;
}

QLabel *SellerConsole::adServerStepSummary() const
{
    return m_adServerSummary;
}

QTableWidget *SellerConsole::adServerStepTable() const
{
    return m_adServerSteps;
}

void SellerConsole::setAdapterControl(AdapterControl control)
{
    m_adapters = std::move(control);
    m_latency->setEnabled(bool(m_adapters.setLatency));
    m_failure->setEnabled(bool(m_adapters.setFailureRate));
    // What the sliders show is what the ad servers do: a new seller (a trainer's reset, a scenario's fresh
    // seller) starts as it was made, and the sliders say so instead of keeping the last seller's settings.
    {
        const QSignalBlocker latency(m_latency);
        const QSignalBlocker failure(m_failure);
        m_latency->setValue(m_adapters.latencyMs);
        m_failure->setValue(int(std::lround(m_adapters.failureRate * 100)));
    }
    m_latencyValue->setText(tr("%1 ms").arg(m_latency->value()));
    m_failureValue->setText(tr("%1 %").arg(m_failure->value()));
    m_adapterNote->setText(m_adapters.setLatency || m_adapters.setFailureRate
                               ? tr("Applies to the simulated guaranteed ad server and auction exchange.")
                               : tr("This seller build runs without simulated ad servers."));
}

bool SellerConsole::controllerAvailable() const
{
    return m_dispatcher->hasTool("comply_test_controller");
}

namespace {

// The test controller's answer, or null with `error` set (its own refusals included).
json controllerCall(adcp::seller::Dispatcher &dispatcher, const adcp::seller::Principal &principal,
                    const std::string &scenario, const json &params, QString *error)
{
    const adcp::ToolOutcome outcome =
        dispatcher.call(principal, "comply_test_controller",
                        {{"scenario", scenario}, {"params", params}, {"account", {{"sandbox", true}}}});
    if (!outcome.ok()) {
        *error = QStringLiteral("%1: %2").arg(QString::fromStdString(outcome.error->code),
                                              QString::fromStdString(outcome.error->message));
        return json();
    }
    if (outcome.result.value("success", true) == false) {
        *error = jsonString(outcome.result, "error_detail");
        if (error->isEmpty())
            *error = jsonString(outcome.result, "error");
        if (error->isEmpty())
            *error = SellerConsole::tr("the seller refused the change");
        return json();
    }
    return outcome.result;
}

} // namespace

quint64 SellerConsole::runAction(Change change, json step, std::function<void(const QString &)> shown)
{
    const quint64 ticket = ++m_lastTicket;
    ++m_actionsRunning;
    // The change holds the seller it was asked of: a reset may replace the console's seller meanwhile.
    m_reader->start([this, ticket, change = std::move(change), step = std::move(step),
                     shown = std::move(shown), dispatcher = m_dispatcher, principal = *m_principal,
                     generation = m_sellerGeneration] {
        const QString error = change(*dispatcher, principal);
        // Back on the window's thread; dropped with the console (its destructor waits for this job).
        QMetaObject::invokeMethod(
            this,
            [this, ticket, error, step, shown, generation] {
                --m_actionsRunning;
                if (error.isEmpty() && generation == m_sellerGeneration) {
                    readBoard(AllParts);
                    Q_EMIT sellerChanged();
                    Q_EMIT sellerActionTaken(step);
                }
                if (shown)
                    shown(error);
                Q_EMIT actionFinished(ticket, error);
            },
            Qt::QueuedConnection);
    });
    return ticket;
}

int SellerConsole::actionsRunning() const
{
    return m_actionsRunning;
}

quint64 SellerConsole::setDependency(const QString &resourceType, const QString &resourceId, bool offline,
                                     std::function<void(const QString &)> shown)
{
    const DependencyKind *kind = kindOf(resourceType);
    const bool available = controllerAvailable();
    const json step = {{"kind", "seller_action"},
                       {"action", offline ? "break_dependency" : "restore_dependency"},
                       {"resource_type", resourceType.toStdString()},
                       {"resource_id", resourceId.toStdString()}};
    const std::string scenario = "force_" + resourceType.toStdString() + "_status";
    const json params = {{resourceType.toStdString() + "_id", resourceId.toStdString()},
                         {"status", kind ? (offline ? kind->offline : kind->online) : ""}};
    return runAction(
        [kind, available, resourceType, scenario, params](adcp::seller::Dispatcher &dispatcher,
                                                          const adcp::seller::Principal &principal) {
            if (!kind)
                return tr("unknown resource type %1").arg(resourceType);
            if (!available)
                return tr("this seller build has no test controller");
            QString error;
            controllerCall(dispatcher, principal, scenario, params, &error);
            return error;
        },
        step, std::move(shown));
}

quint64 SellerConsole::approveTask(const QString &taskId, bool approve,
                                   std::function<void(const QString &)> shown)
{
    const bool available = controllerAvailable();
    const json step = {{"kind", "seller_action"}, {"action", approve ? "approve_buy" : "reject_buy"}};
    return runAction(
        [available, taskId, approve](adcp::seller::Dispatcher &dispatcher,
                                     const adcp::seller::Principal &principal) {
            if (!available)
                return tr("this seller build has no test controller");
            QString error;
            if (approve) {
                // The test controller completes a held buy the way the seller's reviewer would (its ad-server
                // work starts).
                controllerCall(dispatcher, principal, "force_task_completion",
                               {{"task_id", taskId.toStdString()}, {"result", json::object()}}, &error);
                return error;
            }
            // The controller only completes tasks; a refusal goes through the seller's own approval decision.
            if (!adcp::seller::backoffice::rejectHeldBuy(
                    dispatcher.context(), principal.id, taskId.toStdString(),
                    tr("rejected in the seller console").toStdString(), &error) &&
                error.isEmpty())
                error = tr("the seller could not reject task %1").arg(taskId);
            return error;
        },
        step, std::move(shown));
}

quint64 SellerConsole::decideAccount(const QString &principalId, const QString &accountId, bool approve,
                                     std::function<void(const QString &)> shown)
{
    // Not a scenario step: a scenario's seller starts with its accounts active.
    return runAction(
        [principalId, accountId, approve](adcp::seller::Dispatcher &dispatcher,
                                          const adcp::seller::Principal &) {
            QString error;
            if (!adcp::seller::backoffice::decideAccount(dispatcher.context(), principalId.toStdString(),
                                                         accountId.toStdString(), approve, &error) &&
                error.isEmpty())
                error = tr("the seller could not decide on account %1").arg(accountId);
            return error;
        },
        json(), std::move(shown));
}

void SellerConsole::advanceClock(qint64 seconds)
{
    m_dispatcher->context().clock().advance(seconds);
    refreshClock();
    Q_EMIT sellerChanged();
    Q_EMIT sellerActionTaken({{"kind", "clock"}, {"advance_seconds", seconds}});
}

void SellerConsole::setDispatcher(std::shared_ptr<adcp::seller::Dispatcher> dispatcher)
{
    m_dispatcher = std::move(dispatcher);
    m_buys.reset();
    ++m_sellerGeneration;
    // A new seller (a trainer's reset) has a board of its own.
    m_dependencies->setRowCount(0);
    m_dependencyRows.clear();
    m_dependencyNote->clear();
    const adcp::seller::SellerOptions options = m_dispatcher->context().options();
    const QSignalBlocker blockAuto(m_autoCommit);
    const QSignalBlocker blockManual(m_manualApproval);
    const QSignalBlocker blockVersion(m_requireVersion);
    m_autoCommit->setChecked(options.autoCommitOnIssue);
    m_manualApproval->setChecked(options.manualApproval);
    m_requireVersion->setChecked(options.requireProposalVersion);
    refresh();
}

QStringList SellerConsole::dependencyKeys() const
{
    return m_dependencyRows;
}

void SellerConsole::setBuys(json mediaBuys)
{
    m_buys = std::make_shared<const json>(mediaBuys.is_array() ? std::move(mediaBuys) : json::array());
    // A hidden console (a remote agent is active, or the dock is closed) asks the seller nothing until shown.
    if (!isVisible()) {
        m_stale = true;
        return;
    }
    m_stale = false;
    readBoard(AllParts);
}

void SellerConsole::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (std::exchange(m_stale, false))
        readBoard(AllParts);
}

void SellerConsole::refresh()
{
    refreshClock();
    readBoard(AllParts);
}

void SellerConsole::buildDeadLetters(QVBoxLayout *layout)
{
    auto *box = new QGroupBox(tr("Dead letters"), this);
    auto *v = new QVBoxLayout(box);
    m_deadLetters = new QTableWidget(0, 4, box);
    m_deadLetters->setObjectName(QStringLiteral("deadLetterTable"));
    m_deadLetters->setHorizontalHeaderLabels({tr("Queue"), tr("Id"), tr("Kind"), tr("Reason")});
    m_deadLetters->verticalHeader()->hide();
    m_deadLetters->horizontalHeader()->setStretchLastSection(true);
    m_deadLetters->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_deadLetters->setMaximumHeight(140);
    v->addWidget(m_deadLetters);
    QLabel *hint = note(box);
    hint->setText(tr("Stored jobs and webhooks the seller could not read; they are set aside, not retried."));
    v->addWidget(hint);
    layout->addWidget(box);
}

// What the console shows from the seller's store, as one read found it.
namespace {

// A row of the dependency board.
struct Dependency
{
    QString type;
    QString id;
    QString status; // empty: in use, no status of its own
    QString name;   // the buyer's name for it, when it gave one
};

} // namespace

struct SellerConsole::Board
{
    unsigned parts = 0;
    quint64 sellerGeneration = 0;
    bool hasTaskList = true;
    QString tasksError;
    json tasks = json::array();
    json accounts = json::array(); // awaiting approval, shaped as ApprovalModel takes them
    QList<Dependency> dependencies;
    std::vector<adcp::seller::DeadLetter> letters;
    adcp::seller::backoffice::AdServerSteps adServerSteps;
};

namespace {

// The dependency board's rows: what each buy's packages depend on, as the buy itself shows it (creatives,
// targeted audiences, impairments) and as the seller records it (catalog items, event sources of
// optimization goals, the products' properties, which the buy's JSON does not carry), with the seller's
// current status where it keeps one.
QList<Dependency> readDependencies(const adcp::seller::backoffice::DependencyRecords &records,
                                   const json &buys)
{
    QList<Dependency> rows;
    QHash<QString, qsizetype> seen;
    const auto add = [&](const QString &type, const QString &id, const QString &status) {
        if (id.isEmpty() || !kindOf(type))
            return;
        const QString key = type + QLatin1Char('/') + id;
        if (const auto found = seen.constFind(key); found != seen.cend()) {
            if (!status.isEmpty())
                rows[*found].status = status;
            return;
        }
        seen.insert(key, rows.size());
        rows.append({type, id, status, {}});
    };
    const auto &tracked = records.byBuy;
    for (const auto &buy : buys) {
        for (const auto &package : jsonArray(buy, "packages")) {
            for (const auto &approval : jsonArray(package, "creative_approvals"))
                add(QStringLiteral("creative"), jsonString(approval, "creative_id"),
                    jsonString(approval, "approval_status"));
            for (const auto &creative : jsonArray(package, "creatives"))
                add(QStringLiteral("creative"), jsonString(creative, "creative_id"),
                    jsonString(creative, "status"));
            for (const QString &audience :
                 jsonStringList(jsonObject(package, "targeting_overlay"), "audience_include"))
                add(QStringLiteral("audience"), audience, {});
        }
        for (const auto &impairment : jsonArray(buy, "impairments"))
            add(jsonString(impairment, "resource_type"), jsonString(impairment, "resource_id"),
                jsonString(jsonObject(impairment, "transition"), "to"));
        // A seller running without execution tracks no dependencies; the buy's own JSON is all there is.
        if (const auto found = tracked.find(jsonString(buy, "media_buy_id").toStdString());
            found != tracked.end()) {
            for (const auto &[type, id] : found->second)
                add(QString::fromStdString(type), QString::fromStdString(id), {});
        }
    }
    // The seller's own record has the current status (what a flip changed), when it keeps one.
    const auto &statuses = records.statuses;
    for (auto &row : rows) {
        if (const auto found = statuses.find({row.type.toStdString(), row.id.toStdString()});
            found != statuses.end())
            row.status = QString::fromStdString(found->second);
        if (const auto found = records.names.find({row.type.toStdString(), row.id.toStdString()});
            found != records.names.end())
            row.name = QString::fromStdString(found->second);
    }
    return rows;
}

} // namespace

void SellerConsole::readBoard(unsigned parts)
{
    if (m_reading) {
        m_wanted |= parts;
        return;
    }
    m_reading = parts;
    auto board = std::make_shared<Board>();
    board->parts = parts;
    board->sellerGeneration = m_sellerGeneration;
    // The reader holds what it reads from: the seller and the buys as they are now.
    m_reader->start([this, board, dispatcher = m_dispatcher, principal = *m_principal,
                     buys = m_buys ? m_buys : std::make_shared<const json>(json::array())] {
        if (board->parts & Approvals) {
            board->hasTaskList = dispatcher->hasTool("list_tasks");
            if (board->hasTaskList) {
                const adcp::ToolOutcome outcome =
                    dispatcher->call(principal, "list_tasks", {{"filters", {{"statuses", {"submitted"}}}}});
                if (outcome.ok()) {
                    board->tasks = jsonArray(outcome.result, "tasks");
                    adcp::seller::backoffice::describeTasks(dispatcher->context(), principal.id,
                                                            board->tasks);
                } else
                    board->tasksError = QString::fromStdString(outcome.error->message);
            }
            // Accounts awaiting approval, whichever buyer asked for them (the test lab's as well).
            for (const auto &account : adcp::seller::backoffice::pendingAccounts(dispatcher->context(), 50))
                board->accounts.push_back(
                    {{"task_id", "account:" + account.principalId + "/" + account.accountId},
                     {"task_type", "account"},
                     {"created_at", account.createdAt},
                     {"account",
                      {{"principal_id", account.principalId},
                       {"account_id", account.accountId},
                       {"name", account.name},
                       {"brand_domain", account.brandDomain}}}});
        }
        if (board->parts & Dependencies)
            board->dependencies = readDependencies(
                adcp::seller::backoffice::dependencyRecords(dispatcher->context(), principal.id), *buys);
        if (board->parts & DeadLetters)
            board->letters = adcp::seller::backoffice::deadLetters(dispatcher->context(), 50);
        if (board->parts & AdServerSteps)
            board->adServerSteps = adcp::seller::backoffice::failingAdServerSteps(dispatcher->context(), 50);
        // Back on the window's thread; dropped with the console (its destructor waits for this job).
        QMetaObject::invokeMethod(
            this, [this, board] { showBoard(*board); }, Qt::QueuedConnection);
    });
}

void SellerConsole::showBoard(const Board &board)
{
    m_reading = 0;
    if (board.sellerGeneration == m_sellerGeneration) {
        if (board.parts & Approvals)
            showApprovals(board);
        if (board.parts & Dependencies)
            showDependencies(board);
        if (board.parts & DeadLetters)
            showDeadLetters(board);
        if (board.parts & AdServerSteps)
            showAdServerSteps(board);
    } else {
        // Read from the seller a trainer's reset replaced: the new one is read instead.
        m_wanted |= board.parts;
    }
    if (const unsigned again = std::exchange(m_wanted, 0u))
        readBoard(again);
    else
        Q_EMIT boardShown();
}

namespace {

// Shows `text` in the cell, made when missing. An unchanged cell stays as it is: nothing to relayout or repaint.
QTableWidgetItem *showCell(QTableWidget *table, int row, int column, const QString &text)
{
    QTableWidgetItem *item = table->item(row, column);
    if (!item) {
        item = new QTableWidgetItem(text);
        table->setItem(row, column, item);
    } else if (item->text() != text) {
        item->setText(text);
    }
    return item;
}

} // namespace

void SellerConsole::showDeadLetters(const Board &board)
{
    const auto &letters = board.letters;
    m_deadLetters->setRowCount(int(letters.size()));
    for (int row = 0; row < int(letters.size()); ++row) {
        const auto &letter = letters[size_t(row)];
        const QString cells[] = {QString::fromStdString(letter.source), QString::number(letter.id),
                                 QString::fromStdString(letter.kind), QString::fromStdString(letter.reason)};
        for (int column = 0; column < 4; ++column)
            showCell(m_deadLetters, row, column, cells[column]);
    }
}

namespace {

QString stepName(const std::string &step)
{
    if (step == "book")
        return SellerConsole::tr("booking");
    if (step == "approve")
        return SellerConsole::tr("approval");
    if (step == "cancel")
        return SellerConsole::tr("cancellation");
    return QString::fromStdString(step); // "pause", "resume"
}

} // namespace

void SellerConsole::showAdServerSteps(const Board &board)
{
    const auto &failing = board.adServerSteps;
    QStringList parts;
    if (failing.retrying > 0)
        parts << tr("%n ad-server step(s) waiting to be tried again", nullptr, int(failing.retrying));
    if (failing.givenUp > 0)
        parts << tr("%n given up (the package records the failure)", nullptr, int(failing.givenUp));
    const QString summary =
        parts.isEmpty() ? tr("No ad-server step is failing.") : parts.join(QStringLiteral(" · ")) + u'.';
    if (m_adServerSummary->text() != summary)
        m_adServerSummary->setText(summary);
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    const int rows = int(failing.steps.size());
    m_adServerSteps->setRowCount(rows);
    for (int row = 0; row < rows; ++row) {
        const auto &step = failing.steps[size_t(row)];
        const QString package = step.productName.empty() ? QString::fromStdString(step.packageId)
                                                         : QString::fromStdString(step.productName);
        QString tries;
        if (step.givenUp)
            tries = tr("gave up after %1").arg(step.attempts);
        else if (m_adapters.maxAttempts > 0)
            tries = tr("%1 of %2").arg(step.attempts).arg(m_adapters.maxAttempts);
        else
            tries = QString::number(step.attempts);
        QString where =
            tr("Package %1 of buy %2 (buyer %3), %4 ad server")
                .arg(QString::fromStdString(step.packageId), QString::fromStdString(step.mediaBuyId),
                     QString::fromStdString(step.principalId), QString::fromStdString(step.adapter));
        if (!step.givenUp && step.nextTryMs > nowMs)
            where += u'\n' + tr("Next try in %n s", nullptr, int((step.nextTryMs - nowMs + 999) / 1000));
        const QString cells[] = {package, stepName(step.step), tries, QString::fromStdString(step.lastError)};
        for (int column = 0; column < 4; ++column)
            showCell(m_adServerSteps, row, column, cells[column])
                ->setToolTip(column == 3 ? cells[3] + u'\n' + where : where);
    }
    m_adServerSteps->setVisible(rows > 0);
}

void SellerConsole::refreshClock()
{
    const adcp::seller::SellerClock &clock = m_dispatcher->context().clock();
    m_clock->setText(QStringLiteral("%1  ·  %2×")
                         .arg(clock.now().toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss 'UTC'")))
                         .arg(clock.rate()));
}

void SellerConsole::showApprovals(const Board &board)
{
    if (!board.hasTaskList) {
        m_approvalModel->setTasks(board.accounts);
        m_approvalNote->setText(tr("This seller build has no task list: buys are not held for approval."));
        return;
    }
    if (!board.tasksError.isEmpty()) {
        m_approvalNote->setText(board.tasksError);
        return;
    }
    json rows = board.tasks;
    rows.insert(rows.end(), board.accounts.begin(), board.accounts.end());
    m_approvalModel->setTasks(rows);
    const QString prompt = tr("Approve or reject what the buyer submitted.");
    if (!rows.empty())
        m_approvalNote->setText(prompt);
    else if (m_approvalNote->text().isEmpty() || m_approvalNote->text() == prompt)
        m_approvalNote->setText(tr("Nothing waits for approval."));
}

namespace {

// The board's name cell: the buyer's name for the resource when it gave one, else its id; the id is the
// item's data (tests, the trainer's recorder) and its tooltip.
void showDependencyName(QTableWidgetItem *item, const QString &id, const QString &name)
{
    const QString text = name.isEmpty() ? id : name;
    if (item->text() == text && item->data(Qt::UserRole).toString() == id)
        return;
    item->setText(text);
    item->setData(Qt::UserRole, id);
    item->setToolTip(name.isEmpty() ? id : name + QLatin1Char('\n') + id);
}

} // namespace

void SellerConsole::showDependencies(const Board &board)
{
    const auto &rows = board.dependencies;
    // A row shown for a resource keeps its place and its widgets for as long as the resource is on the board:
    // only its status cell changes, and the Break/Restore buttons under the trainer's pointer stay the
    // widgets they are (a rebuilt row would swallow the next click). The reader's order may change from one
    // read to the next (buys reorder, an impairment names a resource first); it does not move rows. Rows of
    // resources no longer on the board are removed, new resources are added at the end.
    QHash<QString, qsizetype> wanted;
    wanted.reserve(rows.size());
    for (qsizetype i = 0; i < rows.size(); ++i)
        wanted.insert(rows.at(i).type + QLatin1Char('/') + rows.at(i).id, i);
    bool changed = m_dependencyNote->text().isEmpty();
    for (int row = int(m_dependencyRows.size()) - 1; row >= 0; --row) {
        if (!wanted.contains(m_dependencyRows.at(row))) {
            m_dependencies->removeRow(row);
            m_dependencyRows.removeAt(row);
            changed = true;
        }
    }
    QSet<QString> shown(m_dependencyRows.cbegin(), m_dependencyRows.cend());
    const bool available = controllerAvailable();
    for (int row = 0; row < int(m_dependencyRows.size()); ++row) {
        const Dependency &r = rows.at(wanted.value(m_dependencyRows.at(row)));
        QTableWidgetItem *statusItem = m_dependencies->item(row, 2);
        if (statusItem->data(Qt::UserRole).toString() != r.status || statusItem->text().isEmpty())
            showDependencyStatus(row, r.type, r.status, available);
        showDependencyName(m_dependencies->item(row, 1), r.id, r.name);
    }
    for (const Dependency &r : rows) {
        const QString key = r.type + QLatin1Char('/') + r.id;
        if (shown.contains(key))
            continue;
        shown.insert(key);
        changed = true;
        const int row = m_dependencies->rowCount();
        m_dependencies->insertRow(row);
        m_dependencyRows.append(key);
        // People read display names; the ids stay the items' data (tests, copying, the trainer's recorder).
        auto *typeItem = new QTableWidgetItem(displayName(Vocabulary::ResourceType, r.type));
        typeItem->setData(Qt::UserRole, r.type);
        typeItem->setToolTip(withId(typeItem->text(), r.type));
        m_dependencies->setItem(row, 0, typeItem);
        auto *idItem = new QTableWidgetItem;
        showDependencyName(idItem, r.id, r.name);
        m_dependencies->setItem(row, 1, idItem);
        m_dependencies->setItem(row, 2, new QTableWidgetItem);
        auto *buttons = new QWidget(m_dependencies);
        auto *h = new QHBoxLayout(buttons);
        h->setContentsMargins(2, 0, 2, 0);
        auto *breakButton = new QPushButton(tr("Break"), buttons);
        breakButton->setObjectName(QStringLiteral("break-%1-%2").arg(r.type, r.id));
        auto *restore = new QPushButton(tr("Restore"), buttons);
        restore->setObjectName(QStringLiteral("restore-%1-%2").arg(r.type, r.id));
        h->addWidget(breakButton);
        h->addWidget(restore);
        const QString type = r.type;
        const QString id = r.id;
        // Said with the name the row shows when clicked (a name may arrive after the row; the buttons go with
        // the row, so the item is there when they are clicked).
        const auto what = [idItem, type]() -> QString {
            const QString name = idItem->text();
            const QString id = idItem->data(Qt::UserRole).toString();
            return displayName(Vocabulary::ResourceType, type) + QLatin1Char(' ') +
                   (name == id ? id : tr("“%1” (%2)").arg(name, id));
        };
        connect(breakButton, &QPushButton::clicked, this, [this, type, id, what] {
            setDependency(type, id, true, [this, said = what()](const QString &error) {
                m_dependencyNote->setText(
                    error.isEmpty()
                        ? tr("%1 taken out of service: the buys that use it are impaired.").arg(said)
                        : error);
            });
        });
        connect(restore, &QPushButton::clicked, this, [this, type, id, what] {
            setDependency(type, id, false, [this, said = what()](const QString &error) {
                m_dependencyNote->setText(error.isEmpty() ? tr("%1 restored.").arg(said) : error);
            });
        });
        m_dependencies->setCellWidget(row, 3, buttons);
        showDependencyStatus(row, r.type, r.status, available);
        m_dependencies->horizontalHeader()->resizeSection(3, buttons->sizeHint().width());
    }
    if (!changed)
        return;
    if (!available)
        m_dependencyNote->setText(
            tr("This seller build has no test controller: dependencies cannot be flipped."));
    else if (rows.isEmpty())
        m_dependencyNote->setText(
            tr("Buys' creatives, audiences, catalog items, event sources and properties "
               "appear here once a buy exists."));
    else
        m_dependencyNote->setText(tr("Break a resource to impair every buy that depends on it; restore it to "
                                     "clear the impairment."));
}

// A row's status cell (display name; the status id as the item's data) and which of its buttons apply: Break
// while the resource is in service, Restore once it is out of it (or in any status but the one Restore sets).
void SellerConsole::showDependencyStatus(int row, const QString &type, const QString &status, bool available)
{
    QTableWidgetItem *item = m_dependencies->item(row, 2);
    item->setData(Qt::UserRole, status);
    item->setText(status.isEmpty() ? tr("In use") : displayName(Vocabulary::ResourceStatus, status));
    item->setToolTip(status.isEmpty() ? tr("The seller keeps no status of its own for it")
                                      : withId(item->text(), status));
    const DependencyKind *kind = kindOf(type);
    QWidget *buttons = m_dependencies->cellWidget(row, 3);
    if (!kind || !buttons)
        return;
    const bool offline = status == QLatin1String(kind->offline);
    const bool online = status.isEmpty() || status == QLatin1String(kind->online);
    for (auto *button : buttons->findChildren<QPushButton *>()) {
        const bool isBreak = button->objectName().startsWith(QLatin1String("break-"));
        button->setEnabled(available && (isBreak ? !offline : !online));
        button->setToolTip(
            !available ? tr("This seller build has no test controller")
            : isBreak
                ? (offline ? tr("Already out of service")
                           : tr("Set it to \"%1\": every buy that uses it is impaired")
                                 .arg(displayName(Vocabulary::ResourceStatus, QLatin1String(kind->offline))))
            : online ? tr("It is in service")
                     : tr("Set it back to \"%1\"")
                           .arg(displayName(Vocabulary::ResourceStatus, QLatin1String(kind->online))));
    }
}

QTableWidget *SellerConsole::dependencyTable() const
{
    return m_dependencies;
}

QTableView *SellerConsole::approvalTable() const
{
    return m_approvals;
}

ApprovalModel *SellerConsole::approvalModel() const
{
    return m_approvalModel;
}

QSize SellerConsole::sizeHint() const
{
    // Wide enough for the approval buttons and the dependency board's Break/Restore without scrolling.
    return {440, 720};
}

QLabel *SellerConsole::clockLabel() const
{
    return m_clock;
}

QCheckBox *SellerConsole::autoCommitBox() const
{
    return m_autoCommit;
}

QCheckBox *SellerConsole::manualApprovalBox() const
{
    return m_manualApproval;
}

QSpinBox *SellerConsole::holdHoursBox() const
{
    return m_holdHours;
}

} // namespace adcp::gui
