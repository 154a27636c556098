#include "dispatcher.h"

#include "domain/catalog.h"

#include "idempotency/idempotencystore.h"
#include "sellercontext.h"
#include "storage/database.h"
#include "tasks/accountresolution.h"
#include "tasks/taskcontext.h"
#include "wire/jsonread.h"

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

// Sizes the request schemas leave open, checked on every request before schema validation (docs/robustness.md
// lists them): no string, array or object a handler or the database would have to hold without bound.
constexpr std::size_t kMaxRequestString = 1u << 20; // any string value, in bytes
constexpr std::size_t kMaxFreeText = 32u << 10;     // prose a buyer writes (brief, ask, detail, reasons)
constexpr std::size_t kMaxRequestArray = 10000;     // items of any array
constexpr std::size_t kMaxRequestMembers = 10000;   // members of any object

bool isFreeText(std::string_view member)
{
    return member == "brief" || member == "ask" || member == "detail" || member == "cancellation_reason" ||
           member == "message";
}

std::optional<adcp::AdcpError> oversized(const json &args)
{
    struct Place
    {
        const json *value;
        std::string pointer;
        bool freeText;
    };
    std::vector<Place> stack{{&args, std::string(), false}};
    while (!stack.empty()) {
        Place place = std::move(stack.back());
        stack.pop_back();
        const json &value = *place.value;
        std::string expected;
        if (value.is_string()) {
            const std::size_t limit = place.freeText ? kMaxFreeText : kMaxRequestString;
            if (value.get_ref<const std::string &>().size() > limit)
                expected = "a string of at most " + std::to_string(limit) + " bytes";
        } else if (value.is_array()) {
            if (value.size() > kMaxRequestArray)
                expected = "an array of at most " + std::to_string(kMaxRequestArray) + " items";
            for (std::size_t i = 0; expected.empty() && i < value.size(); ++i)
                stack.push_back({&value[i], place.pointer + '/' + std::to_string(i), false});
        } else if (value.is_object()) {
            if (value.size() > kMaxRequestMembers)
                expected = "an object of at most " + std::to_string(kMaxRequestMembers) + " members";
            for (auto it = value.begin(); expected.empty() && it != value.end(); ++it)
                stack.push_back(
                    {&it.value(), wire::appendToken(place.pointer, it.key()), isFreeText(it.key())});
        }
        if (!expected.empty()) {
            const std::string field = pointerToField(place.pointer);
            return adcp::AdcpError::make("INVALID_REQUEST", "the request is too large: expected " + expected,
                                         field.empty() ? std::nullopt : std::optional<std::string>(field),
                                         "send a smaller request");
        }
    }
    return std::nullopt;
}

// Every URL a buyer registers for the seller to call (push_notification_config, reporting_webhook and the
// other *_webhook members, webhook_url) is checked against the address policy before anything is stored.
std::optional<adcp::AdcpError> refusedWebhook(const json &args, const SellerOptions &options)
{
    for (const auto &[member, value] : args.items()) {
        const bool config = member == "push_notification_config" ||
                            (member.size() > 8 && member.compare(member.size() - 8, 8, "_webhook") == 0);
        if (!config && member != "webhook_url")
            continue;
        // A config object carries `url`; webhook_url (property and collection lists) is the URL itself.
        const wire::JsonRef place = config ? wire::JsonRef(value)["url"] : wire::JsonRef(value);
        const auto url = place.string(4096);
        if (url.isAbsent())
            continue;
        if (url.invalid())
            return url.error().toAdcpError();
        const auto check = webhookpolicy::checkUrl(QString::fromStdString(*url), options.webhookAddressScope,
                                                   options.webhookResolver);
        if (check.refused)
            return adcp::AdcpError::make("INVALID_REQUEST", check.reason.toStdString(),
                                         config ? member + ".url" : member,
                                         "register a webhook URL on a publicly reachable host");
    }
    return std::nullopt;
}

json withContext(json result, const json &arguments)
{
    if (result.is_object() && arguments.contains("context"))
        result["context"] = arguments["context"];
    return result;
}

adcp::ToolOutcome runHandler(const ToolSpec &spec, TaskContext &task, const json &args)
{
    try {
        return spec.handler(task, args);
    } catch (const std::exception &e) {
        return failure("SERVICE_UNAVAILABLE",
                       std::string("the seller failed to handle the request: ") + e.what());
    }
}

// A keyed call whose record could not be stored: everything was rolled back.
adcp::ToolOutcome notStored()
{
    return failure("SERVICE_UNAVAILABLE", "the request could not be stored; nothing was changed", std::nullopt,
                   "retry with the same idempotency_key");
}

// With an idempotency key the handler's writes and the completed record commit together: the handler's
// transactions are held open (HeldCommit) and the record is written inside them, so a crash or a failed write
// between the two leaves neither, and the key's in-flight hold (InFlightKeys) lets exactly one retry run the
// call again. The write lock is taken when the handler first writes, not before, so concurrent calls still
// read freely and a duplicate is answered IDEMPOTENCY_IN_FLIGHT while the first call works.
// `completedElsewhere`: another process stored a record for the key meanwhile; everything was rolled back and
// a new claim replays it.
struct KeyedCall
{
    const std::string &scope;
    const std::string &key;
    const std::string &hash;
};

adcp::ToolOutcome runKeyed(const ToolSpec &spec, TaskContext &task, const json &args, const KeyedCall &keyed,
                           bool *completedElsewhere)
{
    if (keyed.key.empty())
        return runHandler(spec, task, args);
    storage::HeldCommit held(task.db);
    adcp::ToolOutcome outcome = runHandler(spec, task, args);
    QString error;
    // The stored record is the whole result.
    outcome.materialize();
    if (!outcome.ok()) {
        // Whatever a failing handler chose to keep (it committed it) stays; the key is free for a retry.
        held.commit([](QString *) { return true; }, &error);
        return outcome;
    }
    const bool stored = held.commit(
        [&](QString *finishError) {
            return IdempotencyStore::complete(task.db, keyed.scope, keyed.key, spec.name, keyed.hash,
                                              outcome.result, task.now, task.options.idempotencyTtlSeconds,
                                              completedElsewhere, finishError);
        },
        &error);
    if (stored || *completedElsewhere)
        return outcome;
    qWarning("a keyed call was rolled back: its idempotency record could not be stored: %s",
             qPrintable(error));
    return notStored();
}

// The answer a claim gives without running the call (a replay or a refusal); nullopt when the call proceeds.
std::optional<adcp::ToolOutcome> claimAnswer(const ToolSpec &spec, const IdempotencyStore::Claim &claim,
                                             const std::string &key, const json &args)
{
    switch (claim.outcome) {
    case IdempotencyStore::Outcome::Proceed:
        return std::nullopt;
    case IdempotencyStore::Outcome::Replay: {
        json replayed = claim.response;
        replayed["replayed"] = true;
        if (!replayed.contains("status") && spec.statusOnCompletion)
            replayed["status"] = "completed";
        if (spec.echoIdempotencyKey)
            replayed["idempotency_key"] = key;
        return adcp::ToolOutcome::success(withContext(std::move(replayed), args));
    }
    case IdempotencyStore::Outcome::Conflict:
        return failure("IDEMPOTENCY_CONFLICT",
                       "this idempotency_key was already used with a different request", "idempotency_key",
                       "use a fresh idempotency_key for a different request");
    case IdempotencyStore::Outcome::Expired:
        return failure("IDEMPOTENCY_EXPIRED", "this idempotency_key is past its replay window",
                       "idempotency_key", "read the current state, then retry with a fresh idempotency_key");
    case IdempotencyStore::Outcome::InFlight: {
        auto outcome =
            failure("IDEMPOTENCY_IN_FLIGHT", "a request with this idempotency_key is still running",
                    "idempotency_key", "retry with the same idempotency_key shortly");
        outcome.error->retryAfter = 1;
        outcome.result["errors"][0]["retry_after"] = 1;
        return outcome;
    }
    case IdempotencyStore::Outcome::Failed:
        break;
    }
    return failure("SERVICE_UNAVAILABLE",
                   "the idempotency record could not be read: " + claim.error.toStdString());
}

} // namespace

adcp::ToolOutcome Dispatcher::call(const Principal &principal, std::string_view tool, const json &arguments)
{
    adcp::ToolOutcome outcome = callPrepared(principal, tool, arguments);
    outcome.materialize();
    return outcome;
}

adcp::ToolOutcome Dispatcher::callPrepared(const Principal &principal, std::string_view tool,
                                           const json &arguments)
{
    const ToolSpec *spec = findTool(tool);
    if (!spec) {
        return failure("INVALID_REQUEST", "this seller has no tool named " + std::string(tool), std::nullopt,
                       "call tools/list or get_adcp_capabilities for the tools this seller serves");
    }
    if (!arguments.is_object() && !arguments.is_null())
        return failure("INVALID_REQUEST", "tool arguments must be a JSON object");
    const json args = arguments.is_null() ? json::object()
                      : spec->normalize   ? spec->normalize(arguments)
                                          : arguments;
    if (principal.id.empty() && std::string_view(spec->name) != "get_adcp_capabilities")
        return failure("AUTH_REQUIRED", "this tool needs an authenticated caller");
    if (auto tooLarge = oversized(args))
        return failureWithErrors({std::move(*tooLarge)});

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

    if (auto refused = refusedWebhook(args, task.options))
        return failureWithErrors({std::move(*refused)});
    if (!task.db.isOpen())
        return failure("SERVICE_UNAVAILABLE", "the seller database is not available");
    if (auto refused = resolveAccount(task, args, accountUseOf(spec->name)))
        return *refused;

    std::string key;
    if (spec->mutating)
        key = wire::JsonRef(args)["idempotency_key"].string(255).valueOr({});
    // Records are per principal; a key is never reused across the principal's accounts (same key, another
    // account: another request hash, so IDEMPOTENCY_CONFLICT).
    const std::string &scope = principal.id;
    std::string hash;
    IdempotencyStore::Claim claim;
    auto claimKey = [&] {
        return IdempotencyStore::claim(task.db, d->context->inFlightKeys(), scope, key, spec->name, hash,
                                       task.now, task.options.idempotencyInFlightSeconds);
    };
    if (!key.empty()) {
        hash = IdempotencyStore::requestHash(spec->name, args);
        claim = claimKey();
        if (auto answer = claimAnswer(*spec, claim, key, args))
            return std::move(*answer);
    }

    bool completedElsewhere = false;
    adcp::ToolOutcome outcome = runKeyed(*spec, task, args, {scope, key, hash}, &completedElsewhere);
    if (completedElsewhere) {
        claim.hold.release();
        claim = claimKey();
        if (auto answer = claimAnswer(*spec, claim, key, args))
            return std::move(*answer);
        return notStored();
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
