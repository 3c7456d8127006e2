#include "iceberg/metadata.h"

#include <algorithm>
#include <cstdlib>
#include <set>

#include "common/random.h"
#include "parquet/schema_json.h"

namespace floe::iceberg {

using parquet::Field;
using parquet::TypeId;

namespace {

Status Bad(const std::string& m) { return Status::InvalidArgument(m); }

bool FieldsEqual(const Field& a, const Field& b) {
  if (a.id != b.id || a.name != b.name || a.required != b.required || a.type != b.type || a.precision != b.precision ||
      a.scale != b.scale || a.length != b.length || a.children.size() != b.children.size()) {
    return false;
  }
  for (size_t i = 0; i < a.children.size(); ++i) {
    if (!FieldsEqual(a.children[i], b.children[i])) return false;
  }
  return true;
}

bool SchemasEqual(const Schema& a, const Schema& b) {
  if (a.identifier_field_ids != b.identifier_field_ids || a.fields.fields.size() != b.fields.fields.size()) return false;
  for (size_t i = 0; i < a.fields.fields.size(); ++i) {
    if (!FieldsEqual(a.fields.fields[i], b.fields.fields[i])) return false;
  }
  return true;
}

void MaxId(const Field& f, int32_t* m) {
  *m = std::max(*m, f.id);
  for (const Field& c : f.children) MaxId(c, m);
}

const Field* FindIn(const std::vector<Field>& fields, int32_t id) {
  for (const Field& f : fields) {
    if (f.id == id) return &f;
    if (const Field* c = FindIn(f.children, id)) return c;
  }
  return nullptr;
}

bool TransformApplies(const Transform& t, TypeId type) {
  using K = Transform::Kind;
  switch (t.kind) {
    case K::kIdentity:
    case K::kVoid:
      return true;
    case K::kBucket:
      return type == TypeId::kInt || type == TypeId::kLong || type == TypeId::kDecimal || type == TypeId::kDate ||
             type == TypeId::kTime || type == TypeId::kTimestamp || type == TypeId::kTimestampTz ||
             type == TypeId::kString || type == TypeId::kUuid || type == TypeId::kFixed || type == TypeId::kBinary;
    case K::kTruncate:
      return type == TypeId::kInt || type == TypeId::kLong || type == TypeId::kDecimal || type == TypeId::kString ||
             type == TypeId::kBinary;
    case K::kYear:
    case K::kMonth:
    case K::kDay:
      return type == TypeId::kDate || type == TypeId::kTimestamp || type == TypeId::kTimestampTz;
    case K::kHour:
      return type == TypeId::kTimestamp || type == TypeId::kTimestampTz;
  }
  return false;
}

// Checks a spec's fields against a schema: each source is a primitive field reached through
// structs only, the transform fits its type, names are unique.
Status CheckSpec(const PartitionSpec& spec, const Schema* schema) {
  std::set<std::string> names;
  for (const PartitionField& pf : spec.fields) {
    if (pf.name.empty()) return Bad("partition field names must not be empty");
    if (!names.insert(pf.name).second) return Bad("duplicate partition field name: " + pf.name);
    if (schema == nullptr) continue;
    const Field* src = FindField(schema->fields, pf.source_id);
    if (src == nullptr) return Bad("partition field " + pf.name + ": no source field with id " + std::to_string(pf.source_id));
    if (src->is_nested()) return Bad("partition field " + pf.name + ": source field " + src->name + " is not a primitive");
    if (!TransformApplies(pf.transform, src->type)) {
      return Bad("partition field " + pf.name + ": transform " + pf.transform.ToString() + " does not apply to " +
                 parquet::TypeName(*src));
    }
  }
  return Status::Ok();
}

Status CheckSortOrder(const SortOrder& order, const Schema* schema) {
  if (order.order_id == 0 && !order.fields.empty()) return Bad("sort order 0 is reserved for the unsorted order");
  for (const SortField& sf : order.fields) {
    if (schema == nullptr) continue;
    const Field* src = FindField(schema->fields, sf.source_id);
    if (src == nullptr || src->is_nested()) return Bad("sort field: no primitive source field with id " + std::to_string(sf.source_id));
    if (!TransformApplies(sf.transform, src->type)) return Bad("sort field: transform does not apply to " + src->name);
  }
  return Status::Ok();
}

// ---- JSON parsing helpers

Result<int64_t> Int(const json::Value& obj, const char* key) {
  const json::Value* v = obj.Find(key);
  int64_t x;
  if (v == nullptr || !v->AsInt64(&x)) return Bad(std::string("\"") + key + "\" must be an integer");
  return x;
}

std::optional<int64_t> OptInt(const json::Value& obj, const char* key) {
  const json::Value* v = obj.Find(key);
  int64_t x;
  if (v == nullptr || !v->AsInt64(&x)) return std::nullopt;
  return x;
}

Result<std::string> Str(const json::Value& obj, const char* key) {
  const json::Value* v = obj.Find(key);
  if (v == nullptr || !v->is_string()) return Bad(std::string("\"") + key + "\" must be a string");
  return v->str();
}

const json::Value* Arr(const json::Value& obj, const char* key) {
  const json::Value* v = obj.Find(key);
  return v != nullptr && v->is_array() ? v : nullptr;
}

void WriteSchema(const Schema& s, json::Writer* w) {
  w->StartObject();
  w->Key("schema-id");
  w->Int64(s.schema_id);
  if (!s.identifier_field_ids.empty()) {
    w->Key("identifier-field-ids");
    w->StartArray();
    for (int32_t id : s.identifier_field_ids) w->Int64(id);
    w->EndArray();
  }
  parquet::WriteSchemaMembers(s.fields, w);
  w->EndObject();
}

void WriteSpecFields(const PartitionSpec& spec, json::Writer* w) {
  w->StartArray();
  for (const PartitionField& f : spec.fields) {
    w->StartObject();
    w->Key("name");
    w->String(f.name);
    w->Key("transform");
    w->String(f.transform.ToString());
    w->Key("source-id");
    w->Int64(f.source_id);
    w->Key("field-id");
    w->Int64(f.field_id);
    w->EndObject();
  }
  w->EndArray();
}

void WriteSpec(const PartitionSpec& spec, json::Writer* w) {
  w->StartObject();
  w->Key("spec-id");
  w->Int64(spec.spec_id);
  w->Key("fields");
  WriteSpecFields(spec, w);
  w->EndObject();
}

void WriteOrder(const SortOrder& o, json::Writer* w) {
  w->StartObject();
  w->Key("order-id");
  w->Int64(o.order_id);
  w->Key("fields");
  w->StartArray();
  for (const SortField& f : o.fields) {
    w->StartObject();
    w->Key("transform");
    w->String(f.transform.ToString());
    w->Key("source-id");
    w->Int64(f.source_id);
    w->Key("direction");
    w->String(f.ascending ? "asc" : "desc");
    w->Key("null-order");
    w->String(f.nulls_first ? "nulls-first" : "nulls-last");
    w->EndObject();
  }
  w->EndArray();
  w->EndObject();
}

void WriteSnapshot(const Snapshot& s, json::Writer* w) {
  w->StartObject();
  w->Key("snapshot-id");
  w->Int64(s.snapshot_id);
  if (s.parent_id) {
    w->Key("parent-snapshot-id");
    w->Int64(*s.parent_id);
  }
  w->Key("sequence-number");
  w->Int64(s.sequence_number);
  w->Key("timestamp-ms");
  w->Int64(s.timestamp_ms);
  w->Key("manifest-list");
  w->String(s.manifest_list);
  w->Key("summary");
  w->StartObject();
  for (const auto& [k, v] : s.summary) {
    w->Key(k);
    w->String(v);
  }
  w->EndObject();
  if (s.schema_id) {
    w->Key("schema-id");
    w->Int64(*s.schema_id);
  }
  if (s.first_row_id) {
    w->Key("first-row-id");
    w->Int64(*s.first_row_id);
  }
  if (s.added_rows) {
    w->Key("added-rows");
    w->Int64(*s.added_rows);
  }
  w->EndObject();
}

void WriteRef(const SnapshotRef& r, json::Writer* w) {
  w->StartObject();
  w->Key("snapshot-id");
  w->Int64(r.snapshot_id);
  w->Key("type");
  w->String(r.is_branch ? "branch" : "tag");
  if (r.min_snapshots_to_keep) {
    w->Key("min-snapshots-to-keep");
    w->Int64(*r.min_snapshots_to_keep);
  }
  if (r.max_snapshot_age_ms) {
    w->Key("max-snapshot-age-ms");
    w->Int64(*r.max_snapshot_age_ms);
  }
  if (r.max_ref_age_ms) {
    w->Key("max-ref-age-ms");
    w->Int64(*r.max_ref_age_ms);
  }
  w->EndObject();
}

template <typename F>
std::string Render(F&& f) {
  json::Writer w;
  f(&w);
  return w.Take();
}

}  // namespace

// ---- Transform

std::string Transform::ToString() const {
  switch (kind) {
    case Kind::kIdentity: return "identity";
    case Kind::kBucket: return "bucket[" + std::to_string(param) + "]";
    case Kind::kTruncate: return "truncate[" + std::to_string(param) + "]";
    case Kind::kYear: return "year";
    case Kind::kMonth: return "month";
    case Kind::kDay: return "day";
    case Kind::kHour: return "hour";
    case Kind::kVoid: return "void";
  }
  return "void";
}

Result<Transform> Transform::Parse(std::string_view s) {
  Transform t;
  static const std::pair<const char*, Kind> kPlain[] = {{"identity", Kind::kIdentity}, {"year", Kind::kYear},
                                                       {"month", Kind::kMonth},       {"day", Kind::kDay},
                                                       {"hour", Kind::kHour},         {"void", Kind::kVoid}};
  for (const auto& [name, kind] : kPlain) {
    if (s == name) {
      t.kind = kind;
      return t;
    }
  }
  for (auto [prefix, kind] : {std::pair{std::string_view("bucket["), Kind::kBucket},
                              std::pair{std::string_view("truncate["), Kind::kTruncate}}) {
    if (s.size() > prefix.size() + 1 && s.substr(0, prefix.size()) == prefix && s.back() == ']') {
      std::string digits(s.substr(prefix.size(), s.size() - prefix.size() - 1));
      char* end = nullptr;
      long n = std::strtol(digits.c_str(), &end, 10);
      if (end != digits.c_str() && *end == 0 && n > 0 && n <= INT32_MAX && digits[0] != '+' && digits[0] != '-') {
        t.kind = kind;
        t.param = static_cast<int32_t>(n);
        return t;
      }
    }
  }
  return Bad("unknown transform \"" + std::string(s) + "\"");
}

bool PartitionSpec::unpartitioned() const {
  for (const auto& f : fields) {
    if (f.transform.kind != Transform::Kind::kVoid) return false;
  }
  return true;
}

const std::string* Snapshot::SummaryValue(std::string_view key) const {
  for (const auto& [k, v] : summary) {
    if (k == key) return &v;
  }
  return nullptr;
}

// ---- TableMetadata lookups

const Schema* TableMetadata::SchemaById(int32_t id) const {
  for (const auto& s : schemas) {
    if (s.schema_id == id) return &s;
  }
  return nullptr;
}
const Schema* TableMetadata::CurrentSchema() const { return SchemaById(current_schema_id); }
const PartitionSpec* TableMetadata::SpecById(int32_t id) const {
  for (const auto& s : specs) {
    if (s.spec_id == id) return &s;
  }
  return nullptr;
}
const Snapshot* TableMetadata::SnapshotById(int64_t id) const {
  for (const auto& s : snapshots) {
    if (s.snapshot_id == id) return &s;
  }
  return nullptr;
}
const Snapshot* TableMetadata::CurrentSnapshot() const {
  return current_snapshot_id ? SnapshotById(*current_snapshot_id) : nullptr;
}
const Snapshot* TableMetadata::BranchHead(std::string_view branch) const {
  auto it = refs.find(std::string(branch));
  if (it == refs.end()) return nullptr;
  return SnapshotById(it->second.snapshot_id);
}
std::string TableMetadata::Property(std::string_view key, std::string_view fallback) const {
  auto it = properties.find(std::string(key));
  return it == properties.end() ? std::string(fallback) : it->second;
}
int64_t TableMetadata::IntProperty(std::string_view key, int64_t fallback) const {
  auto it = properties.find(std::string(key));
  if (it == properties.end()) return fallback;
  char* end = nullptr;
  long long v = std::strtoll(it->second.c_str(), &end, 10);
  return end != it->second.c_str() && *end == 0 ? v : fallback;
}

// ---- TableMetadata changes

Result<int32_t> TableMetadata::AddSchema(Schema schema, std::optional<int32_t> last_column) {
  RETURN_IF_ERROR(parquet::ValidateSchema(schema.fields));
  for (int32_t id : schema.identifier_field_ids) {
    const Field* f = FindField(schema.fields, id);
    if (f == nullptr || f->is_nested() || !f->required) {
      return Bad("identifier field " + std::to_string(id) + " must be a required primitive field");
    }
  }
  if (const Schema* cur = CurrentSchema()) RETURN_IF_ERROR(CheckSchemaEvolution(cur->fields, schema.fields));
  for (const Schema& s : schemas) {
    Schema probe = schema;
    probe.schema_id = s.schema_id;
    if (SchemasEqual(s, probe)) {
      last_added_schema_id = s.schema_id;
      return s.schema_id;
    }
  }
  int32_t max_id = -1;
  bool taken = false;
  for (const Schema& s : schemas) {
    max_id = std::max(max_id, s.schema_id);
    taken |= s.schema_id == schema.schema_id;
  }
  if (schema.schema_id < 0 || taken) schema.schema_id = max_id + 1;
  last_column_id = std::max({last_column_id, MaxFieldId(schema.fields), last_column.value_or(0)});
  last_added_schema_id = schema.schema_id;
  schemas.push_back(std::move(schema));
  return last_added_schema_id;
}

Status TableMetadata::SetCurrentSchema(int32_t id) {
  if (id == -1) id = last_added_schema_id;
  if (SchemaById(id) == nullptr) return Bad("no schema with id " + std::to_string(id));
  current_schema_id = id;
  return Status::Ok();
}

Result<int32_t> TableMetadata::AddSpec(PartitionSpec spec) {
  for (auto& f : spec.fields) {
    if (f.field_id <= 0) f.field_id = ++last_partition_id;
  }
  RETURN_IF_ERROR(CheckSpec(spec, CurrentSchema()));
  for (const auto& f : spec.fields) last_partition_id = std::max(last_partition_id, f.field_id);
  int32_t max_id = -1;
  for (const PartitionSpec& s : specs) {
    max_id = std::max(max_id, s.spec_id);
    bool same = s.fields.size() == spec.fields.size();
    for (size_t i = 0; same && i < s.fields.size(); ++i) {
      same = s.fields[i].source_id == spec.fields[i].source_id && s.fields[i].field_id == spec.fields[i].field_id &&
             s.fields[i].name == spec.fields[i].name && s.fields[i].transform == spec.fields[i].transform;
    }
    if (same) {
      last_added_spec_id = s.spec_id;
      return s.spec_id;
    }
  }
  if (spec.spec_id < 0 || SpecById(spec.spec_id) != nullptr) spec.spec_id = max_id + 1;
  last_added_spec_id = spec.spec_id;
  specs.push_back(std::move(spec));
  return last_added_spec_id;
}

Status TableMetadata::SetDefaultSpec(int32_t id) {
  if (id == -1) id = last_added_spec_id;
  if (SpecById(id) == nullptr) return Bad("no partition spec with id " + std::to_string(id));
  default_spec_id = id;
  return Status::Ok();
}

Result<int32_t> TableMetadata::AddSortOrder(SortOrder order) {
  if (order.fields.empty()) order.order_id = 0;
  RETURN_IF_ERROR(CheckSortOrder(order, CurrentSchema()));
  int32_t max_id = 0;
  for (const SortOrder& o : sort_orders) {
    max_id = std::max(max_id, o.order_id);
    bool same = o.fields.size() == order.fields.size();
    for (size_t i = 0; same && i < o.fields.size(); ++i) {
      same = o.fields[i].source_id == order.fields[i].source_id && o.fields[i].transform == order.fields[i].transform &&
             o.fields[i].ascending == order.fields[i].ascending && o.fields[i].nulls_first == order.fields[i].nulls_first;
    }
    if (same) {
      last_added_order_id = o.order_id;
      return o.order_id;
    }
  }
  if (!order.fields.empty() && (order.order_id <= 0 || [&] {
        for (const auto& o : sort_orders) {
          if (o.order_id == order.order_id) return true;
        }
        return false;
      }())) {
    order.order_id = max_id + 1;
  }
  last_added_order_id = order.order_id;
  sort_orders.push_back(std::move(order));
  return last_added_order_id;
}

Status TableMetadata::SetDefaultSortOrder(int32_t id) {
  if (id == -1) id = last_added_order_id;
  for (const auto& o : sort_orders) {
    if (o.order_id == id) {
      default_sort_order_id = id;
      return Status::Ok();
    }
  }
  return Bad("no sort order with id " + std::to_string(id));
}

Status TableMetadata::AddSnapshot(Snapshot s) {
  if (SnapshotById(s.snapshot_id) != nullptr) return Bad("snapshot " + std::to_string(s.snapshot_id) + " already exists");
  if (format_version >= 2 && s.sequence_number <= last_sequence_number) {
    return Bad("snapshot sequence number " + std::to_string(s.sequence_number) + " is not above the table's last " +
               std::to_string(last_sequence_number));
  }
  if (s.parent_id && SnapshotById(*s.parent_id) == nullptr) {
    return Bad("parent snapshot " + std::to_string(*s.parent_id) + " does not exist");
  }
  if (format_version >= 3) {
    if (!s.first_row_id) s.first_row_id = next_row_id;
    if (*s.first_row_id < next_row_id) return Bad("snapshot first-row-id is below the table's next-row-id");
    next_row_id = *s.first_row_id + s.added_rows.value_or(0);
  }
  last_sequence_number = std::max(last_sequence_number, s.sequence_number);
  last_updated_ms = std::max(last_updated_ms, s.timestamp_ms);
  snapshots.push_back(std::move(s));
  return Status::Ok();
}

Status TableMetadata::SetRef(const std::string& name, SnapshotRef ref) {
  const Snapshot* s = SnapshotById(ref.snapshot_id);
  if (s == nullptr) return Bad("cannot set ref " + name + " to unknown snapshot " + std::to_string(ref.snapshot_id));
  if (name == "main") {
    if (!ref.is_branch) return Bad("main must be a branch");
    current_snapshot_id = ref.snapshot_id;
    snapshot_log.push_back(LogEntry{std::max(s->timestamp_ms, last_updated_ms), ref.snapshot_id, ""});
  }
  refs[name] = ref;
  return Status::Ok();
}

void TableMetadata::RemoveRef(const std::string& name) {
  refs.erase(name);
  if (name == "main") current_snapshot_id.reset();
}

void TableMetadata::RemoveSnapshots(const std::vector<int64_t>& ids) {
  std::set<int64_t> gone(ids.begin(), ids.end());
  std::erase_if(snapshots, [&](const Snapshot& s) { return gone.count(s.snapshot_id) > 0; });
  std::erase_if(snapshot_log, [&](const LogEntry& e) { return gone.count(e.snapshot_id) > 0; });
  for (auto it = refs.begin(); it != refs.end();) {
    if (gone.count(it->second.snapshot_id) > 0) {
      if (it->first == "main") current_snapshot_id.reset();
      it = refs.erase(it);
    } else {
      ++it;
    }
  }
}

Status TableMetadata::UpgradeFormatVersion(int version) {
  if (version < format_version) return Bad("cannot downgrade format version from " + std::to_string(format_version) + " to " + std::to_string(version));
  if (version > 3 || version < 1) return Bad("unsupported format version " + std::to_string(version));
  if (version == 3 && format_version < 3) {
    next_row_id = 0;  // rows written before v3 have no lineage
  }
  format_version = version;
  return Status::Ok();
}

// ---- construction

Result<TableMetadata> NewTableMetadata(const std::string& location, Schema schema, PartitionSpec spec, SortOrder order,
                                       std::map<std::string, std::string> properties, int format_version,
                                       int64_t now_ms) {
  if (format_version < 1 || format_version > 3) return Bad("unsupported format version " + std::to_string(format_version));
  if (format_version == 1) return Bad("floe writes format versions 2 and 3");
  TableMetadata m;
  m.format_version = format_version;
  m.table_uuid = NewUuid();
  m.location = location;
  while (!m.location.empty() && m.location.back() == '/') m.location.pop_back();
  m.last_updated_ms = now_ms;
  schema.schema_id = 0;
  ASSIGN_OR_RETURN(int32_t sid, m.AddSchema(std::move(schema)));
  m.current_schema_id = sid;
  spec.spec_id = 0;
  ASSIGN_OR_RETURN(int32_t spid, m.AddSpec(std::move(spec)));
  m.default_spec_id = spid;
  if (!order.fields.empty() && order.order_id <= 0) order.order_id = 1;
  ASSIGN_OR_RETURN(int32_t oid, m.AddSortOrder(std::move(order)));
  m.default_sort_order_id = oid;
  m.properties = std::move(properties);
  return m;
}

// ---- JSON

std::string SchemaToJson(const Schema& s) { return Render([&](json::Writer* w) { WriteSchema(s, w); }); }
std::string SpecToJson(const PartitionSpec& s) { return Render([&](json::Writer* w) { WriteSpec(s, w); }); }
std::string SpecFieldsToJson(const PartitionSpec& s) { return Render([&](json::Writer* w) { WriteSpecFields(s, w); }); }
std::string SortOrderToJson(const SortOrder& o) { return Render([&](json::Writer* w) { WriteOrder(o, w); }); }
std::string SnapshotToJson(const Snapshot& s) { return Render([&](json::Writer* w) { WriteSnapshot(s, w); }); }

std::string MetadataToJson(const TableMetadata& m) {
  json::Writer w;
  w.StartObject();
  w.Key("format-version");
  w.Int64(m.format_version);
  w.Key("table-uuid");
  w.String(m.table_uuid);
  w.Key("location");
  w.String(m.location);
  w.Key("last-sequence-number");
  w.Int64(m.last_sequence_number);
  w.Key("last-updated-ms");
  w.Int64(m.last_updated_ms);
  w.Key("last-column-id");
  w.Int64(m.last_column_id);
  w.Key("current-schema-id");
  w.Int64(m.current_schema_id);
  w.Key("schemas");
  w.StartArray();
  for (const auto& s : m.schemas) WriteSchema(s, &w);
  w.EndArray();
  w.Key("default-spec-id");
  w.Int64(m.default_spec_id);
  w.Key("partition-specs");
  w.StartArray();
  for (const auto& s : m.specs) WriteSpec(s, &w);
  w.EndArray();
  w.Key("last-partition-id");
  w.Int64(m.last_partition_id);
  w.Key("default-sort-order-id");
  w.Int64(m.default_sort_order_id);
  w.Key("sort-orders");
  w.StartArray();
  for (const auto& o : m.sort_orders) WriteOrder(o, &w);
  w.EndArray();
  w.Key("properties");
  w.StartObject();
  for (const auto& [k, v] : m.properties) {
    w.Key(k);
    w.String(v);
  }
  w.EndObject();
  w.Key("current-snapshot-id");
  w.Int64(m.current_snapshot_id.value_or(-1));
  w.Key("refs");
  w.StartObject();
  for (const auto& [name, ref] : m.refs) {
    w.Key(name);
    WriteRef(ref, &w);
  }
  w.EndObject();
  w.Key("snapshots");
  w.StartArray();
  for (const auto& s : m.snapshots) WriteSnapshot(s, &w);
  w.EndArray();
  w.Key("statistics");
  w.RawJson(m.statistics_json);
  w.Key("partition-statistics");
  w.RawJson(m.partition_statistics_json);
  w.Key("snapshot-log");
  w.StartArray();
  for (const auto& e : m.snapshot_log) {
    w.StartObject();
    w.Key("timestamp-ms");
    w.Int64(e.timestamp_ms);
    w.Key("snapshot-id");
    w.Int64(e.snapshot_id);
    w.EndObject();
  }
  w.EndArray();
  w.Key("metadata-log");
  w.StartArray();
  for (const auto& e : m.metadata_log) {
    w.StartObject();
    w.Key("timestamp-ms");
    w.Int64(e.timestamp_ms);
    w.Key("metadata-file");
    w.String(e.metadata_file);
    w.EndObject();
  }
  w.EndArray();
  if (m.format_version >= 3) {
    w.Key("next-row-id");
    w.Int64(m.next_row_id);
  }
  w.EndObject();
  return w.Take();
}

Result<Schema> ParseSchema(const json::Value& v) {
  if (!v.is_object()) return Bad("a schema must be an object");
  Schema s;
  ASSIGN_OR_RETURN(s.fields, parquet::SchemaFromJson(v));
  s.schema_id = static_cast<int32_t>(OptInt(v, "schema-id").value_or(0));
  if (const json::Value* ids = Arr(v, "identifier-field-ids")) {
    for (const auto& id : ids->items()) {
      int64_t x;
      if (!id.AsInt64(&x)) return Bad("identifier-field-ids must be integers");
      s.identifier_field_ids.push_back(static_cast<int32_t>(x));
    }
  }
  return s;
}

Result<PartitionSpec> ParseSpec(const json::Value& v, int32_t* last_partition_id) {
  if (!v.is_object()) return Bad("a partition spec must be an object");
  PartitionSpec spec;
  spec.spec_id = static_cast<int32_t>(OptInt(v, "spec-id").value_or(-1));
  const json::Value* fields = Arr(v, "fields");
  if (fields == nullptr) return Bad("a partition spec needs a \"fields\" array");
  for (const auto& f : fields->items()) {
    PartitionField pf;
    ASSIGN_OR_RETURN(pf.name, Str(f, "name"));
    ASSIGN_OR_RETURN(std::string t, Str(f, "transform"));
    ASSIGN_OR_RETURN(pf.transform, Transform::Parse(t));
    ASSIGN_OR_RETURN(int64_t src, Int(f, "source-id"));
    pf.source_id = static_cast<int32_t>(src);
    auto fid = OptInt(f, "field-id");
    pf.field_id = fid ? static_cast<int32_t>(*fid) : ++*last_partition_id;
    *last_partition_id = std::max(*last_partition_id, pf.field_id);
    spec.fields.push_back(std::move(pf));
  }
  return spec;
}

Result<SortOrder> ParseSortOrder(const json::Value& v) {
  if (!v.is_object()) return Bad("a sort order must be an object");
  SortOrder o;
  o.order_id = static_cast<int32_t>(OptInt(v, "order-id").value_or(0));
  const json::Value* fields = Arr(v, "fields");
  if (fields == nullptr) return Bad("a sort order needs a \"fields\" array");
  for (const auto& f : fields->items()) {
    SortField sf;
    ASSIGN_OR_RETURN(std::string t, Str(f, "transform"));
    ASSIGN_OR_RETURN(sf.transform, Transform::Parse(t));
    ASSIGN_OR_RETURN(int64_t src, Int(f, "source-id"));
    sf.source_id = static_cast<int32_t>(src);
    ASSIGN_OR_RETURN(std::string dir, Str(f, "direction"));
    ASSIGN_OR_RETURN(std::string nulls, Str(f, "null-order"));
    if (dir != "asc" && dir != "desc") return Bad("sort direction must be asc or desc");
    if (nulls != "nulls-first" && nulls != "nulls-last") return Bad("null-order must be nulls-first or nulls-last");
    sf.ascending = dir == "asc";
    sf.nulls_first = nulls == "nulls-first";
    o.fields.push_back(sf);
  }
  return o;
}

Result<Snapshot> ParseSnapshot(const json::Value& v) {
  if (!v.is_object()) return Bad("a snapshot must be an object");
  Snapshot s;
  ASSIGN_OR_RETURN(s.snapshot_id, Int(v, "snapshot-id"));
  s.parent_id = OptInt(v, "parent-snapshot-id");
  s.sequence_number = OptInt(v, "sequence-number").value_or(0);
  ASSIGN_OR_RETURN(s.timestamp_ms, Int(v, "timestamp-ms"));
  ASSIGN_OR_RETURN(s.manifest_list, Str(v, "manifest-list"));
  const json::Value* summary = v.Find("summary");
  if (summary == nullptr || !summary->is_object()) return Bad("a snapshot needs a \"summary\" object");
  const json::Value* op = summary->Find("operation");
  if (op == nullptr || !op->is_string()) return Bad("a snapshot summary needs an \"operation\"");
  s.summary.emplace_back("operation", op->str());
  for (const auto& [k, val] : summary->members()) {
    if (k == "operation") continue;
    s.summary.emplace_back(k, val.is_string() ? val.str() : json::Serialize(val));
  }
  if (auto sid = OptInt(v, "schema-id")) s.schema_id = static_cast<int32_t>(*sid);
  s.first_row_id = OptInt(v, "first-row-id");
  s.added_rows = OptInt(v, "added-rows");
  return s;
}

Result<SnapshotRef> ParseRef(const json::Value& v) {
  if (!v.is_object()) return Bad("a ref must be an object");
  SnapshotRef r;
  ASSIGN_OR_RETURN(r.snapshot_id, Int(v, "snapshot-id"));
  ASSIGN_OR_RETURN(std::string type, Str(v, "type"));
  if (type != "branch" && type != "tag") return Bad("ref type must be branch or tag");
  r.is_branch = type == "branch";
  if (auto x = OptInt(v, "min-snapshots-to-keep")) r.min_snapshots_to_keep = static_cast<int32_t>(*x);
  r.max_snapshot_age_ms = OptInt(v, "max-snapshot-age-ms");
  r.max_ref_age_ms = OptInt(v, "max-ref-age-ms");
  return r;
}

Result<TableMetadata> MetadataFromJson(std::string_view text) {
  auto doc = json::Parse(text);
  if (!doc.ok()) return Status::Corruption("table metadata is not JSON: " + doc.status().message());
  const json::Value& v = *doc;
  auto parsed = [&]() -> Result<TableMetadata> {
    TableMetadata m;
    ASSIGN_OR_RETURN(int64_t fv, Int(v, "format-version"));
    if (fv < 1 || fv > 3) return Bad("unsupported format-version " + std::to_string(fv));
    m.format_version = static_cast<int>(fv);
    ASSIGN_OR_RETURN(m.table_uuid, Str(v, "table-uuid"));
    ASSIGN_OR_RETURN(m.location, Str(v, "location"));
    m.last_sequence_number = OptInt(v, "last-sequence-number").value_or(0);
    m.last_updated_ms = OptInt(v, "last-updated-ms").value_or(0);
    m.last_column_id = static_cast<int32_t>(OptInt(v, "last-column-id").value_or(0));
    if (const json::Value* schemas = Arr(v, "schemas")) {
      for (const auto& s : schemas->items()) {
        ASSIGN_OR_RETURN(Schema schema, ParseSchema(s));
        m.schemas.push_back(std::move(schema));
      }
      m.current_schema_id = static_cast<int32_t>(OptInt(v, "current-schema-id").value_or(0));
    } else if (const json::Value* schema = v.Find("schema")) {  // format version 1
      ASSIGN_OR_RETURN(Schema s, ParseSchema(*schema));
      m.current_schema_id = s.schema_id;
      m.schemas.push_back(std::move(s));
    }
    if (m.CurrentSchema() == nullptr) return Bad("current-schema-id names no schema");
    int32_t last_pid = 999;
    if (const json::Value* specs = Arr(v, "partition-specs")) {
      for (const auto& s : specs->items()) {
        ASSIGN_OR_RETURN(PartitionSpec spec, ParseSpec(s, &last_pid));
        m.specs.push_back(std::move(spec));
      }
    }
    if (m.specs.empty()) m.specs.push_back(PartitionSpec{});
    m.default_spec_id = static_cast<int32_t>(OptInt(v, "default-spec-id").value_or(0));
    m.last_partition_id = static_cast<int32_t>(OptInt(v, "last-partition-id").value_or(last_pid));
    if (const json::Value* orders = Arr(v, "sort-orders")) {
      for (const auto& o : orders->items()) {
        ASSIGN_OR_RETURN(SortOrder order, ParseSortOrder(o));
        m.sort_orders.push_back(std::move(order));
      }
    }
    if (m.sort_orders.empty()) m.sort_orders.push_back(SortOrder{});
    m.default_sort_order_id = static_cast<int32_t>(OptInt(v, "default-sort-order-id").value_or(0));
    if (const json::Value* props = v.Find("properties"); props != nullptr && props->is_object()) {
      for (const auto& [k, val] : props->members()) m.properties[k] = val.is_string() ? val.str() : json::Serialize(val);
    }
    auto cur = OptInt(v, "current-snapshot-id");
    if (cur && *cur >= 0) m.current_snapshot_id = *cur;
    if (const json::Value* snaps = Arr(v, "snapshots")) {
      for (const auto& s : snaps->items()) {
        ASSIGN_OR_RETURN(Snapshot snap, ParseSnapshot(s));
        m.snapshots.push_back(std::move(snap));
      }
    }
    if (const json::Value* refs = v.Find("refs"); refs != nullptr && refs->is_object()) {
      for (const auto& [name, r] : refs->members()) {
        ASSIGN_OR_RETURN(m.refs[name], ParseRef(r));
      }
    } else if (m.current_snapshot_id) {
      m.refs["main"] = SnapshotRef{*m.current_snapshot_id, true, {}, {}, {}};
    }
    if (const json::Value* log = Arr(v, "snapshot-log")) {
      for (const auto& e : log->items()) {
        m.snapshot_log.push_back(LogEntry{OptInt(e, "timestamp-ms").value_or(0), OptInt(e, "snapshot-id").value_or(0), ""});
      }
    }
    if (const json::Value* log = Arr(v, "metadata-log")) {
      for (const auto& e : log->items()) {
        const json::Value* f = e.Find("metadata-file");
        m.metadata_log.push_back(LogEntry{OptInt(e, "timestamp-ms").value_or(0), 0, f != nullptr ? f->str() : ""});
      }
    }
    if (const json::Value* st = Arr(v, "statistics")) m.statistics_json = json::Serialize(*st);
    if (const json::Value* st = Arr(v, "partition-statistics")) m.partition_statistics_json = json::Serialize(*st);
    m.next_row_id = OptInt(v, "next-row-id").value_or(0);
    return m;
  }();
  if (!parsed.ok()) return Status::Corruption("table metadata: " + parsed.status().message());
  return parsed;
}

// ---- schema helpers

int32_t MaxFieldId(const parquet::Schema& schema) {
  int32_t m = 0;
  for (const Field& f : schema.fields) MaxId(f, &m);
  return m;
}

const Field* FindField(const parquet::Schema& schema, int32_t id) { return FindIn(schema.fields, id); }

namespace {

bool Promotable(const Field& from, const Field& to) {
  if (from.type == to.type) {
    if (from.type == TypeId::kDecimal) return to.scale == from.scale && to.precision >= from.precision;
    if (from.type == TypeId::kFixed) return to.length == from.length;
    return true;
  }
  return (from.type == TypeId::kInt && to.type == TypeId::kLong) ||
         (from.type == TypeId::kFloat && to.type == TypeId::kDouble);
}

Status CheckFields(const std::vector<Field>& from, const std::vector<Field>& to, const std::string& parent) {
  for (const Field& t : to) {
    std::string where = parent.empty() ? t.name : parent + "." + t.name;
    const Field* f = nullptr;
    for (const Field& c : from) {
      if (c.id == t.id) f = &c;
    }
    if (f == nullptr) {
      if (t.required) {
        return Bad("cannot add required field " + where + " (existing rows have no value for it)");
      }
      continue;
    }
    if (!Promotable(*f, t)) {
      return Bad("cannot change the type of field " + where + " from " + parquet::TypeName(*f) + " to " +
                 parquet::TypeName(t));
    }
    if (t.required && !f->required) return Bad("cannot make optional field " + where + " required");
    RETURN_IF_ERROR(CheckFields(f->children, t.children, where));
  }
  return Status::Ok();
}

}  // namespace

Status CheckSchemaEvolution(const parquet::Schema& from, const parquet::Schema& to) {
  return CheckFields(from.fields, to.fields, "");
}

}  // namespace floe::iceberg
