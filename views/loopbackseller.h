#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QUrl>

#include <nlohmann/json.hpp>

#include <memory>

namespace adcp::seller {
class Dispatcher;
class SellerHttpServer;
struct Principal;
} // namespace adcp::seller

namespace adcp::gui {

// The embedded seller served over MCP on 127.0.0.1 (a free port), for as long as the object lives: what the
// test lab checks and what a copied curl command calls. Only the bearer tokens it was given are accepted.
class LoopbackSeller final
{
public:
    ~LoopbackSeller();
    Q_DISABLE_COPY_MOVE(LoopbackSeller)

    // Null with `error` set when no port could be had. `jwks`, when not null, is published at
    // /.well-known/jwks.json (the keys the seller signs webhooks with).
    static std::unique_ptr<LoopbackSeller>
    serve(std::shared_ptr<adcp::seller::Dispatcher> seller,
          const QList<QPair<QByteArray, adcp::seller::Principal>> &tokens, QString *error,
          const nlohmann::json &jwks = nullptr);
    // http://127.0.0.1:<port>/mcp
    QUrl url() const;

    // A random bearer token (24 bytes, base64url).
    static QByteArray freshToken();

private:
    LoopbackSeller() = default;
    std::unique_ptr<adcp::seller::SellerHttpServer> m_server;
    QUrl m_url;
};

} // namespace adcp::gui
