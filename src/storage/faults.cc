#include "storage/faults.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/log.h"

namespace floe::storage {

namespace fs = std::filesystem;

namespace {
constexpr char kManifestCheck[] = "FLOE-MANIFEST-CHECK";
constexpr char kReserve[] = "FLOE-RESERVE";
}  // namespace

void RocksLogger::Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) {
  if (level < rocksdb::InfoLogLevel::WARN_LEVEL) return;
  char buf[1024];
  va_list copy;
  va_copy(copy, ap);
  std::vsnprintf(buf, sizeof buf, format, copy);
  va_end(copy);
  std::string line = std::string("rocksdb: ") + buf;
  if (level >= rocksdb::InfoLogLevel::ERROR_LEVEL) {
    log::Error("{}", line);
  } else {
    log::Warn("{}", line);
  }
  std::lock_guard<std::mutex> l(mu_);
  if (warnings_.size() >= 32) warnings_.erase(warnings_.begin());
  warnings_.push_back(std::move(line));
}

std::vector<std::string> RocksLogger::Warnings() const {
  std::lock_guard<std::mutex> l(mu_);
  return warnings_;
}

bool HoldsDatabase(const std::string& dir) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    auto ends = [&](const char* suffix) {
      const size_t n = std::strlen(suffix);
      return name.size() >= n && name.compare(name.size() - n, n, suffix) == 0;
    };
    if (name == "CURRENT" || name.rfind("MANIFEST-", 0) == 0 || ends(".sst") || ends(".log")) return true;
  }
  return false;
}

namespace {

// The MANIFEST that CURRENT names ("MANIFEST-000012"), or "" when unreadable.
std::string CurrentManifest(const std::string& dir) {
  std::ifstream in(dir + "/CURRENT");
  std::string name;
  std::getline(in, name);
  return name;
}

uint64_t ManifestNumber(const std::string& name) {
  return name.rfind("MANIFEST-", 0) == 0 ? std::strtoull(name.c_str() + 9, nullptr, 10) : 0;
}

}  // namespace

Status RecordManifest(const std::string& dir) {
  const std::string name = CurrentManifest(dir);
  std::error_code ec;
  const uint64_t size = fs::file_size(dir + "/" + name, ec);
  if (name.empty() || ec) return Status::IOError("cannot stat the current MANIFEST in " + dir);
  // The length recorded must be durable: a concurrent edit may have appended bytes RocksDB has
  // not synced yet. Measured first, then synced, so every byte counted is on disk after a
  // power loss.
  {
    int mfd = ::open((dir + "/" + name).c_str(), O_RDONLY | O_CLOEXEC);
    if (mfd < 0) return Status::IOError("cannot open " + dir + "/" + name + ": " + std::strerror(errno));
    const int rc = ::fdatasync(mfd);
    ::close(mfd);
    if (rc != 0) return Status::IOError("cannot sync " + dir + "/" + name + ": " + std::strerror(errno));
  }
  const std::string tmp = dir + "/" + kManifestCheck + ".tmp";
  const std::string text = name + " " + std::to_string(size) + "\n";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError("cannot write " + tmp + ": " + std::strerror(errno));
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fdatasync(fd) == 0;
  ::close(fd);
  if (!ok || std::rename(tmp.c_str(), (dir + "/" + kManifestCheck).c_str()) != 0) {
    return Status::IOError("cannot write " + dir + "/" + kManifestCheck + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

Status CheckManifest(const std::string& dir) {
  std::ifstream in(dir + "/" + kManifestCheck);
  std::string recorded_name;
  uint64_t recorded_size = 0;
  if (!(in >> recorded_name >> recorded_size)) return Status::Ok();  // nothing recorded yet
  const std::string current = CurrentManifest(dir);
  if (current.empty()) {
    return Status::Corruption(dir + "/CURRENT is missing or empty, but the database's MANIFEST was " + recorded_name);
  }
  if (ManifestNumber(current) < ManifestNumber(recorded_name)) {
    return Status::Corruption(dir + "/CURRENT names " + current + ", older than " + recorded_name +
                              ", the MANIFEST of the last completed flush");
  }
  if (current != recorded_name) return Status::Ok();  // rolled over to a newer MANIFEST since
  std::error_code ec;
  const uint64_t size = fs::file_size(dir + "/" + current, ec);
  if (ec) return Status::Corruption(dir + "/" + current + " is missing: " + ec.message());
  if (size < recorded_size) {
    return Status::Corruption(dir + "/" + current + " is " + std::to_string(size) + " bytes, shorter than the " +
                              std::to_string(recorded_size) +
                              " bytes it had after the last completed flush: it was truncated or damaged");
  }
  return Status::Ok();
}

Status CreateReserve(const std::string& dir, uint64_t bytes) {
  const std::string path = dir + "/" + kReserve;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError("cannot create " + path + ": " + std::strerror(errno));
  int rc = ::posix_fallocate(fd, 0, static_cast<off_t>(bytes));
  if (rc == 0 && ::fdatasync(fd) != 0) rc = errno;
  ::close(fd);
  if (rc != 0) {
    ::unlink(path.c_str());
    return Status::IOError("cannot reserve " + std::to_string(bytes >> 20) + " MB in " + dir + ": " +
                           std::strerror(rc));
  }
  return Status::Ok();
}

void ReleaseReserve(const std::string& dir) { ::unlink((dir + "/" + kReserve).c_str()); }

bool HasReserve(const std::string& dir, uint64_t bytes) {
  struct stat st {};
  if (::stat((dir + "/" + kReserve).c_str(), &st) != 0) return false;
  return static_cast<uint64_t>(st.st_size) >= bytes && static_cast<uint64_t>(st.st_blocks) * 512 >= bytes;
}

uint64_t FreeBytes(const std::string& dir) {
  struct statvfs st {};
  if (::statvfs(dir.c_str(), &st) != 0) return 0;
  return static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
}

Result<std::string> SaveDamagedFiles(const std::string& dir) {
  const std::string out = dir + "/damaged-" + std::to_string(std::time(nullptr));
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) return Status::IOError("cannot create " + out + ": " + ec.message());
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (!e.is_regular_file()) continue;
    const std::string name = e.path().filename().string();
    const bool keep = name == "CURRENT" || name.rfind("MANIFEST-", 0) == 0 || name.rfind("OPTIONS-", 0) == 0 ||
                      (name.size() > 4 && name.compare(name.size() - 4, 4, ".log") == 0);
    if (!keep) continue;
    fs::copy_file(e.path(), out + "/" + name, fs::copy_options::overwrite_existing, ec);
    if (ec) return Status::IOError("cannot copy " + e.path().string() + " to " + out + ": " + ec.message());
  }
  return out;
}

}  // namespace floe::storage
