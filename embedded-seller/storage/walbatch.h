#pragma once

namespace adcp::seller::storage {

// Makes SQLite's default VFS one that hands each WAL commit's frames to the kernel in one write instead of
// two per frame (walbatch.cpp). Every file other than a WAL, and every call other than an append to a WAL,
// goes to the VFS it wraps unchanged. Once per process; later calls do nothing. False when SQLite refused it
// (the connections then use the plain VFS, which is just as correct).
bool installWalWriteBatching();

} // namespace adcp::seller::storage
