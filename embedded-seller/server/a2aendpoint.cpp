#include "a2aendpoint.h"

#include "routeguard.h"
#include "rpcwire.h"

#include <QDateTime>
#include <QUuid>

namespace adcp::seller {

namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr size_t kA2aRememberedTasks = 1000;
constexpr int kA2aTaskNotFound = -32001;
constexpr std::string_view kAdcpProfileV3 = "https://adcontextprotocol.org/extensions/adcp/v3";

std::string a2aNewId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString();
}

// The buyer activates the profile per request by listing its URI in A2A-Extensions (comma-separated);
// X-A2A-Extensions is the name A2A clients used before 1.0.
bool profileActivated(const HttpRequest &request)
{
    for (const std::string_view name :
         {std::string_view("A2A-Extensions"), std::string_view("X-A2A-Extensions")}) {
        std::string_view list = request.header(name);
        while (!list.empty()) {
            const size_t comma = list.find(',');
            std::string_view item = list.substr(0, comma);
            while (!item.empty() && (item.front() == ' ' || item.front() == '\t'))
                item.remove_prefix(1);
            while (!item.empty() && (item.back() == ' ' || item.back() == '\t'))
                item.remove_suffix(1);
            if (item == kAdcpProfileV3)
                return true;
            list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
        }
    }
    return false;
}

struct Invocation
{
    std::string skill;
    nlohmann::json input;
    std::string problem; // empty when the message is a valid invocation
};

Invocation invalid(std::string problem)
{
    return Invocation{{}, nullptr, std::move(problem)};
}

// The skill and its arguments from a message. 3.0/3.1 buyers send {skill, parameters} (some send input);
// once the v3 profile is active the data part is exactly {skill, input}, and besides it only display text.
Invocation readInvocation(const nlohmann::json &message, bool profileV3)
{
    const nlohmann::json parts = rpcwire::field(message, "parts");
    if (!parts.is_array() || parts.empty())
        return invalid("the message has no parts");
    const nlohmann::json *data = nullptr;
    for (const auto &part : parts) {
        const bool isData = part.is_object() && part.contains("data");
        if (isData && data)
            return invalid(
                "the message has more than one data part; send exactly one {\"skill\", \"input\"}");
        if (isData)
            data = &part["data"];
        else if (profileV3 && !(part.is_object() && part.contains("text") && part["text"].is_string()))
            return invalid("only text parts may accompany the invocation data part");
    }
    if (!data || !data->is_object())
        return invalid("the message needs exactly one data part {\"skill\": <task>, \"input\": {...}}");
    const auto skill = rpcwire::stringField(*data, "skill");
    if (!skill || skill->empty())
        return invalid("the data part names no skill");
    if (profileV3) {
        if (data->contains("parameters"))
            return invalid("the AdCP A2A profile v3 is active: send the arguments as input, not parameters");
        if (data->size() != 2 || !data->contains("input") || !(*data)["input"].is_object())
            return invalid(
                "the AdCP A2A profile v3 is active: the data part is exactly {\"skill\", \"input\": {...}}");
        return Invocation{*skill, (*data)["input"], {}};
    }
    if (data->contains("parameters") && data->contains("input"))
        return invalid("the data part carries both parameters and input");
    const nlohmann::json arguments = rpcwire::field(
        *data, data->contains("parameters") ? "parameters" : "input", nlohmann::json::object());
    if (!arguments.is_object())
        return invalid("the skill's arguments must be a JSON object");
    return Invocation{*skill, arguments, {}};
}

// The skill a message/send invokes, for the request-signing policy: the data part with a skill, as
// readInvocation() will find it (it refuses messages with more than one data part).
SigningTarget a2aSigningTarget(const HttpRequest &request, int maxDepth)
{
    SigningTarget target;
    nlohmann::json message;
    if (rpcwire::parseBody(request.body, maxDepth, &message) != rpcwire::ParseStatus::Ok ||
        !message.is_object())
        return target;
    const auto method = rpcwire::stringField(message, "method");
    if (method != std::optional<std::string>("message/send") &&
        method != std::optional<std::string>("SendMessage"))
        return target;
    const nlohmann::json parts =
        rpcwire::field(rpcwire::field(rpcwire::field(message, "params"), "message"), "parts");
    if (!parts.is_array())
        return target;
    for (const auto &part : parts) {
        const nlohmann::json data = rpcwire::field(part, "data");
        if (!data.is_object())
            continue;
        target.operation = rpcwire::stringField(data, "skill").value_or(std::string());
        target.arguments = rpcwire::field(data, data.contains("parameters") ? "parameters" : "input");
        break;
    }
    return target;
}

} // namespace

A2aEndpoint::A2aEndpoint(std::shared_ptr<Dispatcher> dispatcher, RouteGuard &guard,
                         const SellerServerOptions &options, RunOnWorker runOnWorker)
    : m_dispatcher(std::move(dispatcher)), m_guard(guard), m_options(options),
      m_runOnWorker(std::move(runOnWorker))
{
}

void A2aEndpoint::handle(const ExchangePtr &exchange)
{
    const HttpRequest &request = exchange->request();
    if (!m_guard.hostAllowed(request)) {
        exchange->reply(403, rpcwire::error(nullptr, rpcwire::kInvalidRequest, "Host or Origin not allowed"), {},
                        "host rejected");
        return;
    }
    if (request.method != "POST") {
        exchange->reply(405, rpcwire::error(nullptr, rpcwire::kInvalidRequest, "use POST"), {{"Allow", "POST"}});
        return;
    }
    const auto principal =
        m_guard.signingEnabled()
            ? m_guard.authenticate(*exchange, a2aSigningTarget(request, m_options.maxJsonDepth))
            : m_guard.authenticate(*exchange);
    if (!principal)
        return;
    exchange->slot = m_guard.admit(*exchange, principal->id);
    if (!exchange->slot)
        return;
    if (std::int64_t(request.body.size()) > m_options.maxBodyBytes) {
        exchange->reply(413, rpcwire::error(nullptr, rpcwire::kInvalidRequest, "request body too large"));
        return;
    }
    nlohmann::json message;
    switch (rpcwire::parseBody(request.body, m_options.maxJsonDepth, &message)) {
    case rpcwire::ParseStatus::NotJson:
        exchange->reply(400, rpcwire::error(nullptr, rpcwire::kParseError, "parse error"));
        return;
    case rpcwire::ParseStatus::TooDeep:
        exchange->reply(400, rpcwire::error(nullptr, rpcwire::kParseError, "parse error: JSON nested too deep"));
        return;
    case rpcwire::ParseStatus::Ok:
        break;
    }
    const auto method = rpcwire::stringField(message, "method");
    nlohmann::json id = rpcwire::field(message, "id");
    if (!id.is_string() && !id.is_number() && !id.is_null())
        id = nullptr;
    if (!method) {
        exchange->reply(400, rpcwire::error(id, rpcwire::kInvalidRequest, "invalid JSON-RPC 2.0 request"));
        return;
    }
    exchange->rpc = *method;
    const nlohmann::json params = rpcwire::field(message, "params", nlohmann::json::object());
    if (*method == "tasks/get" || *method == "GetTask")
        getTask(exchange, *principal, *method, id, params);
    else if (*method == "message/send" || *method == "SendMessage")
        sendMessage(exchange, *principal, *method, id, params);
    else
        exchange->reply(200, rpcwire::error(id, rpcwire::kMethodNotFound, "method not found: " + *method));
}

void A2aEndpoint::getTask(const ExchangePtr &exchange, const Principal &principal, const std::string &method,
                          const nlohmann::json &id, const nlohmann::json &params)
{
    const std::string taskId = rpcwire::stringField(params, "id").value_or(std::string());
    nlohmann::json task;
    {
        std::lock_guard lock(m_mutex);
        // Another principal's task is answered exactly like an unknown one.
        const auto it = m_tasks.find(taskId);
        if (it != m_tasks.end() && it->second.principalId == principal.id)
            task = it->second.task;
    }
    if (task.is_null()) {
        exchange->reply(200, rpcwire::error(id, kA2aTaskNotFound, "task not found"));
        return;
    }
    exchange->reply(200, rpcwire::result(id, method == "GetTask" ? nlohmann::json{{"task", task}} : task));
}

void A2aEndpoint::sendMessage(const ExchangePtr &exchange, const Principal &principal, const std::string &method,
                              const nlohmann::json &id, const nlohmann::json &params)
{
    const nlohmann::json message = rpcwire::field(params, "message");
    const bool profileV3 = profileActivated(exchange->request());
    Invocation invocation = readInvocation(message, profileV3);
    if (!invocation.problem.empty()) {
        const AdcpError e =
            AdcpError::make("INVALID_REQUEST", invocation.problem, std::string("params.message.parts"));
        exchange->reply(
            200,
            rpcwire::error(id, rpcwire::kInvalidParams, invocation.problem, {{"adcp_error", e.toJson()}}), {},
            e.code);
        return;
    }
    nlohmann::json input = std::move(invocation.input);
    const std::string tool = std::move(invocation.skill);
    exchange->rpc += ' ' + tool;
    // An activated extension is named back, as A2A asks of agents.
    Headers headers;
    if (profileV3)
        headers.emplace_back("A2A-Extensions", std::string(kAdcpProfileV3));
    if (!m_dispatcher->hasTool(tool)) {
        AdcpError e = AdcpError::make("INVALID_REQUEST", "unknown skill '" + tool + "'", std::string("skill"),
                                      "read the agent card for the skills this agent offers");
        exchange->reply(
            200, rpcwire::result(id, taskFor(principal, method, message, ToolOutcome::failure(e), input)),
            headers);
        return;
    }
    if (const auto error = rpcwire::versionError(input)) {
        exchange->reply(
            200,
            rpcwire::result(id, taskFor(principal, method, message, ToolOutcome::failure(*error), input)),
            headers, error->code);
        return;
    }
    auto work = [this, exchange, principal, method, message, id, tool, input = std::move(input),
                 headers = std::move(headers)] {
        ToolOutcome outcome;
        try {
            outcome = m_dispatcher->call(principal, tool, input);
        } catch (const std::exception &e) {
            outcome = ToolOutcome::failure(
                AdcpError::make("SERVICE_UNAVAILABLE", std::string("the call failed: ") + e.what()));
        }
        exchange->reply(200, rpcwire::result(id, taskFor(principal, method, message, outcome, input)),
                        headers, outcome.error ? outcome.error->code : std::string());
    };
    if (m_runOnWorker)
        m_runOnWorker(std::move(work));
    else
        work();
}

nlohmann::json A2aEndpoint::taskFor(const Principal &principal, const std::string &method,
                                    const nlohmann::json &message, const ToolOutcome &outcome,
                                    const nlohmann::json &arguments)
{
    const bool v1 = method == "SendMessage";
    const std::string taskId = a2aNewId();
    // A contextId that is not a string is the peer's mistake; the task then gets a context of its own.
    const std::string contextId = rpcwire::stringField(message, "contextId").value_or(a2aNewId());
    const nlohmann::json data = outcome.ok() ? outcome.result : rpcwire::errorPayload(*outcome.error, arguments);
    nlohmann::json part = {{"data", data}};
    if (!v1)
        part["kind"] = "data";
    const std::string state =
        outcome.ok() ? (v1 ? "TASK_STATE_COMPLETED" : "completed") : (v1 ? "TASK_STATE_FAILED" : "failed");
    nlohmann::json artifact = {{"artifactId", a2aNewId()},
                               {"name", outcome.ok() ? "result" : "error"},
                               {"parts", nlohmann::json::array({part})}};
    nlohmann::json task = {
        {"id", taskId},
        {"contextId", contextId},
        {"status",
         {{"state", state},
          {"timestamp", QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toStdString()}}},
        {"artifacts", nlohmann::json::array({artifact})}};
    if (!v1)
        task["kind"] = "task";
    {
        std::lock_guard lock(m_mutex);
        m_tasks[taskId] = StoredTask{principal.id, task};
        m_taskOrder.push_back(taskId);
        while (m_taskOrder.size() > kA2aRememberedTasks) {
            m_tasks.erase(m_taskOrder.front());
            m_taskOrder.pop_front();
        }
    }
    return v1 ? nlohmann::json{{"task", task}} : task;
}

} // namespace adcp::seller
