#include "replayjournal.h"

#include <QByteArray>
#include <QSaveFile>

#include <optional>
#include <utility>
#include <vector>

namespace adcp::seller {

namespace {

constexpr qint64 kReplayMaxLineBytes = 8192;
constexpr std::size_t kReplayEntryBytes = 32; // SHA-256
constexpr std::size_t kReplayMinRewriteLines = 4096;

bool replayIsHex(const QByteArray &text)
{
    for (const char c : text) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return !text.isEmpty() && text.size() % 2 == 0;
}

QByteArray replayLine(const ReplayJournal::Entry &entry)
{
    return QByteArray::number(entry.expiry) + ' ' + QByteArray::fromStdString(entry.entry).toHex() + ' ' +
           QByteArray::fromStdString(entry.keyId).toHex() + '\n';
}

// One line without its newline; nullopt when it is not "<expiry> <64 hex> <hex>".
std::optional<ReplayJournal::Entry> replayParse(const QByteArray &line)
{
    const QList<QByteArray> fields = line.split(' ');
    if (fields.size() != 3)
        return std::nullopt;
    bool ok = false;
    const long long expiry = fields[0].toLongLong(&ok);
    if (!ok || expiry <= 0 || !replayIsHex(fields[1]) || fields[1].size() != kReplayEntryBytes * 2 ||
        !replayIsHex(fields[2]))
        return std::nullopt;
    return ReplayJournal::Entry{QByteArray::fromHex(fields[2]).toStdString(),
                                QByteArray::fromHex(fields[1]).toStdString(), expiry};
}

} // namespace

ReplayJournal::ReplayJournal(QString path) : m_path(std::move(path)), m_file(m_path) {}

const QString &ReplayJournal::path() const
{
    return m_path;
}

std::unique_ptr<ReplayJournal> ReplayJournal::open(const QString &path, long long now,
                                                   const std::function<bool(const Entry &)> &take,
                                                   Loaded *loaded, QString *error)
{
    std::unique_ptr<ReplayJournal> journal(new ReplayJournal(path));
    std::vector<Entry> kept;
    QFile in(path);
    if (in.exists() && !in.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, in.errorString());
        return nullptr;
    }
    bool overlong = false; // inside a line longer than the limit: skipped up to its newline
    while (in.isOpen() && !in.atEnd()) {
        QByteArray line = in.readLine(kReplayMaxLineBytes + 1);
        const bool complete = line.endsWith('\n');
        if (overlong || !complete) {
            // The tail of an overlong line, an overlong line, or a last line cut short by a crash.
            if (!overlong)
                ++loaded->malformed;
            overlong = !complete && !in.atEnd();
            continue;
        }
        line.chop(1);
        const auto entry = replayParse(line);
        if (!entry) {
            ++loaded->malformed;
            continue;
        }
        if (entry->expiry < now) {
            ++loaded->expired;
            continue;
        }
        if (take(*entry)) {
            kept.push_back(*entry);
            ++loaded->entries;
        }
    }
    in.close();
    if (!journal->rewrite([&kept](const std::function<void(const Entry &)> &write) {
            for (const Entry &e : kept)
                write(e);
        })) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, journal->m_error);
        return nullptr;
    }
    return journal;
}

bool ReplayJournal::reopenForAppend()
{
    m_file.close();
    return m_file.open(QIODevice::WriteOnly | QIODevice::Append);
}

bool ReplayJournal::append(const Entry &entry)
{
    if (!m_file.isOpen() && !reopenForAppend())
        return false;
    const QByteArray line = replayLine(entry);
    if (m_file.write(line) != line.size() || !m_file.flush())
        return false;
    ++m_lines;
    return true;
}

bool ReplayJournal::wantsRewrite(std::size_t live) const
{
    return m_lines > kReplayMinRewriteLines && m_lines > 2 * live;
}

bool ReplayJournal::rewrite(const std::function<void(const std::function<void(const Entry &)> &)> &forEach)
{
    QSaveFile out(m_path);
    if (!out.open(QIODevice::WriteOnly)) {
        m_error = out.errorString();
        return false;
    }
    std::size_t lines = 0;
    forEach([&out, &lines](const Entry &e) {
        out.write(replayLine(e));
        ++lines;
    });
    if (!out.commit()) {
        m_error = out.errorString();
        return false;
    }
    QFile::setPermissions(m_path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    m_lines = lines;
    if (!reopenForAppend()) {
        m_error = m_file.errorString();
        return false;
    }
    return true;
}

} // namespace adcp::seller
