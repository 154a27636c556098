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

    // A client for a remote profile (MCP or A2A transport) with the given token.
    static std::unique_ptr<adcp::AgentClient> makeClient(const AgentProfile &profile, const QByteArray &token,
                                                         std::shared_ptr<const adcp::SchemaRegistry> schemas,
                                                         QObject *parent = nullptr);
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
