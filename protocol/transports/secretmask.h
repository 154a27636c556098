#pragma once

#include "agenttransport.h"

#include <nlohmann/json.hpp>

namespace adcp {

// The exchange log is shown to people and may be exported: credentials never appear in it. These helpers
// replace secrets by a fixed mask that keeps only the scheme (e.g. "Bearer ****").
bool isSecretHeader(const QByteArray &name);
QByteArray maskHeaderValue(const QByteArray &name, const QByteArray &value);
HeaderList maskHeaders(const HeaderList &headers);
// Masks values of keys that carry secrets (credentials, token, authorization, api_key, secret, password)
// anywhere in the document.
nlohmann::json maskJsonSecrets(const nlohmann::json &document);
// The same for a raw JSON body; bodies that do not parse are returned unchanged.
QByteArray maskRawJson(const QByteArray &body);

} // namespace adcp
