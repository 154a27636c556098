#include "governanceclient.h"

#include "schemaregistry.h"
#include "transports/mcptransport.h"

#include <QEventLoop>
#include <QUrl>

namespace adcp::seller {

using nlohmann::json;

namespace {

GovernanceVerdict unavailable(std::string why)
{
    GovernanceVerdict v;
    v.kind = GovernanceVerdict::Kind::Unavailable;
    v.explanation = std::move(why);
    return v;
}

std::string stringMember(const json &o, const char *member)
{
    const auto it = o.find(member);
    return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

} // namespace

GovernanceVerdict checkGovernance(const GovernanceAgent &agent, const json &request,
                                  const GovernanceCallOptions &options, const SchemaRegistry &schemas)
{
    const QUrl url(QString::fromStdString(agent.url), QUrl::StrictMode);
    if (!url.isValid() || url.scheme() != QLatin1String("https") || url.host().isEmpty())
        return unavailable("the registered governance agent URL is not an https URL");
    // Checked again at every call: a name may resolve elsewhere than when it was registered.
    const auto check =
        webhookpolicy::checkUrl(url.toString(), options.addressScope,
                                options.resolver ? options.resolver : webhookpolicy::systemResolve);
    if (check.refused)
        return unavailable("the governance agent's address may not be called: " + check.reason.toStdString());
    if (agent.scheme != "Bearer")
        return unavailable(
            "this seller presents Bearer credentials only; the governance agent was registered "
            "with " +
            agent.scheme);

    McpTransportOptions transportOptions;
    transportOptions.endpoint = url;
    transportOptions.bearerToken = QByteArray::fromStdString(agent.credentials);
    transportOptions.timeoutMs = options.timeoutMs;
    transportOptions.handshakeTimeoutMs = options.timeoutMs;
    transportOptions.idleTimeoutMs = options.timeoutMs;
    transportOptions.maxAnswerBytes = 1 << 20;
    transportOptions.maxRetries = 1;
    transportOptions.extraCaCertificates = options.extraCaCertificates;

    McpTransport transport(transportOptions);
    QEventLoop loop;
    SharedOutcome outcome;
    QObject::connect(&transport, &AgentTransport::callFinished, &loop,
                     [&](quint64, const SharedOutcome &o, const TransportMeta &) {
                         outcome = o;
                         loop.quit();
                     });
    transport.callTool(QStringLiteral("check_governance"), request);
    if (!outcome)
        loop.exec();

    if (!outcome)
        return unavailable("the governance agent gave no answer");
    if (!outcome->ok())
        return unavailable("the governance agent could not be consulted: " + outcome->error->code + ": " +
                           outcome->error->message);
    json answer = outcome->result;
    if (!answer.is_object())
        return unavailable("the governance agent's answer is not an object");
    // AdCP 3.0 named the verdict `status`; 3.1 moved it to `verdict` and gave `status` to the task envelope.
    if (!answer.contains("verdict") && answer.contains("status") && answer["status"].is_string()) {
        const std::string s = answer["status"].get<std::string>();
        if (s == "approved" || s == "denied" || s == "conditions") {
            answer["verdict"] = s;
            answer.erase("status");
        }
    }
    const char *schemaId = "/schemas/governance/check-governance-response.json";
    if (schemas.contains(schemaId)) {
        if (const auto issues = schemas.validate(schemaId, answer); !issues.empty())
            return unavailable(
                "the governance agent's answer is not a check_governance response: " +
                (issues.front().pointer.empty() ? std::string() : issues.front().pointer + ": ") +
                issues.front().message);
    }
    GovernanceVerdict v;
    v.checkId = stringMember(answer, "check_id");
    v.explanation = stringMember(answer, "explanation");
    v.governanceContext = stringMember(answer, "governance_context");
    if (answer.contains("findings"))
        v.findings = answer["findings"];
    if (answer.contains("conditions"))
        v.conditions = answer["conditions"];
    const std::string verdict = stringMember(answer, "verdict");
    if (verdict == "approved")
        v.kind = GovernanceVerdict::Kind::Approved;
    else if (verdict == "denied")
        v.kind = GovernanceVerdict::Kind::Denied;
    else if (verdict == "conditions")
        v.kind = GovernanceVerdict::Kind::Conditions;
    else
        return unavailable("the governance agent's verdict is not approved, denied or conditions");
    return v;
}

} // namespace adcp::seller
