#pragma once

#include <nlohmann/json.hpp>

#include <QString>
#include <QStringList>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

namespace adcp::seller {

class RequestVerifier;

struct SellerServerOptions
{
    // Requests whose body would be larger are answered 413 after their headers, the rest is never read.
    std::int64_t maxBodyBytes = 4 * 1024 * 1024;
    // Request line and headers together; larger → 431 and the connection closes.
    std::int64_t maxHeaderBytes = 16 * 1024;
    // From the first byte of a request to the end of its headers (slowloris guard).
    std::chrono::milliseconds headerTimeout{10000};
    // From the end of the headers to the end of the body.
    std::chrono::milliseconds bodyTimeout{30000};
    // A kept-alive connection with no new request for this long is closed.
    std::chrono::milliseconds idleTimeout{30000};
    // Connections beyond this are answered 503 and closed at once.
    int maxConnections = 1024;
    // Requests of one principal being handled at the same time; more → 429 with Retry-After.
    int maxInFlightPerPrincipal = 64;
    // Host names (without port) accepted in Host and Origin; guards loopback servers against DNS rebinding.
    // Empty = accept any host.
    QStringList allowedHosts = {QStringLiteral("localhost"), QStringLiteral("127.0.0.1"),
                                QStringLiteral("[::1]"), QStringLiteral("::1")};
    // tools/call runs on this many worker threads so a slow tool never stalls the network thread; 0 runs
    // calls on the network thread.
    int workerThreads = 4;
    // MCP sessions: all principals together, and one principal (its oldest is dropped beyond that, never
    // another principal's). A session unused for sessionIdleTtl is gone.
    int maxSessions = 10000;
    int maxSessionsPerPrincipal = 100;
    std::chrono::milliseconds sessionIdleTtl{30 * 60 * 1000};
    // Request bodies nested deeper than this are refused before they are parsed.
    int maxJsonDepth = 64;
    QString agentName = QStringLiteral("AdCP Workbench seller");
    // The public keys the seller signs webhooks with, served at /.well-known/jwks.json when not null.
    nlohmann::json jwks;
    // RFC 9421 request signing (server/requestsigning.h): when set, signed requests are verified and act as
    // their key's principal, and its policy may require signatures. Null = bearer tokens only.
    std::shared_ptr<const RequestVerifier> requestVerifier;
    // The clock sessions expire by; tests inject their own.
    std::function<std::chrono::steady_clock::time_point()> now;
};

} // namespace adcp::seller
