// valijson reports schema errors (an unresolvable $ref, a malformed keyword) by aborting unless exceptions
// are enabled; the registry turns them into validation issues instead.
#define VALIJSON_USE_EXCEPTIONS 1

// GCC 12 reports false positives inside libstdc++ code inlined into valijson's: -Wrestrict in std::string at
// -O3 (bug 105329) and -Wmaybe-uninitialized in std::regex's compiler under the sanitizers at -O2. They fire
// at the point of inlining, so they can only be silenced for the whole file.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "schemaregistry.h"

#include "schemapattern.h"
#include "wire/jsonread.h"
#include "wire/rfc3339.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/constraint_builder.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validation_visitor.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <regex>
#include <stdexcept>
#include <unordered_map>

namespace adcp {

namespace {

using Adapter = valijson::adapters::NlohmannJsonAdapter;
using RegexCache = std::unordered_map<std::string, std::regex>;
using valijson::Subschema;
namespace vc = valijson::constraints;

// In the form of a schema that is handed to valijson (never in schemaDocument()), these keywords replace
// `format: date-time|date` (valijson's check builds a std::regex per call) and `enum` / `const` (valijson's
// checks cannot name the allowed values in their messages) and `pattern` (valijson's std::regex recurses once
// per character: a long string overflows the stack); custom constraint builders handle them.
constexpr const char *kDateFormatKeyword = "x-adcp-format";
constexpr const char *kPatternKeyword = "x-adcp-pattern";
constexpr const char *kEnumKeyword = "x-adcp-enum";
constexpr const char *kConstKeyword = "x-adcp-const";

// ---------------------------------------------------------------------------------------------------------
// Load-time rewriting

// "/schemas/core/../enums/x.json" → "/schemas/enums/x.json"
std::string normalizePath(const std::string &path)
{
    std::vector<std::string> segments;
    size_t pos = 0;
    while (pos <= path.size()) {
        const size_t end = std::min(path.find('/', pos), path.size());
        const std::string segment = path.substr(pos, end - pos);
        if (segment == "..") {
            if (!segments.empty())
                segments.pop_back();
        } else if (!segment.empty() && segment != ".") {
            segments.push_back(segment);
        }
        pos = end + 1;
    }
    std::string out;
    for (const auto &segment : segments)
        out += '/' + segment;
    return out.empty() ? std::string("/") : out;
}

// Resolves `ref` against the id of the file it appears in; the result always has the form "<doc>#<pointer>".
std::string absoluteRef(const std::string &ref, const std::string &fileId)
{
    const size_t hash = ref.find('#');
    const std::string documentPart = ref.substr(0, hash);
    const std::string fragment = hash == std::string::npos ? std::string() : ref.substr(hash + 1);
    std::string document;
    if (documentPart.empty())
        document = fileId;
    else if (documentPart.find("://") != std::string::npos)
        document = documentPart;
    else if (documentPart.front() == '/')
        document = normalizePath(documentPart);
    else
        document = normalizePath(fileId.substr(0, fileId.rfind('/') + 1) + documentPart);
    return document + '#' + fragment;
}

// Keywords whose values are instance data, not schemas: nothing inside them is rewritten.
bool isDataKeyword(const std::string &key)
{
    return key == "enum" || key == "const" || key == "examples" || key == "default" || key == "required" ||
           key == kEnumKeyword || key == kConstKeyword || key == kPatternKeyword;
}

// Keywords whose value is an object mapping arbitrary names to schemas.
bool isSchemaMapKeyword(const std::string &key)
{
    return key == "properties" || key == "patternProperties" || key == "definitions" || key == "$defs" ||
           key == "dependencies";
}

// Calls `visit` on every schema object of a schema document (not on instance data inside enum, const,
// examples or default, and not on the name maps of properties/definitions themselves).
template <typename Visit> void forEachSchemaNode(nlohmann::json &node, const Visit &visit);

template <typename Visit> void forEachSchemaNodeIn(nlohmann::json &node, const Visit &visit)
{
    if (node.is_object()) {
        forEachSchemaNode(node, visit);
    } else if (node.is_array()) {
        for (auto &element : node)
            forEachSchemaNodeIn(element, visit);
    }
}

template <typename Visit> void forEachSchemaNode(nlohmann::json &node, const Visit &visit)
{
    if (!node.is_object())
        return;
    visit(node);
    for (auto &[key, value] : node.items()) {
        if (key == "$ref" || isDataKeyword(key))
            continue;
        if (isSchemaMapKeyword(key) && value.is_object()) {
            for (auto &member : value)
                forEachSchemaNode(member, visit);
        } else {
            forEachSchemaNodeIn(value, visit);
        }
    }
}

// Load time: every `$ref` becomes "/schemas/<dir>/<file>.json#<pointer>".
void rewriteRefs(nlohmann::json &document, const std::string &fileId)
{
    forEachSchemaNode(document, [&](nlohmann::json &node) {
        if (auto ref = node.find("$ref"); ref != node.end() && ref->is_string())
            *ref = absoluteRef(ref->get<std::string>(), fileId);
    });
}

// Compile time: the form valijson parses, with the keywords it handles badly moved to custom ones.
nlohmann::json compileForm(const nlohmann::json &document, bool replaceDateFormats)
{
    nlohmann::json form = document;
    const auto rename = [](nlohmann::json &node, const char *from, const char *to) {
        if (auto it = node.find(from); it != node.end()) {
            nlohmann::json value = std::move(*it);
            node.erase(it);
            node[to] = std::move(value);
        }
    };
    forEachSchemaNode(form, [&](nlohmann::json &node) {
        if (auto format = node.find("format"); replaceDateFormats && format != node.end() &&
                                               format->is_string() &&
                                               (*format == "date-time" || *format == "date"))
            rename(node, "format", kDateFormatKeyword);
        if (auto values = node.find("enum"); values != node.end() && values->is_array())
            rename(node, "enum", kEnumKeyword);
        rename(node, "const", kConstKeyword);
        if (auto pattern = node.find("pattern"); pattern != node.end() && pattern->is_string())
            rename(node, "pattern", kPatternKeyword);
    });
    return form;
}

// ---------------------------------------------------------------------------------------------------------
// Custom constraints: the precompiled date / date-time check, and enum / const with useful messages

// A custom constraint that knows which JSON Schema keyword it stands for, so that issues carry that keyword.
class KeywordConstraint : public vc::PolyConstraint
{
public:
    virtual const char *keyword() const = 0;
};

class DateFormatConstraint final : public KeywordConstraint
{
public:
    explicit DateFormatConstraint(bool dateOnly) : m_dateOnly(dateOnly) {}

    const char *keyword() const override { return "format"; }

    bool validate(const valijson::adapters::Adapter &target, const std::vector<std::string> &context,
                  valijson::ValidationResults *results) const override
    {
        if (!target.isString())
            return true;
        const std::string text = target.asString();
        const bool ok = m_dateOnly ? wire::isRfc3339Date(text) : wire::isRfc3339DateTime(text);
        // A long value is shortened: the message must not carry a payload back.
        const std::string shown = text.size() > 60 ? text.substr(0, 57) + "..." : text;
        if (!ok && results)
            results->pushError(context, m_dateOnly ? "'" + shown + "' is not an RFC 3339 date (YYYY-MM-DD)"
                                                   : "'" + shown + "' is not an RFC 3339 date-time");
        return ok;
    }

private:
    Constraint *cloneInto(void *memory) const override { return new (memory) DateFormatConstraint(*this); }
    size_t sizeOf() const override { return sizeof(DateFormatConstraint); }

    bool m_dateOnly;
};

// The instance value behind a valijson adapter, for comparison with enum/const values.
nlohmann::json toJson(const valijson::adapters::Adapter &value)
{
    if (value.isString())
        return value.asString();
    if (value.isBool())
        return value.asBool();
    if (value.isInteger())
        return value.asInteger();
    if (value.isDouble())
        return value.asDouble();
    if (value.isArray()) {
        nlohmann::json array = nlohmann::json::array();
        value.applyToArray([&](const valijson::adapters::Adapter &element) {
            array.push_back(toJson(element));
            return true;
        });
        return array;
    }
    if (value.isObject()) {
        nlohmann::json object = nlohmann::json::object();
        value.applyToObject([&](const std::string &name, const valijson::adapters::Adapter &member) {
            object[name] = toJson(member);
            return true;
        });
        return object;
    }
    return nullptr;
}

// Short rendering of a value for messages.
std::string preview(const nlohmann::json &value)
{
    std::string text = adcp::wire::dump(value);
    if (text.size() > 60)
        text = text.substr(0, 57) + "...";
    return text;
}

// 0 rather than 0.000000, 0.5 rather than 5.000000e-01.
std::string formatNumber(double value)
{
    if (value == static_cast<double>(static_cast<long long>(value)) && std::abs(value) < 1e15)
        return std::to_string(static_cast<long long>(value));
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.15g", value);
    return buffer;
}

// `enum` and `const`, with messages that name what is allowed.
class AllowedValuesConstraint final : public KeywordConstraint
{
public:
    AllowedValuesConstraint(nlohmann::json allowed, bool isConst)
        : m_allowed(allowed.is_array() && !isConst ? std::move(allowed) : nlohmann::json::array({allowed})),
          m_isConst(isConst)
    {
        constexpr size_t kListed = 12;
        for (size_t i = 0; i < m_allowed.size() && i < kListed; ++i)
            m_listing += (i ? ", " : "") + preview(m_allowed[i]);
        if (m_allowed.size() > kListed)
            m_listing += ", ... (" + std::to_string(m_allowed.size()) + " values)";
    }

    const char *keyword() const override { return m_isConst ? "const" : "enum"; }

    bool validate(const valijson::adapters::Adapter &target, const std::vector<std::string> &context,
                  valijson::ValidationResults *results) const override
    {
        // Strings are the common case (AdCP enums are string enums): compare without building a json value.
        bool ok = false;
        if (target.isString()) {
            const std::string text = target.asString();
            ok = std::any_of(m_allowed.begin(), m_allowed.end(), [&](const nlohmann::json &v) {
                return v.is_string() && v.get_ref<const std::string &>() == text;
            });
        } else {
            const nlohmann::json value = toJson(target);
            ok = std::any_of(m_allowed.begin(), m_allowed.end(),
                             [&](const nlohmann::json &v) { return v == value; });
        }
        if (!ok && results)
            results->pushError(context,
                               preview(toJson(target)) +
                                   (m_isConst ? " must be " + m_listing : " is not one of: " + m_listing));
        return ok;
    }

private:
    Constraint *cloneInto(void *memory) const override { return new (memory) AllowedValuesConstraint(*this); }
    size_t sizeOf() const override { return sizeof(AllowedValuesConstraint); }

    nlohmann::json m_allowed;
    std::string m_listing;
    bool m_isConst;
};

// `pattern` on the bounded engine (schemapattern.h).
class PatternConstraint final : public KeywordConstraint
{
public:
    explicit PatternConstraint(std::string pattern) : m_pattern(std::move(pattern)) {}

    const char *keyword() const override { return "pattern"; }

    bool validate(const valijson::adapters::Adapter &target, const std::vector<std::string> &context,
                  valijson::ValidationResults *results) const override
    {
        if (!target.isString())
            return true;
        const std::string text = target.asString();
        const auto matched = searchSchemaPattern(m_pattern, text);
        if (matched.value_or(false))
            return true;
        if (results)
            results->pushError(context, matched
                                            ? preview(text) + " does not match the pattern " + m_pattern
                                            : "the schema's pattern " + m_pattern + " cannot be compiled");
        return false;
    }

private:
    Constraint *cloneInto(void *memory) const override { return new (memory) PatternConstraint(*this); }
    size_t sizeOf() const override { return sizeof(PatternConstraint); }

    std::string m_pattern;
};

class PatternBuilder final : public valijson::ConstraintBuilder
{
public:
    vc::Constraint *make(const valijson::adapters::Adapter &value) const override
    {
        return new PatternConstraint(value.isString() ? value.asString() : std::string());
    }
};

class DateFormatBuilder final : public valijson::ConstraintBuilder
{
public:
    vc::Constraint *make(const valijson::adapters::Adapter &value) const override
    {
        return new DateFormatConstraint(value.isString() && value.asString() == "date");
    }
};

class AllowedValuesBuilder final : public valijson::ConstraintBuilder
{
public:
    explicit AllowedValuesBuilder(bool isConst) : m_isConst(isConst) {}

    vc::Constraint *make(const valijson::adapters::Adapter &value) const override
    {
        return new AllowedValuesConstraint(toJson(value), m_isConst);
    }

private:
    bool m_isConst;
};

// ---------------------------------------------------------------------------------------------------------
// Diagnostics: the issues of an invalid document, with pointers and keywords

std::string escapePointerToken(std::string_view token)
{
    std::string out;
    out.reserve(token.size());
    for (const char c : token) {
        if (c == '~')
            out += "~0";
        else if (c == '/')
            out += "~1";
        else
            out += c;
    }
    return out;
}

size_t pointerDepth(const std::string &pointer)
{
    return static_cast<size_t>(std::count(pointer.begin(), pointer.end(), '/'));
}

const char *typeName(vc::TypeConstraint::JsonType type)
{
    switch (type) {
    case vc::TypeConstraint::kAny:
        return "any";
    case vc::TypeConstraint::kArray:
        return "array";
    case vc::TypeConstraint::kBoolean:
        return "boolean";
    case vc::TypeConstraint::kInteger:
        return "integer";
    case vc::TypeConstraint::kNull:
        return "null";
    case vc::TypeConstraint::kNumber:
        return "number";
    case vc::TypeConstraint::kObject:
        return "object";
    case vc::TypeConstraint::kString:
        return "string";
    }
    return "?";
}

std::string jsonTypeName(const nlohmann::json &value)
{
    if (value.is_number_integer())
        return "integer";
    if (value.is_number())
        return "number";
    return value.type_name();
}

// Walks a document along a compiled schema and records every issue with its pointer. Leaf keywords are
// checked by valijson's own visitor; the structural ones (properties, items, combinators, conditionals,
// dependencies, required) are walked here, which is what lets a failing oneOf report the issues of its
// closest alternative instead of every alternative's.
class Diagnoser final : public vc::ConstraintVisitor
{
public:
    Diagnoser(const nlohmann::json &value, std::string pointer, std::vector<ValidationIssue> &issues,
              RegexCache &regexes)
        : m_value(value), m_target(value), m_pointer(std::move(pointer)), m_issues(issues), m_regexes(regexes)
    {}

    bool check(const Subschema &subschema)
    {
        if (subschema.getAlwaysInvalid()) {
            report(m_pointer, "no value is allowed here (schema is false)", "false");
            return false;
        }
        Subschema::ApplyFunction fn = [this](const vc::Constraint &constraint) {
            return constraint.accept(*this);
        };
        return subschema.apply(fn);
    }

    bool visit(const vc::AllOfConstraint &constraint) override
    {
        bool ok = true;
        constraint.applyToSubschemas([&](unsigned, const Subschema *subschema) {
            ok = checkChild(*subschema, m_value, m_pointer) && ok;
            return true;
        });
        return ok;
    }

    bool visit(const vc::AnyOfConstraint &constraint) override
    {
        std::vector<const Subschema *> alternatives;
        constraint.applyToSubschemas([&](unsigned, const Subschema *subschema) {
            alternatives.push_back(subschema);
            return true;
        });
        return checkAlternatives(alternatives, "anyOf");
    }

    bool visit(const vc::OneOfConstraint &constraint) override
    {
        std::vector<const Subschema *> alternatives;
        constraint.applyToSubschemas([&](unsigned, const Subschema *subschema) {
            alternatives.push_back(subschema);
            return true;
        });
        return checkAlternatives(alternatives, "oneOf");
    }

    bool visit(const vc::ConditionalConstraint &constraint) override
    {
        const bool condition = passes(*constraint.getIfSubschema(), m_value);
        const Subschema *branch = condition ? constraint.getThenSubschema() : constraint.getElseSubschema();
        if (!branch || checkChild(*branch, m_value, m_pointer))
            return true;
        report(m_pointer,
               condition
                   ? "does not satisfy the 'then' schema that applies because the 'if' schema matched"
                   : "does not satisfy the 'else' schema that applies because the 'if' schema did not match",
               condition ? "then" : "else");
        return false;
    }

    bool visit(const vc::PropertiesConstraint &constraint) override
    {
        if (!m_value.is_object())
            return true;
        bool ok = true;
        std::vector<bool> matched(m_value.size(), false);
        constraint.applyToProperties([&](const auto &name, const Subschema *subschema) {
            const std::string key(name.c_str());
            if (auto it = m_value.find(key); it != m_value.end()) {
                matched[static_cast<size_t>(std::distance(m_value.begin(), it))] = true;
                ok = checkChild(*subschema, *it, childPointer(key)) && ok;
            }
            return true;
        });
        constraint.applyToPatternProperties([&](const auto &pattern, const Subschema *subschema) {
            const std::string source(pattern.c_str());
            size_t index = 0;
            for (auto it = m_value.begin(); it != m_value.end(); ++it, ++index) {
                if (searchSchemaPattern(source, it.key()).value_or(false)) {
                    matched[index] = true;
                    ok = checkChild(*subschema, it.value(), childPointer(it.key())) && ok;
                }
            }
            return true;
        });
        const Subschema *additional = constraint.getAdditionalPropertiesSubschema();
        size_t index = 0;
        for (auto it = m_value.begin(); it != m_value.end(); ++it, ++index) {
            if (matched[index])
                continue;
            if (additional) {
                ok = checkChild(*additional, it.value(), childPointer(it.key())) && ok;
            } else {
                report(childPointer(it.key()), "property '" + it.key() + "' is not allowed here",
                       "additionalProperties");
                ok = false;
            }
        }
        return ok;
    }

    bool visit(const vc::RequiredConstraint &constraint) override
    {
        if (!m_value.is_object())
            return true;
        bool ok = true;
        constraint.applyToRequiredProperties([&](const auto &name) {
            const std::string key(name.c_str());
            if (!m_value.contains(key)) {
                report(childPointer(key), "required property '" + key + "' is missing", "required");
                ok = false;
            }
            return true;
        });
        return ok;
    }

    bool visit(const vc::DependenciesConstraint &constraint) override
    {
        if (!m_value.is_object())
            return true;
        bool ok = true;
        constraint.applyToPropertyDependencies([&](const auto &name, const auto &dependencies) {
            const std::string key(name.c_str());
            if (!m_value.contains(key))
                return true;
            for (const auto &dependency : dependencies) {
                const std::string needed(dependency.c_str());
                if (!m_value.contains(needed)) {
                    report(childPointer(needed),
                           "property '" + needed + "' is required when '" + key + "' is present",
                           "dependencies");
                    ok = false;
                }
            }
            return true;
        });
        constraint.applyToSchemaDependencies([&](const auto &name, const Subschema *subschema) {
            if (m_value.contains(std::string(name.c_str())))
                ok = checkChild(*subschema, m_value, m_pointer) && ok;
            return true;
        });
        return ok;
    }

    bool visit(const vc::SingularItemsConstraint &constraint) override
    {
        if (!m_value.is_array() || !constraint.getItemsSubschema())
            return true;
        bool ok = true;
        for (size_t i = 0; i < m_value.size(); ++i)
            ok = checkChild(*constraint.getItemsSubschema(), m_value[i], childPointer(std::to_string(i))) &&
                 ok;
        return ok;
    }

    bool visit(const vc::LinearItemsConstraint &constraint) override
    {
        if (!m_value.is_array())
            return true;
        bool ok = true;
        size_t covered = 0;
        constraint.applyToItemSubschemas([&](unsigned index, const Subschema *subschema) {
            if (index >= m_value.size())
                return false;
            ok = checkChild(*subschema, m_value[index], childPointer(std::to_string(index))) && ok;
            covered = index + 1;
            return true;
        });
        const Subschema *additional = constraint.getAdditionalItemsSubschema();
        for (size_t i = covered; i < m_value.size(); ++i) {
            if (additional) {
                ok = checkChild(*additional, m_value[i], childPointer(std::to_string(i))) && ok;
            } else {
                report(childPointer(std::to_string(i)),
                       "the array allows no more than " + std::to_string(covered) + " items",
                       "additionalItems");
                ok = false;
            }
        }
        return ok;
    }

    bool visit(const vc::TypeConstraint &constraint) override
    {
        if (leafPasses(constraint))
            return true;
        std::string expected;
        constraint.applyToNamedTypes([&](vc::TypeConstraint::JsonType type) {
            expected += (expected.empty() ? "" : " or ") + std::string(typeName(type));
            return true;
        });
        report(m_pointer,
               "expected " + (expected.empty() ? std::string("another type") : expected) + ", got " +
                   jsonTypeName(m_value),
               "type");
        return false;
    }

    bool visit(const vc::EnumConstraint &constraint) override
    {
        if (leafPasses(constraint))
            return true;
        report(m_pointer, preview(m_value) + " is not one of the allowed values", "enum");
        return false;
    }

    bool visit(const vc::ConstConstraint &constraint) override
    {
        if (leafPasses(constraint))
            return true;
        report(m_pointer, preview(m_value) + " is not the required constant value", "const");
        return false;
    }

    bool visit(const vc::PatternConstraint &constraint) override
    {
        if (leafPasses(constraint))
            return true;
        report(m_pointer,
               preview(m_value) + " does not match the pattern " +
                   constraint.getPattern<std::allocator<char>>(),
               "pattern");
        return false;
    }

    bool visit(const vc::MaximumConstraint &constraint) override
    {
        const bool exclusive = constraint.getExclusiveMaximum();
        return bound(constraint, exclusive ? "exclusiveMaximum" : "maximum",
                     preview(m_value) +
                         (exclusive ? " must be less than " : " is greater than the maximum ") +
                         formatNumber(constraint.getMaximum()));
    }
    bool visit(const vc::MinimumConstraint &constraint) override
    {
        const bool exclusive = constraint.getExclusiveMinimum();
        return bound(constraint, exclusive ? "exclusiveMinimum" : "minimum",
                     preview(m_value) +
                         (exclusive ? " must be greater than " : " is less than the minimum ") +
                         formatNumber(constraint.getMinimum()));
    }
    bool visit(const vc::MaxItemsConstraint &constraint) override
    {
        return bound(constraint, "maxItems",
                     count("item") + ", more than the maximum of " +
                         std::to_string(constraint.getMaxItems()));
    }
    bool visit(const vc::MinItemsConstraint &constraint) override
    {
        return bound(constraint, "minItems",
                     count("item") + ", fewer than the minimum of " +
                         std::to_string(constraint.getMinItems()));
    }
    bool visit(const vc::MaxLengthConstraint &constraint) override
    {
        return bound(constraint, "maxLength",
                     preview(m_value) + " is longer than " + std::to_string(constraint.getMaxLength()) +
                         " characters");
    }
    bool visit(const vc::MinLengthConstraint &constraint) override
    {
        return bound(constraint, "minLength",
                     preview(m_value) + " is shorter than " + std::to_string(constraint.getMinLength()) +
                         " characters");
    }
    bool visit(const vc::MaxPropertiesConstraint &constraint) override
    {
        return bound(constraint, "maxProperties",
                     count("property") + ", more than the maximum of " +
                         std::to_string(constraint.getMaxProperties()));
    }
    bool visit(const vc::MinPropertiesConstraint &constraint) override
    {
        return bound(constraint, "minProperties",
                     count("property") + ", fewer than the minimum of " +
                         std::to_string(constraint.getMinProperties()));
    }
    bool visit(const vc::MultipleOfDoubleConstraint &constraint) override
    {
        return bound(constraint, "multipleOf",
                     preview(m_value) + " is not a multiple of " + formatNumber(constraint.getDivisor()));
    }
    bool visit(const vc::MultipleOfIntConstraint &constraint) override
    {
        return bound(constraint, "multipleOf",
                     preview(m_value) + " is not a multiple of " + std::to_string(constraint.getDivisor()));
    }
    bool visit(const vc::ContainsConstraint &constraint) override { return leaf(constraint, "contains"); }
    bool visit(const vc::FormatConstraint &constraint) override { return leaf(constraint, "format"); }
    bool visit(const vc::NotConstraint &constraint) override { return leaf(constraint, "not"); }
    bool visit(const vc::PolyConstraint &constraint) override
    {
        const auto *keyworded = dynamic_cast<const KeywordConstraint *>(&constraint);
        return leaf(constraint, keyworded ? keyworded->keyword() : "x-custom");
    }
    bool visit(const vc::PropertyNamesConstraint &constraint) override
    {
        return leaf(constraint, "propertyNames");
    }
    bool visit(const vc::UniqueItemsConstraint &constraint) override
    {
        return leaf(constraint, "uniqueItems");
    }

private:
    void report(std::string pointer, std::string message, std::string keyword)
    {
        m_issues.push_back({std::move(pointer), std::move(message), std::move(keyword)});
    }

    std::string childPointer(std::string_view token) const
    {
        return m_pointer + '/' + escapePointerToken(token);
    }

    bool passes(const Subschema &subschema, const nlohmann::json &value)
    {
        valijson::ValidationVisitor<Adapter> visitor(Adapter(value), {}, true, nullptr, m_regexes);
        return visitor.validateSchema(subschema);
    }

    bool checkChild(const Subschema &subschema, const nlohmann::json &value, std::string pointer)
    {
        Diagnoser child(value, std::move(pointer), m_issues, m_regexes);
        return child.check(subschema);
    }

    bool leafPasses(const vc::Constraint &constraint)
    {
        valijson::ValidationVisitor<Adapter> visitor(m_target, {}, true, nullptr, m_regexes);
        return constraint.accept(visitor);
    }

    // A numeric or size bound: valijson decides, the message says what the limit is in the user's terms.
    bool bound(const vc::Constraint &constraint, const char *keyword, const std::string &message)
    {
        if (leafPasses(constraint))
            return true;
        report(m_pointer, message, keyword);
        return false;
    }

    // "the array has 4 items" / "the object has 1 property"
    std::string count(const std::string &noun) const
    {
        const size_t n = m_value.size();
        const std::string plural = noun == "property" ? "properties" : noun + 's';
        return std::string(m_value.is_array() ? "the array" : "the object") + " has " + std::to_string(n) +
               ' ' + (n == 1 ? noun : plural);
    }

    // Checks a leaf keyword with valijson and reports its messages at the current pointer.
    bool leaf(const vc::Constraint &constraint, const char *keyword)
    {
        valijson::ValidationResults results;
        valijson::ValidationVisitor<Adapter> visitor(m_target, {}, true, &results, m_regexes);
        if (constraint.accept(visitor))
            return true;
        valijson::ValidationResults::Error error;
        bool reported = false;
        while (results.popError(error)) {
            report(m_pointer, error.description, keyword);
            reported = true;
        }
        if (!reported)
            report(m_pointer, std::string("fails the '") + keyword + "' constraint", keyword);
        return false;
    }

    struct Alternative
    {
        std::vector<ValidationIssue> issues;
        size_t mismatches = 0; // issues saying "this is not the alternative the author meant"
    };

    // How strongly the issues of one alternative say that the document was not meant to be that alternative:
    // a wrong type of the value itself, or a wrong discriminator (const/enum) on the value or one of its
    // direct properties.
    size_t countMismatches(const std::vector<ValidationIssue> &issues) const
    {
        const size_t depth = pointerDepth(m_pointer);
        return static_cast<size_t>(
            std::count_if(issues.begin(), issues.end(), [&](const ValidationIssue &issue) {
                const size_t issueDepth = pointerDepth(issue.pointer);
                if (issue.pointer == m_pointer && issue.keyword == "type")
                    return true;
                return (issue.keyword == "const" || issue.keyword == "enum") && issueDepth <= depth + 1;
            }));
    }

    bool checkAlternatives(const std::vector<const Subschema *> &alternatives, const char *keyword)
    {
        size_t matching = 0;
        for (const Subschema *alternative : alternatives)
            matching += passes(*alternative, m_value) ? 1 : 0;
        const bool oneOf = std::string_view(keyword) == "oneOf";
        if (matching == 1 || (matching > 1 && !oneOf))
            return true;
        if (matching > 1) {
            report(m_pointer,
                   "matches " + std::to_string(matching) + " alternatives of oneOf, exactly one allowed",
                   keyword);
            return false;
        }

        std::vector<Alternative> diagnosed;
        for (const Subschema *alternative : alternatives) {
            Alternative a;
            Diagnoser child(m_value, m_pointer, a.issues, m_regexes);
            child.check(*alternative);
            a.mismatches = countMismatches(a.issues);
            diagnosed.push_back(std::move(a));
        }
        const auto closer = [](const Alternative &a, const Alternative &b) {
            return std::pair(a.mismatches, a.issues.size()) < std::pair(b.mismatches, b.issues.size());
        };
        if (!diagnosed.empty()) {
            const Alternative &best = *std::min_element(diagnosed.begin(), diagnosed.end(), closer);
            for (const Alternative &a : diagnosed) {
                if (closer(best, a))
                    continue;
                m_issues.insert(m_issues.end(), a.issues.begin(), a.issues.end());
            }
        }
        report(m_pointer,
               "matches none of the " + std::to_string(alternatives.size()) + " alternatives of " + keyword,
               keyword);
        return false;
    }

    const nlohmann::json &m_value;
    Adapter m_target;
    std::string m_pointer;
    std::vector<ValidationIssue> &m_issues;
    RegexCache &m_regexes;
};

// Issues of the same pointer, message and keyword (e.g. reported by two tied alternatives) are shown once.
void removeDuplicates(std::vector<ValidationIssue> &issues)
{
    std::vector<ValidationIssue> unique;
    for (auto &issue : issues) {
        const bool seen = std::any_of(unique.begin(), unique.end(), [&](const ValidationIssue &u) {
            return u.pointer == issue.pointer && u.message == issue.message && u.keyword == issue.keyword;
        });
        if (!seen)
            unique.push_back(std::move(issue));
    }
    issues = std::move(unique);
}

// valijson still matches `patternProperties` with std::regex (member names, bounded by
// kMaxPropertyNameBytes before it runs); each thread keeps the regexes it has compiled, as std::regex is not
// safe to share across threads for matching in every standard library.
RegexCache &threadRegexCache()
{
    thread_local RegexCache cache;
    return cache;
}

// Limits checked before any schema keyword runs (docs/robustness.md): valijson walks nested values and
// matches member names against patternProperties with std::regex, both recursively.
constexpr std::size_t kMaxPropertyNameBytes = 256;
constexpr std::size_t kMaxDepth = 64;

// The first place where `document` exceeds those limits, walked with an explicit stack.
std::optional<ValidationIssue> exceedsLimits(const nlohmann::json &document)
{
    struct Pending
    {
        const nlohmann::json *value;
        std::string pointer;
        std::size_t depth;
    };
    std::vector<Pending> stack{{&document, std::string(), 0}};
    while (!stack.empty()) {
        Pending current = std::move(stack.back());
        stack.pop_back();
        if (!current.value->is_structured())
            continue;
        if (current.depth >= kMaxDepth)
            return ValidationIssue{current.pointer,
                                   "values are nested deeper than " + std::to_string(kMaxDepth) + " levels",
                                   "maxDepth"};
        if (current.value->is_array()) {
            for (std::size_t i = 0; i < current.value->size(); ++i)
                stack.push_back(
                    {&(*current.value)[i], current.pointer + '/' + std::to_string(i), current.depth + 1});
            continue;
        }
        for (auto it = current.value->begin(); it != current.value->end(); ++it) {
            if (it.key().size() > kMaxPropertyNameBytes)
                return ValidationIssue{current.pointer,
                                       "a property name is longer than " +
                                           std::to_string(kMaxPropertyNameBytes) + " bytes",
                                       "propertyNames"};
            stack.push_back(
                {&it.value(), current.pointer + '/' + escapePointerToken(it.key()), current.depth + 1});
        }
    }
    return std::nullopt;
}

} // namespace

// ---------------------------------------------------------------------------------------------------------

struct SchemaRegistry::Private
{
    struct Compiled
    {
        valijson::Schema schema;
        std::string error; // non-empty when the schema could not be compiled
    };

    struct Entry
    {
        nlohmann::json document; // as loaded, with every $ref made absolute
        // Built on first use, guarded by compileMutex: the form valijson parses, and the compiled schema.
        mutable std::unique_ptr<nlohmann::json> compileForm;
        mutable std::unique_ptr<Compiled> compiled;
        // Set once `compiled` is complete, so that validations after the first take no lock.
        mutable std::atomic<const Compiled *> ready = nullptr;
    };

    DateFormatCheck dateFormatCheck = DateFormatCheck::Precompiled;
    std::map<std::string, Entry, std::less<>> entries;
    mutable std::mutex compileMutex;

    const Compiled &compiledFor(const std::string &id, const Entry &entry) const;
};

const SchemaRegistry::Private::Compiled &SchemaRegistry::Private::compiledFor(const std::string &id,
                                                                              const Entry &entry) const
{
    if (const Compiled *compiled = entry.ready.load(std::memory_order_acquire))
        return *compiled;
    const std::lock_guard lock(compileMutex);
    if (entry.compiled)
        return *entry.compiled;
    auto compiled = std::make_unique<Compiled>();
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    parser.addConstraintBuilder(kDateFormatKeyword, new DateFormatBuilder);
    parser.addConstraintBuilder(kEnumKeyword, new AllowedValuesBuilder(false));
    parser.addConstraintBuilder(kConstKeyword, new AllowedValuesBuilder(true));
    parser.addConstraintBuilder(kPatternKeyword, new PatternBuilder);
    // Referenced documents are served from the registry, which outlives the parse; nothing to free.
    const auto fetch = [this](const std::string &uri) -> const nlohmann::json * {
        const auto it = entries.find(uri);
        if (it == entries.end())
            return nullptr;
        if (!it->second.compileForm)
            it->second.compileForm = std::make_unique<nlohmann::json>(
                compileForm(it->second.document, dateFormatCheck == DateFormatCheck::Precompiled));
        return it->second.compileForm.get();
    };
    const auto release = [](const nlohmann::json *) {};
    // valijson resolves a `$ref` on the root node of the document it parses against that document itself
    // (the referenced file is never fetched), so a schema file that is only a reference to another file would
    // recurse forever. The root is therefore always a wrapper that references the entry through the fetch
    // path.
    const nlohmann::json root = {{"allOf", {{{"$ref", id + '#'}}}}};
    try {
        parser.populateSchema<Adapter>(Adapter(root), compiled->schema, fetch, release);
    } catch (const std::exception &e) {
        compiled->error = e.what();
    }
    entry.compiled = std::move(compiled);
    entry.ready.store(entry.compiled.get(), std::memory_order_release);
    return *entry.compiled;
}

SchemaRegistry::SchemaRegistry(DateFormatCheck dateFormatCheck) : d(std::make_unique<Private>())
{
    d->dateFormatCheck = dateFormatCheck;
}

SchemaRegistry::~SchemaRegistry() = default;

bool SchemaRegistry::loadDirectory(const QString &directory, QString *error)
{
    const QDir root(directory);
    if (!root.exists()) {
        if (error)
            *error = QStringLiteral("schema folder %1 does not exist").arg(directory);
        return false;
    }
    QStringList files;
    QDirIterator it(directory, {QStringLiteral("*.json")}, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext())
        files.push_back(it.next());
    files.sort(); // a deterministic order, so that the same file fails first every time

    // Schemas compiled so far may reference a file this load replaces.
    for (auto &[id, entry] : d->entries) {
        entry.ready.store(nullptr);
        entry.compileForm.reset();
        entry.compiled.reset();
    }
    for (const QString &path : files) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            if (error)
                *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
            return false;
        }
        const QByteArray bytes = file.readAll();
        nlohmann::json document = nlohmann::json::parse(bytes.begin(), bytes.end(), nullptr, false);
        if (document.is_discarded() || !(document.is_object() || document.is_boolean())) {
            if (error)
                *error = QStringLiteral("%1 is not a JSON Schema (invalid JSON or not an object)").arg(path);
            return false;
        }
        std::string id;
        if (document.is_object() && document.contains("$id") && document["$id"].is_string())
            id = document["$id"].get<std::string>();
        else
            id = "/schemas/" + root.relativeFilePath(path).toStdString();
        rewriteRefs(document, id);
        d->entries[id].document = std::move(document);
    }
    return true;
}

std::shared_ptr<const SchemaRegistry> SchemaRegistry::bundled()
{
    static const std::shared_ptr<const SchemaRegistry> registry = [] {
        auto r = std::make_shared<SchemaRegistry>();
        // An empty or absent :/schemas leaves an empty registry; validate() then reports unknown ids.
        if (QDir(QStringLiteral(":/schemas")).exists())
            r->loadDirectory(QStringLiteral(":/schemas"));
        return r;
    }();
    return registry;
}

bool SchemaRegistry::contains(std::string_view schemaId) const
{
    return d->entries.find(schemaId) != d->entries.end();
}

std::vector<std::string> SchemaRegistry::schemaIds() const
{
    std::vector<std::string> ids;
    ids.reserve(d->entries.size());
    for (const auto &[id, entry] : d->entries)
        ids.push_back(id);
    return ids;
}

nlohmann::json SchemaRegistry::schemaDocument(std::string_view schemaId) const
{
    const auto it = d->entries.find(schemaId);
    return it == d->entries.end() ? nlohmann::json() : it->second.document;
}

std::vector<ValidationIssue> SchemaRegistry::validate(std::string_view schemaId,
                                                      const nlohmann::json &document) const
{
    const auto it = d->entries.find(schemaId);
    if (it == d->entries.end())
        return {{"", "unknown schema " + std::string(schemaId), "$ref"}};
    const Private::Compiled &compiled = d->compiledFor(it->first, it->second);
    if (!compiled.error.empty())
        return {{"", "schema " + std::string(schemaId) + " cannot be used: " + compiled.error, "$ref"}};

    if (auto issue = exceedsLimits(document))
        return {std::move(*issue)};
    RegexCache &regexes = threadRegexCache();
    valijson::ValidationVisitor<Adapter> quick(Adapter(document), {}, true, nullptr, regexes);
    if (quick.validateSchema(compiled.schema))
        return {};
    std::vector<ValidationIssue> issues;
    Diagnoser(document, std::string(), issues, regexes).check(compiled.schema);
    removeDuplicates(issues);
    if (issues.empty()) // cannot happen unless the two walks disagree; never report an invalid document as
                        // valid
        issues.push_back({"", "document does not match the schema", "schema"});
    return issues;
}

} // namespace adcp
