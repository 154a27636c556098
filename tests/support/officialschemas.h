#pragma once

#include <QString>

#include <nlohmann/json_fwd.hpp>

#include <memory>

namespace adcp {
class SchemaRegistry;
}

// The official AdCP schemas from the shared folder (../shared/adcp/schemas, or ADCP_SHARED_DIR from the
// environment). Their absence is the one reason a schema test may skip; a folder that is present but does not
// load is a failure, so a broken loader cannot hide behind a skip:
//
//     if (adcp::testsupport::officialSchemasAbsent())
//         QSKIP("the official AdCP schemas (ADCP_SHARED_DIR) are absent");
//     QString error;
//     const auto official = adcp::testsupport::officialSchemas(&error);
//     QVERIFY2(official, qPrintable(error));
namespace adcp::testsupport {

QString sharedDir();
QString officialSchemaDir();
bool officialSchemasAbsent();
// Loaded once per process and shared (validation is const and thread-safe); nullptr with *error set when
// the folder is absent or does not load.
std::shared_ptr<const SchemaRegistry> officialSchemas(QString *error);
// Empty when `document` is valid against `schemaId` (e.g. "/schemas/account/list-accounts-response.json") or
// when the official schemas are absent (said once as a warning); otherwise what is wrong: the schemas do not
// load, or the issues (pointer: message) followed by the document.
//
//     const QString problems = adcp::testsupport::officialSchemaProblems(schemaId, document);
//     QVERIFY2(problems.isEmpty(), qPrintable(problems));
QString officialSchemaProblems(const char *schemaId, const nlohmann::json &document);

} // namespace adcp::testsupport
