#include "walbatch.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <new>
#include <string>

// SQLite appends a WAL frame with two writes, its 24-byte header and then the page, so a commit of seven
// pages makes fourteen pwrite calls (docs/seller-load.md measured them at 8 % of a brief's CPU). This VFS
// keeps a WAL file's appends in a buffer and writes them with one call. Correctness rests on when the buffer
// is written:
//
// - A commit is durable against a process crash once its frames are in the kernel, and visible to readers
//   once SQLite publishes the WAL index header, which it does after the commit frame's writes return. So the
//   buffer is written inside the xWrite that completes the commit frame (the frame header's database-size
//   field is set only on a commit frame), and that write's error is the commit's error.
// - Anything else the connection does with the WAL file (read, sync, truncate, size, file control, mmap,
//   unlock, close) writes the buffer first, so SQLite never sees the file without its own appends.
// - Only appends are kept: a write that is not at the end of what was written since the WAL started (SQLite
//   rewriting a frame's page or checksums in place, after the commit frame) writes the buffer and then
//   itself, at once, in order. A WAL that starts over (its 32-byte header written at offset 0) starts the
//   count again.
// - The database file's shared-memory barrier and locks write the connection's buffered WAL appends first.
//   A transaction that spilled frames and rolled back leaves them buffered (past the last commit, never
//   read); they are written when it releases the WAL write lock, so that the next writer's frames, through
//   another connection's handle, reach the same offsets after them and not before. The same calls guard
//   publishing the index, though no known path reaches it with a commit's frames still buffered.
// - The unix VFS writes at most 128 KiB per call (it masks the length), so the buffer never grows past that.
namespace adcp::seller::storage {

namespace {

constexpr size_t kMaxBuffer = 0x1ffff; // the unix VFS's largest single write
constexpr int kFrameHeader = 24;
constexpr int kWalHeader = 32;

struct BatchFile
{
    sqlite3_file base;       // pMethods: kMethods, or null when the wrapped open failed
    sqlite3_file *real;      // the wrapped VFS's file, right after this struct
    bool wal;                // a WAL file: its appends are batched
    std::string *pending;    // appends not yet written (WAL files)
    sqlite3_int64 pendingAt; // the file offset of pending's first byte
    sqlite3_int64 written;   // the end of what was appended since the WAL (re)started
    sqlite3_int64 commitEnd; // once a commit frame's header is pending: where that frame ends, else 0
    int pageSize;            // the WAL's page size, from its header or its last full frame; 0 unknown
    BatchFile *partner;      // a WAL's database file and a database file's WAL, when both are open here
};

sqlite3_vfs *g_wrapped = nullptr;
sqlite3_vfs g_vfs;
sqlite3_io_methods g_methods;

BatchFile *batch(sqlite3_file *file)
{
    return reinterpret_cast<BatchFile *>(file);
}

sqlite3_file *real(sqlite3_file *file)
{
    return batch(file)->real;
}

int writeThrough(BatchFile *f, const void *data, int amount, sqlite3_int64 offset)
{
    return f->real->pMethods->xWrite(f->real, data, amount, offset);
}

int flush(BatchFile *f)
{
    if (!f->pending || f->pending->empty())
        return SQLITE_OK;
    const int rc = writeThrough(f, f->pending->data(), int(f->pending->size()), f->pendingAt);
    f->pending->clear();
    f->commitEnd = 0;
    return rc;
}

unsigned readBigEndian32(const unsigned char *bytes)
{
    return unsigned(bytes[0]) << 24 | unsigned(bytes[1]) << 16 | unsigned(bytes[2]) << 8 | unsigned(bytes[3]);
}

int walWrite(BatchFile *f, const void *data, int amount, sqlite3_int64 offset)
{
    const auto *bytes = static_cast<const unsigned char *>(data);
    if (offset == 0 && amount == kWalHeader) {
        // The WAL starts over: what was kept belongs before it, in order.
        if (const int rc = flush(f); rc != SQLITE_OK)
            return rc;
        f->written = 0;
        const unsigned pageSize = readBigEndian32(bytes + 8);
        f->pageSize = pageSize == 1 ? 65536 : int(pageSize);
    }
    if (offset != f->written) {
        // Not an append: SQLite rewrites bytes it wrote already. Keep the order of the writes.
        if (const int rc = flush(f); rc != SQLITE_OK)
            return rc;
        f->written = std::max(f->written, offset + amount);
        return writeThrough(f, data, amount, offset);
    }
    if (f->pending->size() + size_t(amount) > kMaxBuffer) {
        if (const int rc = flush(f); rc != SQLITE_OK)
            return rc;
        if (size_t(amount) > kMaxBuffer) {
            f->written = offset + amount;
            return writeThrough(f, data, amount, offset);
        }
    }
    if (f->pending->empty())
        f->pendingAt = offset;
    f->pending->append(reinterpret_cast<const char *>(data), size_t(amount));
    f->written = offset + amount;
    if (amount >= 512 && amount != kWalHeader)
        f->pageSize = amount; // a frame's page (SQLite writes it whole outside FULL sync points)
    if (amount == kFrameHeader && readBigEndian32(bytes + 4) != 0) {
        // A commit frame's header. Without a page size to know where the frame ends, write now.
        if (f->pageSize <= 0)
            return flush(f);
        f->commitEnd = offset + kFrameHeader + f->pageSize;
    }
    if (f->commitEnd > 0 && f->written >= f->commitEnd)
        return flush(f);
    return SQLITE_OK;
}

// The database file's WAL, buffered appends written (the guard before SQLite publishes the index).
void flushPartnerWal(sqlite3_file *file)
{
    BatchFile *f = batch(file);
    if (!f->wal && f->partner)
        flush(f->partner);
}

int xClose(sqlite3_file *file)
{
    BatchFile *f = batch(file);
    const int flushed = flush(f);
    if (f->partner)
        f->partner->partner = nullptr;
    f->partner = nullptr;
    delete f->pending;
    f->pending = nullptr;
    const int rc = f->real->pMethods->xClose(f->real);
    return rc != SQLITE_OK ? rc : flushed;
}

int xRead(sqlite3_file *file, void *data, int amount, sqlite3_int64 offset)
{
    if (const int rc = flush(batch(file)); rc != SQLITE_OK)
        return rc;
    return real(file)->pMethods->xRead(real(file), data, amount, offset);
}

int xWrite(sqlite3_file *file, const void *data, int amount, sqlite3_int64 offset)
{
    BatchFile *f = batch(file);
    if (!f->wal)
        return writeThrough(f, data, amount, offset);
    return walWrite(f, data, amount, offset);
}

int xTruncate(sqlite3_file *file, sqlite3_int64 size)
{
    BatchFile *f = batch(file);
    if (const int rc = flush(f); rc != SQLITE_OK)
        return rc;
    f->written = std::min(f->written, size);
    return f->real->pMethods->xTruncate(f->real, size);
}

int xSync(sqlite3_file *file, int flags)
{
    if (const int rc = flush(batch(file)); rc != SQLITE_OK)
        return rc;
    return real(file)->pMethods->xSync(real(file), flags);
}

int xFileSize(sqlite3_file *file, sqlite3_int64 *size)
{
    if (const int rc = flush(batch(file)); rc != SQLITE_OK)
        return rc;
    return real(file)->pMethods->xFileSize(real(file), size);
}

int xLock(sqlite3_file *file, int level)
{
    return real(file)->pMethods->xLock(real(file), level);
}

int xUnlock(sqlite3_file *file, int level)
{
    if (const int rc = flush(batch(file)); rc != SQLITE_OK)
        return rc;
    return real(file)->pMethods->xUnlock(real(file), level);
}

int xCheckReservedLock(sqlite3_file *file, int *out)
{
    return real(file)->pMethods->xCheckReservedLock(real(file), out);
}

int xFileControl(sqlite3_file *file, int op, void *arg)
{
    if (const int rc = flush(batch(file)); rc != SQLITE_OK)
        return rc;
    return real(file)->pMethods->xFileControl(real(file), op, arg);
}

int xSectorSize(sqlite3_file *file)
{
    return real(file)->pMethods->xSectorSize(real(file));
}

int xDeviceCharacteristics(sqlite3_file *file)
{
    return real(file)->pMethods->xDeviceCharacteristics(real(file));
}

int xShmMap(sqlite3_file *file, int region, int size, int extend, void volatile **out)
{
    return real(file)->pMethods->xShmMap(real(file), region, size, extend, out);
}

int xShmLock(sqlite3_file *file, int offset, int count, int flags)
{
    flushPartnerWal(file);
    return real(file)->pMethods->xShmLock(real(file), offset, count, flags);
}

void xShmBarrier(sqlite3_file *file)
{
    flushPartnerWal(file);
    real(file)->pMethods->xShmBarrier(real(file));
}

int xShmUnmap(sqlite3_file *file, int deleteFlag)
{
    return real(file)->pMethods->xShmUnmap(real(file), deleteFlag);
}

int xFetch(sqlite3_file *file, sqlite3_int64 offset, int amount, void **out)
{
    if (const int rc = flush(batch(file)); rc != SQLITE_OK)
        return rc;
    return real(file)->pMethods->xFetch(real(file), offset, amount, out);
}

int xUnfetch(sqlite3_file *file, sqlite3_int64 offset, void *page)
{
    return real(file)->pMethods->xUnfetch(real(file), offset, page);
}

int xOpen(sqlite3_vfs *, sqlite3_filename name, sqlite3_file *file, int flags, int *outFlags)
{
    BatchFile *f = batch(file);
    std::memset(f, 0, sizeof(BatchFile));
    f->real = reinterpret_cast<sqlite3_file *>(f + 1);
    const int rc = g_wrapped->xOpen(g_wrapped, name, f->real, flags, outFlags);
    if (rc != SQLITE_OK || !f->real->pMethods || f->real->pMethods->iVersion < 3) {
        // Nothing to wrap (a failed open leaves no methods; an older file cannot be forwarded in full).
        if (f->real->pMethods) {
            f->real->pMethods->xClose(f->real);
            return SQLITE_CANTOPEN;
        }
        return rc;
    }
    f->wal = (flags & SQLITE_OPEN_WAL) != 0 && name;
    if (f->wal) {
        f->pending = new (std::nothrow) std::string;
        if (!f->pending) {
            f->real->pMethods->xClose(f->real);
            return SQLITE_NOMEM;
        }
        sqlite3_file *database = sqlite3_database_file_object(name);
        if (database && database->pMethods == &g_methods) {
            f->partner = batch(database);
            f->partner->partner = f;
        }
    }
    f->base.pMethods = &g_methods;
    return SQLITE_OK;
}

} // namespace

bool installWalWriteBatching()
{
    static std::once_flag once;
    static bool installed = false;
    std::call_once(once, [] {
        sqlite3_vfs *wrapped = sqlite3_vfs_find(nullptr);
        if (!wrapped)
            return;
        g_wrapped = wrapped;
        g_vfs = *wrapped;
        g_vfs.pNext = nullptr;
        g_vfs.zName = "adcp-wal-batch";
        g_vfs.szOsFile = int(sizeof(BatchFile)) + wrapped->szOsFile;
        g_vfs.xOpen = xOpen;
        g_methods = sqlite3_io_methods{3,
                                       xClose,
                                       xRead,
                                       xWrite,
                                       xTruncate,
                                       xSync,
                                       xFileSize,
                                       xLock,
                                       xUnlock,
                                       xCheckReservedLock,
                                       xFileControl,
                                       xSectorSize,
                                       xDeviceCharacteristics,
                                       xShmMap,
                                       xShmLock,
                                       xShmBarrier,
                                       xShmUnmap,
                                       xFetch,
                                       xUnfetch};
        installed = sqlite3_vfs_register(&g_vfs, 1) == SQLITE_OK;
    });
    return installed;
}

} // namespace adcp::seller::storage
