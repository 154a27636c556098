#include "trainerpanel.h"

#include "mainwindow.h"
#include "scenarioplayer.h"
#include "scenariorecorder.h"

#include <QAction>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QSaveFile>
#include <QSettings>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <algorithm>

namespace adcp::gui {

namespace {

const QString kPresenterKey = QStringLiteral("Trainer/presenter");
constexpr double kPresenterScale = 1.5;

} // namespace

TrainerPanel::TrainerPanel(ScenarioPlayer *player, QWidget *parent)
    : QWidget(parent), m_player(player), m_title(new QLabel(this)), m_step(new QLabel(this)),
      m_narration(new QTextBrowser(this)), m_error(new QLabel(this)),
      m_previous(new QPushButton(tr("◀ Previous"), this)), m_next(new QPushButton(tr("Next ▶"), this)),
      m_reset(new QPushButton(tr("Reset"), this)), m_leave(new QPushButton(tr("Back to my seller"), this))
{
    setObjectName(QStringLiteral("trainerPanel"));
    m_title->setObjectName(QStringLiteral("trainerTitle"));
    m_title->setWordWrap(true);
    m_step->setObjectName(QStringLiteral("trainerStep"));
    m_narration->setObjectName(QStringLiteral("trainerNarration"));
    m_narration->setOpenLinks(false);
    m_error->setObjectName(QStringLiteral("trainerError"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #b91c1c;"));
    m_previous->setObjectName(QStringLiteral("trainerPrevious"));
    m_next->setObjectName(QStringLiteral("trainerNext"));
    m_reset->setObjectName(QStringLiteral("trainerReset"));
    m_leave->setObjectName(QStringLiteral("trainerLeave"));
    m_leave->setToolTip(
        tr("End the scenario: the window goes back to your own embedded seller and workspace."));
    m_next->setDefault(true);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(m_step);
    layout->addWidget(m_narration, 1);
    layout->addWidget(m_error);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_previous);
    buttons->addWidget(m_next);
    buttons->addStretch(1);
    buttons->addWidget(m_reset);
    layout->addLayout(buttons);
    layout->addWidget(m_leave, 0, Qt::AlignRight);
    connect(m_next, &QPushButton::clicked, player, &ScenarioPlayer::next);
    connect(m_previous, &QPushButton::clicked, player, &ScenarioPlayer::previous);
    connect(m_reset, &QPushButton::clicked, player, &ScenarioPlayer::reset);
    connect(player, &ScenarioPlayer::positionChanged, this, &TrainerPanel::refresh);
    connect(player, &ScenarioPlayer::runningChanged, this, &TrainerPanel::refresh);
    connect(player, &ScenarioPlayer::failed, this, &TrainerPanel::refresh);
    setPresenter(false);
}

TrainerPanel::~TrainerPanel() = default;

QPushButton *TrainerPanel::nextButton() const
{
    return m_next;
}

QPushButton *TrainerPanel::previousButton() const
{
    return m_previous;
}

QPushButton *TrainerPanel::resetButton() const
{
    return m_reset;
}

QPushButton *TrainerPanel::leaveButton() const
{
    return m_leave;
}

QLabel *TrainerPanel::titleLabel() const
{
    return m_title;
}

QLabel *TrainerPanel::stepLabel() const
{
    return m_step;
}

QTextBrowser *TrainerPanel::narrationView() const
{
    return m_narration;
}

QLabel *TrainerPanel::errorLabel() const
{
    return m_error;
}

void TrainerPanel::setPresenter(bool on)
{
    m_presenter = on;
    const int base = on ? 20 : 12;
    m_title->setStyleSheet(QStringLiteral("font-size: %1pt; font-weight: bold;").arg(base + 4));
    m_step->setStyleSheet(QStringLiteral("font-size: %1pt; color: #6b7280;").arg(base));
    QFont font = m_narration->font();
    font.setPointSize(base + 2);
    m_narration->setFont(font);
    refresh();
}

// The narration of the step just performed, then what Next will do.
void TrainerPanel::refresh()
{
    const models::Scenario &scenario = m_player->scenario();
    const int position = m_player->position();
    const int count = m_player->stepCount();
    const bool loaded = m_player->isLoaded();
    const bool running = m_player->isRunning();
    m_title->setText(loaded ? scenario.title : tr("No scenario open — choose one in the Trainer menu."));
    if (!loaded)
        m_step->clear();
    else if (running)
        m_step->setText(tr("Step %1 of %2 — running…").arg(std::min(position + 1, count)).arg(count));
    else if (position == 0)
        m_step->setText(tr("At the start (%n step(s))", nullptr, count));
    else
        m_step->setText(tr("Step %1 of %2").arg(position).arg(count));
    QString html;
    if (loaded && position == 0 && !scenario.description.isEmpty())
        html += QStringLiteral("<p>%1</p>").arg(scenario.description.toHtmlEscaped());
    if (loaded && position > 0)
        html += QStringLiteral("<p>%1</p>")
                    .arg(scenario.steps.at(std::size_t(position - 1)).narration.toHtmlEscaped());
    if (loaded && position < count)
        html += QStringLiteral("<p style=\"color:#6b7280\"><i>%1</i> %2</p>")
                    .arg(tr("Next:"), scenario.steps.at(std::size_t(position)).narration.toHtmlEscaped());
    else if (loaded)
        html += QStringLiteral("<p><b>%1</b></p>").arg(tr("The end of the scenario."));
    m_narration->setHtml(html);
    m_error->setText(running ? QString() : m_player->lastError());
    m_error->setVisible(!m_error->text().isEmpty());
    m_next->setEnabled(loaded && !running && position < count);
    m_previous->setEnabled(loaded && !running && position > 0);
    m_reset->setEnabled(loaded && !running);
    m_leave->setEnabled(loaded && !running);
}

Trainer::Trainer(MainWindow *window, Workbench *workbench, SellerConsole *console,
                 std::function<bool(QString *error)> resetter, QObject *parent)
    : QObject(parent), m_window(window), m_player(new ScenarioPlayer(workbench, console, this)),
      m_recorder(new ScenarioRecorder(workbench, console, this)), m_baseFont(window->font())
{
    m_player->setResetter(std::move(resetter));
    m_panel = new TrainerPanel(m_player);
    m_dock = window->addToolDock(m_panel, tr("Trainer"), Qt::LeftDockWidgetArea);
    m_dock->hide();
    buildMenu();
    connect(m_panel->leaveButton(), &QPushButton::clicked, this, &Trainer::leaveFromWindow);
    const auto updateLeave = [this] { m_leave->setEnabled(m_player->isLoaded() && !m_player->isRunning()); };
    connect(m_player, &ScenarioPlayer::positionChanged, this, updateLeave);
    connect(m_player, &ScenarioPlayer::runningChanged, this, updateLeave);
    updateLeave();
    setPresenter(QSettings().value(kPresenterKey, false).toBool());
}

Trainer::~Trainer() = default;

QStringList Trainer::bundledScenarios()
{
    QStringList names;
    for (const QFileInfo &file :
         QDir(QStringLiteral(":/trainer")).entryInfoList({QStringLiteral("*.json")}, QDir::Files, QDir::Name))
        names << file.completeBaseName();
    return names;
}

std::optional<models::Scenario> Trainer::loadScenario(const QString &nameOrPath, QString *error)
{
    // A bundled scenario answers to its file name with or without the number that orders the menu.
    QString bundled;
    for (const QString &name : bundledScenarios()) {
        if (name == nameOrPath || name.section(QLatin1Char('-'), 1) == nameOrPath)
            bundled = QStringLiteral(":/trainer/%1.json").arg(name);
    }
    QFile file(bundled.isEmpty() ? nameOrPath : bundled);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = tr("%1: %2 (bundled scenarios: %3)")
                     .arg(nameOrPath, file.errorString(), bundledScenarios().join(QStringLiteral(", ")));
        return std::nullopt;
    }
    // One byte past the limit tells an oversized file without reading it whole.
    const QByteArray bytes = file.read(models::kScenarioMaxBytes + 1);
    QString why;
    std::optional<models::Scenario> scenario = models::parseScenario(bytes, &why);
    if (!scenario)
        *error = tr("%1 is not a scenario this workbench can replay: %2").arg(nameOrPath, why);
    return scenario;
}

bool Trainer::open(const QString &nameOrPath, QString *error)
{
    const std::optional<models::Scenario> scenario = loadScenario(nameOrPath, error);
    if (!scenario || !m_player->load(*scenario, error))
        return false;
    m_dock->show();
    m_dock->raise();
    return true;
}

void Trainer::setLeaver(std::function<bool(QString *error)> leaver)
{
    m_leaver = std::move(leaver);
}

bool Trainer::leave(QString *error)
{
    if (!m_player->isLoaded())
        return true;
    if (m_player->isRunning()) {
        *error = tr("A scenario step is still running; leave once it is done.");
        return false;
    }
    if (m_leaver && !m_leaver(error))
        return false;
    m_player->unload();
    m_dock->hide();
    m_window->showStatus(tr("Back to your own embedded seller and workspace."));
    return true;
}

void Trainer::leaveFromWindow()
{
    QString why;
    if (!leave(&why))
        m_window->showStatus(why, 20000);
}

QAction *Trainer::leaveAction() const
{
    return m_leave;
}

bool Trainer::save(const QString &path, QString *error) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) ||
        file.write(models::serializeScenario(m_recorder->scenario())) < 0 || !file.commit()) {
        *error = tr("%1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

ScenarioPlayer *Trainer::player() const
{
    return m_player;
}

ScenarioRecorder *Trainer::recorder() const
{
    return m_recorder;
}

TrainerPanel *Trainer::panel() const
{
    return m_panel;
}

QDockWidget *Trainer::dock() const
{
    return m_dock;
}

QMenu *Trainer::menu() const
{
    return m_menu;
}

QAction *Trainer::presenterAction() const
{
    return m_presenter;
}

bool Trainer::isPresenter() const
{
    return m_presenter->isChecked();
}

void Trainer::setPresenter(bool on)
{
    if (m_presenter->isChecked() != on)
        m_presenter->setChecked(on); // comes back here through toggled
    QSettings().setValue(kPresenterKey, on);
    QFont font = m_baseFont;
    if (on)
        font.setPointSizeF(m_baseFont.pointSizeF() * kPresenterScale);
    m_window->setFont(font);
    m_panel->setPresenter(on);
}

void Trainer::buildMenu()
{
    m_menu = m_window->menuBar()->addMenu(tr("&Trainer"));
    m_menu->setObjectName(QStringLiteral("trainerMenu"));
    for (const QString &name : bundledScenarios()) {
        QString error;
        const std::optional<models::Scenario> scenario = loadScenario(name, &error);
        QAction *action = m_menu->addAction(scenario ? scenario->title : name);
        action->setObjectName(QStringLiteral("scenario-%1").arg(name));
        connect(action, &QAction::triggered, this, [this, name] {
            QString why;
            if (!open(name, &why))
                m_window->showStatus(why, 20000);
        });
    }
    connect(m_menu->addAction(tr("Open scenario file…")), &QAction::triggered, this, &Trainer::openFile);
    m_leave = m_menu->addAction(tr("Back to my seller"));
    m_leave->setObjectName(QStringLiteral("trainerLeaveAction"));
    connect(m_leave, &QAction::triggered, this, &Trainer::leaveFromWindow);
    m_menu->addSeparator();
    m_record = m_menu->addAction(tr("Record a scenario"));
    m_record->setObjectName(QStringLiteral("trainerRecord"));
    m_record->setCheckable(true);
    connect(m_record, &QAction::toggled, this, &Trainer::toggleRecording);
    m_menu->addSeparator();
    m_presenter = m_menu->addAction(tr("Presenter mode (large type)"));
    m_presenter->setObjectName(QStringLiteral("trainerPresenter"));
    m_presenter->setCheckable(true);
    connect(m_presenter, &QAction::toggled, this, &Trainer::setPresenter);
}

void Trainer::openFile()
{
    const QString path = QFileDialog::getOpenFileName(m_window, tr("Open scenario"), QString(),
                                                      tr("Scenarios (*.json);;All files (*)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!open(path, &error))
        m_window->showStatus(error, 20000);
}

// Recording starts with the title asked for and ends by saving the file.
void Trainer::toggleRecording(bool on)
{
    if (on) {
        const QString title = QInputDialog::getText(m_window, tr("Record a scenario"), tr("Title:"));
        m_recorder->start(title.isEmpty() ? tr("Recorded session") : title);
        m_window->showStatus(tr("Recording: every request and seller console action becomes a step."));
        return;
    }
    m_recorder->stop();
    const QString path =
        QFileDialog::getSaveFileName(m_window, tr("Save scenario"), QString(), tr("Scenarios (*.json)"));
    if (path.isEmpty())
        return;
    QString error;
    m_window->showStatus(save(path, &error) ? tr("Saved %1").arg(path) : error, 20000);
}

} // namespace adcp::gui
