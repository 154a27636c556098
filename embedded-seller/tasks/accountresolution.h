#pragma once

#include "adcperror.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string_view>

namespace adcp::seller {

struct TaskContext;

// How a tool uses the request's `account`: not at all, to read (every status may read), to read about an
// account that must exist already (never provisioned on first use), to buy (only an active account may start
// new spend) or to change existing work (refused while the account is suspended, closed or awaiting approval,
// allowed while payment is required).
enum class AccountUse {
    None,
    Read,
    Existing,
    Buy,
    Write,
};

AccountUse accountUseOf(std::string_view tool);

// Resolves the request's `account` for the caller into task.account, or returns the error that ends the call.
// Lookups are scoped to the principal, so another principal's account id or natural key gets exactly the
// answer an unknown one gets. Without --require-accounts an unknown reference is provisioned on first buy or
// write (lazily, active) and a request without `account` acts for the principal as a whole; with it, both are
// ACCOUNT_NOT_FOUND pointing at sync_accounts and nothing is written.
std::optional<adcp::ToolOutcome> resolveAccount(TaskContext &task, const nlohmann::json &args,
                                                AccountUse use);

} // namespace adcp::seller
