#pragma once

#include <QFile>
#include <QString>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace adcp::seller {

// The request-signing replay entries on disk, so that a restart does not forget the nonces seen: an
// append-only log of lines "<expiry> <entry as hex> <keyid as hex>", one per accepted signature, written
// before the request is dispatched. At open the live lines are read back (expired ones dropped) and the file
// is rewritten with them alone; it is rewritten again whenever dead lines outnumber live ones. The file is
// untrusted: a malformed, overlong or truncated line is skipped and counted, never fatal. Not thread-safe
// (the verifier calls it under its replay lock).
class ReplayJournal final
{
public:
    // One live entry as read back or to be written.
    struct Entry
    {
        std::string keyId;
        std::string entry; // the verifier's raw entry bytes (a SHA-256)
        long long expiry = 0;
    };
    struct Loaded
    {
        std::size_t entries = 0;   // live entries handed to the callback
        std::size_t expired = 0;   // dropped: past their expiry
        std::size_t malformed = 0; // skipped: not a well-formed line
    };

    // Reads `path` (missing = empty), hands every live entry to `take` (which may decline one, e.g. beyond a
    // cap, by returning false), then compacts the file to the entries taken. Null with `error` when the file
    // cannot be written.
    static std::unique_ptr<ReplayJournal> open(const QString &path, long long now,
                                               const std::function<bool(const Entry &)> &take, Loaded *loaded,
                                               QString *error);

    // Appends one entry and hands it to the operating system (a process restart keeps it). False when the
    // write failed.
    bool append(const Entry &entry);
    // Whether enough dead lines accumulated that rewrite() is worth it, given `live` entries held now.
    bool wantsRewrite(std::size_t live) const;
    // Replaces the file by these entries (written beside it, then renamed over it).
    bool rewrite(const std::function<void(const std::function<void(const Entry &)> &)> &forEach);
    const QString &path() const;

private:
    explicit ReplayJournal(QString path);
    bool reopenForAppend();

    QString m_path;
    QFile m_file;
    QString m_error;
    std::size_t m_lines = 0; // lines in the file now
};

} // namespace adcp::seller
