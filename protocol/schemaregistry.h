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
    // RFC 6901 pointer into the validated document ("" = root). A missing required property, a property that
    // additionalProperties forbids and a missing dependency point at that property itself
    // ("/packages/0/budget"), so that pointerToField() names the field the user has to fix.
    std::string pointer;
    std::string message;
    std::string keyword; // JSON Schema keyword that rejected it (required, enum, type, ...)
};

// Loads a folder of JSON Schemas (draft-07) and validates documents against them by schema id
// ("/schemas/media-buy/create-media-buy-request.json"). Every `$ref` is rewritten at load time to an absolute
// "/schemas/<dir>/<file>.json#<pointer>" so that cross-file and internal references resolve on valijson 1.0;
// `format: date-time` is checked by a precompiled checker instead of valijson's per-call regex.
// Loading only reads and rewrites the files; a schema is compiled for valijson on the first validate() of its
// id. validate() is safe to call from several threads at once on a loaded registry (load first, then share).
//
// A failing oneOf/anyOf reports the issues of the alternative that came closest (the one whose discriminating
// type/const/enum values matched, then the one with the fewest issues) plus the combinator issue itself, so
// that a payload broken in one field is reported at that field.
class SchemaRegistry final
{
public:
    // Who checks `format: date-time` and `format: date`: the precompiled RFC 3339 check (default), or
    // valijson itself (slow; kept to measure the difference in bench/validation).
    enum class DateFormatCheck { Precompiled, Valijson };

    explicit SchemaRegistry(DateFormatCheck dateFormatCheck = DateFormatCheck::Precompiled);
    ~SchemaRegistry();
    SchemaRegistry(const SchemaRegistry &) = delete;
    SchemaRegistry &operator=(const SchemaRegistry &) = delete;

    // Loads every *.json under `directory` (a file path or a Qt resource path such as ":/schemas"). The id of
    // a file is its "$id" when present, else "/schemas/" + its path relative to `directory`. Returns false
    // and sets `error` when a file cannot be read or parsed; files loaded before the failure stay loaded.
    // Loading another folder adds to the registry and replaces files with the same id (an overlay such as
    // the versioned dialect); do not load while other threads validate.
    bool loadDirectory(const QString &directory, QString *error = nullptr);

    // The schemas bundled in resources/schemas (shared, loaded once, thread-safe).
    static std::shared_ptr<const SchemaRegistry> bundled();

    bool contains(std::string_view schemaId) const;
    std::vector<std::string> schemaIds() const;
    // The schema document as loaded, with every `$ref` made absolute; null when unknown.
    nlohmann::json schemaDocument(std::string_view schemaId) const;

    // Empty when valid. An unknown schema id, or a schema that cannot be compiled (a `$ref` to a file that is
    // not loaded), yields one issue at "" with keyword "$ref". Keywords newer than draft 7
    // (dependentRequired, unevaluatedProperties, ...) are not checked. Before any keyword, the document must
    // nest at most 64 levels and have member names of at most 256 bytes (keywords "maxDepth",
    // "propertyNames"); `pattern` runs on PCRE2 (schemapattern.h), never on std::regex.
    std::vector<ValidationIssue> validate(std::string_view schemaId, const nlohmann::json &document) const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace adcp
