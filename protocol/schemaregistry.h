#pragma once

#include <QString>

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace adcp {

struct ValidationIssue
{
    std::string pointer; // RFC 6901 pointer into the validated document ("" = root)
    std::string message;
    std::string keyword; // JSON Schema keyword that rejected it (required, enum, type, ...)
};

// Loads a folder of JSON Schemas (draft-07) and validates documents against them by schema id
// ("/schemas/media-buy/create-media-buy-request.json"). Every `$ref` is rewritten at load time to an absolute
// "/schemas/<dir>/<file>.json#<pointer>" so that cross-file and internal references resolve on valijson 1.0;
// `format: date-time` is checked by a precompiled checker instead of valijson's per-call regex.
// validate() is safe to call from several threads at once on a loaded registry.
class SchemaRegistry final
{
public:
    SchemaRegistry();
    ~SchemaRegistry();
    SchemaRegistry(const SchemaRegistry &) = delete;
    SchemaRegistry &operator=(const SchemaRegistry &) = delete;

    // Loads every *.json under `directory` (a file path or a Qt resource path such as ":/schemas"). The id of a
    // file is its "$id" when present, else "/schemas/" + its path relative to `directory`. Returns false and sets
    // `error` when a file cannot be read or parsed; files loaded before the failure stay loaded.
    bool loadDirectory(const QString &directory, QString *error = nullptr);

    // The schemas bundled in resources/schemas (shared, loaded once, thread-safe).
    static std::shared_ptr<const SchemaRegistry> bundled();

    bool contains(std::string_view schemaId) const;
    std::vector<std::string> schemaIds() const;
    // The raw (rewritten) schema document, or null when unknown.
    nlohmann::json schemaDocument(std::string_view schemaId) const;

    // Empty when valid. An unknown schema id yields one issue with keyword "$ref".
    std::vector<ValidationIssue> validate(std::string_view schemaId, const nlohmann::json &document) const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace adcp
