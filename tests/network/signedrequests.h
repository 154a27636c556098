#pragma once

// Signs a test's POST the way an AdCP request signer does (RFC 9421, adcp/request-signing/v1): @method,
// @target-uri, @authority and content-type covered, created/expires/nonce/keyid/alg/tag. The same steps as
// the sign() of tst_requestsigning.cpp, without its ways of bending a signature.
#include "httpsignature.h"

#include <QByteArray>
#include <QList>
#include <QPair>

#include <string>
#include <utility>
#include <vector>

namespace signedrequests {

using Headers = QList<QPair<QByteArray, QByteArray>>;

// The Signature-Input and Signature headers of a POST of a JSON body to http://host + path.
inline Headers sign(const adcp::httpsig::SigningKey &key, const std::string &keyId, const QByteArray &host,
                    const QByteArray &path, long long created, const std::string &nonce)
{
    const std::vector<std::string> components = {"@method", "@target-uri", "@authority", "content-type"};
    std::string params = "(";
    for (std::size_t i = 0; i < components.size(); ++i)
        params += (i ? " \"" : "\"") + components[i] + '"';
    params += ");created=" + std::to_string(created) + ";expires=" + std::to_string(created + 300) +
              ";nonce=\"" + nonce + "\";keyid=\"" + keyId + "\";alg=\"" + std::string(key.algorithm()) +
              "\";tag=\"adcp/request-signing/v1\"";
    const auto target =
        adcp::httpsig::canonicalizeTarget("http://" + host.toStdString() + path.toStdString());
    const std::vector<std::pair<QByteArray, QByteArray>> lines = {
        {"@method", "POST"},
        {"@target-uri", QByteArray::fromStdString(target->targetUri)},
        {"@authority", QByteArray::fromStdString(target->authority)},
        {"content-type", "application/json"}};
    const QByteArray base = adcp::httpsig::signatureBase(lines, QByteArray::fromStdString(params));
    return {{"Signature-Input", "sig1=" + QByteArray::fromStdString(params)},
            {"Signature", "sig1=:" + key.sign(base).toBase64() + ':'}};
}

} // namespace signedrequests
