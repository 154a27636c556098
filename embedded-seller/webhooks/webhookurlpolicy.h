#pragma once

#include <QHostAddress>
#include <QList>
#include <QString>

#include <functional>

namespace adcp::seller {

// Which addresses the seller may call back. A buyer registers a webhook URL and the seller connects to it
// from inside its own network: a URL on loopback or a private range would let any buyer probe or drive
// services that are not reachable from outside (SSRF).
enum class WebhookAddressScope {
    PublicOnly,    // `--serve`: global unicast addresses only
    AllowLoopback, // the in-process GUI seller: its own webhook receiver listens on loopback
    AllowPrivate,  // `--serve --allow-private-webhooks`: loopback, private, link-local and CGNAT too
};

// Name → addresses. Empty `error` with no addresses means the name has none. Tests inject one; the seller
// otherwise uses the system resolver (QHostInfo).
using WebhookResolver = std::function<QList<QHostAddress>(const QString &host, QString *error)>;

namespace webhookpolicy {

// Why `address` may not be called under `scope` ("a loopback address"), or empty when it may. IPv4 inside
// IPv6 (mapped, compatible, NAT64, 6to4) is judged by its IPv4 address.
QString refusal(const QHostAddress &address, WebhookAddressScope scope);

struct UrlCheck
{
    bool refused = false;
    QString reason;                // why it was refused, for the buyer: no address is echoed
    QString host;                  // the URL's host as written
    QList<QHostAddress> addresses; // what the host resolved to (a literal address: itself)
    QString resolveError;          // the name did not resolve (not a refusal by itself)
};

// Registration: the URL must be http(s) with a host and no user info; its host (a literal address or every
// address its name resolves to) must be allowed. A name that does not resolve is accepted: the sender checks
// again before every attempt, and cannot connect to it either.
UrlCheck checkUrl(const QString &url, WebhookAddressScope scope, const WebhookResolver &resolver);

// The system resolver (blocking; the caller's thread waits for DNS).
QList<QHostAddress> systemResolve(const QString &host, QString *error);

} // namespace webhookpolicy

} // namespace adcp::seller
