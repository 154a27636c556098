#pragma once

#include "labtypes.h"

#include <QByteArray>
#include <QString>

#include <nlohmann/json.hpp>

namespace adcp::lab {

// A run as JSON (every step with its exchanges, secrets masked) — the format the history and the JSON report
// share.
nlohmann::json runToJson(const LabRun &run);
// One exchange as the reports show it (request and answer with secrets masked, schema issues).
nlohmann::json exchangeToJson(const LabExchange &exchange);
// JUnit XML as CI systems read it: one <testsuite> per suite, one <testcase> per step; a failed step is a
// <failure>, a step that does not apply is <skipped> with its reason.
QByteArray runToJunitXml(const LabRun &run);
// One self-contained HTML page (inline style, no scripts, no external resources).
QByteArray runToHtml(const LabRun &run);
// Writes atomically (QSaveFile); false with `error` set when the file cannot be written.
bool writeReport(const QString &path, const QByteArray &bytes, QString *error);

} // namespace adcp::lab
