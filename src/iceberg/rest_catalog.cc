#include "iceberg/rest_catalog.h"

#include <algorithm>
#include <cstdlib>

#include "common/hex.h"
#include "common/log.h"
#include "common/random.h"
#include "iceberg/catalog.h"
#include "json/json.h"

namespace floe::iceberg {

namespace {

constexpr int kCommitAttempts = 8;

RestResponse FromStatus(const Status& st) {
  const std::string& m = st.message();
  switch (st.code()) {
    case StatusCode::kNotFound:
      if (m.rfind("Namespace", 0) == 0) return RestError(404, "NoSuchNamespaceException", m);
      return RestError(404, "NoSuchTableException", m);
    case StatusCode::kResourceInUse:
      if (m.rfind("Namespace is not empty", 0) == 0) return RestError(409, "NamespaceNotEmptyException", m);
      return RestError(409, "AlreadyExistsException", m);
    case StatusCode::kCommitFailed:
    case StatusCode::kConditionFailed: return RestError(409, "CommitFailedException", m);
    case StatusCode::kInvalidArgument:
    case StatusCode::kSerialization: return RestError(400, "BadRequestException", m);
    default: log::Error("iceberg REST: {}", st.ToString()); return RestError(500, "InternalServerError", m);
  }
}

RestResponse Ok(std::string body) { return RestResponse{200, std::move(body)}; }
RestResponse NoContent() { return RestResponse{204, ""}; }

// A namespace path parameter: levels joined by the unit separator (0x1F), percent-encoded.
Namespace ParseNsParam(std::string_view raw) {
  std::string s = PercentDecode(raw, false);
  Namespace ns;
  size_t start = 0;
  for (;;) {
    size_t sep = s.find('\x1f', start);
    ns.push_back(s.substr(start, sep == std::string::npos ? std::string::npos : sep - start));
    if (sep == std::string::npos) break;
    start = sep + 1;
  }
  return ns;
}

std::map<std::string, std::string> ParseQuery(std::string_view q) {
  std::map<std::string, std::string> out;
  size_t start = 0;
  while (start < q.size()) {
    size_t amp = q.find('&', start);
    std::string_view part = q.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
    size_t eq = part.find('=');
    std::string key = PercentDecode(part.substr(0, eq), true);
    out[key] = eq == std::string_view::npos ? "" : PercentDecode(part.substr(eq + 1), true);
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  return out;
}

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    std::string_view p = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (!p.empty()) parts.emplace_back(p);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return parts;
}

void WriteNs(const Namespace& ns, json::Writer* w) {
  w->StartArray();
  for (const auto& level : ns) w->String(level);
  w->EndArray();
}

std::string LoadResult(const LoadedTable& t) {
  json::Writer w;
  w.StartObject();
  w.Key("metadata-location");
  w.String(t.metadata_location);
  w.Key("metadata");
  w.RawJson(MetadataToJson(t.metadata));
  w.Key("config");
  w.StartObject();
  w.EndObject();
  w.EndObject();
  return w.Take();
}

Result<json::Value> ParseBody(const std::string& body) {
  auto v = json::Parse(body);
  if (!v.ok()) return Status::InvalidArgument("Malformed request body: " + v.status().message());
  if (!v->is_object()) return Status::InvalidArgument("Malformed request body: expected a JSON object");
  return v;
}

Result<Namespace> NsFromJson(const json::Value* v) {
  if (v == nullptr || !v->is_array()) return Status::InvalidArgument("\"namespace\" must be an array of strings");
  Namespace ns;
  for (const auto& level : v->items()) {
    if (!level.is_string()) return Status::InvalidArgument("\"namespace\" must be an array of strings");
    ns.push_back(level.str());
  }
  RETURN_IF_ERROR(ValidateNamespace(ns));
  return ns;
}

Result<std::map<std::string, std::string>> PropsFrom(const json::Value* v, const char* what) {
  std::map<std::string, std::string> out;
  if (v == nullptr || v->is_null()) return out;
  if (!v->is_object()) return Status::InvalidArgument(std::string("\"") + what + "\" must be an object of strings");
  for (const auto& [k, val] : v->members()) {
    if (!val.is_string()) return Status::InvalidArgument(std::string("\"") + what + "\" values must be strings");
    out[k] = val.str();
  }
  return out;
}

Result<TableIdent> IdentFromJson(const json::Value* v) {
  if (v == nullptr || !v->is_object()) return Status::InvalidArgument("a table identifier must be an object");
  ASSIGN_OR_RETURN(Namespace ns, NsFromJson(v->Find("namespace")));
  const json::Value* name = v->Find("name");
  if (name == nullptr || !name->is_string())
    return Status::InvalidArgument("a table identifier needs a string \"name\"");
  return TableIdent{ns, name->str()};
}

// Paging: pageToken is the offset of the next item.
template <typename T, typename F>
std::string Page(const std::vector<T>& items, const std::map<std::string, std::string>& q, const char* key, F&& write) {
  size_t offset = 0, size = items.size();
  if (auto it = q.find("pageToken"); it != q.end() && !it->second.empty())
    offset = std::strtoull(it->second.c_str(), nullptr, 10);
  if (auto it = q.find("pageSize"); it != q.end() && !it->second.empty()) {
    size = std::max<size_t>(1, std::strtoull(it->second.c_str(), nullptr, 10));
  }
  offset = std::min(offset, items.size());
  size_t end = std::min(items.size(), offset + size);
  json::Writer w;
  w.StartObject();
  w.Key(key);
  w.StartArray();
  for (size_t i = offset; i < end; ++i) write(items[i], &w);
  w.EndArray();
  if (end < items.size()) {
    w.Key("next-page-token");
    w.String(std::to_string(end));
  }
  w.EndObject();
  return w.Take();
}

// ---- commits: requirements and updates

Result<int64_t> IntMember(const json::Value& v, const char* key) {
  const json::Value* m = v.Find(key);
  int64_t x;
  if (m == nullptr || !m->AsInt64(&x))
    return Status::InvalidArgument(std::string("\"") + key + "\" must be an integer");
  return x;
}

Result<std::string> StrMember(const json::Value& v, const char* key) {
  const json::Value* m = v.Find(key);
  if (m == nullptr || !m->is_string()) return Status::InvalidArgument(std::string("\"") + key + "\" must be a string");
  return m->str();
}

// exists: whether the table exists (false only under assert-create).
Status CheckRequirement(const json::Value& r, const TableMetadata* m) {
  ASSIGN_OR_RETURN(std::string type, StrMember(r, "type"));
  auto fail = [&](const std::string& what) { return Status::CommitFailed("Requirement failed: " + what); };
  if (type == "assert-create") {
    if (m != nullptr) return fail("table already exists");
    return Status::Ok();
  }
  if (m == nullptr) return Status::NotFound("Table does not exist");
  if (type == "assert-table-uuid") {
    ASSIGN_OR_RETURN(std::string uuid, StrMember(r, "uuid"));
    if (uuid != m->table_uuid) return fail("UUID does not match: expected " + m->table_uuid + " != " + uuid);
  } else if (type == "assert-ref-snapshot-id") {
    ASSIGN_OR_RETURN(std::string ref, StrMember(r, "ref"));
    const json::Value* id = r.Find("snapshot-id");
    auto it = m->refs.find(ref);
    int64_t want;
    if (id == nullptr || id->is_null()) {
      if (it != m->refs.end()) return fail("branch or tag " + ref + " was created concurrently");
    } else if (!id->AsInt64(&want)) {
      return Status::InvalidArgument("\"snapshot-id\" must be an integer or null");
    } else if (it == m->refs.end()) {
      return fail("branch or tag " + ref + " is missing, expected " + std::to_string(want));
    } else if (it->second.snapshot_id != want) {
      return fail("branch " + ref + " has changed: expected id " + std::to_string(want) +
                  " != " + std::to_string(it->second.snapshot_id));
    }
  } else if (type == "assert-last-assigned-field-id") {
    ASSIGN_OR_RETURN(int64_t id, IntMember(r, "last-assigned-field-id"));
    if (id != m->last_column_id)
      return fail("last assigned field id changed: expected " + std::to_string(id) +
                  " != " + std::to_string(m->last_column_id));
  } else if (type == "assert-current-schema-id") {
    ASSIGN_OR_RETURN(int64_t id, IntMember(r, "current-schema-id"));
    if (id != m->current_schema_id)
      return fail("current schema changed: expected " + std::to_string(id) +
                  " != " + std::to_string(m->current_schema_id));
  } else if (type == "assert-last-assigned-partition-id") {
    ASSIGN_OR_RETURN(int64_t id, IntMember(r, "last-assigned-partition-id"));
    if (id != m->last_partition_id)
      return fail("last assigned partition id changed: expected " + std::to_string(id) +
                  " != " + std::to_string(m->last_partition_id));
  } else if (type == "assert-default-spec-id") {
    ASSIGN_OR_RETURN(int64_t id, IntMember(r, "default-spec-id"));
    if (id != m->default_spec_id)
      return fail("default partition spec changed: expected " + std::to_string(id) +
                  " != " + std::to_string(m->default_spec_id));
  } else if (type == "assert-default-sort-order-id") {
    ASSIGN_OR_RETURN(int64_t id, IntMember(r, "default-sort-order-id"));
    if (id != m->default_sort_order_id)
      return fail("default sort order changed: expected " + std::to_string(id) +
                  " != " + std::to_string(m->default_sort_order_id));
  } else {
    return Status::InvalidArgument("Unknown requirement type: " + type);
  }
  return Status::Ok();
}

// Replaces (or with `remove`, deletes) the entry of a JSON statistics array with this
// snapshot id.
Status UpdateStatistics(std::string* array_json, int64_t snapshot_id, const json::Value* entry) {
  ASSIGN_OR_RETURN(json::Value arr, json::Parse(*array_json));
  json::Writer w;
  w.StartArray();
  for (const auto& e : arr.items()) {
    int64_t id;
    const json::Value* sid = e.Find("snapshot-id");
    if (sid != nullptr && sid->AsInt64(&id) && id == snapshot_id) continue;
    w.Write(e);
  }
  if (entry != nullptr) w.Write(*entry);
  w.EndArray();
  *array_json = w.Take();
  return Status::Ok();
}

Status ApplyUpdate(const json::Value& u, TableMetadata* m) {
  ASSIGN_OR_RETURN(std::string action, StrMember(u, "action"));
  if (action == "assign-uuid") {
    ASSIGN_OR_RETURN(std::string uuid, StrMember(u, "uuid"));
    if (!m->table_uuid.empty() && m->table_uuid != uuid)
      return Status::InvalidArgument("Cannot reassign the table UUID");
    m->table_uuid = uuid;
  } else if (action == "upgrade-format-version") {
    ASSIGN_OR_RETURN(int64_t v, IntMember(u, "format-version"));
    RETURN_IF_ERROR(m->UpgradeFormatVersion(static_cast<int>(v)));
  } else if (action == "add-schema") {
    const json::Value* s = u.Find("schema");
    if (s == nullptr) return Status::InvalidArgument("add-schema needs a \"schema\"");
    ASSIGN_OR_RETURN(Schema schema, ParseSchema(*s));
    std::optional<int32_t> last;
    int64_t x;
    if (const json::Value* l = u.Find("last-column-id"); l != nullptr && l->AsInt64(&x)) last = static_cast<int32_t>(x);
    if (s->Find("schema-id") == nullptr) schema.schema_id = -1;
    ASSIGN_OR_RETURN(int32_t id, m->AddSchema(std::move(schema), last));
    (void)id;
  } else if (action == "set-current-schema") {
    ASSIGN_OR_RETURN(int64_t id, IntMember(u, "schema-id"));
    RETURN_IF_ERROR(m->SetCurrentSchema(static_cast<int32_t>(id)));
  } else if (action == "add-spec") {
    const json::Value* s = u.Find("spec");
    if (s == nullptr) return Status::InvalidArgument("add-spec needs a \"spec\"");
    ASSIGN_OR_RETURN(PartitionSpec spec, ParseSpec(*s, &m->last_partition_id));
    ASSIGN_OR_RETURN(int32_t id, m->AddSpec(std::move(spec)));
    (void)id;
  } else if (action == "set-default-spec") {
    ASSIGN_OR_RETURN(int64_t id, IntMember(u, "spec-id"));
    RETURN_IF_ERROR(m->SetDefaultSpec(static_cast<int32_t>(id)));
  } else if (action == "add-sort-order") {
    const json::Value* s = u.Find("sort-order");
    if (s == nullptr) return Status::InvalidArgument("add-sort-order needs a \"sort-order\"");
    ASSIGN_OR_RETURN(SortOrder order, ParseSortOrder(*s));
    ASSIGN_OR_RETURN(int32_t id, m->AddSortOrder(std::move(order)));
    (void)id;
  } else if (action == "set-default-sort-order") {
    ASSIGN_OR_RETURN(int64_t id, IntMember(u, "sort-order-id"));
    RETURN_IF_ERROR(m->SetDefaultSortOrder(static_cast<int32_t>(id)));
  } else if (action == "add-snapshot") {
    const json::Value* s = u.Find("snapshot");
    if (s == nullptr) return Status::InvalidArgument("add-snapshot needs a \"snapshot\"");
    ASSIGN_OR_RETURN(Snapshot snap, ParseSnapshot(*s));
    RETURN_IF_ERROR(m->AddSnapshot(std::move(snap)));
  } else if (action == "set-snapshot-ref") {
    ASSIGN_OR_RETURN(std::string name, StrMember(u, "ref-name"));
    ASSIGN_OR_RETURN(SnapshotRef ref, ParseRef(u));
    RETURN_IF_ERROR(m->SetRef(name, ref));
  } else if (action == "remove-snapshots") {
    const json::Value* ids = u.Find("snapshot-ids");
    if (ids == nullptr || !ids->is_array()) return Status::InvalidArgument("remove-snapshots needs \"snapshot-ids\"");
    std::vector<int64_t> v;
    for (const auto& id : ids->items()) {
      int64_t x;
      if (!id.AsInt64(&x)) return Status::InvalidArgument("snapshot ids must be integers");
      v.push_back(x);
    }
    m->RemoveSnapshots(v);
  } else if (action == "remove-snapshot-ref") {
    ASSIGN_OR_RETURN(std::string name, StrMember(u, "ref-name"));
    m->RemoveRef(name);
  } else if (action == "set-location") {
    ASSIGN_OR_RETURN(std::string location, StrMember(u, "location"));
    if (location.empty()) return Status::InvalidArgument("location must not be empty");
    m->location = location;
  } else if (action == "set-properties") {
    ASSIGN_OR_RETURN(auto props, PropsFrom(u.Find("updates"), "updates"));
    for (auto& [k, v] : props) m->properties[k] = v;
  } else if (action == "remove-properties") {
    const json::Value* r = u.Find("removals");
    if (r == nullptr || !r->is_array()) return Status::InvalidArgument("remove-properties needs \"removals\"");
    for (const auto& k : r->items()) m->properties.erase(k.str());
  } else if (action == "set-statistics" || action == "set-partition-statistics") {
    const char* key = action == "set-statistics" ? "statistics" : "partition-statistics";
    const json::Value* st = u.Find(key);
    if (st == nullptr || !st->is_object()) return Status::InvalidArgument(action + " needs \"" + key + "\"");
    ASSIGN_OR_RETURN(int64_t sid, IntMember(*st, "snapshot-id"));
    RETURN_IF_ERROR(
        UpdateStatistics(action == "set-statistics" ? &m->statistics_json : &m->partition_statistics_json, sid, st));
  } else if (action == "remove-statistics" || action == "remove-partition-statistics") {
    ASSIGN_OR_RETURN(int64_t sid, IntMember(u, "snapshot-id"));
    RETURN_IF_ERROR(UpdateStatistics(
        action == "remove-statistics" ? &m->statistics_json : &m->partition_statistics_json, sid, nullptr));
  } else if (action == "remove-schemas") {
    const json::Value* ids = u.Find("schema-ids");
    if (ids == nullptr || !ids->is_array()) return Status::InvalidArgument("remove-schemas needs \"schema-ids\"");
    for (const auto& id : ids->items()) {
      int64_t x;
      if (!id.AsInt64(&x)) return Status::InvalidArgument("schema ids must be integers");
      if (x == m->current_schema_id) return Status::InvalidArgument("Cannot remove the current schema");
      std::erase_if(m->schemas, [&](const Schema& s) { return s.schema_id == x; });
    }
  } else if (action == "remove-partition-specs") {
    const json::Value* ids = u.Find("spec-ids");
    if (ids == nullptr || !ids->is_array()) return Status::InvalidArgument("remove-partition-specs needs \"spec-ids\"");
    for (const auto& id : ids->items()) {
      int64_t x;
      if (!id.AsInt64(&x)) return Status::InvalidArgument("spec ids must be integers");
      if (x == m->default_spec_id) return Status::InvalidArgument("Cannot remove the default partition spec");
      std::erase_if(m->specs, [&](const PartitionSpec& s) { return s.spec_id == x; });
    }
  } else {
    return Status::InvalidArgument("Unknown or unsupported table update: " + action);
  }
  return Status::Ok();
}

class Handler {
 public:
  Handler(Catalog* catalog, const std::string& method, const std::string& target, const std::string& body)
      : catalog_(catalog), method_(method), body_(body) {
    size_t q = target.find('?');
    path_ = SplitPath(std::string_view(target).substr(0, q));
    if (q != std::string::npos) query_ = ParseQuery(std::string_view(target).substr(q + 1));
  }

  RestResponse Run() {
    // path_: iceberg, v1, ...
    if (path_.size() < 2 || path_[0] != "iceberg" || path_[1] != "v1")
      return RestError(404, "NotFoundException", "No such endpoint");
    std::vector<std::string> p(path_.begin() + 2, path_.end());
    // /v1/{prefix}/...: clients configured with a warehouse name put it here; floe serves
    // one warehouse and accepts any prefix.
    if (p.size() >= 2 && p[0] != "config" && p[0] != "namespaces" && p[0] != "tables") p.erase(p.begin());
    if (p.size() == 1 && p[0] == "config") return Only("GET", [&] { return Config(); });
    if (p.size() == 2 && p[0] == "tables" && p[1] == "rename") return Only("POST", [&] { return Rename(); });
    if (p.empty() || p[0] != "namespaces") return RestError(404, "NotFoundException", "No such endpoint");
    if (p.size() == 1) {
      if (method_ == "GET") return ListNamespaces();
      if (method_ == "POST") return CreateNamespace();
      return NotAllowed();
    }
    Namespace ns = ParseNsParam(p[1]);
    if (Status st = ValidateNamespace(ns); !st.ok()) return FromStatus(st);
    if (p.size() == 2) {
      if (method_ == "GET") return LoadNamespace(ns);
      if (method_ == "HEAD") return Exists(catalog_->LoadNamespace(ns).status());
      if (method_ == "DELETE") return Done(catalog_->DropNamespace(ns));
      return NotAllowed();
    }
    if (p.size() == 3 && p[2] == "properties") return Only("POST", [&] { return UpdateProperties(ns); });
    if (p.size() == 3 && p[2] == "register") return Only("POST", [&] { return Register(ns); });
    if (p[2] != "tables") return RestError(404, "NotFoundException", "No such endpoint");
    if (p.size() == 3) {
      if (method_ == "GET") return ListTables(ns);
      if (method_ == "POST") return CreateTable(ns);
      return NotAllowed();
    }
    TableIdent ident{ns, PercentDecode(p[3], false)};
    if (p.size() == 4) {
      if (method_ == "GET") return Load(ident);
      if (method_ == "HEAD")
        return Exists(catalog_->TableExists(ident) ? Status::Ok() : Status::NotFound("Table does not exist"));
      if (method_ == "POST") return CommitTable(ident);
      if (method_ == "DELETE") {
        auto it = query_.find("purgeRequested");
        return Done(catalog_->DropTable(ident, it != query_.end() && it->second == "true"));
      }
      return NotAllowed();
    }
    if (p.size() == 5 && p[4] == "metrics") {
      // Clients report scan and commit metrics here; floe accepts them and does not keep them.
      return Only("POST", [&]() -> RestResponse {
        if (!catalog_->TableExists(ident))
          return FromStatus(Status::NotFound("Table does not exist: " + ident.ToString()));
        return NoContent();
      });
    }
    return RestError(404, "NotFoundException", "No such endpoint");
  }

 private:
  template <typename F>
  RestResponse Only(const char* method, F&& f) {
    if (method_ != method) return NotAllowed();
    return f();
  }
  RestResponse NotAllowed() {
    return RestError(405, "MethodNotAllowedException", "Method " + method_ + " is not allowed here");
  }
  RestResponse Done(const Status& st) { return st.ok() ? NoContent() : FromStatus(st); }
  RestResponse Exists(const Status& st) {
    return st.ok() ? NoContent() : RestResponse{st.code() == StatusCode::kNotFound ? 404 : 500, ""};
  }

  RestResponse Config() {
    static const char* kEndpoints[] = {
        "GET /v1/namespaces",
        "POST /v1/namespaces",
        "GET /v1/namespaces/{namespace}",
        "HEAD /v1/namespaces/{namespace}",
        "DELETE /v1/namespaces/{namespace}",
        "POST /v1/namespaces/{namespace}/properties",
        "GET /v1/namespaces/{namespace}/tables",
        "POST /v1/namespaces/{namespace}/tables",
        "GET /v1/namespaces/{namespace}/tables/{table}",
        "HEAD /v1/namespaces/{namespace}/tables/{table}",
        "POST /v1/namespaces/{namespace}/tables/{table}",
        "DELETE /v1/namespaces/{namespace}/tables/{table}",
        "POST /v1/namespaces/{namespace}/register",
        "POST /v1/namespaces/{namespace}/tables/{table}/metrics",
        "POST /v1/tables/rename",
    };
    json::Writer w;
    w.StartObject();
    w.Key("defaults");
    w.StartObject();
    w.EndObject();
    w.Key("overrides");
    w.StartObject();
    w.EndObject();
    w.Key("endpoints");
    w.StartArray();
    for (const char* e : kEndpoints) w.String(e);
    w.EndArray();
    w.EndObject();
    return Ok(w.Take());
  }

  RestResponse ListNamespaces() {
    Namespace parent;
    if (auto it = query_.find("parent"); it != query_.end() && !it->second.empty()) parent = ParseNsParam(it->second);
    auto list = catalog_->ListNamespaces(parent);
    if (!list.ok()) return FromStatus(list.status());
    return Ok(Page(*list, query_, "namespaces", [](const Namespace& ns, json::Writer* w) { WriteNs(ns, w); }));
  }

  RestResponse CreateNamespace() {
    auto body = ParseBody(body_);
    if (!body.ok()) return FromStatus(body.status());
    auto ns = NsFromJson(body->Find("namespace"));
    if (!ns.ok()) return FromStatus(ns.status());
    auto props = PropsFrom(body->Find("properties"), "properties");
    if (!props.ok()) return FromStatus(props.status());
    if (Status st = catalog_->CreateNamespace(*ns, *props); !st.ok()) return FromStatus(st);
    json::Writer w;
    w.StartObject();
    w.Key("namespace");
    WriteNs(*ns, &w);
    w.Key("properties");
    WriteProperties(*props, &w);
    w.EndObject();
    return Ok(w.Take());
  }

  RestResponse LoadNamespace(const Namespace& ns) {
    auto props = catalog_->LoadNamespace(ns);
    if (!props.ok()) return FromStatus(props.status());
    json::Writer w;
    w.StartObject();
    w.Key("namespace");
    WriteNs(ns, &w);
    w.Key("properties");
    WriteProperties(*props, &w);
    w.EndObject();
    return Ok(w.Take());
  }

  RestResponse UpdateProperties(const Namespace& ns) {
    auto body = ParseBody(body_);
    if (!body.ok()) return FromStatus(body.status());
    std::vector<std::string> removals;
    if (const json::Value* r = body->Find("removals"); r != nullptr && !r->is_null()) {
      if (!r->is_array()) return FromStatus(Status::InvalidArgument("\"removals\" must be an array of strings"));
      for (const auto& k : r->items()) removals.push_back(k.str());
    }
    auto updates = PropsFrom(body->Find("updates"), "updates");
    if (!updates.ok()) return FromStatus(updates.status());
    auto result = catalog_->UpdateNamespaceProperties(ns, removals, *updates);
    if (!result.ok()) {
      if (result.status().code() == StatusCode::kInvalidArgument)
        return RestError(422, "UnprocessableEntityException", result.status().message());
      return FromStatus(result.status());
    }
    json::Writer w;
    w.StartObject();
    for (auto [key, list] : {std::pair{"updated", &result->updated}, std::pair{"removed", &result->removed},
                             std::pair{"missing", &result->missing}}) {
      w.Key(key);
      w.StartArray();
      for (const auto& k : *list) w.String(k);
      w.EndArray();
    }
    w.EndObject();
    return Ok(w.Take());
  }

  RestResponse ListTables(const Namespace& ns) {
    auto list = catalog_->ListTables(ns);
    if (!list.ok()) return FromStatus(list.status());
    return Ok(Page(*list, query_, "identifiers", [](const TableIdent& t, json::Writer* w) {
      w->StartObject();
      w->Key("namespace");
      WriteNs(t.ns, w);
      w->Key("name");
      w->String(t.name);
      w->EndObject();
    }));
  }

  RestResponse CreateTable(const Namespace& ns) {
    auto body = ParseBody(body_);
    if (!body.ok()) return FromStatus(body.status());
    auto req = [&]() -> Result<CreateTableRequest> {
      CreateTableRequest r;
      ASSIGN_OR_RETURN(r.name, StrMember(*body, "name"));
      if (const json::Value* loc = body->Find("location"); loc != nullptr && loc->is_string() && !loc->str().empty()) {
        r.location = loc->str();
      }
      const json::Value* schema = body->Find("schema");
      if (schema == nullptr) return Status::InvalidArgument("a table needs a \"schema\"");
      ASSIGN_OR_RETURN(r.schema, ParseSchema(*schema));
      if (const json::Value* spec = body->Find("partition-spec"); spec != nullptr && !spec->is_null()) {
        int32_t last = 999;
        ASSIGN_OR_RETURN(r.spec, ParseSpec(*spec, &last));
      }
      if (const json::Value* order = body->Find("write-order"); order != nullptr && !order->is_null()) {
        ASSIGN_OR_RETURN(r.order, ParseSortOrder(*order));
      }
      ASSIGN_OR_RETURN(r.properties, PropsFrom(body->Find("properties"), "properties"));
      if (auto it = r.properties.find("format-version"); it != r.properties.end()) {
        r.format_version = std::atoi(it->second.c_str());
        r.properties.erase(it);
      }
      return r;
    }();
    if (!req.ok()) return FromStatus(req.status());
    const json::Value* stage = body->Find("stage-create");
    if (stage != nullptr && stage->is_bool() && stage->as_bool()) {
      // A staged create returns the metadata without creating anything; the table appears
      // when the client commits with an assert-create requirement.
      TableIdent ident{ns, req->name};
      if (Status st = catalog_->LoadNamespace(ns).status(); !st.ok()) return FromStatus(st);
      if (catalog_->TableExists(ident))
        return FromStatus(Status::ResourceInUse("Table already exists: " + ident.ToString()));
      auto m = NewTableMetadata(req->location.value_or(catalog_->DefaultLocation(ident)), req->schema, req->spec,
                                req->order, req->properties, req->format_version, catalog_->clock()->NowMillis());
      if (!m.ok()) return FromStatus(m.status());
      json::Writer w;
      w.StartObject();
      w.Key("metadata");
      w.RawJson(MetadataToJson(*m));
      w.Key("config");
      w.StartObject();
      w.EndObject();
      w.EndObject();
      return Ok(w.Take());
    }
    auto t = catalog_->CreateTable(ns, std::move(*req));
    if (!t.ok()) return FromStatus(t.status());
    return Ok(LoadResult(*t));
  }

  RestResponse Load(const TableIdent& ident) {
    auto t = catalog_->LoadTable(ident);
    if (!t.ok()) return FromStatus(t.status());
    return Ok(LoadResult(*t));
  }

  RestResponse Register(const Namespace& ns) {
    auto body = ParseBody(body_);
    if (!body.ok()) return FromStatus(body.status());
    auto name = StrMember(*body, "name");
    auto location = StrMember(*body, "metadata-location");
    if (!name.ok()) return FromStatus(name.status());
    if (!location.ok()) return FromStatus(location.status());
    auto t = catalog_->RegisterTable(TableIdent{ns, *name}, *location);
    if (!t.ok()) return FromStatus(t.status());
    return Ok(LoadResult(*t));
  }

  RestResponse Rename() {
    auto body = ParseBody(body_);
    if (!body.ok()) return FromStatus(body.status());
    auto from = IdentFromJson(body->Find("source"));
    if (!from.ok()) return FromStatus(from.status());
    auto to = IdentFromJson(body->Find("destination"));
    if (!to.ok()) return FromStatus(to.status());
    return Done(catalog_->RenameTable(*from, *to));
  }

  RestResponse CommitTable(const TableIdent& ident) {
    auto body = ParseBody(body_);
    if (!body.ok()) return FromStatus(body.status());
    if (const json::Value* id = body->Find("identifier"); id != nullptr && !id->is_null()) {
      auto named = IdentFromJson(id);
      if (!named.ok()) return FromStatus(named.status());
      if (named->ns != ident.ns || named->name != ident.name) {
        return FromStatus(Status::InvalidArgument("the identifier in the body does not match the path"));
      }
    }
    const json::Value* reqs = body->Find("requirements");
    const json::Value* updates = body->Find("updates");
    if (reqs == nullptr || !reqs->is_array() || updates == nullptr || !updates->is_array()) {
      return FromStatus(Status::InvalidArgument("a commit needs \"requirements\" and \"updates\" arrays"));
    }
    bool create = false;
    for (const auto& r : reqs->items()) {
      const json::Value* t = r.Find("type");
      create |= t != nullptr && t->is_string() && t->str() == "assert-create";
    }
    // Requirements are checked against the state the swap replaces; a concurrent commit
    // between load and swap makes the catalog refuse the swap, and the check runs again.
    for (int attempt = 0; attempt < kCommitAttempts; ++attempt) {
      std::optional<LoadedTable> base;
      if (!create || catalog_->TableExists(ident)) {
        auto t = catalog_->LoadTable(ident);
        if (!t.ok()) return FromStatus(t.status());
        base = std::move(*t);
      }
      for (const auto& r : reqs->items()) {
        if (Status st = CheckRequirement(r, base ? &base->metadata : nullptr); !st.ok()) return FromStatus(st);
      }
      TableMetadata m;
      if (base) {
        m = base->metadata;
      } else {
        m.format_version = 2;
        m.location = catalog_->DefaultLocation(ident);
        m.last_updated_ms = catalog_->clock()->NowMillis();
        m.specs.push_back(PartitionSpec{});
        m.sort_orders.push_back(SortOrder{});
      }
      for (const auto& u : updates->items()) {
        if (Status st = ApplyUpdate(u, &m); !st.ok()) return FromStatus(st);
      }
      if (m.CurrentSchema() == nullptr) return FromStatus(Status::InvalidArgument("the table has no current schema"));
      if (m.table_uuid.empty()) m.table_uuid = NewUuid();
      auto committed = base ? catalog_->Commit(ident, base->metadata_location, std::move(m))
                            : catalog_->CreateWithMetadata(ident, std::move(m));
      if (committed.ok()) {
        json::Writer w;
        w.StartObject();
        w.Key("metadata-location");
        w.String(committed->metadata_location);
        w.Key("metadata");
        w.RawJson(MetadataToJson(committed->metadata));
        w.EndObject();
        return Ok(w.Take());
      }
      if (committed.status().code() != StatusCode::kCommitFailed) return FromStatus(committed.status());
    }
    return FromStatus(Status::CommitFailed("Commit failed: the table kept changing; retry"));
  }

  Catalog* catalog_;
  std::string method_;
  const std::string& body_;
  std::vector<std::string> path_;
  std::map<std::string, std::string> query_;
};

}  // namespace

RestResponse RestCatalog::Handle(const std::string& method, const std::string& target, const std::string& body) {
  try {
    return Handler(catalog_, method, target, body).Run();
  } catch (const std::exception& e) {
    log::Error("iceberg REST: exception: {}", e.what());
    return RestError(500, "InternalServerError", "Internal server error");
  }
}

RestResponse RestError(int code, const std::string& type, const std::string& message) {
  json::Writer w;
  w.StartObject();
  w.Key("error");
  w.StartObject();
  w.Key("message");
  w.String(message);
  w.Key("type");
  w.String(type);
  w.Key("code");
  w.Int64(code);
  w.EndObject();
  w.EndObject();
  return RestResponse{code, w.Take()};
}

}  // namespace floe::iceberg
