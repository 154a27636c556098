#pragma once

#include "agentprofiles.h"

#include <QDialog>

#include <memory>

class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QVBoxLayout;

namespace adcp {
class AgentClient;
}

namespace adcp::gui {

class AgentManager;

// Remote agent profiles: name, MCP or A2A URL, the principal we are known as, and the bearer token (kept in
// the SecretStore; a plain-file fallback is marked as such). "Test connection" reads the capabilities and
// shows the dialect the workbench would use. "Request signing" holds the profile's RFC 9421 key: generated
// here (Ed25519 or ES256), the private half in the SecretStore beside the token, the public half exportable
// as a JWKS for the seller to register.
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
    QLabel *signingStatus() const;
    QComboBox *signingAlgorithmCombo() const;
    QPushButton *generateKeyButton() const;
    QPushButton *exportJwksButton() const;
    QPushButton *copyJwksButton() const;
    QPushButton *removeKeyButton() const;

    void newProfile();
    void saveCurrent();
    void testConnection();
    void generateSigningKey();
    void exportJwks();
    void copyJwks();
    void removeSigningKey();
    // The public JWKS of the shown profile's key ({"keys": [jwk]}); empty when it has none.
    QByteArray currentJwks() const;

Q_SIGNALS:
    void testFinished(bool ok);
    void signingKeyChanged();
    void jwksExported(const QString &path);

private:
    AgentProfile currentForm() const;
    void showProfile(int row);
    void refreshList();
    void buildSigningBox(QVBoxLayout *into);
    void updateSigningControls();
    void storeSigningKey(const QString &profileId, const QString &keyId, const QString &algorithm,
                         const QString &publicJwk);

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
    QGroupBox *m_signingBox = nullptr;
    QLabel *m_signingStatus = nullptr;
    QComboBox *m_signingAlgorithm = nullptr;
    QPushButton *m_generateKey = nullptr;
    QPushButton *m_exportJwks = nullptr;
    QPushButton *m_copyJwks = nullptr;
    QPushButton *m_removeKey = nullptr;
    bool m_signingBusy = false; // a key is being written to or removed from the SecretStore
};

} // namespace adcp::gui
