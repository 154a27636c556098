#pragma once

#include "officialrunner.h"

#include <QDialog>
#include <QString>

#include <memory>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;

namespace adcp::gui {

// Where the test lab finds the AdCP SDK's storyboard runner, kept in the application's settings.
struct LabRunnerSettings
{
    QString runnerPath; // its bin/adcp.js, package folder or npm folder; empty = the folder Install uses
    QString nodePath;   // empty = node on PATH

    static LabRunnerSettings load();
    void save() const;
    adcp::lab::RunnerLocation locate(QString *why) const;
};

// The test lab's runner settings: the runner's and node's paths (checked as they are typed), and an install
// of the runner from the npm registry into the application's data folder, with npm's output streamed and
// Cancel.
class LabRunnerSettingsDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LabRunnerSettingsDialog)
public:
    explicit LabRunnerSettingsDialog(QWidget *parent = nullptr);
    ~LabRunnerSettingsDialog() override;

    LabRunnerSettings settings() const;
    // Where Install puts the runner (default: adcp::lab::defaultRunnerInstallDir()).
    void setInstallFolder(const QString &folder);
    // The packages Install asks npm for (default: adcp::lab::defaultRunnerPackages()).
    void setPackages(const QStringList &packages);

private:
    void refreshFound();
    void startInstall();
    void onInstallFinished(bool ok, const QString &message);
    void done(int result) override;

    std::unique_ptr<adcp::lab::RunnerInstaller> m_installer;
    QLineEdit *m_runner = nullptr;
    QLineEdit *m_node = nullptr;
    QLabel *m_found = nullptr;
    QLineEdit *m_packages = nullptr;
    QLabel *m_folder = nullptr;
    QPushButton *m_install = nullptr;
    QPushButton *m_cancelInstall = nullptr;
    QProgressBar *m_busy = nullptr;
    QPlainTextEdit *m_log = nullptr;
    QString m_installFolder;
};

} // namespace adcp::gui
