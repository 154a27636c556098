#include "webhookurlpolicy.h"

#include <QHostInfo>
#include <QUrl>

#include <array>
#include <cstdint>

namespace adcp::seller::webhookpolicy {

namespace {

enum class AddressClass {
    Global,
    Loopback,
    Private, // RFC 1918, fc00::/7, fec0::/10, CGNAT 100.64/10, link-local
    Never,   // unspecified, multicast, broadcast, reserved, documentation: nothing to call back there
};

struct V4Range
{
    std::uint32_t base;
    int prefix;
    AddressClass kind;
    const char *what;
};

constexpr std::uint32_t v4(int a, int b, int c, int d)
{
    return (std::uint32_t(a) << 24) | (std::uint32_t(b) << 16) | (std::uint32_t(c) << 8) | std::uint32_t(d);
}

constexpr std::array<V4Range, 15> kV4Ranges{{
    {v4(0, 0, 0, 0), 8, AddressClass::Never, "an unspecified address"},
    {v4(127, 0, 0, 0), 8, AddressClass::Loopback, "a loopback address"},
    {v4(10, 0, 0, 0), 8, AddressClass::Private, "a private address"},
    {v4(172, 16, 0, 0), 12, AddressClass::Private, "a private address"},
    {v4(192, 168, 0, 0), 16, AddressClass::Private, "a private address"},
    {v4(100, 64, 0, 0), 10, AddressClass::Private, "a shared (CGNAT) address"},
    {v4(169, 254, 0, 0), 16, AddressClass::Private, "a link-local address"},
    {v4(192, 0, 0, 0), 24, AddressClass::Never, "a reserved address"},
    {v4(192, 0, 2, 0), 24, AddressClass::Never, "a documentation address"},
    {v4(198, 18, 0, 0), 15, AddressClass::Never, "a benchmarking address"},
    {v4(198, 51, 100, 0), 24, AddressClass::Never, "a documentation address"},
    {v4(203, 0, 113, 0), 24, AddressClass::Never, "a documentation address"},
    {v4(224, 0, 0, 0), 4, AddressClass::Never, "a multicast address"},
    {v4(240, 0, 0, 0), 4, AddressClass::Never, "a reserved or broadcast address"},
    {v4(192, 88, 99, 0), 24, AddressClass::Never, "a reserved address"},
}};

struct Verdict
{
    AddressClass kind = AddressClass::Global;
    const char *what = "";
};

Verdict classifyV4(std::uint32_t address)
{
    for (const V4Range &range : kV4Ranges) {
        const std::uint32_t mask = range.prefix == 0 ? 0 : ~std::uint32_t(0) << (32 - range.prefix);
        if ((address & mask) == (range.base & mask))
            return {range.kind, range.what};
    }
    return {};
}

std::uint32_t v4At(const Q_IPV6ADDR &a, int offset)
{
    return (std::uint32_t(a[offset]) << 24) | (std::uint32_t(a[offset + 1]) << 16) |
           (std::uint32_t(a[offset + 2]) << 8) | std::uint32_t(a[offset + 3]);
}

bool zeros(const Q_IPV6ADDR &a, int from, int to)
{
    for (int i = from; i < to; ++i) {
        if (a[i] != 0)
            return false;
    }
    return true;
}

Verdict classifyV6(const Q_IPV6ADDR &a)
{
    // IPv4 carried inside IPv6 reaches the IPv4 host: ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible),
    // 64:ff9b::a.b.c.d (NAT64) and 2002:aabb:ccdd:: (6to4) are judged by that IPv4 address.
    if (zeros(a, 0, 10) && a[10] == 0xff && a[11] == 0xff)
        return classifyV4(v4At(a, 12));
    if (zeros(a, 0, 15) && a[15] == 0)
        return {AddressClass::Never, "an unspecified address"};
    if (zeros(a, 0, 15) && a[15] == 1)
        return {AddressClass::Loopback, "a loopback address"};
    if (zeros(a, 0, 12))
        return classifyV4(v4At(a, 12));
    if (a[0] == 0x00 && a[1] == 0x64 && a[2] == 0xff && a[3] == 0x9b && zeros(a, 4, 12))
        return classifyV4(v4At(a, 12));
    if (a[0] == 0x20 && a[1] == 0x02)
        return classifyV4(v4At(a, 2));
    if (a[0] == 0xff)
        return {AddressClass::Never, "a multicast address"};
    if ((a[0] & 0xfe) == 0xfc)
        return {AddressClass::Private, "a unique local (private) address"};
    if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
        return {AddressClass::Private, "a link-local address"};
    if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0)
        return {AddressClass::Private, "a site-local (private) address"};
    if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8)
        return {AddressClass::Never, "a documentation address"};
    return {};
}

bool allowed(AddressClass kind, WebhookAddressScope scope)
{
    switch (kind) {
    case AddressClass::Global:
        return true;
    case AddressClass::Loopback:
        return scope != WebhookAddressScope::PublicOnly;
    case AddressClass::Private:
        return scope == WebhookAddressScope::AllowPrivate;
    case AddressClass::Never:
        return false;
    }
    return false;
}

} // namespace

QString refusal(const QHostAddress &address, WebhookAddressScope scope)
{
    Verdict verdict;
    if (address.protocol() == QAbstractSocket::IPv4Protocol)
        verdict = classifyV4(address.toIPv4Address());
    else if (address.protocol() == QAbstractSocket::IPv6Protocol)
        verdict = classifyV6(address.toIPv6Address());
    else
        return QStringLiteral("not an IP address");
    return allowed(verdict.kind, scope) ? QString() : QString::fromLatin1(verdict.what);
}

UrlCheck checkUrl(const QString &url, WebhookAddressScope scope, const WebhookResolver &resolver)
{
    UrlCheck check;
    const QUrl parsed(url, QUrl::StrictMode);
    const QString scheme = parsed.scheme().toLower();
    if (!parsed.isValid() || (scheme != QLatin1String("http") && scheme != QLatin1String("https")) ||
        parsed.host().isEmpty()) {
        check.refused = true;
        check.reason = QStringLiteral("the webhook URL must be an absolute http or https URL with a host");
        return check;
    }
    if (!parsed.userInfo().isEmpty()) {
        check.refused = true;
        check.reason = QStringLiteral("the webhook URL must not carry user info; use authentication instead");
        return check;
    }
    check.host = parsed.host();
    const QHostAddress literal(check.host);
    if (!literal.isNull()) {
        check.addresses = {literal};
    } else {
        check.addresses = resolver ? resolver(check.host, &check.resolveError)
                                   : systemResolve(check.host, &check.resolveError);
    }
    for (const QHostAddress &address : std::as_const(check.addresses)) {
        const QString why = refusal(address, scope);
        if (!why.isEmpty()) {
            check.refused = true;
            check.reason =
                QStringLiteral("the webhook URL's host is %1, which this seller does not call back").arg(why);
            return check;
        }
    }
    return check;
}

QList<QHostAddress> systemResolve(const QString &host, QString *error)
{
    const QHostInfo info = QHostInfo::fromName(host);
    if (info.error() != QHostInfo::NoError && error)
        *error = info.errorString();
    return info.addresses();
}

} // namespace adcp::seller::webhookpolicy
