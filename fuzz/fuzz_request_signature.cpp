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
    const adcp::fuzz::HttpLikeInput input = adcp::fuzz::splitHttpLike(adcp::fuzz::asText(data, size));
    HttpRequest request;
    request.method = std::string(input.method);
    request.target = input.target.empty() ? std::string("/") : std::string(input.target);
    for (const auto &[name, value] : input.headers)
        request.headers.emplace_back(std::string(name), std::string(value));
    request.body = std::string(input.body);
    const SignatureCheck check = verifier().verify(request);
    if (check.kind == SignatureCheck::Kind::Rejected && check.code.rfind("request_signature_", 0) != 0)
        std::abort();
    if (verifier().replayEntries() > 16)
        std::abort();
    return 0;
}
