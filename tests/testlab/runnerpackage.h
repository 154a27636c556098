#pragma once

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QString>

// A package named like the AdCP SDK's runner (version 0.0.0-labtest), packed by npm into a tarball in `dir`,
// so that an install runs npm for real without the registry. Returns the tarball's path, or empty with
// *error.
inline QString makeRunnerTarball(const QString &dir, QString *error)
{
    const QString npm = QStandardPaths::findExecutable(QStringLiteral("npm"));
    QDir(dir).mkpath(QStringLiteral("package/bin"));
    QFile manifest(dir + QStringLiteral("/package/package.json"));
    QFile script(dir + QStringLiteral("/package/bin/adcp.js"));
    if (npm.isEmpty() || !manifest.open(QIODevice::WriteOnly) || !script.open(QIODevice::WriteOnly)) {
        *error = npm.isEmpty() ? QStringLiteral("npm is not installed")
                               : QStringLiteral("cannot write the package");
        return {};
    }
    manifest.write(R"({"name": "@adcp/sdk", "version": "0.0.0-labtest", "bin": {"adcp": "bin/adcp.js"}})");
    manifest.close();
    script.write("#!/usr/bin/env node\nconsole.log('{}');\n");
    script.close();
    QProcess pack;
    pack.setWorkingDirectory(dir + QStringLiteral("/package"));
    pack.start(npm, {QStringLiteral("pack"), QStringLiteral("--pack-destination"), dir});
    if (!pack.waitForFinished(120000) || pack.exitCode() != 0) {
        *error = QString::fromUtf8(pack.readAllStandardError());
        return {};
    }
    const QString tarball = dir + QStringLiteral("/adcp-sdk-0.0.0-labtest.tgz");
    if (!QFile::exists(tarball))
        *error = QStringLiteral("npm pack wrote no %1").arg(tarball);
    return QFile::exists(tarball) ? tarball : QString();
}
