#pragma once

#include <QByteArray>
#include <QString>

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

namespace adcp::testsupport {

// A small AdCP governance agent for tests: MCP over HTTPS on 127.0.0.1 with the suite's private CA
// (tests/data/tls), on its own thread. It answers initialize, the initialized notice and check_governance,
// approving a purchase within its budget limit and denying one above it with a finding; it can also be told
// to answer badly. Every check_governance call is recorded with the Authorization header it came with.
class TestGovernanceAgent final
{
public:
    enum class Mode {
        Evaluate,     // approve within budgetLimit, deny above it
        Conditions,   // an intent counterproposal (never authorizes)
        LegacyStatus, // approve, with the 3.0 shape (`status` instead of `verdict`)
        Garbage,      // a tool result that is not a check_governance response
        ToolError,    // an MCP tool error
        Http500,      // the HTTP request fails
        Silent,       // accepts the request and never answers
    };

    struct Check
    {
        nlohmann::json arguments;
        QByteArray authorization;
    };

    // `token`: the Bearer credential it expects (others get 401).
    explicit TestGovernanceAgent(std::string token);
    ~TestGovernanceAgent();
    TestGovernanceAgent(const TestGovernanceAgent &) = delete;
    TestGovernanceAgent &operator=(const TestGovernanceAgent &) = delete;

    QString url() const;     // https://127.0.0.1:PORT/mcp; empty when it could not listen
    static QString caFile(); // the CA that issued its certificate (PEM)

    void setMode(Mode mode);
    void setBudgetLimit(double limit);
    std::vector<Check> checks() const;
    int unauthorizedRequests() const;

private:
    struct State;
    std::shared_ptr<State> d;
};

} // namespace adcp::testsupport
