#include "officialschemas.h"

#include "schemaregistry.h"

#include <QFileInfo>

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

} // namespace adcp::testsupport
