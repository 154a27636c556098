#pragma once

#include "scenario.h"

#include <QObject>
#include <QWidget>

#include <QFont>

#include <functional>
#include <optional>

class QAction;
class QDockWidget;
class QLabel;
class QMenu;
class QPushButton;
class QTextBrowser;

namespace adcp::gui {

class MainWindow;
class ScenarioPlayer;
class ScenarioRecorder;
class SellerConsole;
class Workbench;

// The narration pane beside a replayed scenario: its title, "Step N of M", what the trainer says about the
// step just shown and the one coming, and Previous / Next / Reset.
class TrainerPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrainerPanel)
public:
    explicit TrainerPanel(ScenarioPlayer *player, QWidget *parent = nullptr);
    ~TrainerPanel() override;

    QPushButton *nextButton() const;
    QPushButton *previousButton() const;
    QPushButton *resetButton() const;
    // "Back to my seller": ends the scenario (Trainer::leave).
    QPushButton *leaveButton() const;
    QLabel *titleLabel() const;
    QLabel *stepLabel() const;
    QTextBrowser *narrationView() const;
    QLabel *errorLabel() const;
    // Larger type for a projector.
    void setPresenter(bool on);

private:
    void refresh();

    ScenarioPlayer *m_player;
    QLabel *m_title;
    QLabel *m_step;
    QTextBrowser *m_narration;
    QLabel *m_error;
    QPushButton *m_previous;
    QPushButton *m_next;
    QPushButton *m_reset;
    QPushButton *m_leave;
    bool m_presenter = false;
};

// Trainer mode on the workbench window: the Trainer menu (bundled scenarios, a scenario file, recording,
// presenter type), the narration dock, the player and the recorder.
class Trainer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Trainer)
public:
    // `resetter` gives the player a fresh seller and an empty session (see TrainerSeller).
    Trainer(MainWindow *window, Workbench *workbench, SellerConsole *console,
            std::function<bool(QString *error)> resetter, QObject *parent = nullptr);
    ~Trainer() override;

    // The scenarios compiled in (:/trainer/<name>.json), by name.
    static QStringList bundledScenarios();
    // A bundled scenario's name or a file's path; the file is untrusted input.
    static std::optional<models::Scenario> loadScenario(const QString &nameOrPath, QString *error);
    // Opens a scenario beside the window: the seller is reset and the pane stands before step 1.
    bool open(const QString &nameOrPath, QString *error);
    bool save(const QString &path, QString *error) const;
    // What "Back to my seller" does after the scenario ends: give the window the planner's own seller and
    // workspace again (see TrainerSeller::goHome). Without one, leave() only closes the pane.
    void setLeaver(std::function<bool(QString *error)> leaver);
    // Ends the scenario: the pane closes and the leaver runs. Refused while a step runs.
    bool leave(QString *error);
    QAction *leaveAction() const;

    ScenarioPlayer *player() const;
    ScenarioRecorder *recorder() const;
    TrainerPanel *panel() const;
    QDockWidget *dock() const;
    QMenu *menu() const;
    QAction *presenterAction() const;
    bool isPresenter() const;
    void setPresenter(bool on);

private:
    void buildMenu();
    void openFile();
    void leaveFromWindow(); // the pane's button and the menu item: leave(), or say in the status bar why not
    void toggleRecording(bool on);

    MainWindow *m_window;
    ScenarioPlayer *m_player;
    ScenarioRecorder *m_recorder;
    TrainerPanel *m_panel;
    QDockWidget *m_dock;
    QMenu *m_menu = nullptr;
    QAction *m_presenter = nullptr;
    QAction *m_record = nullptr;
    QAction *m_leave = nullptr;
    std::function<bool(QString *error)> m_leaver;
    QFont m_baseFont;
};

} // namespace adcp::gui
