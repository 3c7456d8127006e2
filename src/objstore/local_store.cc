#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "common/random.h"
#include "objstore/store.h"

namespace floe::objstore {

namespace {

Status Errno(const std::string& what, const std::string& path) {
  int e = errno;
  std::string m = what + " " + path + ": " + std::strerror(e);
  if (e == ENOENT) return Status::NotFound(m);
  if (e == EEXIST) return Status::ResourceInUse(m);
  return Status::IOError(m);
}

Status MakeDirs(const std::string& dir) {
  if (dir.empty() || dir == "/") return Status::Ok();
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) {
    return S_ISDIR(st.st_mode) ? Status::Ok() : Status::IOError(dir + " is not a directory");
  }
  size_t slash = dir.rfind('/');
  if (slash != std::string::npos && slash > 0) RETURN_IF_ERROR(MakeDirs(dir.substr(0, slash)));
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return Errno("cannot create directory", dir);
  return Status::Ok();
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("cannot write", path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return Errno("cannot open directory", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::Ok() : Errno("cannot sync directory", dir);
}

int64_t MtimeMs(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
}

class LocalStore final : public Store {
 public:
  explicit LocalStore(bool durable) : durable_(durable) {}

  Status Write(const std::string& location, std::string_view data, bool exclusive) override {
    ASSIGN_OR_RETURN(std::string path, LocalPath(location));
    std::string dir = path.substr(0, path.rfind('/'));
    RETURN_IF_ERROR(MakeDirs(dir));
    std::string tmp = path + ".tmp-" + NewUuid();
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return Errno("cannot create", tmp);
    Status st = WriteAll(fd, data, tmp);
    if (st.ok() && durable_ && ::fdatasync(fd) != 0) st = Errno("cannot sync", tmp);
    ::close(fd);
    if (st.ok()) {
      if (exclusive) {
        // link(2) fails when the target exists: an atomic create-if-absent.
        if (::link(tmp.c_str(), path.c_str()) != 0) st = Errno("cannot create", path);
        ::unlink(tmp.c_str());
      } else if (::rename(tmp.c_str(), path.c_str()) != 0) {
        st = Errno("cannot rename to", path);
      }
    }
    if (!st.ok()) {
      ::unlink(tmp.c_str());
      return st;
    }
    if (durable_) RETURN_IF_ERROR(SyncDir(dir));
    return Status::Ok();
  }

  Result<std::string> Read(const std::string& location) override { return ReadRange(location, 0, -1); }

  Result<std::string> ReadRange(const std::string& location, int64_t offset, int64_t length) override {
    ASSIGN_OR_RETURN(std::string path, LocalPath(location));
    // O_NONBLOCK: a FIFO named by a location must not block the reader; only regular files
    // are objects.
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return Errno("cannot open", path);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      Status s = Errno("cannot stat", path);
      ::close(fd);
      return s;
    }
    if (!S_ISREG(st.st_mode)) {
      ::close(fd);
      return Status::NotFound("not a regular file: " + path);
    }
    int64_t size = st.st_size;
    int64_t begin = std::min(offset, size);
    int64_t end = length < 0 ? size : std::min(size, begin + length);
    std::string out(static_cast<size_t>(end - begin), '\0');
    size_t done = 0;
    while (done < out.size()) {
      ssize_t n = ::pread(fd, out.data() + done, out.size() - done, begin + static_cast<int64_t>(done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        Status s = n < 0 ? Errno("cannot read", path) : Status::IOError("short read of " + path);
        ::close(fd);
        return s;
      }
      done += static_cast<size_t>(n);
    }
    ::close(fd);
    return out;
  }

  Result<ObjectInfo> Stat(const std::string& location) override {
    ASSIGN_OR_RETURN(std::string path, LocalPath(location));
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return Errno("cannot stat", path);
    return ObjectInfo{location, static_cast<int64_t>(st.st_size), MtimeMs(st)};
  }

  Status Delete(const std::string& location) override {
    ASSIGN_OR_RETURN(std::string path, LocalPath(location));
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return Errno("cannot delete", path);
    return Status::Ok();
  }

  Result<std::vector<ObjectInfo>> List(const std::string& prefix) override {
    ASSIGN_OR_RETURN(std::string path, LocalPath(prefix));
    bool uri = prefix.rfind("file:", 0) == 0;
    std::vector<ObjectInfo> out;
    // Walk from the deepest existing directory the prefix names.
    std::string dir = path;
    struct stat st;
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || dir.back() == '/') dir = dir.substr(0, dir.rfind('/'));
    if (dir.empty()) dir = "/";
    RETURN_IF_ERROR(Walk(dir, path, uri, &out, 0));
    std::sort(out.begin(), out.end(), [](const ObjectInfo& a, const ObjectInfo& b) { return a.location < b.location; });
    return out;
  }

 private:
  Status Walk(const std::string& dir, const std::string& prefix, bool uri, std::vector<ObjectInfo>* out, int depth) {
    if (depth > 64) return Status::Ok();
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return errno == ENOENT ? Status::Ok() : Errno("cannot list", dir);
    Status result;
    while (struct dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      std::string full = (dir == "/" ? "" : dir) + "/" + name;
      struct stat st;
      if (::lstat(full.c_str(), &st) != 0) continue;
      if (S_ISDIR(st.st_mode)) {
        if (full.size() >= prefix.size() ? full.compare(0, prefix.size(), prefix) == 0
                                         : prefix.compare(0, full.size(), full) == 0) {
          result = Walk(full, prefix, uri, out, depth + 1);
          if (!result.ok()) break;
        }
      } else if (S_ISREG(st.st_mode) && full.compare(0, prefix.size(), prefix) == 0) {
        out->push_back(ObjectInfo{uri ? LocalLocation(full) : full, static_cast<int64_t>(st.st_size), MtimeMs(st)});
      }
    }
    ::closedir(d);
    return result;
  }

  bool durable_;
};

}  // namespace

std::unique_ptr<Store> NewLocalStore(bool durable) { return std::make_unique<LocalStore>(durable); }

Result<std::string> LocalPath(std::string_view location) {
  std::string_view p = location;
  if (p.rfind("file://", 0) == 0) {
    p.remove_prefix(7);
  } else if (p.rfind("file:", 0) == 0) {
    p.remove_prefix(5);
  }
  if (p.empty() || p[0] != '/') {
    return Status::InvalidArgument("not a local absolute location: " + std::string(location));
  }
  if (p.find("/../") != std::string_view::npos || (p.size() >= 3 && p.substr(p.size() - 3) == "/..")) {
    return Status::InvalidArgument("a location may not contain \"..\": " + std::string(location));
  }
  return std::string(p);
}

std::string LocalLocation(std::string_view abs_path) { return "file://" + std::string(abs_path); }

Result<std::string> ResolveLocalLocation(std::string_view dir_or_uri) {
  std::string path(dir_or_uri);
  if (path.rfind("file:", 0) == 0) {
    path.erase(0, path.rfind("file://", 0) == 0 ? 7 : 5);
    if (path.empty() || path[0] != '/')
      return Status::InvalidArgument("not a local absolute location: " + std::string(dir_or_uri));
  } else if (path.find("://") != std::string::npos) {
    return Status::InvalidArgument("unsupported location " + path + " (a local directory or file:// URI)");
  }
  if (path.empty() || path[0] != '/') {
    char cwd[4096];
    if (::getcwd(cwd, sizeof cwd) == nullptr) return Status::IOError("cannot resolve the current directory");
    path = std::string(cwd) + "/" + path;
  }
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    std::string part = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(std::move(part));
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  std::string out;
  for (const auto& p : parts) out += "/" + p;
  return LocalLocation(out.empty() ? "/" : out);
}

}  // namespace floe::objstore
