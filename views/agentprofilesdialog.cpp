#include "agentprofilesdialog.h"

#include "agentclient.h"
#include "agentmanager.h"
#include "agentsecurity.h"
#include "jsonvalues.h"
#include "requestsigner.h"
#include "secretstore.h"

#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QSaveFile>
#include <QUuid>
#include <QVBoxLayout>

namespace adcp::gui {

using namespace adcp::models;

AgentProfilesDialog::AgentProfilesDialog(AgentManager *manager, QWidget *parent)
    : QDialog(parent), m_manager(manager), m_profiles(manager->profiles())
{
    setObjectName(QStringLiteral("agentProfilesDialog"));
    setWindowTitle(tr("Agents"));
    resize(820, 620);
    auto *layout = new QHBoxLayout(this);
    auto *left = new QVBoxLayout;
    m_list = new QListWidget(this);
    m_list->setObjectName(QStringLiteral("profileList"));
    left->addWidget(m_list, 1);
    auto *listButtons = new QHBoxLayout;
    auto *add = new QPushButton(tr("New"), this);
    m_delete = new QPushButton(tr("Delete"), this);
    listButtons->addWidget(add);
    listButtons->addWidget(m_delete);
    left->addLayout(listButtons);
    layout->addLayout(left, 1);

    auto *right = new QVBoxLayout;
    auto *form = new QFormLayout;
    m_name = new QLineEdit(this);
    m_name->setObjectName(QStringLiteral("profileName"));
    form->addRow(tr("Name"), m_name);
    m_kind = new QComboBox(this);
    m_kind->setObjectName(QStringLiteral("profileKind"));
    m_kind->addItem(tr("MCP (streamable HTTP)"), QStringLiteral("mcp"));
    m_kind->addItem(tr("A2A"), QStringLiteral("a2a"));
    form->addRow(tr("Protocol"), m_kind);
    m_url = new QLineEdit(this);
    m_url->setObjectName(QStringLiteral("profileUrl"));
    m_url->setPlaceholderText(QStringLiteral("https://seller.example/mcp"));
    form->addRow(tr("URL"), m_url);
    m_principal = new QLineEdit(this);
    m_principal->setObjectName(QStringLiteral("profilePrincipal"));
    m_principal->setPlaceholderText(tr("who this agent knows you as (shown in the status line)"));
    form->addRow(tr("Principal"), m_principal);
    m_token = new QLineEdit(this);
    m_token->setObjectName(QStringLiteral("profileToken"));
    m_token->setEchoMode(QLineEdit::Password);
    m_token->setPlaceholderText(tr("leave empty to keep the stored token"));
    form->addRow(tr("Bearer token"), m_token);
    right->addLayout(form);
    m_storage = new QLabel(this);
    m_storage->setObjectName(QStringLiteral("storageLabel"));
    m_storage->setWordWrap(true);
    right->addWidget(m_storage);
    m_problems = new QLabel(this);
    m_problems->setStyleSheet(QStringLiteral("color: #b45309;"));
    right->addWidget(m_problems);
    installPlainHttpHint(m_url, right);
    auto *actions = new QHBoxLayout;
    m_test = new QPushButton(tr("Test connection"), this);
    m_test->setObjectName(QStringLiteral("testConnectionButton"));
    m_save = new QPushButton(tr("Save"), this);
    m_save->setObjectName(QStringLiteral("saveProfileButton"));
    actions->addWidget(m_test);
    actions->addStretch(1);
    actions->addWidget(m_save);
    right->addLayout(actions);
    buildSigningBox(right);
    m_result = new QPlainTextEdit(this);
    m_result->setObjectName(QStringLiteral("testResult"));
    m_result->setReadOnly(true);
    m_result->setPlaceholderText(tr("Capabilities and dialect appear here after a connection test."));
    right->addWidget(m_result, 1);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    right->addWidget(buttons);
    layout->addLayout(right, 2);

    SecretStore *store = m_manager->secretStore();
    if (!store) {
        m_storage->setText(tr("⚠ No token storage is available: tokens are used for this session only."));
        m_storage->setObjectName(QStringLiteral("fallbackWarning"));
    } else if (!store->isEncrypted()) {
        m_storage->setText(tr("⚠ No system keychain: tokens are stored in a %1.").arg(store->description()));
        m_storage->setObjectName(QStringLiteral("fallbackWarning"));
    } else {
        m_storage->setText(tr("Tokens are stored in the %1.").arg(store->description()));
    }

    connect(add, &QPushButton::clicked, this, &AgentProfilesDialog::newProfile);
    connect(m_save, &QPushButton::clicked, this, &AgentProfilesDialog::saveCurrent);
    connect(m_test, &QPushButton::clicked, this, &AgentProfilesDialog::testConnection);
    connect(m_delete, &QPushButton::clicked, this, [this] {
        if (m_current < 0 || m_current >= m_profiles.size())
            return;
        const AgentProfile removed = m_profiles.takeAt(m_current);
        if (SecretStore *secrets = m_manager->secretStore()) {
            secrets->remove(removed.secretKey(), [](bool, const QString &) {});
            if (removed.hasSigningKey())
                secrets->remove(removed.signingSecretKey(), [](bool, const QString &) {});
        }
        m_manager->setProfiles(m_profiles);
        m_current = -1;
        refreshList();
    });
    connect(m_list, &QListWidget::currentRowChanged, this, &AgentProfilesDialog::showProfile);
    for (QLineEdit *edit : {m_name, m_url})
        connect(edit, &QLineEdit::textChanged, this,
                [this] { m_problems->setText(profileProblems(currentForm()).join(QLatin1Char(' '))); });
    refreshList();
    if (m_profiles.isEmpty())
        newProfile();
}

AgentProfilesDialog::~AgentProfilesDialog() = default;

void AgentProfilesDialog::refreshList()
{
    m_list->blockSignals(true);
    m_list->clear();
    for (const AgentProfile &profile : m_profiles)
        m_list->addItem(
            QStringLiteral("%1  (%2)").arg(profile.name, AgentProfile::kindName(profile.kind).toUpper()));
    m_list->blockSignals(false);
    if (m_current >= 0 && m_current < m_list->count())
        m_list->setCurrentRow(m_current);
    m_delete->setEnabled(m_current >= 0);
    updateSigningControls();
}

void AgentProfilesDialog::showProfile(int row)
{
    m_current = row;
    m_delete->setEnabled(row >= 0);
    if (row < 0 || row >= m_profiles.size()) {
        updateSigningControls();
        return;
    }
    const AgentProfile &profile = m_profiles.at(row);
    m_name->setText(profile.name);
    m_kind->setCurrentIndex(m_kind->findData(AgentProfile::kindName(profile.kind)));
    m_url->setText(profile.url.toString());
    m_principal->setText(profile.principal);
    m_token->clear();
    m_result->clear();
    updateSigningControls();
}

AgentProfile AgentProfilesDialog::currentForm() const
{
    AgentProfile profile;
    if (m_current >= 0 && m_current < m_profiles.size()) {
        const AgentProfile &stored = m_profiles.at(m_current);
        profile.id = stored.id;
        profile.signingKeyId = stored.signingKeyId;
        profile.signingAlgorithm = stored.signingAlgorithm;
        profile.signingPublicJwk = stored.signingPublicJwk;
    }
    profile.name = m_name->text().trimmed();
    profile.kind = AgentProfile::kindFromName(m_kind->currentData().toString());
    profile.url = QUrl(m_url->text().trimmed());
    profile.principal = m_principal->text().trimmed();
    return profile;
}

void AgentProfilesDialog::newProfile()
{
    m_current = -1;
    m_list->clearSelection();
    m_name->setText(tr("Remote seller"));
    m_kind->setCurrentIndex(0);
    m_url->clear();
    m_principal->clear();
    m_token->clear();
    m_result->clear();
    updateSigningControls();
    m_name->setFocus();
}

void AgentProfilesDialog::saveCurrent()
{
    AgentProfile profile = currentForm();
    const QStringList problems = profileProblems(profile);
    m_problems->setText(problems.join(QLatin1Char(' ')));
    if (!problems.isEmpty())
        return;
    if (profile.id.isEmpty()) {
        profile.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        m_profiles << profile;
        m_current = static_cast<int>(m_profiles.size()) - 1;
    } else {
        m_profiles[m_current] = profile;
    }
    m_manager->setProfiles(m_profiles);
    const QByteArray token = m_token->text().toUtf8();
    if (!token.isEmpty() && m_manager->secretStore()) {
        QPointer<AgentProfilesDialog> self(this);
        m_manager->secretStore()->write(profile.secretKey(), token, [self](bool ok, const QString &error) {
            if (self && !ok)
                self->m_problems->setText(tr("The token could not be stored: %1").arg(error));
        });
        m_token->clear();
    }
    refreshList();
}

void AgentProfilesDialog::testConnection()
{
    const AgentProfile profile = currentForm();
    const QStringList problems = profileProblems(profile);
    m_problems->setText(problems.join(QLatin1Char(' ')));
    if (!problems.isEmpty())
        return;
    m_result->setPlainText(tr("Connecting to %1…").arg(profile.url.toString()));
    m_test->setEnabled(false);
    const auto run = [this, profile](const AgentCredentials &credentials) {
        m_testClient = AgentManager::makeClient(profile, credentials, m_manager->schemas());
        adcp::PendingCall *call = m_testClient->getAdcpCapabilities();
        connect(call, &adcp::PendingCall::finished, this, [this, call, keyId = profile.signingKeyId] {
            m_test->setEnabled(true);
            const adcp::ToolOutcome outcome = call->outcome();
            if (!outcome.ok()) {
                m_result->setPlainText(tr("Failed: %1\n%2")
                                           .arg(QString::fromStdString(outcome.error->code),
                                                QString::fromStdString(outcome.error->message)));
                Q_EMIT testFinished(false);
                return;
            }
            QStringList dialects;
            for (const adcp::Dialect dialect : m_testClient->supportedDialects())
                dialects << adcp::dialectName(dialect);
            const nlohmann::json mediaBuy = jsonObject(outcome.result, "media_buy");
            const nlohmann::json adcp = jsonObject(outcome.result, "adcp");
            // Older agents declare only major versions; "brief" is implicit when no mode is listed.
            QStringList versions = jsonStringList(adcp, "supported_versions");
            if (versions.isEmpty() && adcp.contains("major_versions") && adcp["major_versions"].is_array()) {
                for (const auto &major : adcp["major_versions"])
                    if (major.is_number_integer())
                        versions << tr("%1 (major)").arg(major.get<int>());
            }
            QStringList modes = jsonStringList(mediaBuy, "buying_modes");
            if (modes.isEmpty())
                modes << tr("brief (implicit; none declared)");
            QString text =
                tr("Connected.\nDialect in use: %1\nDialects declared: %2\nAdCP versions: %3\nProtocols: %4\n"
                   "Buying modes: %5\nRequest signing: %6\n\n")
                    .arg(adcp::dialectName(m_testClient->dialect()), dialects.join(QStringLiteral(", ")),
                         versions.isEmpty() ? tr("not declared") : versions.join(QStringLiteral(", ")),
                         jsonStringList(outcome.result, "supported_protocols").join(QStringLiteral(", ")),
                         modes.join(QStringLiteral(", ")), requestSigningSummary(outcome.result, keyId));
            text += QString::fromStdString(outcome.result.dump(2));
            m_result->setPlainText(text);
            Q_EMIT testFinished(true);
        });
    };
    const QByteArray typed = m_token->text().toUtf8();
    if (profile.id.isEmpty() || !m_manager->secretStore()) {
        run({typed, {}});
        return;
    }
    AgentManager::readCredentials(m_manager->secretStore(), profile, this,
                                  [run, typed](AgentCredentials credentials, const QString &) {
                                      if (!typed.isEmpty())
                                          credentials.token = typed;
                                      run(credentials);
                                  });
}

void AgentProfilesDialog::buildSigningBox(QVBoxLayout *into)
{
    m_signingBox = new QGroupBox(tr("Request signing (RFC 9421)"), this);
    m_signingBox->setObjectName(QStringLiteral("signingBox"));
    auto *box = new QVBoxLayout(m_signingBox);
    m_signingStatus = new QLabel(m_signingBox);
    m_signingStatus->setObjectName(QStringLiteral("signingStatus"));
    m_signingStatus->setWordWrap(true);
    m_signingStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
    box->addWidget(m_signingStatus);
    auto *generateRow = new QHBoxLayout;
    m_signingAlgorithm = new QComboBox(m_signingBox);
    m_signingAlgorithm->setObjectName(QStringLiteral("signingAlgorithm"));
    m_signingAlgorithm->addItem(tr("Ed25519"), QString::fromLatin1(httpsig::kAlgEd25519.data()));
    m_signingAlgorithm->addItem(tr("ES256 (ECDSA P-256)"), QString::fromLatin1(httpsig::kAlgEs256.data()));
    m_generateKey = new QPushButton(tr("Generate signing key"), m_signingBox);
    m_generateKey->setObjectName(QStringLiteral("generateKeyButton"));
    generateRow->addWidget(m_signingAlgorithm);
    generateRow->addWidget(m_generateKey);
    generateRow->addStretch(1);
    box->addLayout(generateRow);
    auto *keyRow = new QHBoxLayout;
    m_exportJwks = new QPushButton(tr("Export public JWKS…"), m_signingBox);
    m_exportJwks->setObjectName(QStringLiteral("exportJwksButton"));
    m_copyJwks = new QPushButton(tr("Copy JWKS"), m_signingBox);
    m_copyJwks->setObjectName(QStringLiteral("copyJwksButton"));
    m_removeKey = new QPushButton(tr("Remove key…"), m_signingBox);
    m_removeKey->setObjectName(QStringLiteral("removeKeyButton"));
    keyRow->addWidget(m_exportJwks);
    keyRow->addWidget(m_copyJwks);
    keyRow->addStretch(1);
    keyRow->addWidget(m_removeKey);
    box->addLayout(keyRow);
    into->addWidget(m_signingBox);
    connect(m_generateKey, &QPushButton::clicked, this, &AgentProfilesDialog::generateSigningKey);
    connect(m_exportJwks, &QPushButton::clicked, this, &AgentProfilesDialog::exportJwks);
    connect(m_copyJwks, &QPushButton::clicked, this, &AgentProfilesDialog::copyJwks);
    connect(m_removeKey, &QPushButton::clicked, this, &AgentProfilesDialog::removeSigningKey);
}

void AgentProfilesDialog::updateSigningControls()
{
    const bool saved = m_current >= 0 && m_current < m_profiles.size();
    const bool hasKey = saved && m_profiles.at(m_current).hasSigningKey();
    const bool storable = m_manager->secretStore() != nullptr;
    m_signingAlgorithm->setEnabled(saved && storable && !hasKey && !m_signingBusy);
    m_generateKey->setEnabled(saved && storable && !hasKey && !m_signingBusy);
    m_exportJwks->setEnabled(hasKey && !m_signingBusy);
    m_copyJwks->setEnabled(hasKey && !m_signingBusy);
    m_removeKey->setEnabled(hasKey && !m_signingBusy);
    if (m_signingBusy)
        return;
    if (!saved) {
        m_signingStatus->setText(tr("Save the profile to give it a signing key."));
    } else if (!storable) {
        m_signingStatus->setText(tr("No secret storage is available, so no signing key can be kept."));
    } else if (hasKey) {
        const AgentProfile &profile = m_profiles.at(m_current);
        m_signingStatus->setText(
            tr("Key id: %1\nAlgorithm: %2\nRequests to this agent are signed when it verifies signatures. "
               "Register the public JWKS with the seller for your principal.")
                .arg(profile.signingKeyId, profile.signingAlgorithm));
    } else {
        m_signingStatus->setText(tr("No signing key. Calls the agent requires signed are refused until you "
                                    "generate one and the seller registers its public JWKS."));
    }
}

void AgentProfilesDialog::generateSigningKey()
{
    SecretStore *store = m_manager->secretStore();
    if (!store || m_current < 0 || m_current >= m_profiles.size() || m_profiles.at(m_current).hasSigningKey())
        return;
    const GeneratedSigningKey key =
        generateRequestSigningKey(m_signingAlgorithm->currentData().toString().toStdString());
    const AgentProfile profile = m_profiles.at(m_current);
    m_signingBusy = true;
    m_signingStatus->setText(tr("Storing the new key in the %1…").arg(store->description()));
    updateSigningControls();
    QPointer<AgentProfilesDialog> self(this);
    store->write(profile.signingSecretKey(), key.privatePem,
                 [self, id = profile.id, keyId = QString::fromStdString(key.keyId),
                  algorithm = QString::fromStdString(key.algorithm),
                  jwk = QString::fromStdString(key.publicJwk.dump())](bool ok, const QString &error) {
                     if (!self)
                         return;
                     self->m_signingBusy = false;
                     if (!ok) {
                         self->updateSigningControls();
                         self->m_signingStatus->setText(tr("The key could not be stored: %1").arg(error));
                         return;
                     }
                     self->storeSigningKey(id, keyId, algorithm, jwk);
                 });
}

// Records the key (or its removal, with empty values) in the profile and reconnects the agent when it is the
// active one, so its next request is signed (or not) accordingly.
void AgentProfilesDialog::storeSigningKey(const QString &profileId, const QString &keyId,
                                          const QString &algorithm, const QString &publicJwk)
{
    for (AgentProfile &profile : m_profiles) {
        if (profile.id != profileId)
            continue;
        profile.signingKeyId = keyId;
        profile.signingAlgorithm = algorithm;
        profile.signingPublicJwk = publicJwk;
    }
    m_manager->setProfiles(m_profiles);
    if (m_manager->activeId() == profileId)
        m_manager->activate(profileId);
    updateSigningControls();
    Q_EMIT signingKeyChanged();
}

QByteArray AgentProfilesDialog::currentJwks() const
{
    if (m_current < 0 || m_current >= m_profiles.size() || !m_profiles.at(m_current).hasSigningKey())
        return {};
    const auto jwk =
        nlohmann::json::parse(m_profiles.at(m_current).signingPublicJwk.toStdString(), nullptr, false);
    if (!jwk.is_object())
        return {};
    return QByteArray::fromStdString(publicJwks(jwk).dump(2)) + '\n';
}

void AgentProfilesDialog::exportJwks()
{
    const QByteArray jwks = currentJwks();
    if (jwks.isEmpty())
        return;
    // Opened, not exec()'d: the window keeps running while the user picks a file.
    auto *picker = new QFileDialog(this, tr("Export public JWKS"), QString(), tr("JWKS (*.json)"));
    picker->setObjectName(QStringLiteral("jwksFileDialog"));
    picker->setAcceptMode(QFileDialog::AcceptSave);
    picker->setDefaultSuffix(QStringLiteral("json"));
    picker->setOption(QFileDialog::DontUseNativeDialog);
    picker->setAttribute(Qt::WA_DeleteOnClose);
    picker->selectFile(
        QStringLiteral("%1-jwks.json")
            .arg(m_profiles.at(m_current).name.simplified().replace(QLatin1Char(' '), QLatin1Char('-'))));
    connect(picker, &QFileDialog::fileSelected, this, [this, jwks](const QString &path) {
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(jwks) != jwks.size() || !file.commit()) {
            m_signingStatus->setText(
                tr("The JWKS could not be written to %1: %2").arg(path, file.errorString()));
            return;
        }
        updateSigningControls();
        m_signingStatus->setText(m_signingStatus->text() + QLatin1Char('\n') +
                                 tr("Exported to %1.").arg(path));
        Q_EMIT jwksExported(path);
    });
    picker->open();
}

void AgentProfilesDialog::copyJwks()
{
    const QByteArray jwks = currentJwks();
    if (jwks.isEmpty())
        return;
    QGuiApplication::clipboard()->setText(QString::fromUtf8(jwks));
    updateSigningControls();
    m_signingStatus->setText(m_signingStatus->text() + QLatin1Char('\n') +
                             tr("The public JWKS is on the clipboard."));
}

void AgentProfilesDialog::removeSigningKey()
{
    SecretStore *store = m_manager->secretStore();
    if (!store || m_current < 0 || m_current >= m_profiles.size() ||
        !m_profiles.at(m_current).hasSigningKey())
        return;
    const AgentProfile profile = m_profiles.at(m_current);
    auto *confirm = new QMessageBox(
        QMessageBox::Warning, tr("Remove signing key"),
        tr("Remove the signing key %1 of %2? It cannot be recovered; an agent that requires signed requests "
           "refuses them until you generate a new key and the seller registers it.")
            .arg(profile.signingKeyId, profile.name),
        QMessageBox::Yes | QMessageBox::Cancel, this);
    confirm->setObjectName(QStringLiteral("removeKeyConfirmation"));
    confirm->setDefaultButton(QMessageBox::Cancel);
    confirm->setAttribute(Qt::WA_DeleteOnClose);
    connect(confirm, &QMessageBox::finished, this, [this, profile](int result) {
        if (result != QMessageBox::Yes || !m_manager->secretStore())
            return;
        m_signingBusy = true;
        updateSigningControls();
        QPointer<AgentProfilesDialog> self(this);
        m_manager->secretStore()->remove(
            profile.signingSecretKey(), [self, id = profile.id](bool ok, const QString &error) {
                if (!self)
                    return;
                self->m_signingBusy = false;
                if (!ok) {
                    self->updateSigningControls();
                    self->m_signingStatus->setText(tr("The key could not be removed: %1").arg(error));
                    return;
                }
                self->storeSigningKey(id, {}, {}, {});
            });
    });
    confirm->open();
}

QListWidget *AgentProfilesDialog::profileList() const
{
    return m_list;
}

QLineEdit *AgentProfilesDialog::nameEdit() const
{
    return m_name;
}

QComboBox *AgentProfilesDialog::kindCombo() const
{
    return m_kind;
}

QLineEdit *AgentProfilesDialog::urlEdit() const
{
    return m_url;
}

QLineEdit *AgentProfilesDialog::principalEdit() const
{
    return m_principal;
}

QLineEdit *AgentProfilesDialog::tokenEdit() const
{
    return m_token;
}

QLabel *AgentProfilesDialog::storageLabel() const
{
    return m_storage;
}

QPlainTextEdit *AgentProfilesDialog::testResult() const
{
    return m_result;
}

QPushButton *AgentProfilesDialog::saveButton() const
{
    return m_save;
}

QPushButton *AgentProfilesDialog::testButton() const
{
    return m_test;
}

QLabel *AgentProfilesDialog::signingStatus() const
{
    return m_signingStatus;
}

QComboBox *AgentProfilesDialog::signingAlgorithmCombo() const
{
    return m_signingAlgorithm;
}

QPushButton *AgentProfilesDialog::generateKeyButton() const
{
    return m_generateKey;
}

QPushButton *AgentProfilesDialog::exportJwksButton() const
{
    return m_exportJwks;
}

QPushButton *AgentProfilesDialog::copyJwksButton() const
{
    return m_copyJwks;
}

QPushButton *AgentProfilesDialog::removeKeyButton() const
{
    return m_removeKey;
}

} // namespace adcp::gui
