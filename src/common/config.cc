#include "common/config.h"

#include <cctype>
#include <cstdlib>

namespace floe {

Status ParseListen(const std::string& text, std::string* host, uint16_t* port) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 >= text.size()) {
    return Status::InvalidArgument("listen address must be HOST:PORT, got '" + text + "'");
  }
  std::string h = text.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (h.empty()) return Status::InvalidArgument("listen address has an empty host: '" + text + "'");
  std::string p = text.substr(colon + 1);
  char* end = nullptr;
  long v = std::strtol(p.c_str(), &end, 10);
  if (*end != '\0' || v < 0 || v > 65535) {
    return Status::InvalidArgument("listen port must be 0..65535, got '" + p + "'");
  }
  *host = h;
  *port = static_cast<uint16_t>(v);
  return Status::Ok();
}

Result<Durability> ParseDurability(const std::string& text) {
  if (text == "sync") return Durability::kSync;
  if (text == "async") return Durability::kAsync;
  return Status::InvalidArgument("durability must be 'sync' or 'async', got '" + text + "'");
}

const char* DurabilityName(Durability d) { return d == Durability::kSync ? "sync" : "async"; }

Status ApplyEnvironment(ServerConfig* c) {
  if (const char* v = std::getenv("FLOE_LISTEN")) RETURN_IF_ERROR(ParseListen(v, &c->listen_host, &c->listen_port));
  if (const char* v = std::getenv("FLOE_DATA_DIR")) c->data_dir = v;
  if (const char* v = std::getenv("FLOE_WAREHOUSE")) c->warehouse = v;
  if (const char* v = std::getenv("FLOE_REGION")) c->region = v;
  if (const char* v = std::getenv("FLOE_DURABILITY")) {
    ASSIGN_OR_RETURN(c->durability, ParseDurability(v));
  }
  if (const char* v = std::getenv("FLOE_THREADS")) c->threads = std::atoi(v);
  if (const char* v = std::getenv("FLOE_LOG_LEVEL")) c->log_level = v;
  if (const char* v = std::getenv("FLOE_ACCESS_KEYS")) {
    std::string s = v;
    size_t pos = 0;
    while (pos < s.size()) {
      size_t comma = s.find(',', pos);
      std::string pair = s.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
      size_t colon = pair.find(':');
      if (colon == std::string::npos || colon == 0 || colon + 1 == pair.size()) {
        return Status::InvalidArgument("FLOE_ACCESS_KEYS must be 'id:secret[,id:secret...]'");
      }
      c->access_keys[pair.substr(0, colon)] = pair.substr(colon + 1);
      if (comma == std::string::npos) break;
      pos = comma + 1;
    }
  }
  return Status::Ok();
}

bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost" || host == "::1") return true;
  return host.rfind("127.", 0) == 0;
}

Status Validate(const ServerConfig& c) {
  if (c.region.empty()) return Status::InvalidArgument("region must not be empty");
  for (char ch : c.region) {
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-')) {
      return Status::InvalidArgument("region may hold only letters, digits and '-': '" + c.region + "'");
    }
  }
  if (c.data_dir.empty()) return Status::InvalidArgument("data directory must not be empty");
  if (c.threads < 0 || c.threads > 256) return Status::InvalidArgument("threads must be 0..256");
  if (c.idle_timeout_seconds < 1 || c.idle_timeout_seconds > 86400) {
    return Status::InvalidArgument("idleTimeoutSeconds must be 1..86400");
  }
  if (c.max_connections < 0 || c.max_connections > 1000000)
    return Status::InvalidArgument("maxConnections must be 0..1000000");
  if (c.response_buffer_mb < 1 || c.response_buffer_mb > 65536) {
    return Status::InvalidArgument("responseBufferMb must be 1..65536");
  }
  if (c.reserved_disk_mb < 0 || c.reserved_disk_mb > 65536)
    return Status::InvalidArgument("reservedDiskMb must be 0..65536");
  if (!c.recover.empty() && c.recover != "point-in-time" && c.recover != "repair") {
    return Status::InvalidArgument("--recover must be 'point-in-time' or 'repair'");
  }
  if (c.log_level != "debug" && c.log_level != "info" && c.log_level != "warn" && c.log_level != "error") {
    return Status::InvalidArgument("log level must be debug, info, warn or error");
  }
  if (c.stream_shards < 1 || c.stream_shards > 64) return Status::InvalidArgument("streamShards must be 1..64");
  if (c.stream_retention_seconds < 1) return Status::InvalidArgument("streamRetentionSeconds must be at least 1");
  if (c.stream_shard_rollover_seconds < 1)
    return Status::InvalidArgument("streamShardRolloverSeconds must be at least 1");
  if (c.stream_iterator_lifetime_seconds < 1) {
    return Status::InvalidArgument("streamIteratorLifetimeSeconds must be at least 1");
  }
  if (c.maintenance_interval_ms < 10) return Status::InvalidArgument("maintenanceIntervalMs must be at least 10");
  // RocksDB needs a block cache; 64 GiB bounds typos (a size in bytes given as megabytes).
  if (c.block_cache_mb < 1 || c.block_cache_mb > 65536) return Status::InvalidArgument("blockCacheMb must be 1..65536");
  if (c.row_cache_mb < 0 || c.row_cache_mb > 65536) return Status::InvalidArgument("rowCacheMb must be 0..65536");
  if (!IsLoopbackHost(c.listen_host) && c.access_keys.empty()) {
    return Status::InvalidArgument(
        "refusing to listen on non-loopback address '" + c.listen_host +
        "' without access keys: configure accessKeys (or FLOE_ACCESS_KEYS) so that SigV4 signatures are verified");
  }
  return Status::Ok();
}

}  // namespace floe
