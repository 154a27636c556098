#pragma once

#include <stdexcept>
#include <string>

namespace adcp::wire {

// Thrown by the from_json functions of the wire types when a payload lacks a required field or carries a
// value of the wrong type or outside its enum. `pointer` is the RFC 6901 pointer of the offending value
// inside the document that was being converted ("/media_buys/0/packages/1/package_id"), ready for
// pointerToField().
class WireError final : public std::runtime_error
{
public:
    WireError(std::string pointer, const std::string &message);

    const std::string &pointer() const { return m_pointer; }
    const std::string &detail() const { return m_detail; }

    // Re-anchors the error one level up: "/budget" inside packages[2] becomes "/packages/2/budget".
    WireError within(std::string_view token) const;

private:
    std::string m_pointer;
    std::string m_detail;
};

} // namespace adcp::wire
