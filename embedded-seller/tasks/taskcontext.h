#pragma once

#include "adcperror.h"
#include "dispatcher.h"
#include "domain/accountstore.h"
#include "sellercontext.h"
#include "storage/database.h"

#include <QDateTime>
#include <QSqlDatabase>

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

namespace adcp::seller {

class Catalog;

// What a tool handler gets: the seller, the caller, the calling thread's connection and one consistent "now".
struct TaskContext
{
    SellerContext &seller;
    const Principal &principal;
    QSqlDatabase db;
    QDateTime now;
    SellerOptions options;
    std::shared_ptr<const Catalog> catalog;
    // The request's `account` resolved for the principal (tasks/accountresolution.h); empty when the tool
    // is not account-scoped or the request acts for the principal as a whole.
    std::optional<Account> account = std::nullopt;
};

using ToolHandler = adcp::ToolOutcome (*)(TaskContext &task, const nlohmann::json &arguments);

struct ToolSpec
{
    const char *name;     // AdCP task name
    const char *schemaId; // bundled request schema, e.g. "/schemas/media-buy/create-media-buy-request.json"
    const char *description; // for MCP tools/list
    bool mutating;           // idempotency_key is honoured (replay/conflict) when present
    ToolHandler handler;
    // Optional semantic checks run before schema validation, so that a rule the schema also encodes is
    // reported with the member it is about (the schema only knows "refine[0] fails a not"). Returns an error
    // or success; may throw on ill-typed input, which then falls through to schema validation.
    ToolHandler precheck = nullptr;
    // false: a completed answer carries no `status` (decline_proposals: its response schema allows `status`
    // only on the submitted arm).
    bool statusOnCompletion = true;
    // false: the answer does not echo idempotency_key (the 3.2 compact responses are closed objects without
    // it).
    bool echoIdempotencyKey = true;
    // true: the handler validates the request itself and answers malformed ones in its own shape
    // (comply_test_controller answers `success: false` with its own error codes).
    bool handlerValidates = false;
    // Brings a request in an older release's shape to the bundled schema's before anything reads it (3.0's
    // governance_agents[].categories); null = taken as sent.
    nlohmann::json (*normalize)(const nlohmann::json &arguments) = nullptr;
};

// Every tool the seller serves; one handler per file in tasks/, listed in tasks/toollist.cpp.
const std::vector<ToolSpec> &toolSpecs();

// Several errors of one request (create_media_buy collects them): the first is the call's error, all of them
// are in the result's errors[].
adcp::ToolOutcome failureWithErrors(std::vector<adcp::AdcpError> errors);
// A fresh opaque id: prefix + "_" + 20 hex digits.
std::string newId(const char *prefix);
using storage::isoTime; // UTC, seconds precision, "Z"
// An amount as error messages give it: "1234.50 USD".
std::string amountText(double value, const std::string &currency);
// Whether the caller reads `status` as the task status (AdCP 3.2 and later, named in `adcp_version`) rather
// than as the media buy's status (3.0/3.1, which is also how a request without adcp_version is read).
bool speaksTaskStatusEnvelope(const nlohmann::json &args);

adcp::ToolOutcome failure(const char *code, std::string message,
                          std::optional<std::string> field = std::nullopt,
                          std::optional<std::string> suggestion = std::nullopt);

} // namespace adcp::seller
