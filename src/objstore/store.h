#pragma once
// Warehouse storage for Iceberg tables (DESIGN.md src/objstore/): whole-object writes, reads,
// deletes and listings addressed by location. A local directory now; an S3-compatible store
// will implement the same interface.
//
// Locations are URIs ("file:///abs/path") or absolute paths; a store answers for the
// locations it owns. Thread safety: every method may be called from any thread.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace floe::objstore {

struct ObjectInfo {
  std::string location;
  int64_t size = 0;
  int64_t modified_ms = 0;
};

class Store {
 public:
  virtual ~Store() = default;
  // Writes the whole object atomically: readers see the old object (or none) or the new one,
  // never a part. With the store's durable option the object survives power loss on return.
  // exclusive: fails with kResourceInUse when the object exists.
  virtual Status Write(const std::string& location, std::string_view data, bool exclusive = false) = 0;
  // Errors: kNotFound when absent.
  virtual Result<std::string> Read(const std::string& location) = 0;
  // Reads [offset, offset + length) (shorter at the end). Errors: kNotFound.
  virtual Result<std::string> ReadRange(const std::string& location, int64_t offset, int64_t length) = 0;
  virtual Result<ObjectInfo> Stat(const std::string& location) = 0;
  // Deleting an absent object succeeds.
  virtual Status Delete(const std::string& location) = 0;
  // Every object whose location starts with prefix (recursively), sorted by location.
  virtual Result<std::vector<ObjectInfo>> List(const std::string& prefix) = 0;
};

// Objects are files under the local file system. durable: fsync files (and their directory
// on create) before Write returns.
std::unique_ptr<Store> NewLocalStore(bool durable = true);

// "file:///a/b" and "file:/a/b" -> "/a/b"; an absolute path is returned as is.
// Errors: kInvalidArgument for other schemes and relative paths.
Result<std::string> LocalPath(std::string_view location);
// The canonical location of an absolute local path: "file:///abs/path".
std::string LocalLocation(std::string_view abs_path);
// A directory given by a user (absolute, relative to the working directory, or a file: URI) as
// a canonical location, with "." and ".." segments resolved. Errors: kInvalidArgument for
// other schemes, kIOError when the working directory cannot be read.
Result<std::string> ResolveLocalLocation(std::string_view dir_or_uri);

}  // namespace floe::objstore
