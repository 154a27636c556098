#include "bearerauth.h"

#include <openssl/crypto.h>

namespace adcp::seller {

void BearerAuth::addToken(const QByteArray &token, const Principal &principal)
{
    m_tokens.append({token, principal});
}

void BearerAuth::setAnonymousPrincipal(std::optional<Principal> principal)
{
    m_anonymous = std::move(principal);
}

bool BearerAuth::hasTokens() const
{
    return !m_tokens.isEmpty();
}

BearerAuth::Result BearerAuth::authenticate(const QByteArray &authorizationHeader) const
{
    const QByteArray header = authorizationHeader.trimmed();
    if (header.isEmpty()) {
        if (m_anonymous)
            return {m_anonymous, {}, {}};
        return {std::nullopt, "AUTH_MISSING", "this agent needs an Authorization: Bearer token"};
    }
    if (!header.toLower().startsWith("bearer "))
        return {std::nullopt, "AUTH_INVALID", "only the Bearer scheme is accepted"};
    const QByteArray token = header.mid(7).trimmed();
    std::optional<Principal> match;
    for (const auto &[known, principal] : m_tokens) {
        // Every token is compared in full so the loop takes the same time whichever one matches.
        if (known.size() == token.size() &&
            CRYPTO_memcmp(known.constData(), token.constData(), size_t(token.size())) == 0)
            match = principal;
    }
    if (match)
        return {match, {}, {}};
    return {std::nullopt, "AUTH_INVALID", "the bearer token is not known to this agent"};
}

bool BearerAuth::parseTokenSpec(const QString &spec, QByteArray *token, Principal *principal, QString *error)
{
    const qsizetype eq = spec.indexOf(QLatin1Char('='));
    if (eq <= 0 || eq == spec.size() - 1) {
        if (error)
            *error = QStringLiteral("expected TOKEN=PRINCIPAL[:sandbox], got '%1'").arg(spec);
        return false;
    }
    QString who = spec.mid(eq + 1);
    bool sandbox = false;
    if (who.endsWith(QLatin1String(":sandbox"))) {
        sandbox = true;
        who.chop(8);
    }
    if (who.isEmpty()) {
        if (error)
            *error = QStringLiteral("empty principal in '%1'").arg(spec);
        return false;
    }
    *token = spec.left(eq).toUtf8();
    *principal = Principal{who.toStdString(), sandbox};
    return true;
}

} // namespace adcp::seller
