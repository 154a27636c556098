#include "agentmanager.h"

#include "agentclient.h"
#include "agentsecurity.h"
#include "requestsigner.h"
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
AgentManager::makeClient(const AgentProfile &profile, const AgentCredentials &credentials,
                         std::shared_ptr<const adcp::SchemaRegistry> schemas, QObject *parent)
{
    std::unique_ptr<adcp::AgentTransport> transport;
    if (profile.kind == AgentProfile::Kind::A2a) {
        adcp::A2aTransportOptions options;
        options.agentUrl = profile.url;
        options.bearerToken = credentials.token;
        transport = std::make_unique<adcp::A2aTransport>(options);
    } else {
        adcp::McpTransportOptions options;
        options.endpoint = profile.url;
        options.bearerToken = credentials.token;
        transport = std::make_unique<adcp::McpTransport>(options);
    }
    std::optional<adcp::RequestSigner> signer;
    if (profile.hasSigningKey() && !credentials.signingKeyPem.isEmpty()) {
        if (auto key = adcp::httpsig::SigningKey::fromPkcs8Pem(credentials.signingKeyPem))
            signer.emplace(std::move(*key), profile.signingKeyId.toStdString());
    }
    transport->setRequestSigning(std::make_shared<adcp::RequestSigning>(std::move(signer)));
    auto client = std::make_unique<adcp::AgentClient>(profile.name, std::move(transport), std::move(schemas),
                                                      parent);
    client->setForeignOriginHandler(foreignOriginQuestion());
    // The window keeps the exchanges (ExchangeModel); the client's own copy would hold every body twice.
    client->setLogLimit(0);
    return client;
}

void AgentManager::readCredentials(SecretStore *store, const AgentProfile &profile, QObject *context,
                                   std::function<void(const AgentCredentials &, const QString &error)> done)
{
    if (!store) {
        done({}, {});
        return;
    }
    QPointer<QObject> guard(context);
    store->read(profile.secretKey(), [store = QPointer<SecretStore>(store), guard, profile,
                                      done](std::optional<QByteArray> token, const QString &error) {
        if (!guard)
            return;
        AgentCredentials credentials;
        credentials.token = token.value_or(QByteArray());
        if (!error.isEmpty()) {
            done(credentials, tr("The token of %1 could not be read: %2").arg(profile.name, error));
            return;
        }
        if (!profile.hasSigningKey() || !store) {
            done(credentials, {});
            return;
        }
        store->read(profile.signingSecretKey(), [guard, profile, credentials, done](
                                                    std::optional<QByteArray> pem, const QString &keyError) {
            if (!guard)
                return;
            AgentCredentials both = credentials;
            both.signingKeyPem = pem.value_or(QByteArray());
            if (!keyError.isEmpty() || both.signingKeyPem.isEmpty())
                done(both,
                     tr("The signing key of %1 could not be read: %2")
                         .arg(profile.name, keyError.isEmpty() ? tr("it is not in the store") : keyError));
            else
                done(both, {});
        });
    });
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
    const auto connectWith = [this, profile](const AgentCredentials &credentials) {
        m_workbench->setClient(nullptr, {});
        m_remote = makeClient(profile, credentials, m_schemas);
        m_workbench->setClient(m_remote.get(),
                               profile.principal.isEmpty() ? profile.name : profile.principal);
        m_workbench->setActiveAccount(loadActiveAccount(profile.id));
        m_activeId = profile.id;
        m_activeName = profile.name;
        m_activeToken = credentials.token;
        Q_EMIT activated(profile.id, profile.name);
        m_workbench->connectAgent();
    };
    readCredentials(m_secrets, profile, this,
                    [this, connectWith, profile](const AgentCredentials &credentials, const QString &error) {
                        if (!error.isEmpty()) {
                            Q_EMIT activationFailed(profile.id, error);
                            return;
                        }
                        connectWith(credentials);
                    });
}

} // namespace adcp::gui
