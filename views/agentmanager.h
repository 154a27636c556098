#pragma once

#include "agentprofiles.h"

#include <QObject>
#include <QPointer>

#include <functional>
#include <memory>

namespace adcp {
class AgentClient;
class SchemaRegistry;
} // namespace adcp

namespace adcp::gui {

class SecretStore;
class Workbench;

// What a remote profile's client authenticates with: the bearer token, and the RFC 9421 request-signing key
// (PKCS#8 PEM) when the profile has one. Both come from the SecretStore.
struct AgentCredentials
{
    QByteArray token;
    QByteArray signingKeyPem;
};

// Switches the Workbench between the embedded seller and remote agents. Remote clients are built from a
// profile and the token read from the SecretStore; the embedded client is owned by the caller.
class AgentManager final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AgentManager)
public:
    AgentManager(Workbench *workbench, adcp::AgentClient *embeddedClient, QString embeddedPrincipal,
                 std::shared_ptr<const adcp::SchemaRegistry> schemas, QObject *parent = nullptr);
    ~AgentManager() override;

    void setSecretStore(SecretStore *store);
    SecretStore *secretStore() const;
    QList<AgentProfile> profiles() const;
    void setProfiles(const QList<AgentProfile> &profiles);
    // "embedded" or a profile id.
    void activate(const QString &id);
    QString activeId() const;
    // The active remote agent's name and bearer token (kept in memory for "Copy with secret"); empty for the
    // embedded seller.
    QString activeName() const;
    QByteArray activeToken() const;

    // A client for a remote profile (MCP or A2A transport) with the given token. With a signing key it signs
    // its requests (RFC 9421) when the agent verifies signatures; without one, operations the agent requires
    // signed fail before they are sent.
    static std::unique_ptr<adcp::AgentClient> makeClient(const AgentProfile &profile,
                                                         const AgentCredentials &credentials,
                                                         std::shared_ptr<const adcp::SchemaRegistry> schemas,
                                                         QObject *parent = nullptr);
    // Reads the profile's token and (when it has one) signing key from `store`, then calls `done` once, on
    // this thread; `error` is non-empty when a secret could not be read.
    static void readCredentials(SecretStore *store, const AgentProfile &profile, QObject *context,
                                std::function<void(const AgentCredentials &, const QString &error)> done);
    std::shared_ptr<const adcp::SchemaRegistry> schemas() const;

Q_SIGNALS:
    void profilesChanged();
    void activated(const QString &id, const QString &name);
    void activationFailed(const QString &id, const QString &error);

private:
    Workbench *m_workbench;
    QPointer<adcp::AgentClient> m_embedded;
    QString m_embeddedPrincipal;
    std::shared_ptr<const adcp::SchemaRegistry> m_schemas;
    QPointer<SecretStore> m_secrets;
    QList<AgentProfile> m_profiles;
    std::unique_ptr<adcp::AgentClient> m_remote;
    QString m_activeId = QStringLiteral("embedded");
    QString m_activeName;
    QByteArray m_activeToken;
};

} // namespace adcp::gui
