#pragma once

#include <QList>
#include <QString>
#include <QUrl>

#include <nlohmann/json.hpp>

namespace adcp::gui {

// A seller agent the workbench can talk to. The embedded seller is always there; remote agents are reached
// over MCP or A2A with a bearer token kept in the SecretStore under secretKey().
struct AgentProfile
{
    enum class Kind { Embedded, Mcp, A2a };
    QString id;
    QString name;
    Kind kind = Kind::Mcp;
    QUrl url;
    QString principal; // shown in the status line (who the agent knows us as)
    // The RFC 9421 request-signing key, when one was generated: its key id, algorithm (ed25519 or
    // ecdsa-p256-sha256) and public JWK (compact JSON). The private key is in the SecretStore under
    // signingSecretKey(), as PKCS#8 PEM.
    QString signingKeyId;
    QString signingAlgorithm;
    QString signingPublicJwk;

    QString secretKey() const { return QStringLiteral("agent-token/") + id; }
    QString signingSecretKey() const { return QStringLiteral("agent-signing-key/") + id; }
    bool hasSigningKey() const { return !signingKeyId.isEmpty(); }
    static QString kindName(Kind kind);
    static Kind kindFromName(const QString &name);
    bool operator==(const AgentProfile &other) const = default;
};

// Remote agent profiles in QSettings (tokens never go there). Problems with a profile, or empty when usable.
QList<AgentProfile> loadAgentProfiles();
void saveAgentProfiles(const QList<AgentProfile> &profiles);
QStringList profileProblems(const AgentProfile &profile);

// The account picked for an agent ("embedded" or a profile id), as the seller last described it; null when
// none. Kept in QSettings beside the profiles, so the pick survives a restart.
nlohmann::json loadActiveAccount(const QString &agentId);
void saveActiveAccount(const QString &agentId, const nlohmann::json &account);

} // namespace adcp::gui
