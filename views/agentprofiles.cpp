#include "agentprofiles.h"

#include <QCoreApplication>
#include <QSet>
#include <QSettings>

namespace adcp::gui {

QString AgentProfile::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Embedded:
        return QStringLiteral("embedded");
    case Kind::Mcp:
        return QStringLiteral("mcp");
    case Kind::A2a:
        return QStringLiteral("a2a");
    }
    return QStringLiteral("mcp");
}

AgentProfile::Kind AgentProfile::kindFromName(const QString &name)
{
    if (name == QLatin1String("embedded"))
        return Kind::Embedded;
    if (name == QLatin1String("a2a"))
        return Kind::A2a;
    return Kind::Mcp;
}

QList<AgentProfile> loadAgentProfiles()
{
    QSettings settings;
    QList<AgentProfile> profiles;
    const int count = settings.beginReadArray(QStringLiteral("agents"));
    for (int i = 0; i < count; ++i) {
        settings.setArrayIndex(i);
        AgentProfile profile;
        profile.id = settings.value(QStringLiteral("id")).toString();
        profile.name = settings.value(QStringLiteral("name")).toString();
        profile.kind = AgentProfile::kindFromName(settings.value(QStringLiteral("kind")).toString());
        profile.url = settings.value(QStringLiteral("url")).toUrl();
        profile.principal = settings.value(QStringLiteral("principal")).toString();
        profile.signingKeyId = settings.value(QStringLiteral("signingKeyId")).toString();
        profile.signingAlgorithm = settings.value(QStringLiteral("signingAlgorithm")).toString();
        profile.signingPublicJwk = settings.value(QStringLiteral("signingPublicJwk")).toString();
        if (!profile.id.isEmpty() && profile.kind != AgentProfile::Kind::Embedded)
            profiles << profile;
    }
    settings.endArray();
    return profiles;
}

void saveAgentProfiles(const QList<AgentProfile> &profiles)
{
    QSettings settings;
    settings.remove(QStringLiteral("agents"));
    settings.beginWriteArray(QStringLiteral("agents"), static_cast<int>(profiles.size()));
    for (int i = 0; i < profiles.size(); ++i) {
        settings.setArrayIndex(i);
        const AgentProfile &profile = profiles.at(i);
        settings.setValue(QStringLiteral("id"), profile.id);
        settings.setValue(QStringLiteral("name"), profile.name);
        settings.setValue(QStringLiteral("kind"), AgentProfile::kindName(profile.kind));
        settings.setValue(QStringLiteral("url"), profile.url);
        settings.setValue(QStringLiteral("principal"), profile.principal);
        if (profile.hasSigningKey()) {
            settings.setValue(QStringLiteral("signingKeyId"), profile.signingKeyId);
            settings.setValue(QStringLiteral("signingAlgorithm"), profile.signingAlgorithm);
            settings.setValue(QStringLiteral("signingPublicJwk"), profile.signingPublicJwk);
        }
    }
    settings.endArray();
    // A removed profile's account goes with it.
    QSet<QString> kept{QStringLiteral("embedded")};
    for (const AgentProfile &profile : profiles)
        kept.insert(profile.id);
    settings.beginGroup(QStringLiteral("agentAccounts"));
    for (const QString &id : settings.childKeys()) {
        if (!kept.contains(id))
            settings.remove(id);
    }
    settings.endGroup();
}

nlohmann::json loadActiveAccount(const QString &agentId)
{
    QSettings settings;
    settings.beginGroup(QStringLiteral("agentAccounts"));
    const QByteArray text = settings.value(agentId).toByteArray();
    // The file is the user's to edit: anything but an object reads as "no account picked".
    nlohmann::json account = nlohmann::json::parse(text.toStdString(), nullptr, false);
    return account.is_object() ? account : nlohmann::json();
}

void saveActiveAccount(const QString &agentId, const nlohmann::json &account)
{
    QSettings settings;
    settings.beginGroup(QStringLiteral("agentAccounts"));
    if (account.is_object())
        settings.setValue(agentId, QString::fromStdString(account.dump()));
    else
        settings.remove(agentId);
}

QStringList profileProblems(const AgentProfile &profile)
{
    QStringList problems;
    if (profile.name.trimmed().isEmpty())
        problems << QCoreApplication::translate("AgentProfile", "Give the agent a name.");
    if (profile.kind == AgentProfile::Kind::Embedded)
        return problems;
    if (!profile.url.isValid() || profile.url.host().isEmpty())
        problems << QCoreApplication::translate("AgentProfile",
                                                "Enter the agent's URL, e.g. https://seller.example/mcp.");
    else if (profile.url.scheme() != QLatin1String("https") && profile.url.scheme() != QLatin1String("http"))
        problems << QCoreApplication::translate("AgentProfile",
                                                "The URL must start with http:// or https://.");
    return problems;
}

} // namespace adcp::gui
