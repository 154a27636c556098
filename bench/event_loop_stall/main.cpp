// Event-loop stall benchmark: how long the GUI thread stops answering while the workbench window drives a
// scripted session of AdCP requests against the embedded seller, wired as `adcp-workbench` wires it (real
// SQLite, the seller's execution threads, the in-process transport, the AgentClient with schema validation,
// the Workbench models and the MainWindow with its views and the seller console).
//
// A 1 ms precise timer on the GUI thread records the gap between its consecutive timeouts: a gap is how long
// the event loop was busy elsewhere (a model reset, a view relayout, a JSON validation). The same probe runs
// first with the window idle (the baseline) and then during the session; both are printed side by side.
//
// usage: bench_event_loop_stall [requests=1000] [idle-seconds=5]
// env BENCH_EXCHANGE_ROWS=n: the window keeps n exchanges instead of 500 (the log's share of the RSS)
#include "agentclient.h"
#include "briefcomposer.h"
#include "buydetailwidget.h"
#include "buymodel.h"
#include "createbuydialog.h"
#include "creativesdialog.h"
#include "declinedialog.h"
#include "dispatcher.h"
#include "exchangemodel.h"
#include "jobs/execution.h"
#include "mainwindow.h"
#include "proposaldetailwidget.h"
#include "proposallistwidget.h"
#include "proposalmodel.h"
#include "refinedialog.h"
#include "sellerconsole.h"
#include "sellercontext.h"
#include "server/inprocesstransport.h"
#include "workbench.h"

#include <QApplication>
#include <QDate>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QMap>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <vector>

using namespace adcp::gui;

namespace {

const adcp::seller::Principal kPrincipal{"buyer-a", true};

// Records the gaps between consecutive timeouts of a 1 ms timer on the thread it lives on.
class StallProbe final : public QObject
{
public:
    StallProbe()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(1);
        QObject::connect(&m_timer, &QTimer::timeout, this, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            m_gapsMs.push_back(double(now - m_last) / 1e6);
            m_last = now;
        });
    }
    void start()
    {
        m_gapsMs.clear();
        m_clock.start();
        m_last = 0;
        m_timer.start();
    }
    // Returns the gaps recorded since start().
    std::vector<double> stop()
    {
        m_timer.stop();
        m_totalMs = double(m_clock.nsecsElapsed()) / 1e6;
        return m_gapsMs;
    }
    double totalMs() const { return m_totalMs; }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    double m_totalMs = 0;
    std::vector<double> m_gapsMs;
};

struct Stats
{
    double totalMs = 0;
    size_t samples = 0;
    double p50 = 0;
    double p99 = 0;
    double p999 = 0;
    double max = 0;
    size_t over16 = 0; // a 60 Hz frame missed
    size_t over50 = 0;
    size_t over100 = 0; // noticeable as a hitch
};

Stats statsOf(std::vector<double> gaps, double totalMs)
{
    Stats stats;
    stats.totalMs = totalMs;
    stats.samples = gaps.size();
    if (gaps.empty())
        return stats;
    std::sort(gaps.begin(), gaps.end());
    const auto at = [&gaps](double q) {
        return gaps[std::min(gaps.size() - 1, size_t(q * double(gaps.size() - 1) + 0.5))];
    };
    stats.p50 = at(0.50);
    stats.p99 = at(0.99);
    stats.p999 = at(0.999);
    stats.max = gaps.back();
    for (const double gap : gaps) {
        stats.over16 += gap > 16.0;
        stats.over50 += gap > 50.0;
        stats.over100 += gap > 100.0;
    }
    return stats;
}

// Runs the event loop for `ms` milliseconds.
void spin(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

// The planner's session as a loop of steps through the window: each step clicks what a planner would click,
// the next one starts when the workbench is idle again. A step that has nothing to act on is skipped.
class Session final : public QObject
{
public:
    Session(MainWindow *window, Workbench *workbench, int requests)
        : m_window(window), m_workbench(workbench), m_target(requests)
    {
        m_window->setDialogRunner([this](QDialog *dialog) { return fillDialog(dialog); });
        QObject::connect(workbench->client(), &adcp::AgentClient::exchangeFinished, this,
                         [this](const adcp::Exchange &exchange) {
                             ++m_done;
                             ++m_byTool[exchange.tool];
                             if (exchange.error) {
                                 ++m_failedByTool[exchange.tool];
                                 if (!m_firstError.contains(exchange.tool))
                                     m_firstError.insert(exchange.tool,
                                                         QString::fromStdString(exchange.error->code + ": " +
                                                                                exchange.error->message));
                             }
                         });
        QObject::connect(workbench, &Workbench::busyChanged, this, [this](bool busy) {
            if (!busy && m_waiting) {
                m_waiting = false;
                QTimer::singleShot(0, this, [this] { next(); });
            }
        });
        m_steps = {
            [this] { return brief(); },
            [this] {
                return onProposal(QStringLiteral("draft"), 0, m_window->proposalDetail()->refineButton());
            },
            [this] {
                return onProposal(QStringLiteral("draft"), 0, m_window->proposalDetail()->finalizeButton());
            },
            [this] {
                return onProposal(QStringLiteral("committed"), 0,
                                  m_window->proposalDetail()->createBuyButton());
            },
            [this] { return onBuy(m_window->buyDetail()->creativesButton()); },
            [this] {
                m_workbench->refreshBuys();
                return true;
            },
            [this] { return delivery(QStringLiteral("daily")); },
            [this] { return delivery(QStringLiteral("hourly")); },
            [this] { return onBuy(m_window->buyDetail()->pauseButton()); },
            [this] { return onBuy(m_window->buyDetail()->resumeButton()); },
            [this] {
                return onProposal(QStringLiteral("draft"), 0, m_window->proposalDetail()->declineButton());
            },
        };
    }

    void run(const std::function<void()> &finished)
    {
        m_finished = finished;
        next();
    }

    int done() const { return m_done; }
    const QMap<QString, int> &byTool() const { return m_byTool; }
    const QMap<QString, int> &failedByTool() const { return m_failedByTool; }
    const QMap<QString, QString> &firstError() const { return m_firstError; }
    int cycles() const { return m_cycles; }

private:
    void next()
    {
        while (m_done < m_target) {
            const size_t step = m_step++ % m_steps.size();
            if (step == 0)
                ++m_cycles;
            if (!m_steps[step]())
                continue;
            if (m_workbench->isBusy()) {
                m_waiting = true;
                return;
            }
        }
        if (m_finished)
            std::exchange(m_finished, {})();
    }

    bool brief()
    {
        BriefComposer *brief = m_window->briefComposer();
        brief->setBrief(QStringLiteral("Cold brew launch %1 for urban commuters aged 25-44: premium CTV and "
                                       "online video, some audio and display retargeting")
                            .arg(m_cycles));
        brief->setBudget(60000, QStringLiteral("USD"));
        brief->setFlight(QDate::currentDate().addDays(7), QDate::currentDate().addDays(37));
        brief->setBrandDomain(QStringLiteral("acme-coffee.example"));
        m_opportunity = brief->opportunityId();
        if (!brief->sendButton()->isEnabled())
            return false;
        brief->sendButton()->click();
        return true;
    }

    // Selects the n-th proposal with `status` of the current opportunity and clicks `button` on its detail.
    bool onProposal(const QString &status, int n, QPushButton *button)
    {
        const adcp::models::ProposalModel *proposals = m_workbench->proposals();
        for (int row = 0; row < proposals->rowCount(); ++row) {
            if (proposals->opportunityId(row) != m_opportunity || proposals->status(row) != status)
                continue;
            if (n-- > 0)
                continue;
            m_window->proposalList()->selectProposal(proposals->proposalId(row));
            m_window->showProposal(proposals->proposalId(row));
            if (!button->isEnabled())
                return false;
            button->click();
            return true;
        }
        return false;
    }

    bool onBuy(QPushButton *button)
    {
        if (m_window->buyDetail()->mediaBuyId().isEmpty() || !button->isEnabled())
            return false;
        button->click();
        return true;
    }

    bool delivery(const QString &granularity)
    {
        const QString buy = m_window->buyDetail()->mediaBuyId();
        if (buy.isEmpty())
            return false;
        m_workbench->refreshDelivery(buy, granularity);
        return true;
    }

    int fillDialog(QDialog *dialog)
    {
        if (auto *refine = qobject_cast<RefineDialog *>(dialog)) {
            refine->setProposalAsk(QStringLiteral("Keep the budget under 45000"));
        } else if (auto *decline = qobject_cast<DeclineDialog *>(dialog)) {
            decline->setReason(QStringLiteral("audience_fit"));
            decline->setDetail(QStringLiteral("Skews older than the target"));
        } else if (qobject_cast<CreativesDialog *>(dialog)) {
            // The dialog proposes one creative per package format: accepted as offered.
        } else if (auto *create = qobject_cast<CreateBuyDialog *>(dialog)) {
            create->setAsap(true);
            create->setPoNumber(QStringLiteral("PO-%1").arg(m_cycles));
            create->acceptInsertionOrder(QStringLiteral("Dana Planner"));
        } else {
            return QDialog::Rejected;
        }
        return QDialog::Accepted;
    }

    MainWindow *m_window;
    Workbench *m_workbench;
    int m_target;
    int m_done = 0;
    int m_cycles = 0;
    size_t m_step = 0;
    bool m_waiting = false;
    QString m_opportunity;
    std::vector<std::function<bool()>> m_steps;
    std::function<void()> m_finished;
    QMap<QString, int> m_byTool;
    QMap<QString, int> m_failedByTool;
    QMap<QString, QString> m_firstError;
};

// The offscreen platform says this once per window geometry change; it would bury the figures.
void quietOffscreen(QtMsgType type, const QMessageLogContext &, const QString &message)
{
    if (message.contains(QLatin1String("does not support propagateSizeHints")))
        return;
    std::fprintf(stderr, "%s%s\n", type == QtWarningMsg ? "warning: " : "", qPrintable(message));
}

void printRow(const char *label, double idle, double session)
{
    std::printf("  %-22s %10.2f %10.2f %9.1fx\n", label, idle, session, idle > 0 ? session / idle : 0.0);
}

void printCount(const char *label, size_t idle, size_t session)
{
    std::printf("  %-22s %10zu %10zu\n", label, idle, session);
}

// The process's peak resident set so far (VmHWM in /proc/self/status), in MB; 0 when it cannot be read.
double peakResidentMb()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return 0.0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').value(0).toDouble() / 1024.0;
    }
    return 0.0;
}

} // namespace

int main(int argc, char **argv)
{
    // A benchmark runs headless unless a display was asked for.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY") &&
        qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    qInstallMessageHandler(quietOffscreen);
    QApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments();
    const int requests = args.size() > 1 ? args.at(1).toInt() : 1000;
    const int idleSeconds = args.size() > 2 ? args.at(2).toInt() : 5;
    if (requests <= 0 || idleSeconds <= 0) {
        std::fprintf(stderr, "usage: bench_event_loop_stall [requests=1000] [idle-seconds=5]\n");
        return 2;
    }

    QTemporaryDir dir;
    adcp::seller::SellerOptions options;
    options.databasePath = dir.filePath(QStringLiteral("embedded-seller.sqlite"));
    QString error;
    const auto context = adcp::seller::SellerContext::open(options, &error);
    if (!context) {
        std::fprintf(stderr, "cannot open the seller: %s\n", qPrintable(error));
        return 1;
    }
    const auto dispatcher = std::make_shared<adcp::seller::Dispatcher>(context);
    const auto execution = adcp::seller::Execution::start(context, adcp::seller::ExecutionOptions{}, &error);
    if (!execution) {
        std::fprintf(stderr, "cannot start the seller's execution: %s\n", qPrintable(error));
        return 1;
    }
    adcp::AgentClient client(QStringLiteral("Embedded seller"),
                             std::make_unique<adcp::seller::InProcessTransport>(dispatcher, kPrincipal),
                             adcp::SchemaRegistry::bundled());
    client.setLogLimit(0); // as the GUI mode does
    Workbench workbench;
    workbench.setClient(&client, QString::fromStdString(kPrincipal.id));
    workbench.setClock([context] { return context->clock().now(); });
    // BENCH_EXCHANGE_ROWS (see the top of this file).
    if (qEnvironmentVariableIsSet("BENCH_EXCHANGE_ROWS"))
        workbench.exchanges()->setLimit(qEnvironmentVariableIntValue("BENCH_EXCHANGE_ROWS"));
    MainWindow window(&workbench);
    window.attachSellerConsole(new SellerConsole(dispatcher, kPrincipal.id));
    window.resize(1440, 900);
    window.show();

    workbench.connectAgent();
    while (workbench.isBusy())
        spin(10);
    if (!workbench.isConnected()) {
        std::fprintf(stderr, "the workbench did not connect to the embedded seller\n");
        return 1;
    }

    StallProbe probe;
    probe.start();
    spin(idleSeconds * 1000);
    std::vector<double> gaps = probe.stop();
    const Stats idle = statsOf(std::move(gaps), probe.totalMs());
    const double idlePeakMb = peakResidentMb();

    Session session(&window, &workbench, requests);
    QEventLoop loop;
    probe.start();
    session.run([&loop] { loop.quit(); });
    if (session.done() < requests)
        loop.exec();
    gaps = probe.stop();
    const Stats busy = statsOf(std::move(gaps), probe.totalMs());
    while (workbench.isBusy())
        spin(10);

    std::printf("event-loop stalls: real MainWindow + Workbench + AgentClient + in-process embedded seller "
                "(execution threads on), platform %s\n",
                qPrintable(QGuiApplication::platformName()));
    std::printf("session: %d requests in %d cycles (brief, refine, finalize, create buy, get_media_buys, "
                "creatives, delivery daily+hourly, pause, resume, decline), %.1f s, %.1f requests/s\n",
                session.done(), session.cycles(), busy.totalMs / 1000.0,
                session.done() / (busy.totalMs / 1000.0));
    std::printf("  requests by tool:");
    for (auto it = session.byTool().cbegin(); it != session.byTool().cend(); ++it)
        std::printf(
            " %s %d%s", qPrintable(it.key()), it.value(),
            session.failedByTool().contains(it.key())
                ? qPrintable(QStringLiteral(" (%1 failed)").arg(session.failedByTool().value(it.key())))
                : "");
    std::printf("\n");
    for (auto it = session.firstError().cbegin(); it != session.firstError().cend(); ++it)
        std::printf("  first %s failure: %s\n", qPrintable(it.key()), qPrintable(it.value()));
    std::printf("event-loop gap (ms)            idle    session     ratio\n");
    std::printf("  %-22s %10.0f %10.0f\n", "total time", idle.totalMs, busy.totalMs);
    printRow("p50 gap", idle.p50, busy.p50);
    printRow("p99 gap", idle.p99, busy.p99);
    printRow("p99.9 gap", idle.p999, busy.p999);
    printRow("max gap (longest stall)", idle.max, busy.max);
    printCount("samples", idle.samples, busy.samples);
    printCount("gaps > 16 ms", idle.over16, busy.over16);
    printCount("gaps > 50 ms", idle.over50, busy.over50);
    printCount("gaps > 100 ms", idle.over100, busy.over100);
    // VmHWM only grows: the idle column is the peak up to the end of the idle probe, the session column the
    // peak of the whole run (goal: at most 300 MB).
    std::printf("  %-22s %10.1f %10.1f\n", "peak RSS (MB)", idlePeakMb, peakResidentMb());
    std::fflush(stdout);
    execution->stop();
    return 0;
}
