#pragma once
// Warehouse storage for Iceberg tables (DESIGN.md src/objstore/): whole-object writes, reads,
// deletes and listings addressed by location, in a local directory or an S3-compatible store.
//
// Locations are URIs ("file:///abs/path") or absolute paths; a store answers for the
// locations it owns. Thread safety: every method may be called from any thread.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "aws/sigv4.h"
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

// An S3-compatible object store (AWS S3, MinIO, Ceph, ...), addressed as s3://bucket/key.
struct S3Options {
  std::string endpoint;  // "http[s]://host[:port]"; empty: https://s3.<region>.amazonaws.com
  std::string region = "us-east-1";
  aws::Credentials credentials;
  bool path_style = true;  // https://host/bucket/key; false: https://bucket.host/key
  std::string ca_file;     // PEM bundle for TLS; empty: the system's CA store
};

// Objects are S3 objects (s3://bucket/key). Writes are single PUTs, signed with SigV4 over the
// payload's hash; an exclusive write sends If-None-Match: * (stores that ignore it make it a
// plain write). Transient failures (connection errors, HTTP 500 and 503) are retried 3 times.
// Errors: kInvalidArgument for a bad endpoint or location, kNotFound, kResourceInUse (exclusive
// write of an existing object), kUnavailable (unreachable), kIOError (other S3 errors, with
// S3's code and message).
Result<std::unique_ptr<Store>> NewS3Store(S3Options options);

// One store for several schemes: file: locations and absolute paths go to `local`, s3://
// locations to `s3` (kInvalidArgument when null). Takes ownership of both.
std::unique_ptr<Store> NewRoutingStore(std::unique_ptr<Store> local, std::unique_ptr<Store> s3);

bool IsS3Location(std::string_view location);
// A warehouse given by a user: s3://bucket[/prefix] (checked; trailing '/' dropped), or a
// local directory as ResolveLocalLocation resolves it. Errors: kInvalidArgument.
Result<std::string> ResolveWarehouse(std::string_view dir_or_uri);

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
