#include "dispatcher.h"

#include "domain/catalog.h"

#include "idempotency/idempotencystore.h"
#include "sellercontext.h"
#include "tasks/accountresolution.h"
#include "tasks/taskcontext.h"

#include <QSqlDatabase>

#include <exception>

namespace adcp::seller {

using nlohmann::json;

struct Dispatcher::Private
{
    std::shared_ptr<SellerContext> context;
};

Dispatcher::Dispatcher(std::shared_ptr<SellerContext> context) : d(std::make_unique<Private>())
{
    d->context = std::move(context);
}

Dispatcher::~Dispatcher() = default;

SellerContext &Dispatcher::context() const
{
    return *d->context;
}

namespace {

const ToolSpec *findTool(std::string_view name)
{
    for (const auto &spec : toolSpecs()) {
        if (name == spec.name)
            return &spec;
    }
    return nullptr;
}

adcp::AdcpError schemaError(const std::vector<ValidationIssue> &issues)
{
    // Schema violations are INVALID_REQUEST (error-code.json keeps VALIDATION_ERROR for business rules beyond
    // the schema); field points at the first offending member.
    const auto &first = issues.front();
    const std::string field = pointerToField(first.pointer);
    auto error = adcp::AdcpError::make(
        "INVALID_REQUEST", "the request does not match the tool's request schema: " + first.message,
        field.empty() ? std::nullopt : std::optional<std::string>(field));
    for (const auto &issue : issues)
        error.issues.push_back({issue.pointer, issue.message, issue.keyword});
    return error;
}

json withContext(json result, const json &arguments)
{
    if (result.is_object() && arguments.contains("context"))
        result["context"] = arguments["context"];
    return result;
}

} // namespace

adcp::ToolOutcome Dispatcher::call(const Principal &principal, std::string_view tool, const json &arguments)
{
    const ToolSpec *spec = findTool(tool);
    if (!spec) {
        return failure("INVALID_REQUEST", "this seller has no tool named " + std::string(tool), std::nullopt,
                       "call tools/list or get_adcp_capabilities for the tools this seller serves");
    }
    if (!arguments.is_object() && !arguments.is_null())
        return failure("INVALID_REQUEST", "tool arguments must be a JSON object");
    const json args = arguments.is_null() ? json::object() : arguments;
    if (principal.id.empty() && std::string_view(spec->name) != "get_adcp_capabilities")
        return failure("AUTH_REQUIRED", "this tool needs an authenticated caller");

    TaskContext task{
        *d->context, principal, d->context->database(), d->context->clock().now(), d->context->options(),
        // Sandbox fixture products (seeded through comply_test_controller) exist for sandbox
        // accounts only.
        principal.sandbox ? d->context->catalog() : Catalog::withoutSandboxFixtures(d->context->catalog())};
    if (spec->precheck) {
        try {
            auto checked = spec->precheck(task, args);
            if (!checked.ok())
                return checked;
        } catch (const std::exception &) {
            // Ill-typed input: the schema describes it better.
        }
    }

    const auto &schemas = d->context->schemas();
    if (!spec->handlerValidates && schemas.contains(spec->schemaId)) {
        const auto issues = schemas.validate(spec->schemaId, args);
        if (!issues.empty()) {
            auto error = schemaError(issues);
            return failureWithErrors({std::move(error)});
        }
    }

    if (!task.db.isOpen())
        return failure("SERVICE_UNAVAILABLE", "the seller database is not available");
    if (auto refused = resolveAccount(task, args, accountUseOf(spec->name)))
        return *refused;

    std::string key;
    if (spec->mutating) {
        if (auto it = args.find("idempotency_key"); it != args.end() && it->is_string())
            key = it->get<std::string>();
    }
    if (!key.empty()) {
        const auto claim = IdempotencyStore::claim(
            task.db, principal.id, key, spec->name, IdempotencyStore::requestHash(spec->name, args), task.now,
            task.options.idempotencyTtlSeconds, task.options.idempotencyInFlightSeconds);
        switch (claim.outcome) {
        case IdempotencyStore::Outcome::Proceed:
            break;
        case IdempotencyStore::Outcome::Replay: {
            json replayed = claim.response;
            replayed["replayed"] = true;
            if (!replayed.contains("status") && spec->statusOnCompletion)
                replayed["status"] = "completed";
            if (spec->echoIdempotencyKey)
                replayed["idempotency_key"] = key;
            return adcp::ToolOutcome::success(withContext(std::move(replayed), args));
        }
        case IdempotencyStore::Outcome::Conflict:
            return failure("IDEMPOTENCY_CONFLICT",
                           "this idempotency_key was already used with a different request",
                           "idempotency_key", "use a fresh idempotency_key for a different request");
        case IdempotencyStore::Outcome::Expired:
            return failure("IDEMPOTENCY_EXPIRED", "this idempotency_key is past its replay window",
                           "idempotency_key",
                           "read the current state, then retry with a fresh idempotency_key");
        case IdempotencyStore::Outcome::InFlight: {
            auto outcome =
                failure("IDEMPOTENCY_IN_FLIGHT", "a request with this idempotency_key is still running",
                        "idempotency_key", "retry with the same idempotency_key shortly");
            outcome.error->retryAfter = 1;
            outcome.result["errors"][0]["retry_after"] = 1;
            return outcome;
        }
        case IdempotencyStore::Outcome::Failed:
            return failure("SERVICE_UNAVAILABLE",
                           "the idempotency record could not be written: " + claim.error.toStdString());
        }
    }

    adcp::ToolOutcome outcome;
    try {
        outcome = spec->handler(task, args);
    } catch (const std::exception &e) {
        outcome = failure("SERVICE_UNAVAILABLE",
                          std::string("the seller failed to handle the request: ") + e.what());
    }

    if (!key.empty()) {
        if (outcome.ok()) {
            QString error;
            if (!IdempotencyStore::complete(task.db, principal.id, key, outcome.result, &error))
                qWarning("idempotency record not stored: %s", qPrintable(error));
        } else {
            IdempotencyStore::release(task.db, principal.id, key);
        }
    }
    if (outcome.ok()) {
        // The flat protocol envelope: a synchronous answer is a completed task.
        if (outcome.result.is_object() && !outcome.result.contains("status") && spec->statusOnCompletion)
            outcome.result["status"] = "completed";
        // The retry key is echoed (as context is), so a buyer can tie the answer to the request it retries.
        if (!key.empty() && outcome.result.is_object() && spec->echoIdempotencyKey)
            outcome.result["idempotency_key"] = key;
        outcome.result = withContext(std::move(outcome.result), args);
    }
    return outcome;
}

std::vector<ToolInfo> Dispatcher::tools(const Principal &principal) const
{
    std::vector<ToolInfo> list;
    const auto &schemas = d->context->schemas();
    for (const auto &spec : toolSpecs()) {
        // The test controller answers sandbox accounts only, so only they are shown it.
        if (!principal.sandbox && std::string_view(spec.name) == "comply_test_controller")
            continue;
        json schema = schemas.schemaDocument(spec.schemaId);
        if (!schema.is_object())
            schema = {{"type", "object"}};
        list.push_back({spec.name, spec.description, std::move(schema)});
    }
    return list;
}

bool Dispatcher::hasTool(std::string_view tool) const
{
    return findTool(tool) != nullptr;
}

} // namespace adcp::seller
