#pragma once
// Server settings. Precedence, lowest to highest: built-in defaults, the JSON config file
// (cli/config_file), environment variables (ApplyEnvironment), command-line flags.
#include <cstdint>
#include <map>
#include <string>

#include "common/status.h"

namespace floe {

enum class Durability {
  kSync,   // an acknowledged write survives power loss (WAL fsync, group commit)
  kAsync,  // an acknowledged write survives a process crash, not power loss
};

struct ServerConfig {
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 8000;
  std::string data_dir = "./data";
  // Root location of Iceberg tables ("file:///abs/dir" or an absolute path); empty:
  // <data_dir>/warehouse.
  std::string warehouse;
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  Durability durability = Durability::kSync;
  int threads = 0;                                 // I/O threads; 0: one per core less one (at least one)
  std::map<std::string, std::string> access_keys;  // access key id -> secret access key
  std::string log_level = "info";
  size_t max_request_bytes = 16 * 1024 * 1024;
  // A connection whose read or write has been pending this long is closed (idle keep-alive
  // connections, clients that stop sending or reading).
  int64_t idle_timeout_seconds = 300;
  // Open client connections at most; a connection beyond it is closed at once (clients retry).
  // 0: derived from the descriptor limit (half of RLIMIT_NOFILE, at most 10000).
  int64_t max_connections = 0;
  // Memory that responses not yet taken by their clients may hold, per I/O thread. Past it,
  // the connections whose responses have made no progress for longest are closed.
  int64_t response_buffer_mb = 64;
  // Disk space set aside and released when the disk fills (storage::EngineOptions).
  int64_t reserved_disk_mb = 128;
  // --recover: how to open a damaged database ("", "point-in-time", "repair").
  std::string recover;
  // Storage caches (storage::EngineOptions), filled lazily.
  int64_t block_cache_mb = 128;  // RocksDB's block cache
  int64_t row_cache_mb = 128;    // latest item values for point reads; 0 turns it off
  // DynamoDB Streams (streams/streams.h).
  int64_t stream_shards = 4;                           // shards per stream generation, 1..64
  int64_t stream_retention_seconds = 24 * 3600;        // records older than this are trimmed
  int64_t stream_shard_rollover_seconds = 4 * 3600;    // shards close and get children this often
  int64_t stream_iterator_lifetime_seconds = 15 * 60;  // ExpiredIteratorException after this
  int64_t maintenance_interval_ms = 1000;              // background passes (trim, rollover)
  // The config file's "replications" array, as JSON text (parsed by pipeline/config.h), and
  // the directory relative transform files are resolved against.
  std::string replications_json;
  std::string s3_json;  // the config file's "s3" object (warehouses on S3), serialized
  std::string config_dir;
};

// Parses "HOST:PORT" (HOST may be a bracketed IPv6 address).
Status ParseListen(const std::string& text, std::string* host, uint16_t* port);
Result<Durability> ParseDurability(const std::string& text);
const char* DurabilityName(Durability d);

// Applies FLOE_LISTEN, FLOE_DATA_DIR, FLOE_WAREHOUSE, FLOE_REGION, FLOE_DURABILITY, FLOE_THREADS,
// FLOE_LOG_LEVEL, FLOE_ACCESS_KEYS ("id:secret,id2:secret2") when set.
Status ApplyEnvironment(ServerConfig* config);

// Cross-field checks, including the security rule of DESIGN.md: a non-loopback listen
// address requires configured access keys.
Status Validate(const ServerConfig& config);

bool IsLoopbackHost(const std::string& host);

}  // namespace floe
