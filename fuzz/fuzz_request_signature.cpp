// The seller's RFC 9421 request verifier (embedded-seller/server/requestsigning) on hostile requests. Input:
// an HTTP request as text, "<METHOD> <target>\n<name>: <value>\n...\n\n<body>". One signer is configured: the
// RFC 8032 test key under keyid "fuzz-key" (so a mutated corpus signature can still verify), one key revoked,
// a small per-key replay cap so that the cap path is reached, the clock fixed at kNow. The verifier must
// answer every input with an outcome and keep its replay state within the cap.
#include "server/requestsigning.h"

#include "fuzzinput.h"

#include <cstdlib>

namespace {

using namespace adcp::seller;

constexpr long long kNow = 1776520800;

const RequestVerifier &verifier()
{
    static const RequestVerifier instance = [] {
        RequestSigningConfig config;
        config.mode = SigningMode::Optional;
        config.replayCapPerKey = 8;
        config.now = [] { return kNow; };
        const nlohmann::json jwk = {{"kid", "fuzz-key"},
                                    {"kty", "OKP"},
                                    {"crv", "Ed25519"},
                                    {"alg", "EdDSA"},
                                    {"use", "sig"},
                                    {"key_ops", {"verify"}},
                                    {"adcp_use", "request-signing"},
                                    {"x", "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}};
        nlohmann::json revoked = jwk;
        revoked["kid"] = "revoked-key";
        config.keys = {{jwk, Principal{"fuzz", true}}, {revoked, Principal{"fuzz", true}}};
        config.revokedKeyIds = {"revoked-key"};
        return RequestVerifier(std::move(config));
    }();
    return instance;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    auto [requestLine, rest] = adcp::fuzz::splitFirstLine(adcp::fuzz::asText(data, size));
    HttpRequest request;
    const size_t space = requestLine.find(' ');
    request.method = std::string(requestLine.substr(0, space));
    request.target =
        space == std::string_view::npos ? std::string("/") : std::string(requestLine.substr(space + 1));
    for (;;) {
        const auto [line, after] = adcp::fuzz::splitFirstLine(rest);
        rest = after;
        const size_t colon = line.find(':');
        if (line.empty() || colon == std::string_view::npos)
            break;
        request.headers.emplace_back(std::string(line.substr(0, colon)), std::string(line.substr(colon + 1)));
    }
    request.body = std::string(rest);
    const SignatureCheck check = verifier().verify(request);
    if (check.kind == SignatureCheck::Kind::Rejected && check.code.rfind("request_signature_", 0) != 0)
        std::abort();
    if (verifier().replayEntries() > 16)
        std::abort();
    return 0;
}
