#include "jsonwrite.h"

#include <charconv>
#include <cstdint>
#include <cstring>
#include <optional>

namespace adcp::wire {

namespace {

using Json = nlohmann::json;

constexpr std::uint64_t kOnes = 0x0101010101010101ull;
constexpr std::uint64_t kHighs = 0x8080808080808080ull;

// Whether any of the eight bytes of `w` is below 0x20, a quote or a backslash, or has its high bit set: the
// bytes that are not copied as they are. The usual "has a zero byte" tests are exact for whether such a byte
// exists, which is all that is asked here.
inline bool needsCare(std::uint64_t w)
{
    const std::uint64_t control = (w - kOnes * 0x20) & ~w;
    const std::uint64_t quote = w ^ (kOnes * '"');
    const std::uint64_t backslash = w ^ (kOnes * '\\');
    return ((control | ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash)) & kHighs) != 0 ||
           (w & kHighs) != 0;
}

inline void appendEscape(std::string &out, unsigned char c)
{
    static constexpr char kHex[] = "0123456789abcdef";
    switch (c) {
    case '"':
        out += "\\\"";
        break;
    case '\\':
        out += "\\\\";
        break;
    case '\b':
        out += "\\b";
        break;
    case '\f':
        out += "\\f";
        break;
    case '\n':
        out += "\\n";
        break;
    case '\r':
        out += "\\r";
        break;
    case '\t':
        out += "\\t";
        break;
    default: {
        const char code[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
        out.append(code, sizeof code);
    }
    }
}

// The length of the well-formed UTF-8 sequence at s[i] (its first byte >= 0x80), per the Unicode standard's
// table of well-formed byte sequences (no overlong forms, no surrogates, nothing above U+10FFFF), or 0.
inline std::size_t utf8Sequence(std::string_view s, std::size_t i)
{
    const auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char b0 = at(i);
    const std::size_t left = s.size() - i;
    const auto cont = [&](std::size_t k, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
        return at(i + k) >= lo && at(i + k) <= hi;
    };
    if (b0 >= 0xC2 && b0 <= 0xDF)
        return left >= 2 && cont(1) ? 2 : 0;
    if (b0 >= 0xE0 && b0 <= 0xEF) {
        if (left < 3)
            return 0;
        const bool second = b0 == 0xE0 ? cont(1, 0xA0) : b0 == 0xED ? cont(1, 0x80, 0x9F) : cont(1);
        return second && cont(2) ? 3 : 0;
    }
    if (b0 >= 0xF0 && b0 <= 0xF4) {
        if (left < 4)
            return 0;
        const bool second = b0 == 0xF0 ? cont(1, 0x90) : b0 == 0xF4 ? cont(1, 0x80, 0x8F) : cont(1);
        return second && cont(2) && cont(3) ? 4 : 0;
    }
    return 0;
}

// Appends the escaped body of a string (no quotes); false (and `out` as it was) when the bytes are not
// well-formed UTF-8.
bool appendEscaped(std::string &out, std::string_view s)
{
    const std::size_t mark = out.size();
    std::size_t run = 0; // start of the bytes not yet copied
    std::size_t i = 0;
    const std::size_t n = s.size();
    while (i < n) {
        if (n - i >= 8) {
            std::uint64_t w;
            std::memcpy(&w, s.data() + i, 8);
            if (!needsCare(w)) {
                i += 8;
                continue;
            }
        }
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            const std::size_t length = utf8Sequence(s, i);
            if (length == 0) {
                out.resize(mark);
                return false;
            }
            i += length;
            continue;
        }
        if (c >= 0x20 && c != '"' && c != '\\') {
            ++i;
            continue;
        }
        out.append(s.data() + run, i - run);
        appendEscape(out, c);
        run = ++i;
    }
    out.append(s.data() + run, n - run);
    return true;
}

// Writes one document; what it does not write itself goes through nlohmann's serializer, made on first need.
class Writer
{
public:
    explicit Writer(std::string &out) : m_out(out) {}

    void value(const Json &v)
    {
        switch (v.type()) {
        case Json::value_t::object: {
            const auto &members = v.get_ref<const Json::object_t &>();
            m_out += '{';
            bool first = true;
            for (const auto &[key, member] : members) {
                if (!first)
                    m_out += ',';
                first = false;
                string(key);
                m_out += ':';
                value(member);
            }
            m_out += '}';
            return;
        }
        case Json::value_t::array: {
            const auto &items = v.get_ref<const Json::array_t &>();
            m_out += '[';
            bool first = true;
            for (const auto &item : items) {
                if (!first)
                    m_out += ',';
                first = false;
                value(item);
            }
            m_out += ']';
            return;
        }
        case Json::value_t::string:
            string(v.get_ref<const Json::string_t &>());
            return;
        case Json::value_t::boolean:
            m_out += v.get<bool>() ? "true" : "false";
            return;
        case Json::value_t::null:
            m_out += "null";
            return;
        case Json::value_t::number_integer:
            integer(v.get<Json::number_integer_t>());
            return;
        case Json::value_t::number_unsigned:
            integer(v.get<Json::number_unsigned_t>());
            return;
        default:
            fallback(v); // floating point, binary, discarded
        }
    }

private:
    void string(const std::string &text)
    {
        const std::size_t mark = m_out.size();
        m_out += '"';
        if (appendEscaped(m_out, text)) {
            m_out += '"';
            return;
        }
        m_out.resize(mark);
        fallback(Json(text));
    }

    template <typename Int> void integer(Int n)
    {
        char digits[24];
        const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
        m_out.append(digits, end);
    }

    void fallback(const Json &v)
    {
        if (!m_serializer)
            m_serializer.emplace(nlohmann::detail::output_adapter<char, std::string>(m_out), ' ',
                                 Json::error_handler_t::replace);
        m_serializer->dump(v, false, false, 0);
    }

    std::string &m_out;
    std::optional<nlohmann::detail::serializer<Json>> m_serializer;
};

} // namespace

void appendDump(std::string &out, const nlohmann::json &value)
{
    Writer(out).value(value);
}

void appendJsonString(std::string &out, std::string_view utf8)
{
    out.reserve(out.size() + utf8.size() + utf8.size() / 8 + 2);
    out += '"';
    appendStringContent(out, utf8);
    out += '"';
}

void appendStringContent(std::string &out, std::string_view utf8)
{
    // Text this program wrote is dense in quotes (two per key): a plain byte loop that copies the runs
    // between special bytes measured faster here than the word-at-a-time scan or a branch-free table copy.
    std::size_t run = 0; // start of the bytes not yet copied
    for (std::size_t i = 0; i < utf8.size(); ++i) {
        const auto c = static_cast<unsigned char>(utf8[i]);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out.append(utf8.data() + run, i - run);
        appendEscape(out, c);
        run = i + 1;
    }
    out.append(utf8.data() + run, utf8.size() - run);
}

void TwinText::append(std::string_view json)
{
    text += json;
    appendStringContent(escaped, json);
}

void TwinText::append(const TwinText &prepared)
{
    text += prepared.text;
    escaped += prepared.escaped;
}

void TwinText::reserve(std::size_t textBytes)
{
    text.reserve(textBytes);
    escaped.reserve(textBytes + textBytes / 8);
}

PreparedMember prepareMember(const std::string &key, const nlohmann::json &value)
{
    PreparedMember member{key, {}};
    std::string piece;
    appendDump(piece, Json::object({{key, value}}));
    // `{"key":value}` without its braces.
    member.piece.append(std::string_view(piece).substr(1, piece.size() - 2));
    return member;
}

std::vector<PreparedMember> prepareMembers(const nlohmann::json &object)
{
    std::vector<PreparedMember> members;
    if (!object.is_object())
        return members;
    members.reserve(object.size());
    for (const auto &[key, value] : object.items())
        members.push_back(prepareMember(key, value));
    return members;
}

namespace {

// Merges `members` (a sorted source of keys, written by `write`) with `overrides`, as described in the
// header.
template <typename Source, typename KeyOf, typename Write>
void mergeObject(TwinText &out, const Source &members, KeyOf keyOf, Write write,
                 std::span<const PreparedMember> overrides)
{
    out.text += '{';
    out.escaped += '{';
    bool first = true;
    auto separate = [&] {
        if (!first) {
            out.text += ',';
            out.escaped += ',';
        }
        first = false;
    };
    auto extra = overrides.begin();
    for (auto it = members.begin(); it != members.end(); ++it) {
        const std::string &key = keyOf(it);
        for (; extra != overrides.end() && extra->key < key; ++extra) {
            separate();
            out.append(extra->piece);
        }
        if (extra != overrides.end() && extra->key == key)
            continue; // the override's member is written in its turn
        separate();
        write(it);
    }
    for (; extra != overrides.end(); ++extra) {
        separate();
        out.append(extra->piece);
    }
    out.text += '}';
    out.escaped += '}';
}

} // namespace

void appendObject(TwinText &out, std::span<const PreparedMember> members,
                  std::span<const PreparedMember> overrides)
{
    mergeObject(
        out, members, [](auto it) -> const std::string & { return it->key; },
        [&](auto it) { out.append(it->piece); }, overrides);
}

void appendObject(TwinText &out, const nlohmann::json &object, std::span<const PreparedMember> overrides)
{
    const auto &members = object.get_ref<const Json::object_t &>();
    mergeObject(
        out, members, [](auto it) -> const std::string & { return it->first; },
        [&](auto it) {
            const std::size_t mark = out.text.size();
            appendDump(out.text, Json(it->first)); // as appendDump writes a key (invalid UTF-8 replaced)
            out.text += ':';
            appendDump(out.text, it->second);
            appendStringContent(out.escaped, std::string_view(out.text).substr(mark));
        },
        overrides);
}

} // namespace adcp::wire
