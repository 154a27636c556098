#pragma once

#include "adcperror.h"

#include <QString>

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace adcp::seller {

class SellerContext;

// Who is calling. Every record the seller stores belongs to one principal; other principals' ids behave as
// unknown. Sandbox principals may use comply_test_controller.
struct Principal
{
    std::string id;
    bool sandbox = false;
};

struct ToolInfo
{
    std::string name;
    std::string description;
    nlohmann::json inputSchema; // JSON Schema of the tool's arguments (for MCP tools/list)
};

// The transport-free core of the seller: (principal, tool, arguments) → result or AdCP error.
// Every request is validated against the bundled request schema before its handler runs.
// call() is thread-safe: HTTP, A2A and in-process transports call it from any thread.
class Dispatcher final
{
public:
    explicit Dispatcher(std::shared_ptr<SellerContext> context);
    ~Dispatcher();
    Dispatcher(const Dispatcher &) = delete;
    Dispatcher &operator=(const Dispatcher &) = delete;

    adcp::ToolOutcome call(const Principal &principal, std::string_view tool, const nlohmann::json &arguments);
    // The same, for a transport that writes the answer as JSON text itself: large members of a result may be
    // left as prepared text (ToolOutcome::prepared; get_products' products), to be spliced into the answer
    // (wire::appendObject) instead of copied into `result` and written per call.
    adcp::ToolOutcome callPrepared(const Principal &principal, std::string_view tool,
                                   const nlohmann::json &arguments);
    std::vector<ToolInfo> tools(const Principal &principal) const;
    bool hasTool(std::string_view tool) const;

    SellerContext &context() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace adcp::seller
