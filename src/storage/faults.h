#pragma once
// Storage faults, internal to storage/ (includes RocksDB; not a public header of the module).
//
// - RocksLogger: RocksDB's diagnostic log goes to floe's log instead of a LOG file in the data
//   directory. Besides keeping one log, this matters on a full disk: Debian's RocksDB is built
//   with assertions, and a failed append to its own LOG file aborts the process
//   (WritableFileWriter's sync_without_flush_called_ assertion). It also keeps the warnings
//   of recovery (the file a damaged record was found in) for the open error.
// - Data directory checks before open: whether the directory holds a database at all (only an
//   empty one may be created), and whether the MANIFEST is at least as long as it was at the
//   last flush (RocksDB 7.8 accepts a MANIFEST cut short as a torn tail and silently drops
//   the table files it no longer names).
// - The reserve file: space set aside in the data directory and released when the disk fills,
//   so that the writes already applied can still be made durable and RocksDB can resume.
#include <rocksdb/env.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"

namespace floe::storage {

class RocksLogger : public rocksdb::Logger {
 public:
  RocksLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}
  using rocksdb::Logger::Logv;
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override;
  void Logv(const char* format, va_list ap) override { Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap); }
  // The warnings logged so far (at most the last 32).
  std::vector<std::string> Warnings() const;

 private:
  mutable std::mutex mu_;
  std::vector<std::string> warnings_;
};

// True when dir holds files of a RocksDB database (CURRENT, MANIFEST-*, *.sst, *.log).
bool HoldsDatabase(const std::string& dir);

// The MANIFEST's length as of the last completed flush or compaction, kept in
// <dir>/FLOE-MANIFEST-CHECK ("MANIFEST-000012 40960\n"). RecordManifest is called after each
// one; CheckManifest before open. Errors: kCorruption naming the file and the lengths.
Status RecordManifest(const std::string& dir);
Status CheckManifest(const std::string& dir);

// The reserve file <dir>/FLOE-RESERVE of `bytes` (allocated blocks, not a sparse file).
// Errors: kIOError (no space for it: nothing left behind).
Status CreateReserve(const std::string& dir, uint64_t bytes);
void ReleaseReserve(const std::string& dir);
// True when the reserve file exists with at least `bytes` allocated.
bool HasReserve(const std::string& dir, uint64_t bytes);
// Free bytes for unprivileged writers on the file system holding dir.
uint64_t FreeBytes(const std::string& dir);

// Copies the files that recovery may rewrite or delete (CURRENT, MANIFEST-*, OPTIONS-*,
// *.log) into <dir>/damaged-<unix time>/ before an explicit recovery. Returns that folder.
Result<std::string> SaveDamagedFiles(const std::string& dir);

}  // namespace floe::storage
