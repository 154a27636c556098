#pragma once

#include "dispatcher.h"

#include <QByteArray>
#include <QHash>
#include <QString>

#include <optional>

namespace adcp::seller {

// Maps bearer tokens to principals. Tokens are compared in constant time so that response timing does not
// reveal how much of a guessed token was right.
class BearerAuth final
{
public:
    struct Result
    {
        std::optional<Principal> principal;
        std::string code; // AUTH_MISSING or AUTH_INVALID when principal is empty
        std::string message;
    };

    void addToken(const QByteArray &token, const Principal &principal);
    // When set, requests without an Authorization header act as this principal (loopback tooling only).
    void setAnonymousPrincipal(std::optional<Principal> principal);
    bool hasTokens() const;

    Result authenticate(const QByteArray &authorizationHeader) const;

    // Parses "TOKEN=PRINCIPAL[:sandbox]".
    static bool parseTokenSpec(const QString &spec, QByteArray *token, Principal *principal, QString *error);

private:
    QList<QPair<QByteArray, Principal>> m_tokens;
    std::optional<Principal> m_anonymous;
};

} // namespace adcp::seller
