#include "labreport.h"

#include "transports/secretmask.h"

#include <QSaveFile>
#include <QXmlStreamWriter>

#include <map>

namespace adcp::lab {

using nlohmann::json;

namespace {

QString seconds(qint64 ms)
{
    return QString::number(double(ms) / 1000.0, 'f', 3);
}


struct SuiteTotals
{
    int tests = 0;
    int failures = 0;
    int skipped = 0;
    qint64 ms = 0;
};

// Suites in the order the run met them, with their totals.
std::vector<std::pair<QString, SuiteTotals>> suiteTotals(const LabRun &run)
{
    std::vector<std::pair<QString, SuiteTotals>> out;
    for (const StepResult &step : run.steps) {
        if (out.empty() || out.back().first != step.suite)
            out.push_back({step.suite, {}});
        SuiteTotals &t = out.back().second;
        ++t.tests;
        t.failures += step.verdict == Verdict::Failed;
        t.skipped += step.verdict == Verdict::NotApplicable;
        t.ms += step.elapsedMs;
    }
    return out;
}

QString exchangeSummary(const StepResult &step)
{
    QStringList lines;
    for (const LabExchange &e : step.exchanges)
        lines << QStringLiteral("%1 %2 (%3 ms)%4")
                     .arg(e.principal, e.tool)
                     .arg(e.elapsedMs)
                     .arg(e.responseIssues.isEmpty() ? QString() : QStringLiteral(": ") + e.responseIssues.first());
    return lines.join(u'\n');
}

} // namespace

json exchangeToJson(const LabExchange &e)
{
    json issues = json::array();
    for (const QString &issue : e.responseIssues)
        issues.push_back(issue.toStdString());
    return {{"principal", e.principal.toStdString()},
            {"tool", e.tool.toStdString()},
            {"elapsed_ms", e.elapsedMs},
            {"http_status", e.httpStatus},
            {"request", maskJsonSecrets(e.request)},
            {"response", maskJsonSecrets(e.response)},
            {"response_issues", issues}};
}

json runToJson(const LabRun &run)
{
    json steps = json::array();
    for (const StepResult &s : run.steps) {
        json exchanges = json::array();
        for (const LabExchange &e : s.exchanges)
            exchanges.push_back(exchangeToJson(e));
        steps.push_back({{"suite", s.suite.toStdString()},
                         {"step", s.step.toStdString()},
                         {"title", s.title.toStdString()},
                         {"verdict", verdictName(s.verdict).toStdString()},
                         {"given", s.given.toStdString()},
                         {"reason", s.reason.toStdString()},
                         {"elapsed_ms", s.elapsedMs},
                         {"exchanges", exchanges}});
    }
    json versions = json::array();
    for (const QString &v : run.declaredVersions)
        versions.push_back(v.toStdString());
    return {
        {"agent",
         {{"url", run.config.url.toString().toStdString()},
          {"name", run.agentName.toStdString()},
          {"protocol", run.config.protocol == LabProtocol::A2a ? "a2a" : "mcp"},
          {"declared_versions", versions}}},
        {"started_at", run.startedAt.toString(Qt::ISODateWithMs).toStdString()},
        {"finished_at", run.finishedAt.toString(Qt::ISODateWithMs).toStdString()},
        {"engine", run.engine.isEmpty() ? std::string("adcp-workbench test lab") : run.engine.toStdString()},
        {"second_principal", !run.config.tokenB.isEmpty()},
        {"canceled", run.canceled},
        {"fatal", run.fatal.toStdString()},
        {"totals",
         {{"passed", run.count(Verdict::Passed)},
          {"failed", run.count(Verdict::Failed)},
          {"not_applicable", run.count(Verdict::NotApplicable)}}},
        {"steps", steps}};
}

QByteArray runToJunitXml(const LabRun &run)
{
    QByteArray out;
    QXmlStreamWriter xml(&out);
    xml.setAutoFormatting(true);
    xml.writeStartDocument();
    xml.writeStartElement(QStringLiteral("testsuites"));
    xml.writeAttribute(QStringLiteral("name"), QStringLiteral("AdCP test lab: ") + run.config.url.toString());
    xml.writeAttribute(QStringLiteral("tests"), QString::number(run.steps.size()));
    xml.writeAttribute(QStringLiteral("failures"), QString::number(run.count(Verdict::Failed)));
    xml.writeAttribute(QStringLiteral("skipped"), QString::number(run.count(Verdict::NotApplicable)));
    xml.writeAttribute(QStringLiteral("time"), seconds(run.startedAt.msecsTo(run.finishedAt)));
    for (const auto &[suite, totals] : suiteTotals(run)) {
        xml.writeStartElement(QStringLiteral("testsuite"));
        xml.writeAttribute(QStringLiteral("name"), suite);
        xml.writeAttribute(QStringLiteral("tests"), QString::number(totals.tests));
        xml.writeAttribute(QStringLiteral("failures"), QString::number(totals.failures));
        xml.writeAttribute(QStringLiteral("errors"), QStringLiteral("0"));
        xml.writeAttribute(QStringLiteral("skipped"), QString::number(totals.skipped));
        xml.writeAttribute(QStringLiteral("time"), seconds(totals.ms));
        for (const StepResult &step : run.steps) {
            if (step.suite != suite)
                continue;
            xml.writeStartElement(QStringLiteral("testcase"));
            xml.writeAttribute(QStringLiteral("classname"), QStringLiteral("adcp.") + step.suite);
            xml.writeAttribute(QStringLiteral("name"), step.step);
            xml.writeAttribute(QStringLiteral("time"), seconds(step.elapsedMs));
            if (step.verdict == Verdict::Failed) {
                xml.writeStartElement(QStringLiteral("failure"));
                xml.writeAttribute(QStringLiteral("message"), step.reason);
                xml.writeCharacters(exchangeSummary(step));
                xml.writeEndElement();
            } else if (step.verdict == Verdict::NotApplicable) {
                xml.writeEmptyElement(QStringLiteral("skipped"));
                xml.writeAttribute(QStringLiteral("message"), step.reason);
            }
            xml.writeTextElement(QStringLiteral("system-out"), step.title + QStringLiteral(": ") + step.reason);
            xml.writeEndElement();
        }
        xml.writeEndElement();
    }
    xml.writeEndElement();
    xml.writeEndDocument();
    return out;
}

QByteArray runToHtml(const LabRun &run)
{
    const auto esc = [](const QString &s) { return s.toHtmlEscaped(); };
    QString html;
    html += QStringLiteral(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>AdCP test lab report</title><style>"
        "body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#1d2330}h1{font-size:1.4em}"
        "table{border-collapse:collapse;width:100%;margin-bottom:1.5em}td,th{border-bottom:1px solid #dde;padding:"
        "4px 8px;text-align:left;vertical-align:top}th{background:#f3f5f9}.passed{color:#1b7f3b}.failed{color:"
        "#b3261e;font-weight:600}.not_applicable{color:#6b7280}pre{background:#f6f8fa;padding:8px;overflow:auto;"
        "max-height:24em;font-size:12px}.totals span{margin-right:1.5em}</style></head><body>");
    html += QStringLiteral("<h1>AdCP test lab: %1</h1>").arg(esc(run.agentName));
    if (!run.engine.isEmpty())
        html += QStringLiteral("<p>Verdicts as given by the %1.%2</p>")
                    .arg(esc(run.engine), run.engineStatus.isEmpty()
                                              ? QString()
                                              : QStringLiteral(" Its own summary: ") +
                                                    esc(run.engineStatus.join(QStringLiteral("; "))));
    html += QStringLiteral("<p>%1 over %2 · releases %3 · %4 → %5 UTC</p>")
                .arg(esc(run.config.url.toString()),
                     run.config.protocol == LabProtocol::A2a ? QStringLiteral("A2A") : QStringLiteral("MCP"),
                     run.declaredVersions.isEmpty() ? QStringLiteral("none declared")
                                                    : esc(run.declaredVersions.join(u", ")),
                     run.startedAt.toString(Qt::ISODate), run.finishedAt.toString(Qt::ISODate));
    html += QStringLiteral("<p class=\"totals\"><span class=\"passed\">%1 passed</span><span class=\"failed\">%2 "
                           "failed</span><span class=\"not_applicable\">%3 not applicable</span></p>")
                .arg(run.count(Verdict::Passed))
                .arg(run.count(Verdict::Failed))
                .arg(run.count(Verdict::NotApplicable));
    if (!run.fatal.isEmpty())
        html += QStringLiteral("<p class=\"failed\">The run could not proceed: %1</p>").arg(esc(run.fatal));
    for (const auto &[suite, totals] : suiteTotals(run)) {
        html += QStringLiteral("<h2>%1</h2><table><tr><th>Step</th><th>Verdict</th><th>Reason</th><th>Exchanges</th>"
                               "</tr>")
                    .arg(esc(suite));
        for (const StepResult &step : run.steps) {
            if (step.suite != suite)
                continue;
            QString exchanges;
            for (const LabExchange &e : step.exchanges) {
                const json shown = exchangeToJson(e);
                exchanges += QStringLiteral("<details><summary>%1 %2 (%3 ms)</summary><pre>%4</pre></details>")
                                 .arg(esc(e.principal), esc(e.tool))
                                 .arg(e.elapsedMs)
                                 .arg(esc(QString::fromStdString(shown.dump(2))));
            }
            const QString verdict = verdictName(step.verdict);
            html +=
                QStringLiteral("<tr><td>%1<br><small>%2</small></td><td class=\"%3\">%4</td><td>%5</td><td>%6"
                               "</td></tr>")
                    .arg(esc(step.title), esc(step.step), verdict,
                         step.given.isEmpty() ? QString(verdict).replace(u'_', u' ') : esc(step.given),
                         esc(step.reason), exchanges);
        }
        html += QStringLiteral("</table>");
    }
    html += QStringLiteral("</body></html>\n");
    return html.toUtf8();
}

bool writeReport(const QString &path, const QByteArray &bytes, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        if (error)
            *error = file.errorString();
        return false;
    }
    return true;
}

} // namespace adcp::lab
