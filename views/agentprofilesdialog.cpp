#include "agentprofilesdialog.h"

#include "agentclient.h"
#include "agentmanager.h"
#include "agentsecurity.h"
#include "jsonvalues.h"
#include "secretstore.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QUuid>
#include <QVBoxLayout>

namespace adcp::gui {

using namespace adcp::models;

AgentProfilesDialog::AgentProfilesDialog(AgentManager *manager, QWidget *parent)
    : QDialog(parent), m_manager(manager), m_profiles(manager->profiles())
{
    setObjectName(QStringLiteral("agentProfilesDialog"));
    setWindowTitle(tr("Agents"));
    resize(760, 480);
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
        if (SecretStore *secrets = m_manager->secretStore())
            secrets->remove(removed.secretKey(), [](bool, const QString &) {});
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
}

void AgentProfilesDialog::showProfile(int row)
{
    m_current = row;
    m_delete->setEnabled(row >= 0);
    if (row < 0 || row >= m_profiles.size())
        return;
    const AgentProfile &profile = m_profiles.at(row);
    m_name->setText(profile.name);
    m_kind->setCurrentIndex(m_kind->findData(AgentProfile::kindName(profile.kind)));
    m_url->setText(profile.url.toString());
    m_principal->setText(profile.principal);
    m_token->clear();
    m_result->clear();
}

AgentProfile AgentProfilesDialog::currentForm() const
{
    AgentProfile profile;
    if (m_current >= 0 && m_current < m_profiles.size())
        profile.id = m_profiles.at(m_current).id;
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
    const auto run = [this, profile](const QByteArray &token) {
        m_testClient = AgentManager::makeClient(profile, token, m_manager->schemas());
        adcp::PendingCall *call = m_testClient->getAdcpCapabilities();
        connect(call, &adcp::PendingCall::finished, this, [this, call] {
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
                   "Buying modes: %5\n\n")
                    .arg(adcp::dialectName(m_testClient->dialect()), dialects.join(QStringLiteral(", ")),
                         versions.isEmpty() ? tr("not declared") : versions.join(QStringLiteral(", ")),
                         jsonStringList(outcome.result, "supported_protocols").join(QStringLiteral(", ")),
                         modes.join(QStringLiteral(", ")));
            text += QString::fromStdString(outcome.result.dump(2));
            m_result->setPlainText(text);
            Q_EMIT testFinished(true);
        });
    };
    const QByteArray typed = m_token->text().toUtf8();
    if (!typed.isEmpty() || profile.id.isEmpty() || !m_manager->secretStore()) {
        run(typed);
        return;
    }
    QPointer<AgentProfilesDialog> self(this);
    m_manager->secretStore()->read(profile.secretKey(),
                                   [self, run](std::optional<QByteArray> token, const QString &) {
                                       if (self)
                                           run(token.value_or(QByteArray()));
                                   });
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

} // namespace adcp::gui
