// What the seller reads about request signers from outside: a JWKS document (a --request-signing-jwks file or
// a --request-signing-jwks-url answer) and the replay log it reads back at start-up. The first line selects:
//   "jwks": the rest is the document. jwksPublicMembers either refuses it or keeps, per member, a non-empty
//           string kid and public members only; each kept member then goes through VerificationKey::fromJwk,
//           and a key it accepts verifies a fixed message/signature pair without crashing (and says no).
//   "replay": the rest is the replay file. ReplayJournal::open takes every live entry; whatever the bytes,
//           the file it compacts to reads back with the same live entries and nothing malformed.
#include "httpsignature.h"
#include "server/replayjournal.h"
#include "server/requestsigning.h"

#include "fuzzinput.h"

#include <QByteArray>
#include <QFile>
#include <QTemporaryDir>

#include <cstdlib>
#include <set>
#include <string>
#include <tuple>

namespace {

constexpr long long kNow = 1'900'000'000; // entries expiring after it are live

void fuzzJwks(std::string_view text)
{
    const auto document = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
    std::string why;
    const auto members = adcp::seller::jwksPublicMembers(document, &why);
    if (!members) {
        if (why.empty())
            std::abort(); // a refusal always says why
        return;
    }
    for (const auto &member : *members) {
        const auto kid = member.find("kid");
        if (kid == member.end() || !kid->is_string() || kid->get_ref<const std::string &>().empty())
            std::abort();
        for (const char *privateMember : {"d", "p", "q", "dp", "dq", "qi", "k", "oth"}) {
            if (member.contains(privateMember))
                std::abort(); // a private half published by mistake is never kept
        }
        std::string unusable;
        if (const auto key = adcp::httpsig::VerificationKey::fromJwk(member, &unusable)) {
            if (key->algorithm() != adcp::httpsig::kAlgEd25519 &&
                key->algorithm() != adcp::httpsig::kAlgEs256)
                std::abort();
            if (key->verify(QByteArray("message"), QByteArray(64, '\x01')))
                std::abort(); // no key verifies a made-up signature
        } else if (unusable.empty()) {
            std::abort();
        }
    }
}

using EntrySet = std::multiset<std::tuple<std::string, std::string, long long>>; // a line may repeat

EntrySet load(const QString &path, adcp::seller::ReplayJournal::Loaded *loaded)
{
    EntrySet taken;
    QString error;
    const auto journal = adcp::seller::ReplayJournal::open(
        path, kNow,
        [&taken](const adcp::seller::ReplayJournal::Entry &e) {
            if (e.expiry <= kNow)
                std::abort(); // expired entries are dropped, never handed out
            taken.emplace(e.keyId, e.entry, e.expiry);
            return true;
        },
        loaded, &error);
    if (!journal)
        std::abort(); // the folder is writable: open never fails on content
    return taken;
}

void fuzzReplay(std::string_view text)
{
    static QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("replay.log"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        std::abort();
    file.write(text.data(), qint64(text.size()));
    file.close();
    adcp::seller::ReplayJournal::Loaded first;
    const EntrySet taken = load(path, &first);
    if (first.entries != taken.size())
        std::abort();
    adcp::seller::ReplayJournal::Loaded again;
    const EntrySet reread = load(path, &again);
    if (reread != taken || again.malformed != 0 || again.expired != 0)
        std::abort(); // the compacted file holds exactly the live entries, well formed
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    adcp::fuzz::ensureCoreApplication();
    const auto [head, rest] = adcp::fuzz::splitFirstLine(adcp::fuzz::asText(data, size));
    static const std::vector<std::string> modes = {"jwks", "replay"};
    if (adcp::fuzz::pickBySelector(head, modes) == "jwks")
        fuzzJwks(rest);
    else
        fuzzReplay(rest);
    return 0;
}
