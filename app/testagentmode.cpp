#include "modes.h"

#include "labhistory.h"
#include "labreport.h"
#include "labrunner.h"
#include "officialrunner.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QRegularExpression>
#include <QTextStream>

namespace {

// Exit codes: 0 every step passed or did not apply, 1 a step failed, 2 the run could not run.
constexpr int kAllPassed = 0;
constexpr int kFailed = 1;
constexpr int kCouldNotRun = 2;

bool readToken(const QCommandLineParser &parser, const QString &option, const QString &fileOption, QByteArray *token,
               QTextStream &err)
{
    if (parser.isSet(option) && parser.isSet(fileOption)) {
        err << "adcp-workbench: give --" << option << " or --" << fileOption << ", not both\n";
        return false;
    }
    if (parser.isSet(option)) {
        *token = parser.value(option).toUtf8();
        return true;
    }
    if (!parser.isSet(fileOption))
        return true;
    QFile file(parser.value(fileOption));
    if (!file.open(QIODevice::ReadOnly)) {
        err << "adcp-workbench: --" << fileOption << ": cannot read " << file.fileName() << ": " << file.errorString()
            << '\n';
        return false;
    }
    *token = file.readAll().trimmed();
    return true;
}

bool parseConfig(const QCommandLineParser &parser, adcp::lab::LabConfig *config, QTextStream &err)
{
    config->url = QUrl(parser.value(QStringLiteral("test-agent")), QUrl::StrictMode);
    if (!config->url.isValid() || (config->url.scheme() != QLatin1String("http") &&
                                   config->url.scheme() != QLatin1String("https")) ||
        config->url.host().isEmpty()) {
        err << "adcp-workbench: --test-agent: expected an http(s) URL, got '" << parser.value(QStringLiteral("test-agent"))
            << "'\n";
        return false;
    }
    const QString protocol = parser.value(QStringLiteral("protocol"));
    if (protocol != QLatin1String("mcp") && protocol != QLatin1String("a2a")) {
        err << "adcp-workbench: --protocol: expected mcp or a2a, got '" << protocol << "'\n";
        return false;
    }
    config->protocol = protocol == QLatin1String("a2a") ? adcp::lab::LabProtocol::A2a : adcp::lab::LabProtocol::Mcp;
    if (!readToken(parser, QStringLiteral("token"), QStringLiteral("token-file"), &config->token, err) ||
        !readToken(parser, QStringLiteral("token-b"), QStringLiteral("token-b-file"), &config->tokenB, err))
        return false;
    if (parser.isSet(QStringLiteral("brand"))) {
        config->brandDomain = parser.value(QStringLiteral("brand")).trimmed().toLower();
        static const QRegularExpression domain(QStringLiteral("^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$"));
        if (!domain.match(config->brandDomain).hasMatch()) {
            err << "adcp-workbench: --brand: expected a domain name, got '" << parser.value(QStringLiteral("brand"))
                << "'\n";
            return false;
        }
    }
    config->historyPath = parser.value(QStringLiteral("history"));
    for (const QString &suite : parser.values(QStringLiteral("suite")))
        config->suites << suite.split(u',', Qt::SkipEmptyParts);
    return true;
}

// The steps whose verdict changed since the previous run of this agent in the history, one line each.
void printChanges(const adcp::lab::LabRun &run, QTextStream &err)
{
    if (run.config.historyPath.isEmpty())
        return;
    if (run.historyId == 0) {
        err << "adcp-workbench: --history: the run was not kept: " << run.historyError << '\n';
        return;
    }
    adcp::lab::LabHistory history(run.config.historyPath);
    QString error;
    if (!history.open(&error))
        return;
    const auto runs = history.runs(run.config.url.toString(), 2);
    if (runs.size() < 2) {
        err << "adcp-workbench: first run of this agent in the history\n";
        return;
    }
    const auto before = history.load(runs[1].id);
    const auto after = history.load(runs[0].id);
    if (!before || !after)
        return;
    const auto changes = adcp::lab::compareRuns(*before, *after);
    err << "adcp-workbench: " << changes.size() << " steps changed since the run of "
        << runs[1].startedAt.toString(Qt::ISODate) << '\n';
    for (const auto &c : changes)
        err << "  " << c.suite << '/' << c.step << ": " << (c.before.isEmpty() ? QStringLiteral("(absent)") : c.before)
            << " -> " << (c.after.isEmpty() ? QStringLiteral("(absent)") : c.after) << '\n';
}

bool writeReports(const QCommandLineParser &parser, const adcp::lab::LabRun &run, QTextStream &err)
{
    using namespace adcp::lab;
    bool ok = true;
    const auto write = [&](const char *option, const QByteArray &bytes) {
        const QString name = QString::fromLatin1(option);
        if (!parser.isSet(name))
            return;
        QString error;
        if (!writeReport(parser.value(name), bytes, &error)) {
            err << "adcp-workbench: --" << name << ": " << error << '\n';
            ok = false;
        }
    };
    write("report-junit", runToJunitXml(run));
    write("report-json", QByteArray::fromStdString(runToJson(run).dump(2)));
    write("report-html", runToHtml(run));
    return ok;
}

void printStep(const adcp::lab::StepResult &step, QTextStream &err)
{
    err << step.suite << '/' << step.step << ": "
        << (step.given.isEmpty() ? adcp::lab::verdictName(step.verdict) : step.given) << " — " << step.reason
        << '\n';
    err.flush();
}

// Reports, changes since the previous run, the totals; returns the exit code.
int finish(const QCommandLineParser &parser, const adcp::lab::LabRun &run, QTextStream &err)
{
    const bool written = writeReports(parser, run, err);
    printChanges(run, err);
    err << "adcp-workbench: " << run.count(adcp::lab::Verdict::Passed) << " passed, "
        << run.count(adcp::lab::Verdict::Failed) << " failed, "
        << run.count(adcp::lab::Verdict::NotApplicable) << " not applicable\n";
    for (const QString &line : run.engineStatus)
        err << "adcp-workbench: the runner's own summary: " << line << '\n';
    if (!run.fatal.isEmpty())
        err << "adcp-workbench: the run could not proceed: " << run.fatal << '\n';
    return !run.fatal.isEmpty() || !written ? kCouldNotRun : run.anyFailed() ? kFailed : kAllPassed;
}

// --official: the AdCP SDK's storyboard runner as the engine, one child process per bundle or storyboard.
int runOfficial(QCoreApplication &app, const QCommandLineParser &parser, const adcp::lab::LabConfig &config,
                QTextStream &err)
{
    if (parser.isSet(QStringLiteral("suite")) || !config.tokenB.isEmpty()) {
        err << "adcp-workbench: --official runs the AdCP runner's storyboards; --suite and --token-b are the "
               "lab's "
               "own suites' options\n";
        return kCouldNotRun;
    }
    adcp::lab::OfficialRunConfig official;
    official.lab = config;
    QString why;
    official.runner = adcp::lab::locateRunner(parser.value(QStringLiteral("runner")),
                                              parser.value(QStringLiteral("node")), &why);
    if (!official.runner.isValid()) {
        err << "adcp-workbench: --official: " << why << '\n';
        return kCouldNotRun;
    }
    for (const QString &value : parser.values(QStringLiteral("official")))
        official.selection << value.split(u',', Qt::SkipEmptyParts);
    official.webhookReceiver = parser.isSet(QStringLiteral("runner-webhook-receiver"));
    err << "adcp-workbench: engine " << official.runner.describe() << '\n';
    adcp::lab::OfficialRunner runner;
    QObject::connect(&runner, &adcp::lab::OfficialRunner::itemStarted, &app,
                     [&err](const QString &item, int index, int count) {
                         err << '[' << (index + 1) << '/' << count << "] running " << item << '\n';
                         err.flush();
                     });
    QObject::connect(&runner, &adcp::lab::OfficialRunner::stepFinished, &app,
                     [&err](const adcp::lab::StepResult &step) { printStep(step, err); });
    int exitCode = kCouldNotRun;
    QObject::connect(&runner, &adcp::lab::OfficialRunner::finished, &app, [&](const adcp::lab::LabRun &run) {
        exitCode = finish(parser, run, err);
        app.quit();
    });
    QString error;
    if (!runner.start(official, &error)) {
        err << "adcp-workbench: --official: " << error << '\n';
        return kCouldNotRun;
    }
    app.exec();
    return exitCode;
}

} // namespace

int runTestAgentMode(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("adcp-workbench"));
    QTextStream err(stderr);

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Checks a seller agent with the test lab's suites and writes reports. Exit 0: every step passed or did not "
        "apply; 1: a step failed; 2: the run could not run."));
    parser.addHelpOption();
    parser.addOption({QStringLiteral("test-agent"), QStringLiteral("The agent: its MCP endpoint, or its A2A base URL."),
                      QStringLiteral("URL")});
    parser.addOption({QStringLiteral("token"), QStringLiteral("Bearer token of principal A."), QStringLiteral("T")});
    parser.addOption({QStringLiteral("token-file"), QStringLiteral("File holding principal A's token."),
                      QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("token-b"), QStringLiteral("Bearer token of a second principal (isolation)."),
                      QStringLiteral("T")});
    parser.addOption({QStringLiteral("token-b-file"), QStringLiteral("File holding principal B's token."),
                      QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("protocol"), QStringLiteral("mcp or a2a."), QStringLiteral("P"),
                      QStringLiteral("mcp")});
    parser.addOption({QStringLiteral("brand"),
                      QStringLiteral("The advertiser's domain the lab buys for (default lab.example); a seller may serve "
                                     "only brands it has onboarded."),
                      QStringLiteral("DOMAIN")});
    parser.addOption({QStringLiteral("suite"), QStringLiteral("A suite to run (repeatable; default: all)."),
                      QStringLiteral("NAME")});
    parser.addOption(
        {QStringLiteral("official"),
         QStringLiteral("Run this bundle or storyboard with the AdCP SDK's storyboard runner instead of the "
                        "lab's suites (repeatable; 'full' = the runner's own selection from the agent's "
                        "capabilities)."),
         QStringLiteral("ID")});
    parser.addOption(
        {QStringLiteral("runner"),
         QStringLiteral("The runner: its bin/adcp.js, its package folder, or an npm folder holding "
                        "node_modules/@adcp/sdk (default: the folder the window installs it in)."),
         QStringLiteral("PATH")});
    parser.addOption({QStringLiteral("node"),
                      QStringLiteral("The node executable the runner runs on (default: PATH)."),
                      QStringLiteral("PATH")});
    parser.addOption(
        {QStringLiteral("runner-webhook-receiver"),
         QStringLiteral("Let the runner host its loopback webhook receiver, so its webhook steps are "
                        "graded.")});
    parser.addOption({QStringLiteral("history"),
                      QStringLiteral("Keep the run in this SQLite file and print the steps whose verdict changed since "
                                     "the previous run of the same agent."),
                      QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("report-junit"), QStringLiteral("Write a JUnit XML report."), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("report-json"), QStringLiteral("Write a JSON report."), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("report-html"), QStringLiteral("Write an HTML report."), QStringLiteral("FILE")});
    if (!parser.parse(app.arguments())) {
        err << "adcp-workbench: " << parser.errorText() << '\n';
        return kCouldNotRun;
    }
    if (parser.isSet(QStringLiteral("help")))
        parser.showHelp(0);

    adcp::lab::LabConfig config;
    if (!parseConfig(parser, &config, err))
        return kCouldNotRun;

    if (parser.isSet(QStringLiteral("official")))
        return runOfficial(app, parser, config, err);

    adcp::lab::LabRunner runner;
    QObject::connect(&runner, &adcp::lab::LabRunner::stepFinished, &app,
                     [&err](const adcp::lab::StepResult &step, int index, int total) {
                         err << '[' << (index + 1) << '/' << total << "] ";
                         printStep(step, err);
                     });
    int exitCode = kCouldNotRun;
    QObject::connect(&runner, &adcp::lab::LabRunner::finished, &app, [&](const adcp::lab::LabRun &run) {
        exitCode = finish(parser, run, err);
        app.quit();
    });
    QString error;
    if (!runner.start(config, &error)) {
        err << "adcp-workbench: --suite: " << error << '\n';
        return kCouldNotRun;
    }
    app.exec();
    return exitCode;
}
