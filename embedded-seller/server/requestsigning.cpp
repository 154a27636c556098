#include "requestsigning.h"

#include <QCryptographicHash>
#include <QFile>

#include <algorithm>
#include <chrono>

namespace adcp::seller {

Q_LOGGING_CATEGORY(lcRequestSigning, "adcp.seller.signing")

namespace {

using httpsig::SfBareItem;

constexpr std::string_view kRequestSigningTag = "adcp/request-signing/v1";
constexpr long long kMaxWindowSeconds = 300;
constexpr long long kClockSkewSeconds = 60;
constexpr std::size_t kMaxNonceBytes = 256;

// Every line of a header, in order (a field sent on several lines is one list, RFC 9110 §5.3).
std::vector<std::string_view> headerLines(const HttpRequest &request, std::string_view name)
{
    std::vector<std::string_view> lines;
    for (const auto &[key, value] : request.headers) {
        if (httpHeaderNameEquals(key, name))
            lines.emplace_back(value);
    }
    return lines;
}

std::string_view trimmed(std::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    return text;
}

std::string joinedHeader(const std::vector<std::string_view> &lines)
{
    std::string out;
    for (const auto line : lines) {
        if (!out.empty())
            out += ", ";
        out += trimmed(line);
    }
    return out;
}

bool hasTopLevelComma(std::string_view value)
{
    bool quoted = false;
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (quoted && value[i] == '\\')
            ++i;
        else if (value[i] == '"')
            quoted = !quoted;
        else if (!quoted && value[i] == ',')
            return true;
    }
    return false;
}

// What Signature-Input and Signature say for the one label this verifier processes.
struct ParsedSignature
{
    httpsig::SfMember input;
    std::vector<std::string> components;
    QByteArray signature;
    std::optional<long long> created, expires;
    std::optional<std::string> nonce, keyId, alg, tag;
};

struct StageError
{
    std::string code;
    std::string message;
};

std::optional<StageError> readParameters(ParsedSignature &parsed)
{
    for (const auto &[name, value] : parsed.input.parameters) {
        const bool integer = name == "created" || name == "expires";
        const bool string = name == "nonce" || name == "keyid" || name == "alg" || name == "tag";
        if (integer && value.type != SfBareItem::Type::Integer)
            return StageError{"request_signature_header_malformed", "'" + name + "' must be an integer"};
        if (string && value.type != SfBareItem::Type::String)
            return StageError{"request_signature_header_malformed", "'" + name + "' must be a quoted string"};
        if (name == "created")
            parsed.created = value.integer;
        else if (name == "expires")
            parsed.expires = value.integer;
        else if (name == "nonce")
            parsed.nonce = value.text;
        else if (name == "keyid")
            parsed.keyId = value.text;
        else if (name == "alg")
            parsed.alg = value.text;
        else if (name == "tag")
            parsed.tag = value.text;
    }
    if (parsed.nonce && parsed.nonce->size() > kMaxNonceBytes)
        return StageError{"request_signature_header_malformed", "the nonce is longer than 256 bytes"};
    return std::nullopt;
}

// Step 1: both headers, strict structured fields, one label (sig1 when present, else the first).
std::optional<StageError> parseHeaders(const HttpRequest &request, ParsedSignature &parsed)
{
    const auto inputLines = headerLines(request, "Signature-Input");
    const auto signatureLines = headerLines(request, "Signature");
    if (inputLines.empty() || signatureLines.empty())
        return StageError{"request_signature_header_malformed",
                          "Signature and Signature-Input must be sent together"};
    std::string why;
    const auto inputs = httpsig::parseDictionary(joinedHeader(inputLines), &why);
    if (!inputs || inputs->empty())
        return StageError{"request_signature_header_malformed", "Signature-Input is malformed: " + why};
    const auto chosen =
        std::find_if(inputs->begin(), inputs->end(), [](const auto &m) { return m.first == "sig1"; });
    const auto &[label, member] = chosen != inputs->end() ? *chosen : inputs->front();
    if (!member.innerList)
        return StageError{"request_signature_header_malformed",
                          "Signature-Input '" + label + "' is not an inner list"};
    parsed.input = member;
    for (const auto &item : member.items) {
        if (item.value.type != SfBareItem::Type::String)
            return StageError{"request_signature_header_malformed",
                              "covered components must be quoted strings"};
        if (!item.parameters.empty())
            return StageError{"request_signature_components_unexpected",
                              "component parameters (;sf, ;key, ...) are not part of the AdCP profile"};
        if (std::find(parsed.components.begin(), parsed.components.end(), item.value.text) !=
            parsed.components.end())
            return StageError{"request_signature_header_malformed", "a covered component is listed twice"};
        parsed.components.push_back(item.value.text);
    }
    const auto signatures = httpsig::parseDictionary(joinedHeader(signatureLines), &why);
    if (!signatures)
        return StageError{"request_signature_header_malformed", "Signature is malformed: " + why};
    // (Clang 14 cannot capture a structured binding: the lambda gets its own reference.)
    const auto sig = std::find_if(signatures->begin(), signatures->end(),
                                  [&wanted = label](const auto &m) { return m.first == wanted; });
    if (sig == signatures->end() || sig->second.innerList ||
        sig->second.item.value.type != SfBareItem::Type::Bytes)
        return StageError{"request_signature_header_malformed",
                          "Signature has no byte sequence for label '" + label + "'"};
    parsed.signature = sig->second.item.value.bytes;
    return readParameters(parsed);
}

// Step 1 (continued): covered fields that are single values must arrive as one.
std::optional<StageError> checkSingleValued(const HttpRequest &request, const ParsedSignature &parsed)
{
    const auto covers = [&parsed](std::string_view c) {
        return std::find(parsed.components.begin(), parsed.components.end(), c) != parsed.components.end();
    };
    if (covers("content-type")) {
        const auto lines = headerLines(request, "Content-Type");
        if (lines.size() > 1 || (lines.size() == 1 && hasTopLevelComma(lines.front())))
            return StageError{"request_signature_header_malformed",
                              "a covered Content-Type has several values"};
    }
    if (covers("content-digest")) {
        const auto lines = headerLines(request, "Content-Digest");
        std::string why;
        if (lines.size() > 1 || (lines.size() == 1 && !httpsig::parseDictionary(lines.front(), &why)))
            return StageError{"request_signature_header_malformed",
                              "a covered Content-Digest is malformed or names an algorithm twice"};
    }
    return std::nullopt;
}

std::optional<StageError> checkParametersAndWindow(const ParsedSignature &p, long long now)
{
    if (!p.created || !p.expires || !p.nonce || p.nonce->empty() || !p.keyId || !p.alg || !p.tag)
        return StageError{"request_signature_params_incomplete",
                          "Signature-Input needs created, expires, nonce, keyid, alg and tag"};
    if (*p.tag != kRequestSigningTag)
        return StageError{"request_signature_tag_invalid", "the tag must be adcp/request-signing/v1"};
    if (*p.alg != httpsig::kAlgEd25519 && *p.alg != httpsig::kAlgEs256)
        return StageError{"request_signature_alg_not_allowed", "alg must be ed25519 or ecdsa-p256-sha256"};
    if (*p.expires <= *p.created)
        return StageError{"request_signature_window_invalid", "expires must be later than created"};
    if (*p.expires - *p.created > kMaxWindowSeconds)
        return StageError{"request_signature_window_invalid", "the signature is valid for more than 300 s"};
    if (now > *p.expires + kClockSkewSeconds)
        return StageError{"request_signature_window_invalid", "the signature has expired"};
    if (now < *p.created - kClockSkewSeconds)
        return StageError{"request_signature_window_invalid", "the signature is created in the future"};
    return std::nullopt;
}

std::optional<StageError> checkComponents(const HttpRequest &request, const ParsedSignature &p,
                                          DigestPolicy policy)
{
    const auto covers = [&p](std::string_view c) {
        return std::find(p.components.begin(), p.components.end(), c) != p.components.end();
    };
    for (const char *mandatory : {"@method", "@target-uri", "@authority"}) {
        if (!covers(mandatory))
            return StageError{"request_signature_components_incomplete",
                              std::string("the signature must cover ") + mandatory};
    }
    if (!request.body.empty() && !covers("content-type"))
        return StageError{"request_signature_components_incomplete",
                          "a request with a body must have content-type covered"};
    if (policy == DigestPolicy::Required && !covers("content-digest"))
        return StageError{"request_signature_components_incomplete",
                          "this agent requires content-digest covered"};
    if (policy == DigestPolicy::Forbidden && covers("content-digest"))
        return StageError{"request_signature_components_unexpected",
                          "this agent does not accept content-digest"};
    for (const auto &component : p.components) {
        if (component.empty())
            return StageError{"request_signature_header_malformed", "an empty component name"};
        if (component.front() == '@') {
            if (component != "@method" && component != "@target-uri" && component != "@authority")
                return StageError{"request_signature_components_unexpected",
                                  "derived component " + component + " is not part of the AdCP profile"};
        } else if (headerLines(request, component).empty()) {
            return StageError{"request_signature_components_incomplete",
                              "covered header " + component + " is not in the request"};
        }
    }
    return std::nullopt;
}

// Step 8: the JWK is meant for request signing and can verify this alg.
std::optional<StageError> checkKeyPurpose(const nlohmann::json &jwk, const std::string &unusable,
                                          const std::string &alg)
{
    const auto text = [&jwk](const char *member) {
        const auto it = jwk.find(member);
        return it != jwk.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    if (text("adcp_use") != "request-signing")
        return StageError{"request_signature_key_purpose_invalid",
                          "the key is not published for request signing"};
    if (const auto ops = jwk.find("key_ops"); ops != jwk.end()) {
        if (!ops->is_array() || std::find(ops->begin(), ops->end(), nlohmann::json("verify")) == ops->end())
            return StageError{"request_signature_key_purpose_invalid",
                              "the key's key_ops do not allow verify"};
    }
    if (const auto use = jwk.find("use"); use != jwk.end() && *use != "sig")
        return StageError{"request_signature_key_purpose_invalid", "the key's use is not sig"};
    const std::string jwkAlg = text("alg");
    const std::string kty = text("kty");
    const std::string crv = text("crv");
    const bool eddsa = jwkAlg == "EdDSA" && kty == "OKP" && crv == "Ed25519";
    const bool es256 = jwkAlg == "ES256" && kty == "EC" && crv == "P-256";
    if (!eddsa && !es256)
        return StageError{"request_signature_key_purpose_invalid", "the key's alg/kty/crv (" + jwkAlg + '/' +
                                                                       kty + '/' + crv +
                                                                       ") do not fit together"};
    if ((eddsa && alg != httpsig::kAlgEd25519) || (es256 && alg != httpsig::kAlgEs256))
        return StageError{"request_signature_key_purpose_invalid",
                          "the key's alg is not the signature's alg"};
    if (!unusable.empty())
        return StageError{"request_signature_key_purpose_invalid", "the key cannot be used: " + unusable};
    return std::nullopt;
}

std::string componentValue(const HttpRequest &request, const std::string &component,
                           const httpsig::CanonicalTarget &target)
{
    if (component == "@method") {
        std::string method = request.method;
        std::transform(method.begin(), method.end(), method.begin(),
                       [](unsigned char c) { return char(std::toupper(c)); });
        return method;
    }
    if (component == "@target-uri")
        return target.targetUri;
    if (component == "@authority")
        return target.authority;
    return joinedHeader(headerLines(request, component));
}

bool scanWebhookAuthentication(const nlohmann::json &value, int depth)
{
    if (depth <= 0)
        return false;
    if (value.is_array()) {
        return std::any_of(value.begin(), value.end(), [depth](const nlohmann::json &item) {
            return scanWebhookAuthentication(item, depth - 1);
        });
    }
    if (!value.is_object())
        return false;
    if (const auto config = value.find("push_notification_config");
        config != value.end() && config->is_object()) {
        if (const auto auth = config->find("authentication");
            auth != config->end() && auth->is_object() && !auth->empty())
            return true;
    }
    for (const auto &[key, member] : value.items()) {
        if (key != "push_notification_config" && scanWebhookAuthentication(member, depth - 1))
            return true;
    }
    return false;
}

} // namespace

std::optional<SigningMode> signingModeFromString(std::string_view text)
{
    if (text == "off")
        return SigningMode::Off;
    if (text == "optional")
        return SigningMode::Optional;
    if (text == "required")
        return SigningMode::Required;
    return std::nullopt;
}

std::optional<DigestPolicy> digestPolicyFromString(std::string_view text)
{
    if (text == "either")
        return DigestPolicy::Either;
    if (text == "required")
        return DigestPolicy::Required;
    if (text == "forbidden")
        return DigestPolicy::Forbidden;
    return std::nullopt;
}

bool RequestSigningConfig::enabled() const
{
    return mode != SigningMode::Off ||
           std::any_of(principalModes.begin(), principalModes.end(),
                       [](const auto &entry) { return entry.second != SigningMode::Off; });
}

SigningMode RequestSigningConfig::modeFor(std::string_view principalId) const
{
    const auto it = principalModes.find(principalId);
    return it == principalModes.end() ? mode : it->second;
}

nlohmann::json RequestSigningConfig::capabilityFor(std::string_view principalId) const
{
    const SigningMode m = modeFor(principalId);
    if (m == SigningMode::Off)
        return nullptr;
    const char *digest = contentDigest == DigestPolicy::Required    ? "required"
                         : contentDigest == DigestPolicy::Forbidden ? "forbidden"
                                                                    : "either";
    return {
        {"supported", true},
        {"covers_content_digest", digest},
        {"required_for", m == SigningMode::Required ? nlohmann::json(requiredFor) : nlohmann::json::array()},
        {"supported_for", supportedFor}};
}

std::optional<std::vector<nlohmann::json>> jwksPublicMembers(const nlohmann::json &document,
                                                             std::string *error)
{
    const auto members = document.is_object() ? document.find("keys") : document.end();
    if (members == document.end() || !members->is_array()) {
        *error = "not a JWKS document ({\"keys\": [...]})";
        return std::nullopt;
    }
    std::vector<nlohmann::json> out;
    for (const auto &member : *members) {
        const auto kid = member.is_object() ? member.find("kid") : member.end();
        if (kid == member.end() || !kid->is_string() || kid->get_ref<const std::string &>().empty()) {
            *error = "every key needs a kid";
            return std::nullopt;
        }
        nlohmann::json publicHalf = nlohmann::json::object();
        for (const char *name : {"kid", "kty", "crv", "x", "y", "alg", "use", "key_ops", "adcp_use"}) {
            if (const auto it = member.find(name); it != member.end())
                publicHalf[name] = *it;
        }
        out.push_back(std::move(publicHalf));
    }
    return out;
}

bool RequestSigningConfig::addJwksFile(const QString &path, const Principal &principal, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return false;
    }
    const QByteArray bytes = file.read(1024 * 1024 + 1);
    const auto document =
        nlohmann::json::parse(bytes.constData(), bytes.constData() + bytes.size(), nullptr, false);
    std::string why;
    const auto members = bytes.size() > 1024 * 1024 ? std::nullopt : jwksPublicMembers(document, &why);
    if (!members) {
        *error = QStringLiteral("%1: %2 (a {\"keys\": [...]} document of at most 1 MiB, a kid per key)")
                     .arg(path, QString::fromStdString(why.empty() ? "too large" : why));
        return false;
    }
    for (const auto &member : *members) {
        for (const auto &known : keys) {
            if (known.jwk["kid"] == member["kid"]) {
                *error = QStringLiteral("%1: kid %2 is configured twice")
                             .arg(path, QString::fromStdString(member["kid"].get<std::string>()));
                return false;
            }
        }
        keys.push_back({member, principal});
    }
    return true;
}

RequestVerifier::RequestVerifier(RequestSigningConfig config) : m_config(std::move(config))
{
    for (const auto &trusted : m_config.keys)
        m_fileKeys.emplace(trusted.jwk.value("kid", std::string()), makeKey(trusted.jwk, trusted.principal));
    m_urlKeys.resize(m_config.jwksUrls.size());
    m_keys = std::make_shared<const KeyMap>(m_fileKeys);
}

RequestVerifier::Key RequestVerifier::makeKey(const nlohmann::json &jwk, const Principal &principal)
{
    Key key;
    key.jwk = jwk;
    key.principal = principal;
    key.key = httpsig::VerificationKey::fromJwk(jwk, &key.unusable);
    if (key.key)
        key.unusable.clear();
    return key;
}

std::shared_ptr<const RequestVerifier::KeyMap> RequestVerifier::keySnapshot() const
{
    std::lock_guard lock(m_keysMutex);
    return m_keys;
}

void RequestVerifier::setUnknownKeyHandler(std::function<void(const std::string &)> handler)
{
    std::lock_guard lock(m_handlerMutex);
    m_unknownKeyHandler = std::move(handler);
}

void RequestVerifier::unknownKey(const std::string &keyId) const
{
    // Called under the lock so that a handler being removed (its owner going away) is never running.
    std::lock_guard lock(m_handlerMutex);
    if (m_unknownKeyHandler)
        m_unknownKeyHandler(keyId);
}

RequestVerifier::KeyUpdate RequestVerifier::updateJwksUrlKeys(std::size_t source,
                                                              const std::vector<nlohmann::json> &members)
{
    KeyUpdate update;
    if (source >= m_config.jwksUrls.size())
        return update;
    const Principal &principal = m_config.jwksUrls[source].principal;
    std::lock_guard lock(m_keysMutex);
    const KeyMap &previous = m_urlKeys[source];
    KeyMap next;
    for (const auto &member : members) {
        const std::string kid = member.value("kid", std::string());
        const bool elsewhere = m_fileKeys.count(kid) ||
                               std::any_of(m_urlKeys.begin(), m_urlKeys.end(), [&](const KeyMap &other) {
                                   return &other != &m_urlKeys[source] && other.count(kid);
                               });
        if (elsewhere || next.count(kid)) {
            update.skipped.push_back("kid '" + kid + "' is " +
                                     (elsewhere ? "bound to another JWKS" : "listed twice"));
            continue;
        }
        if (const auto old = previous.find(kid); old != previous.end() && old->second.withdrawn) {
            next.emplace(kid, old->second); // withdrawn for good: listing it again does not restore it
            continue;
        }
        next.emplace(kid, makeKey(member, principal));
    }
    for (const auto &[kid, key] : previous) {
        if (next.count(kid))
            continue;
        Key gone = key;
        update.withdrawn += gone.withdrawn ? 0 : 1;
        gone.withdrawn = true;
        next.emplace(kid, std::move(gone));
    }
    update.keys = std::size_t(
        std::count_if(next.begin(), next.end(), [](const auto &e) { return !e.second.withdrawn; }));
    m_urlKeys[source] = std::move(next);
    auto merged = std::make_shared<KeyMap>(m_fileKeys);
    for (const KeyMap &keys : m_urlKeys)
        merged->insert(keys.begin(), keys.end());
    m_keys = std::move(merged);
    return update;
}

const RequestSigningConfig &RequestVerifier::config() const
{
    return m_config;
}

long long RequestVerifier::now() const
{
    if (m_config.now)
        return m_config.now();
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

bool RequestVerifier::hasSignatureHeaders(const HttpRequest &request)
{
    for (const auto &[key, value] : request.headers) {
        if (httpHeaderNameEquals(key, "Signature") || httpHeaderNameEquals(key, "Signature-Input"))
            return true;
    }
    return false;
}

bool RequestVerifier::carriesWebhookAuthentication(const nlohmann::json &arguments)
{
    return scanWebhookAuthentication(arguments, 64);
}

SignatureCheck RequestVerifier::reject(std::string code, std::string message) const
{
    SignatureCheck check;
    check.kind = SignatureCheck::Kind::Rejected;
    check.code = std::move(code);
    check.message = std::move(message);
    return check;
}

SignatureCheck RequestVerifier::verify(const HttpRequest &request) const
{
    if (!hasSignatureHeaders(request))
        return {};
    const long long t = now();
    ParsedSignature parsed;
    if (auto e = parseHeaders(request, parsed))
        return reject(e->code, e->message);
    std::string why;
    const auto target = httpsig::canonicalizeTarget(
        m_config.scheme + "://" + std::string(trimmed(request.header("Host"))) + request.target, &why);
    if (!target)
        return reject("request_signature_header_malformed",
                      "the request URL cannot be canonicalized: " + why);
    if (auto e = checkSingleValued(request, parsed))
        return reject(e->code, e->message);
    if (auto e = checkParametersAndWindow(parsed, t))
        return reject(e->code, e->message);
    if (auto e = checkComponents(request, parsed, m_config.contentDigest))
        return reject(e->code, e->message);
    const auto keys = keySnapshot();
    const auto found = keys->find(*parsed.keyId);
    if (found == keys->end())
        unknownKey(*parsed.keyId);
    if (found == keys->end() || m_config.modeFor(found->second.principal.id) == SigningMode::Off)
        return reject("request_signature_key_unknown",
                      "no request-signing key '" + *parsed.keyId + "' is known");
    const Key &key = found->second;
    if (auto e = checkKeyPurpose(key.jwk, key.unusable, *parsed.alg))
        return reject(e->code, e->message);
    if (m_config.revokedKeyIds.count(*parsed.keyId))
        return reject("request_signature_key_revoked", "key '" + *parsed.keyId + "' is revoked");
    if (key.withdrawn)
        return reject("request_signature_key_revoked",
                      "key '" + *parsed.keyId + "' was withdrawn from its signer's JWKS");
    // Cap and replay are looked at before the signature so that neither costs a signature verification.
    const std::string entry =
        QCryptographicHash::hash(QByteArray::fromStdString(target->targetUri + '\n' + *parsed.nonce),
                                 QCryptographicHash::Sha256)
            .toStdString();
    switch (replayState(*parsed.keyId, entry, t)) {
    case ReplayState::CapReached:
        return reject("request_signature_rate_abuse",
                      "too many live signatures for key '" + *parsed.keyId + "'");
    case ReplayState::Replayed:
        return reject("request_signature_replayed", "this nonce was already used with this key and URL");
    case ReplayState::Fresh:
        break;
    }
    std::vector<std::pair<QByteArray, QByteArray>> lines;
    for (const auto &component : parsed.components)
        lines.emplace_back(QByteArray::fromStdString(component),
                           QByteArray::fromStdString(componentValue(request, component, *target)));
    const QByteArray base =
        httpsig::signatureBase(lines, QByteArray::fromStdString(httpsig::serializeInnerList(parsed.input)));
    if (!key.key->verify(base, parsed.signature))
        return reject("request_signature_invalid", "the signature does not verify over the signature base");
    if (std::find(parsed.components.begin(), parsed.components.end(), "content-digest") !=
            parsed.components.end() &&
        !httpsig::contentDigestMatches(request.header("Content-Digest"),
                                       QByteArray::fromStdString(request.body)))
        return reject("request_signature_digest_mismatch", "Content-Digest does not match the body");
    switch (remember(*parsed.keyId, entry, *parsed.expires + kClockSkewSeconds, t)) {
    case ReplayState::CapReached:
        return reject("request_signature_rate_abuse",
                      "too many live signatures for key '" + *parsed.keyId + "'");
    case ReplayState::Replayed:
        return reject("request_signature_replayed", "this nonce was already used with this key and URL");
    case ReplayState::Fresh:
        break;
    }
    SignatureCheck check;
    check.kind = SignatureCheck::Kind::Verified;
    check.principal = key.principal;
    check.keyId = *parsed.keyId;
    return check;
}

void RequestVerifier::dropExpired(ReplayLog &log, long long t)
{
    while (!log.byExpiry.empty() && log.byExpiry.begin()->first < t) {
        log.expiries.erase(log.byExpiry.begin()->second);
        log.byExpiry.erase(log.byExpiry.begin());
    }
}

RequestVerifier::ReplayState RequestVerifier::replayState(const std::string &keyId, const std::string &entry,
                                                          long long t) const
{
    std::lock_guard lock(m_mutex);
    const auto it = m_replay.find(keyId);
    if (it == m_replay.end())
        return ReplayState::Fresh;
    dropExpired(it->second, t);
    if (it->second.expiries.count(entry))
        return ReplayState::Replayed;
    if (it->second.expiries.size() >= m_config.replayCapPerKey)
        return ReplayState::CapReached;
    return ReplayState::Fresh;
}

RequestVerifier::ReplayState RequestVerifier::remember(const std::string &keyId, const std::string &entry,
                                                       long long expiry, long long t) const
{
    std::lock_guard lock(m_mutex);
    ReplayLog &log = m_replay[keyId];
    dropExpired(log, t);
    // Checked again under the lock: two copies of one request verified at the same time accept only one.
    if (log.expiries.count(entry))
        return ReplayState::Replayed;
    if (log.expiries.size() >= m_config.replayCapPerKey)
        return ReplayState::CapReached;
    log.expiries.emplace(entry, expiry);
    log.byExpiry.emplace(expiry, entry);
    if (m_journal) {
        // Written before the request goes on: a restart right after it still knows this nonce.
        if (!m_journal->append({keyId, entry, expiry}) && !m_journalFailed) {
            m_journalFailed = true;
            qCWarning(lcRequestSigning).noquote() << "cannot append to the replay file" << m_journal->path()
                                                  << "- replays stay refused until a restart only";
        }
        std::size_t live = 0;
        for (const auto &[id, l] : m_replay)
            live += l.expiries.size();
        if (m_journal->wantsRewrite(live)) {
            for (auto &[id, l] : m_replay)
                dropExpired(l, t);
            m_journal->rewrite([this](const std::function<void(const ReplayJournal::Entry &)> &write) {
                for (const auto &[id, l] : m_replay) {
                    for (const auto &[e, x] : l.expiries)
                        write({id, e, x});
                }
            });
        }
    }
    return ReplayState::Fresh;
}

bool RequestVerifier::persistReplayTo(const QString &path, QString *error)
{
    std::lock_guard lock(m_mutex);
    const long long t = now();
    ReplayJournal::Loaded loaded;
    auto journal = ReplayJournal::open(
        path, t,
        [this](const ReplayJournal::Entry &e) {
            ReplayLog &log = m_replay[e.keyId];
            if (log.expiries.count(e.entry))
                return false;
            log.expiries.emplace(e.entry, e.expiry);
            log.byExpiry.emplace(e.expiry, e.entry);
            return true;
        },
        &loaded, error);
    if (!journal)
        return false;
    if (loaded.malformed)
        qCWarning(lcRequestSigning).noquote()
            << "replay file" << path << ":" << loaded.malformed << "malformed or truncated line(s) skipped";
    qCInfo(lcRequestSigning).noquote() << "replay file" << path << ":" << loaded.entries << "live entries,"
                                       << loaded.expired << "expired dropped";
    m_journal = std::move(journal);
    m_journalFailed = false;
    return true;
}

std::size_t RequestVerifier::replayEntries() const
{
    std::lock_guard lock(m_mutex);
    const long long t = now();
    std::size_t total = 0;
    for (auto &[keyId, log] : m_replay) {
        dropExpired(log, t);
        total += log.expiries.size();
    }
    return total;
}

} // namespace adcp::seller
