#pragma once

#include "agentprofiles.h"

#include <QDialog>

#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;

namespace adcp {
class AgentClient;
}

namespace adcp::gui {

class AgentManager;

// Remote agent profiles: name, MCP or A2A URL, the principal we are known as, and the bearer token (kept in
// the SecretStore; a plain-file fallback is marked as such). "Test connection" reads the capabilities and
// shows the dialect the workbench would use.
class AgentProfilesDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AgentProfilesDialog)
public:
    explicit AgentProfilesDialog(AgentManager *manager, QWidget *parent = nullptr);
    ~AgentProfilesDialog() override;

    QListWidget *profileList() const;
    QLineEdit *nameEdit() const;
    QComboBox *kindCombo() const;
    QLineEdit *urlEdit() const;
    QLineEdit *principalEdit() const;
    QLineEdit *tokenEdit() const;
    QLabel *storageLabel() const;
    QPlainTextEdit *testResult() const;
    QPushButton *saveButton() const;
    QPushButton *testButton() const;

    void newProfile();
    void saveCurrent();
    void testConnection();

Q_SIGNALS:
    void testFinished(bool ok);

private:
    AgentProfile currentForm() const;
    void showProfile(int row);
    void refreshList();

    AgentManager *m_manager;
    QList<AgentProfile> m_profiles;
    int m_current = -1;
    std::unique_ptr<adcp::AgentClient> m_testClient;
    QListWidget *m_list = nullptr;
    QLineEdit *m_name = nullptr;
    QComboBox *m_kind = nullptr;
    QLineEdit *m_url = nullptr;
    QLineEdit *m_principal = nullptr;
    QLineEdit *m_token = nullptr;
    QLabel *m_storage = nullptr;
    QLabel *m_problems = nullptr;
    QPlainTextEdit *m_result = nullptr;
    QPushButton *m_save = nullptr;
    QPushButton *m_delete = nullptr;
    QPushButton *m_test = nullptr;
};

} // namespace adcp::gui
