#pragma once

#include "domain/accountstore.h"
#include "webhooks/webhookurlpolicy.h"

#include <QList>
#include <QSslCertificate>

#include <nlohmann/json.hpp>

#include <string>

namespace adcp {
class SchemaRegistry;
}

namespace adcp::seller {

// How the seller reaches a buyer's governance agent.
struct GovernanceCallOptions
{
    // Certificate authorities trusted besides the system's (`--governance-ca`: a private CA).
    QList<QSslCertificate> extraCaCertificates;
    int timeoutMs = 10000; // per HTTP request, handshake included
    // Governance URLs come from buyers: the same address rules as webhook URLs (no SSRF into the seller's
    // network unless the operator allows private addresses).
    WebhookAddressScope addressScope = WebhookAddressScope::PublicOnly;
    WebhookResolver resolver; // empty = the system resolver
};

// What the governance agent decided, or why no decision could be had.
struct GovernanceVerdict
{
    enum class Kind { Approved, Denied, Conditions, Unavailable };
    Kind kind = Kind::Unavailable;
    std::string checkId;
    std::string explanation;       // the agent's words (Unavailable: what went wrong, for the buyer)
    std::string governanceContext; // Approved: the token to keep with the buy
    nlohmann::json findings;       // null when absent
    nlohmann::json conditions;     // null when absent
};

// Calls check_governance on the agent over MCP and waits for the answer: blocking, for a worker thread (the
// call runs in a local event loop). The answer is untrusted: a transport failure, an HTTP error, a tool
// error, or an answer that is not a check_governance response (checked against the official schema after the
// 3.0 `status` is read as `verdict`) is Unavailable with a reason; it never throws.
GovernanceVerdict checkGovernance(const GovernanceAgent &agent, const nlohmann::json &request,
                                  const GovernanceCallOptions &options, const SchemaRegistry &schemas);

} // namespace adcp::seller
