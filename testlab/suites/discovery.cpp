// Discovery: what the agent says about itself, read once; every later suite decides applicability from it.
#include "suitehelpers.h"

namespace adcp::lab {

using nlohmann::json;
using namespace suites;

namespace {

StepOutcome capabilitiesAnswer(LabContext &ctx)
{
    const ToolOutcome answer = ctx.call(QStringLiteral("get_adcp_capabilities"), json::object());
    if (!answer.ok())
        return StepOutcome::fail(QStringLiteral("get_adcp_capabilities failed: ") + describe(answer));
    if (!answer.result.is_object())
        return StepOutcome::fail(QStringLiteral("get_adcp_capabilities answered something that is not an object"));
    ctx.setCapabilities(answer.result);
    return StepOutcome::pass(QStringLiteral("answered; declares %1").arg(ctx.declaredVersions().join(u", ")));
}

StepOutcome declaresVersions(LabContext &ctx)
{
    const json adcp = ctx.capabilities().value("adcp", json::object());
    const json majors = array(adcp, "major_versions");
    if (majors.empty())
        return StepOutcome::fail(QStringLiteral("adcp.major_versions is missing or empty (required, even though "
                                                "deprecated)"));
    for (const auto &v : array(adcp, "supported_versions")) {
        const QString version = v.is_string() ? str(v.get<std::string>()) : QString();
        if (QStringView(version).split(u'.').size() != 2)
            return StepOutcome::fail(QStringLiteral("adcp.supported_versions holds '%1', not a MAJOR.MINOR release")
                                         .arg(str(v.dump())));
        const int major = version.section(u'.', 0, 0).toInt();
        if (!std::any_of(majors.begin(), majors.end(),
                         [major](const json &m) { return m.is_number_integer() && m.get<int>() == major; }))
            return StepOutcome::fail(
                QStringLiteral("supported_versions lists %1 but major_versions lacks %2").arg(version).arg(major));
    }
    if (!ctx.validatesAnswers())
        return StepOutcome::pass(QStringLiteral("declares %1; answers are not validated: the bundled schemas are "
                                                "release %2")
                                     .arg(ctx.declaredVersions().join(u", "), QLatin1String(AgentClient::kAdcpVersion)));
    return StepOutcome::pass(QStringLiteral("declares %1").arg(ctx.declaredVersions().join(u", ")));
}

StepOutcome declaresIdempotency(LabContext &ctx)
{
    const json adcp = ctx.capabilities().value("adcp", json::object());
    const auto it = adcp.find("idempotency");
    if (it == adcp.end() || !it->is_object())
        return StepOutcome::fail(QStringLiteral("adcp.idempotency is missing (required)"));
    const auto supported = it->find("supported");
    if (supported == it->end() || !supported->is_boolean())
        return StepOutcome::fail(QStringLiteral("adcp.idempotency.supported is not a boolean"));
    if (!supported->get<bool>())
        return StepOutcome::pass(QStringLiteral("declares no idempotency support"));
    const auto ttl = it->find("replay_ttl_seconds");
    if (ttl == it->end() || !ttl->is_number_integer() || ttl->get<long long>() < 3600 ||
        ttl->get<long long>() > 604800)
        return StepOutcome::fail(QStringLiteral("replay_ttl_seconds must be a whole number from 3600 to 604800"));
    return StepOutcome::pass(QStringLiteral("replay window %1 s").arg(ttl->get<long long>()));
}

StepOutcome declaresProtocols(LabContext &ctx)
{
    const json protocols = array(ctx.capabilities(), "supported_protocols");
    if (protocols.empty())
        return StepOutcome::fail(QStringLiteral("supported_protocols is missing or empty"));
    QStringList names;
    for (const auto &p : protocols)
        names << (p.is_string() ? str(p.get<std::string>()) : str(p.dump()));
    return StepOutcome::pass(names.join(u", "));
}

StepOutcome dialectDeclared(LabContext &ctx)
{
    if (auto na = needsMediaBuy(ctx))
        return *na;
    const QList<Dialect> dialects = ctx.dialects();
    if (dialects.isEmpty())
        return StepOutcome::fail(QStringLiteral("media_buy is declared but no negotiation dialect can be read "
                                                "from the capabilities (buying_modes, proposal tools)"));
    QStringList names;
    for (Dialect d : dialects)
        names << dialectName(d);
    return StepOutcome::pass(names.join(u", "));
}

StepOutcome unknownToolRefused(LabContext &ctx)
{
    const ToolOutcome answer = ctx.call(QStringLiteral("lab_no_such_tool"), json::object());
    if (answer.ok())
        return StepOutcome::fail(QStringLiteral("a call to a tool that does not exist succeeded"));
    return StepOutcome::pass(QStringLiteral("refused: ") + describe(answer));
}

} // namespace

LabSuite discoverySuite()
{
    return {QStringLiteral("discovery"),
            QStringLiteral("Capability discovery"),
            {{QStringLiteral("capabilities_answer"), QStringLiteral("get_adcp_capabilities answers"),
              capabilitiesAnswer},
             {QStringLiteral("declares_versions"), QStringLiteral("Releases declared consistently"), declaresVersions},
             {QStringLiteral("declares_idempotency"), QStringLiteral("Idempotency block as the spec requires"),
              declaresIdempotency},
             {QStringLiteral("declares_protocols"), QStringLiteral("Supported protocols declared"), declaresProtocols},
             {QStringLiteral("dialect_declared"), QStringLiteral("A negotiation dialect can be read"),
              dialectDeclared},
             {QStringLiteral("unknown_tool_refused"), QStringLiteral("An unknown tool is refused, not run"),
              unknownToolRefused}}};
}

} // namespace adcp::lab
