#include "agentmanager.h"

#include "agentclient.h"
#include "agentsecurity.h"
#include "secretstore.h"
#include "transports/a2atransport.h"
#include "transports/mcptransport.h"
#include "workbench.h"

namespace adcp::gui {

AgentManager::AgentManager(Workbench *workbench, adcp::AgentClient *embeddedClient, QString embeddedPrincipal,
                           std::shared_ptr<const adcp::SchemaRegistry> schemas, QObject *parent)
    : QObject(parent), m_workbench(workbench), m_embedded(embeddedClient),
      m_embeddedPrincipal(std::move(embeddedPrincipal)), m_schemas(std::move(schemas)),
      m_profiles(loadAgentProfiles())
{
    // The window starts on the embedded seller: with the account picked for it last time.
    if (m_workbench->client() == m_embedded && m_embedded)
        m_workbench->setActiveAccount(loadActiveAccount(QStringLiteral("embedded")));
}

AgentManager::~AgentManager()
{
    // The workbench must not keep a pointer to a client that is going away.
    if (m_remote && m_workbench->client() == m_remote.get())
        m_workbench->setClient(nullptr, {});
}

void AgentManager::setSecretStore(SecretStore *store)
{
    m_secrets = store;
}

SecretStore *AgentManager::secretStore() const
{
    return m_secrets;
}

QList<AgentProfile> AgentManager::profiles() const
{
    return m_profiles;
}

void AgentManager::setProfiles(const QList<AgentProfile> &profiles)
{
    m_profiles = profiles;
    saveAgentProfiles(profiles);
    Q_EMIT profilesChanged();
}

QString AgentManager::activeId() const
{
    return m_activeId;
}

QString AgentManager::activeName() const
{
    return m_activeName;
}

QByteArray AgentManager::activeToken() const
{
    return m_activeToken;
}

std::shared_ptr<const adcp::SchemaRegistry> AgentManager::schemas() const
{
    return m_schemas;
}

std::unique_ptr<adcp::AgentClient>
AgentManager::makeClient(const AgentProfile &profile, const QByteArray &token,
                         std::shared_ptr<const adcp::SchemaRegistry> schemas, QObject *parent)
{
    std::unique_ptr<adcp::AgentTransport> transport;
    if (profile.kind == AgentProfile::Kind::A2a) {
        adcp::A2aTransportOptions options;
        options.agentUrl = profile.url;
        options.bearerToken = token;
        transport = std::make_unique<adcp::A2aTransport>(options);
    } else {
        adcp::McpTransportOptions options;
        options.endpoint = profile.url;
        options.bearerToken = token;
        transport = std::make_unique<adcp::McpTransport>(options);
    }
    auto client = std::make_unique<adcp::AgentClient>(profile.name, std::move(transport), std::move(schemas),
                                                      parent);
    client->setForeignOriginHandler(foreignOriginQuestion());
    // The window keeps the exchanges (ExchangeModel); the client's own copy would hold every body twice.
    client->setLogLimit(0);
    return client;
}

void AgentManager::activate(const QString &id)
{
    if (id == QLatin1String("embedded") || id.isEmpty()) {
        m_workbench->setClient(m_embedded, m_embeddedPrincipal);
        m_workbench->setActiveAccount(loadActiveAccount(QStringLiteral("embedded")));
        m_remote.reset();
        m_activeId = QStringLiteral("embedded");
        m_activeName.clear();
        m_activeToken.clear();
        Q_EMIT activated(m_activeId, tr("Embedded seller"));
        m_workbench->connectAgent();
        return;
    }
    const auto it = std::find_if(m_profiles.cbegin(), m_profiles.cend(),
                                 [&id](const AgentProfile &profile) { return profile.id == id; });
    if (it == m_profiles.cend()) {
        Q_EMIT activationFailed(id, tr("No agent profile %1").arg(id));
        return;
    }
    const AgentProfile profile = *it;
    const auto connectWith = [this, profile](const QByteArray &token) {
        m_workbench->setClient(nullptr, {});
        m_remote = makeClient(profile, token, m_schemas);
        m_workbench->setClient(m_remote.get(),
                               profile.principal.isEmpty() ? profile.name : profile.principal);
        m_workbench->setActiveAccount(loadActiveAccount(profile.id));
        m_activeId = profile.id;
        m_activeName = profile.name;
        m_activeToken = token;
        Q_EMIT activated(profile.id, profile.name);
        m_workbench->connectAgent();
    };
    if (!m_secrets) {
        connectWith({});
        return;
    }
    QPointer<AgentManager> self(this);
    m_secrets->read(profile.secretKey(), [self, connectWith, profile](std::optional<QByteArray> token,
                                                                      const QString &error) {
        if (!self)
            return;
        if (!error.isEmpty()) {
            Q_EMIT self->activationFailed(
                profile.id, tr("The token of %1 could not be read: %2").arg(profile.name, error));
            return;
        }
        connectWith(token.value_or(QByteArray()));
    });
}

} // namespace adcp::gui
