#include "labrunnersettings.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>

namespace adcp::gui {

namespace {

const QString kRunnerKey = QStringLiteral("testLab/runnerPath");
const QString kNodeKey = QStringLiteral("testLab/nodePath");

} // namespace

LabRunnerSettings LabRunnerSettings::load()
{
    const QSettings settings;
    return {settings.value(kRunnerKey).toString(), settings.value(kNodeKey).toString()};
}

void LabRunnerSettings::save() const
{
    QSettings settings;
    settings.setValue(kRunnerKey, runnerPath);
    settings.setValue(kNodeKey, nodePath);
}

adcp::lab::RunnerLocation LabRunnerSettings::locate(QString *why) const
{
    return adcp::lab::locateRunner(runnerPath, nodePath, why);
}

LabRunnerSettingsDialog::LabRunnerSettingsDialog(QWidget *parent)
    : QDialog(parent), m_installer(std::make_unique<adcp::lab::RunnerInstaller>()),
      m_installFolder(adcp::lab::defaultRunnerInstallDir())
{
    setObjectName(QStringLiteral("labRunnerSettings"));
    setWindowTitle(tr("AdCP runner settings"));
    const LabRunnerSettings saved = LabRunnerSettings::load();

    auto *form = new QFormLayout;
    m_runner = new QLineEdit(saved.runnerPath, this);
    m_runner->setObjectName(QStringLiteral("runnerPath"));
    m_runner->setPlaceholderText(tr("empty: the copy installed below"));
    m_runner->setToolTip(
        tr("The runner's bin/adcp.js, its package folder (…/@adcp/sdk), or an npm folder holding "
           "node_modules/@adcp/sdk"));
    auto *browseRunner = new QPushButton(tr("Browse…"), this);
    auto *runnerRow = new QHBoxLayout;
    runnerRow->addWidget(m_runner, 1);
    runnerRow->addWidget(browseRunner);
    form->addRow(tr("Runner"), runnerRow);
    m_node = new QLineEdit(saved.nodePath, this);
    m_node->setObjectName(QStringLiteral("nodePath"));
    m_node->setPlaceholderText(tr("empty: node on PATH"));
    auto *browseNode = new QPushButton(tr("Browse…"), this);
    auto *nodeRow = new QHBoxLayout;
    nodeRow->addWidget(m_node, 1);
    nodeRow->addWidget(browseNode);
    form->addRow(tr("node"), nodeRow);
    m_found = new QLabel(this);
    m_found->setObjectName(QStringLiteral("runnerFound"));
    m_found->setWordWrap(true);
    m_found->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(QString(), m_found);

    auto *install = new QGroupBox(tr("Install from the npm registry"), this);
    auto *installForm = new QFormLayout(install);
    m_packages = new QLineEdit(adcp::lab::defaultRunnerPackages().join(u' '), install);
    m_packages->setObjectName(QStringLiteral("runnerPackages"));
    installForm->addRow(tr("Packages"), m_packages);
    m_folder = new QLabel(QDir::toNativeSeparators(m_installFolder), install);
    m_folder->setTextInteractionFlags(Qt::TextSelectableByMouse);
    installForm->addRow(tr("Into"), m_folder);
    m_install = new QPushButton(tr("Install"), install);
    m_install->setObjectName(QStringLiteral("runnerInstall"));
    m_cancelInstall = new QPushButton(tr("Cancel install"), install);
    m_cancelInstall->setObjectName(QStringLiteral("runnerCancelInstall"));
    m_cancelInstall->setEnabled(false);
    m_busy = new QProgressBar(install);
    m_busy->setRange(0, 1);
    m_busy->setValue(0);
    m_busy->setTextVisible(false);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_install);
    buttons->addWidget(m_cancelInstall);
    buttons->addWidget(m_busy, 1);
    installForm->addRow(buttons);
    m_log = new QPlainTextEdit(install);
    m_log->setObjectName(QStringLiteral("runnerInstallLog"));
    m_log->setReadOnly(true);
    m_log->setPlaceholderText(tr("npm's output appears here."));
    m_log->setMaximumBlockCount(2000);
    installForm->addRow(m_log);

    auto *box = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(install, 1);
    layout->addWidget(box);
    resize(760, 520);

    connect(m_runner, &QLineEdit::textChanged, this, &LabRunnerSettingsDialog::refreshFound);
    connect(m_node, &QLineEdit::textChanged, this, &LabRunnerSettingsDialog::refreshFound);
    connect(browseRunner, &QPushButton::clicked, this, [this] {
        const QString folder =
            QFileDialog::getExistingDirectory(this, tr("The runner's folder"), m_runner->text());
        if (!folder.isEmpty())
            m_runner->setText(folder);
    });
    connect(browseNode, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getOpenFileName(this, tr("node"), m_node->text());
        if (!file.isEmpty())
            m_node->setText(file);
    });
    connect(m_install, &QPushButton::clicked, this, &LabRunnerSettingsDialog::startInstall);
    connect(m_cancelInstall, &QPushButton::clicked, m_installer.get(), &adcp::lab::RunnerInstaller::cancel);
    connect(m_installer.get(), &adcp::lab::RunnerInstaller::outputLine, m_log,
            &QPlainTextEdit::appendPlainText);
    connect(m_installer.get(), &adcp::lab::RunnerInstaller::finished, this,
            [this](bool ok, const QString &message) { onInstallFinished(ok, message); });
    connect(box, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(box, &QDialogButtonBox::rejected, this, &QDialog::reject);
    refreshFound();
}

LabRunnerSettingsDialog::~LabRunnerSettingsDialog() = default;

LabRunnerSettings LabRunnerSettingsDialog::settings() const
{
    return {m_runner->text().trimmed(), m_node->text().trimmed()};
}

void LabRunnerSettingsDialog::setInstallFolder(const QString &folder)
{
    m_installFolder = folder;
    m_folder->setText(QDir::toNativeSeparators(folder));
}

void LabRunnerSettingsDialog::setPackages(const QStringList &packages)
{
    m_packages->setText(packages.join(u' '));
}

void LabRunnerSettingsDialog::refreshFound()
{
    QString why;
    const auto location = settings().locate(&why);
    m_found->setText(location.isValid() ? tr("✓ Found %1, run by %2").arg(location.describe(), location.node)
                                        : tr("✗ %1").arg(why));
}

void LabRunnerSettingsDialog::startInstall()
{
    QString error;
    m_log->clear();
    if (!m_installer->start(m_installFolder, m_packages->text().split(u' ', Qt::SkipEmptyParts), {},
                            &error)) {
        m_log->appendPlainText(error);
        return;
    }
    m_log->appendPlainText(tr("npm install %1 into %2").arg(m_packages->text(), m_installFolder));
    m_install->setEnabled(false);
    m_cancelInstall->setEnabled(true);
    m_busy->setRange(0, 0);
}

void LabRunnerSettingsDialog::onInstallFinished(bool ok, const QString &message)
{
    m_log->appendPlainText(message);
    m_install->setEnabled(true);
    m_cancelInstall->setEnabled(false);
    m_busy->setRange(0, 1);
    m_busy->setValue(ok ? 1 : 0);
    if (ok) // the runner just installed is the one to use
        m_runner->setText(m_installFolder == adcp::lab::defaultRunnerInstallDir() ? QString()
                                                                                  : m_installFolder);
    refreshFound();
}

void LabRunnerSettingsDialog::done(int result)
{
    m_installer->cancel();
    if (result == QDialog::Accepted)
        settings().save();
    QDialog::done(result);
}

} // namespace adcp::gui
