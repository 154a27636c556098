#pragma once

#include <QByteArray>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// RFC 8941 structured fields, the subset HTTP message signatures use (Signature-Input, Signature,
// Content-Digest), parsed strictly: every input is a peer's bytes, a parser answers nullopt with a reason.
namespace adcp::httpsig {

// ---- RFC 8941 structured fields ----

struct SfBareItem
{
    enum class Type { Integer, Decimal, String, Token, Bytes, Boolean };
    Type type = Type::Integer;
    long long integer = 0;
    std::string text; // String and Token values; a Decimal as written
    QByteArray bytes; // Bytes, decoded
    bool boolean = false;
};
using SfParameters = std::vector<std::pair<std::string, SfBareItem>>;
struct SfItem
{
    SfBareItem value;
    SfParameters parameters;
};
struct SfMember
{
    bool innerList = false;
    SfItem item;               // when !innerList
    std::vector<SfItem> items; // when innerList
    SfParameters parameters;   // the inner list's own parameters
};
using SfDictionary = std::vector<std::pair<std::string, SfMember>>;

// A Dictionary, strictly: any syntax error, and a key given twice (which RFC 8941 lets a parser resolve by
// keeping the last, a proxy-smuggling hazard for signatures), give nullopt and the reason. Byte sequences are
// accepted in the base64 and the base64url alphabet (signers emit both).
std::optional<SfDictionary> parseDictionary(std::string_view text, std::string *error = nullptr);
// The canonical serialization of an inner list with its parameters, i.e. the @signature-params value.
std::string serializeInnerList(const SfMember &member);
const SfBareItem *findParameter(const SfParameters &parameters, std::string_view name);

} // namespace adcp::httpsig
