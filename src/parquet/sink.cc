#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include "common/ascii.h"
#include "parquet/writer.h"

namespace floe::parquet {

namespace {

Status WriteAll(int fd, const std::string& path, const char* p, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::IOError("write " + path + ": " + std::strerror(errno));
    p += n;
    size -= static_cast<size_t>(n);
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<FileSink>> FileSink::Create(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError("cannot create " + path + ": " + std::strerror(errno));
  return std::unique_ptr<FileSink>(new FileSink(fd, path));
}

FileSink::~FileSink() {
  if (fd_ >= 0) ::close(fd_);
}

Status FileSink::Write(const void* data, size_t size) {
  if (fd_ < 0) return Status::IOError(path_ + " is closed");
  if (buffer_.size() + size > (1 << 20)) RETURN_IF_ERROR(Flush());
  if (size >= (1 << 20)) return WriteAll(fd_, path_, static_cast<const char*>(data), size);
  buffer_.append(static_cast<const char*>(data), size);
  return Status::Ok();
}

Status FileSink::Flush() {
  RETURN_IF_ERROR(WriteAll(fd_, path_, buffer_.data(), buffer_.size()));
  buffer_.clear();
  return Status::Ok();
}

Status FileSink::Close(bool sync) {
  if (fd_ < 0) return Status::Ok();
  Status st = Flush();
  if (st.ok() && sync && ::fsync(fd_) != 0) st = Status::IOError("fsync " + path_ + ": " + std::strerror(errno));
  if (::close(fd_) != 0 && st.ok()) st = Status::IOError("close " + path_ + ": " + std::strerror(errno));
  fd_ = -1;
  return st;
}

Result<Codec> ParseCodec(std::string_view name) {
  const std::string lower = AsciiLower(name);
  if (lower == "uncompressed" || lower == "none") return Codec::kUncompressed;
  if (lower == "snappy") return Codec::kSnappy;
  if (lower == "gzip") return Codec::kGzip;
  if (lower == "zstd") return Codec::kZstd;
  return Status::InvalidArgument("unknown Parquet codec '" + std::string(name) +
                                 "' (expected uncompressed, snappy, gzip or zstd)");
}

const char* CodecName(Codec codec) {
  switch (codec) {
    case Codec::kUncompressed: return "uncompressed";
    case Codec::kSnappy: return "snappy";
    case Codec::kGzip: return "gzip";
    case Codec::kZstd: return "zstd";
  }
  return "?";
}

}  // namespace floe::parquet
