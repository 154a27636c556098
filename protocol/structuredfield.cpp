#include "structuredfield.h"

#include <QByteArray>

namespace adcp::httpsig {

namespace {

void setError(std::string *error, std::string text)
{
    if (error)
        *error = std::move(text);
}

// ---- RFC 8941 parser: a cursor over the field value ----

class SfParser final
{
public:
    explicit SfParser(std::string_view text) : m_text(text) {}

    std::optional<SfDictionary> dictionary()
    {
        SfDictionary out;
        skip(' ');
        while (!atEnd()) {
            auto key = parseKey();
            if (!key)
                return std::nullopt;
            for (const auto &[existing, member] : out) {
                if (existing == *key)
                    return fail("dictionary key '" + *key + "' appears twice");
            }
            SfMember member;
            if (peek() == '=') {
                ++m_pos;
                if (!memberValue(&member))
                    return std::nullopt;
            } else {
                member.item.value.type = SfBareItem::Type::Boolean;
                member.item.value.boolean = true;
                if (!parameters(&member.item.parameters))
                    return std::nullopt;
            }
            out.emplace_back(std::move(*key), std::move(member));
            skipOws();
            if (atEnd())
                return out;
            if (peek() != ',')
                return fail("expected ',' between dictionary members");
            ++m_pos;
            skipOws();
            if (atEnd())
                return fail("trailing ',' in dictionary");
        }
        return out;
    }

    const std::string &error() const { return m_error; }

private:
    bool atEnd() const { return m_pos >= m_text.size(); }
    char peek() const { return atEnd() ? '\0' : m_text[m_pos]; }
    void skip(char c)
    {
        while (!atEnd() && m_text[m_pos] == c)
            ++m_pos;
    }
    void skipOws()
    {
        while (!atEnd() && (m_text[m_pos] == ' ' || m_text[m_pos] == '\t'))
            ++m_pos;
    }
    std::nullopt_t fail(std::string message)
    {
        if (m_error.empty())
            m_error = std::move(message);
        return std::nullopt;
    }
    static bool lcalpha(char c) { return c >= 'a' && c <= 'z'; }
    static bool digit(char c) { return c >= '0' && c <= '9'; }
    static bool alpha(char c) { return lcalpha(c) || (c >= 'A' && c <= 'Z'); }
    static bool tchar(char c)
    {
        return alpha(c) || digit(c) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    }

    std::optional<std::string> parseKey()
    {
        const char first = peek();
        if (!lcalpha(first) && first != '*')
            return fail("a key must start with a lowercase letter or '*'");
        const std::size_t start = m_pos;
        while (!atEnd() && (lcalpha(peek()) || digit(peek()) ||
                            std::string_view("_-.*").find(peek()) != std::string_view::npos))
            ++m_pos;
        return std::string(m_text.substr(start, m_pos - start));
    }

    bool memberValue(SfMember *member)
    {
        if (peek() != '(') {
            auto bare = bareItem();
            if (!bare)
                return false;
            member->item.value = std::move(*bare);
            return parameters(&member->item.parameters);
        }
        member->innerList = true;
        ++m_pos;
        for (;;) {
            skip(' ');
            if (peek() == ')') {
                ++m_pos;
                return parameters(&member->parameters);
            }
            SfItem item;
            auto bare = bareItem();
            if (!bare)
                return false;
            item.value = std::move(*bare);
            if (!parameters(&item.parameters))
                return false;
            member->items.push_back(std::move(item));
            if (peek() != ' ' && peek() != ')') {
                fail("inner list items must be separated by spaces and closed by ')'");
                return false;
            }
        }
    }

    bool parameters(SfParameters *out)
    {
        while (peek() == ';') {
            ++m_pos;
            skip(' ');
            auto key = parseKey();
            if (!key)
                return false;
            for (const auto &[existing, value] : *out) {
                if (existing == *key) {
                    fail("parameter '" + *key + "' appears twice");
                    return false;
                }
            }
            SfBareItem value;
            value.type = SfBareItem::Type::Boolean;
            value.boolean = true;
            if (peek() == '=') {
                ++m_pos;
                auto bare = bareItem();
                if (!bare)
                    return false;
                value = std::move(*bare);
            }
            out->emplace_back(std::move(*key), std::move(value));
        }
        return true;
    }

    std::optional<SfBareItem> bareItem()
    {
        const char c = peek();
        if (c == '-' || digit(c))
            return number();
        if (c == '"')
            return string();
        if (alpha(c) || c == '*')
            return token();
        if (c == ':')
            return bytes();
        if (c == '?')
            return boolean();
        return fail(atEnd() ? std::string("a value is missing")
                            : "unexpected character '" + std::string(1, c) + "'");
    }

    std::optional<SfBareItem> number()
    {
        SfBareItem item;
        const std::size_t start = m_pos;
        if (peek() == '-')
            ++m_pos;
        std::size_t intDigits = 0, fracDigits = 0;
        bool decimal = false;
        while (!atEnd() && (digit(peek()) || (peek() == '.' && !decimal))) {
            if (peek() == '.') {
                decimal = true;
                if (intDigits == 0 || intDigits > 12)
                    return fail("malformed decimal");
            } else if (decimal) {
                ++fracDigits;
            } else {
                ++intDigits;
            }
            ++m_pos;
        }
        const std::string text(m_text.substr(start, m_pos - start));
        if (intDigits == 0)
            return fail("a number needs digits");
        if (decimal) {
            if (fracDigits == 0 || fracDigits > 3)
                return fail("malformed decimal");
            item.type = SfBareItem::Type::Decimal;
            item.text = text;
            return item;
        }
        if (intDigits > 15)
            return fail("integer longer than 15 digits");
        item.type = SfBareItem::Type::Integer;
        item.integer = std::stoll(text);
        return item;
    }

    std::optional<SfBareItem> string()
    {
        SfBareItem item;
        item.type = SfBareItem::Type::String;
        ++m_pos;
        while (!atEnd()) {
            const char c = m_text[m_pos++];
            if (c == '\\') {
                if (atEnd() || (peek() != '"' && peek() != '\\'))
                    return fail("bad escape in a string");
                item.text += m_text[m_pos++];
            } else if (c == '"') {
                return item;
            } else if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) {
                return fail("a string holds a byte outside printable ASCII");
            } else {
                item.text += c;
            }
        }
        return fail("unterminated string");
    }

    std::optional<SfBareItem> token()
    {
        SfBareItem item;
        item.type = SfBareItem::Type::Token;
        const std::size_t start = m_pos;
        ++m_pos;
        while (!atEnd() && (tchar(peek()) || peek() == ':' || peek() == '/'))
            ++m_pos;
        item.text = std::string(m_text.substr(start, m_pos - start));
        return item;
    }

    std::optional<SfBareItem> bytes()
    {
        ++m_pos;
        const std::size_t start = m_pos;
        while (!atEnd() && peek() != ':') {
            const char c = peek();
            if (!alpha(c) && !digit(c) && c != '+' && c != '/' && c != '=' && c != '-' && c != '_')
                return fail("a byte sequence holds a character outside base64");
            ++m_pos;
        }
        if (atEnd())
            return fail("unterminated byte sequence");
        QByteArray encoded(m_text.data() + start, qsizetype(m_pos - start));
        ++m_pos;
        // base64url is folded onto base64 (signers emit both); padding is optional.
        encoded.replace('-', '+').replace('_', '/');
        while (encoded.endsWith('='))
            encoded.chop(1);
        if (encoded.size() % 4 == 1)
            return fail("a byte sequence is not valid base64");
        while (encoded.size() % 4 != 0)
            encoded += '=';
        auto decoded = QByteArray::fromBase64Encoding(encoded, QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded)
            return fail("a byte sequence is not valid base64");
        SfBareItem item;
        item.type = SfBareItem::Type::Bytes;
        item.bytes = *decoded;
        return item;
    }

    std::optional<SfBareItem> boolean()
    {
        ++m_pos;
        if (peek() != '0' && peek() != '1')
            return fail("a boolean is ?0 or ?1");
        SfBareItem item;
        item.type = SfBareItem::Type::Boolean;
        item.boolean = peek() == '1';
        ++m_pos;
        return item;
    }

    std::string_view m_text;
    std::size_t m_pos = 0;
    std::string m_error;
};

std::string serializeBare(const SfBareItem &item)
{
    switch (item.type) {
    case SfBareItem::Type::Integer:
        return std::to_string(item.integer);
    case SfBareItem::Type::Decimal:
    case SfBareItem::Type::Token:
        return item.text;
    case SfBareItem::Type::String: {
        std::string out = "\"";
        for (char c : item.text) {
            if (c == '"' || c == '\\')
                out += '\\';
            out += c;
        }
        return out + '"';
    }
    case SfBareItem::Type::Bytes:
        return ':' + item.bytes.toBase64().toStdString() + ':';
    case SfBareItem::Type::Boolean:
        return item.boolean ? "?1" : "?0";
    }
    return {};
}

std::string serializeParameters(const SfParameters &parameters)
{
    std::string out;
    for (const auto &[key, value] : parameters) {
        out += ';' + key;
        if (value.type != SfBareItem::Type::Boolean || !value.boolean)
            out += '=' + serializeBare(value);
    }
    return out;
}

} // namespace

// ---- structured fields ----

std::optional<SfDictionary> parseDictionary(std::string_view text, std::string *error)
{
    SfParser parser(text);
    auto result = parser.dictionary();
    if (!result)
        setError(error, parser.error());
    return result;
}

std::string serializeInnerList(const SfMember &member)
{
    std::string out = "(";
    for (std::size_t i = 0; i < member.items.size(); ++i) {
        if (i > 0)
            out += ' ';
        out += serializeBare(member.items[i].value) + serializeParameters(member.items[i].parameters);
    }
    return out + ')' + serializeParameters(member.parameters);
}

const SfBareItem *findParameter(const SfParameters &parameters, std::string_view name)
{
    for (const auto &[key, value] : parameters) {
        if (key == name)
            return &value;
    }
    return nullptr;
}

} // namespace adcp::httpsig
