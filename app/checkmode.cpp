#include "modes.h"

#include "schemaregistry.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QTextStream>

#include <nlohmann/json.hpp>

namespace {

// Exit codes: 0 every file is valid, 1 a file is invalid or unreadable, 2 the command line is wrong.
constexpr int kAllValid = 0;
constexpr int kInvalid = 1;
constexpr int kUsage = 2;

QString fromStd(const std::string &text)
{
    return QString::fromStdString(text);
}

// Validates one file and prints its verdict; returns whether it is valid.
bool checkFile(const adcp::SchemaRegistry &registry, const std::string &schemaId, const QString &path,
               QTextStream &out)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        out << path << ": cannot read: " << file.errorString() << '\n';
        return false;
    }
    const QByteArray bytes = file.readAll();
    nlohmann::json document;
    try {
        document = nlohmann::json::parse(bytes.begin(), bytes.end());
    } catch (const nlohmann::json::parse_error &e) {
        out << path << ": not JSON: " << fromStd(e.what()) << '\n';
        return false;
    }
    const auto issues = registry.validate(schemaId, document);
    if (issues.empty()) {
        out << path << ": OK\n";
        return true;
    }
    for (const auto &issue : issues) {
        // The root pointer is the empty string; print it visibly.
        const QString pointer = issue.pointer.empty() ? QStringLiteral("(root)") : fromStd(issue.pointer);
        out << path << ": " << pointer << ": " << fromStd(issue.message) << " [" << fromStd(issue.keyword)
            << "]\n";
    }
    return false;
}

} // namespace

int runCheckMode(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("adcp-workbench"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Validates JSON files against an AdCP JSON Schema, bundled or from a folder."));
    parser.addHelpOption();
    parser.addOption({QStringLiteral("check"), QStringLiteral("Run the schema check (this mode).")});
    parser.addOption({QStringLiteral("schema"),
                      QStringLiteral("Schema id, e.g. /schemas/media-buy/get-products-request.json."),
                      QStringLiteral("id")});
    parser.addOption({QStringLiteral("schemas"),
                      QStringLiteral("Load the schemas from this folder instead of the bundled ones."),
                      QStringLiteral("folder")});
    parser.addPositionalArgument(QStringLiteral("files"), QStringLiteral("JSON files to validate."),
                                 QStringLiteral("file.json..."));
    parser.process(app);

    QTextStream out(stdout);
    QTextStream err(stderr);
    const QStringList files = parser.positionalArguments();
    if (!parser.isSet(QStringLiteral("schema")) || files.isEmpty()) {
        err << "usage: adcp-workbench --check --schema <id> [--schemas <folder>] file.json...\n";
        return kUsage;
    }

    std::shared_ptr<const adcp::SchemaRegistry> registry;
    if (parser.isSet(QStringLiteral("schemas"))) {
        auto loaded = std::make_shared<adcp::SchemaRegistry>();
        QString error;
        if (!loaded->loadDirectory(parser.value(QStringLiteral("schemas")), &error)) {
            err << "cannot load schemas: " << error << '\n';
            return kUsage;
        }
        registry = std::move(loaded);
    } else {
        registry = adcp::SchemaRegistry::bundled();
    }

    const std::string schemaId = parser.value(QStringLiteral("schema")).toStdString();
    if (!registry->contains(schemaId)) {
        err << "unknown schema " << fromStd(schemaId) << " (" << registry->schemaIds().size()
            << " schemas loaded; ids look like /schemas/core/error.json)\n";
        return kUsage;
    }

    bool allValid = true;
    for (const QString &path : files)
        allValid = checkFile(*registry, schemaId, path, out) && allValid;
    return allValid ? kAllValid : kInvalid;
}
