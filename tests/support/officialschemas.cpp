#include "officialschemas.h"

#include "schemaregistry.h"

#include <QFileInfo>

#include <nlohmann/json.hpp>

#include <mutex>

namespace adcp::testsupport {

QString sharedDir()
{
    const QString fromEnvironment = qEnvironmentVariable("ADCP_SHARED_DIR");
    return fromEnvironment.isEmpty() ? QStringLiteral(ADCP_SHARED_DIR) : fromEnvironment;
}

QString officialSchemaDir()
{
    return sharedDir() + QStringLiteral("/adcp/schemas");
}

bool officialSchemasAbsent()
{
    return !QFileInfo(officialSchemaDir()).isDir();
}

std::shared_ptr<const SchemaRegistry> officialSchemas(QString *error)
{
    static std::once_flag once;
    static std::shared_ptr<const SchemaRegistry> loaded;
    static QString loadError;
    std::call_once(once, [] {
        const QString dir = officialSchemaDir();
        if (officialSchemasAbsent()) {
            loadError = QStringLiteral("the official schemas are absent: ") + dir;
            return;
        }
        auto registry = std::make_shared<SchemaRegistry>();
        QString why;
        if (!registry->loadDirectory(dir, &why)) {
            loadError = QStringLiteral("the official schemas in %1 do not load: %2").arg(dir, why);
            return;
        }
        loaded = std::move(registry);
    });
    if (!loaded && error)
        *error = loadError;
    return loaded;
}

QString officialSchemaProblems(const char *schemaId, const nlohmann::json &document)
{
    if (officialSchemasAbsent()) {
        static std::once_flag warned;
        std::call_once(warned, [] {
            qWarning("the official AdCP schemas (%s) are absent: documents are not checked against them",
                     qPrintable(officialSchemaDir()));
        });
        return {};
    }
    QString error;
    const auto schemas = officialSchemas(&error);
    if (!schemas)
        return error;
    const auto issues = schemas->validate(schemaId, document);
    if (issues.empty())
        return {};
    QString text = QString::fromLatin1(schemaId) + u'\n';
    for (const auto &issue : issues)
        text += QString::fromStdString(issue.pointer + ": " + issue.message) + u'\n';
    return text + QString::fromStdString(document.dump(1));
}

} // namespace adcp::testsupport
