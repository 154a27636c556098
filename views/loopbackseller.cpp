#include "loopbackseller.h"

#include "dispatcher.h"
#include "server/bearerauth.h"
#include "server/sellerhttpserver.h"

#include <QCoreApplication>
#include <QHostAddress>
#include <QRandomGenerator>

namespace adcp::gui {

LoopbackSeller::~LoopbackSeller() = default;

std::unique_ptr<LoopbackSeller>
LoopbackSeller::serve(std::shared_ptr<adcp::seller::Dispatcher> seller,
                      const QList<QPair<QByteArray, adcp::seller::Principal>> &tokens, QString *error,
                      const nlohmann::json &jwks)
{
    adcp::seller::BearerAuth auth;
    for (const auto &[token, principal] : tokens)
        auth.addToken(token, principal);
    adcp::seller::SellerServerOptions options;
    options.jwks = jwks;
    auto server =
        std::make_unique<adcp::seller::SellerHttpServer>(std::move(seller), std::move(auth), options);
    const quint16 port = server->listen(QHostAddress::LocalHost, 0);
    if (port == 0) {
        *error = QCoreApplication::translate("LoopbackSeller",
                                             "The embedded seller could not be served on loopback: %1")
                     .arg(server->errorString());
        return nullptr;
    }
    std::unique_ptr<LoopbackSeller> served(new LoopbackSeller);
    served->m_server = std::move(server);
    served->m_url = QUrl(QStringLiteral("http://127.0.0.1:%1/mcp").arg(port));
    return served;
}

QUrl LoopbackSeller::url() const
{
    return m_url;
}

QByteArray LoopbackSeller::freshToken()
{
    QByteArray bytes(24, Qt::Uninitialized);
    QRandomGenerator::system()->generate(bytes.begin(), bytes.end());
    return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

} // namespace adcp::gui
