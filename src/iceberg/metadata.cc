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
  if (a.identifier_field_ids != b.identifier_field_ids || a.fields.fields.size() != b.fields.fields.size())
    return false;
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
    case K::kVoid: return true;
    case K::kBucket:
      return type == TypeId::kInt || type == TypeId::kLong || type == TypeId::kDecimal || type == TypeId::kDate ||
             type == TypeId::kTime || type == TypeId::kTimestamp || type == TypeId::kTimestampTz ||
             type == TypeId::kString || type == TypeId::kUuid || type == TypeId::kFixed || type == TypeId::kBinary;
    case K::kTruncate:
      return type == TypeId::kInt || type == TypeId::kLong || type == TypeId::kDecimal || type == TypeId::kString ||
             type == TypeId::kBinary;
    case K::kYear:
    case K::kMonth:
    case K::kDay: return type == TypeId::kDate || type == TypeId::kTimestamp || type == TypeId::kTimestampTz;
    case K::kHour: return type == TypeId::kTimestamp || type == TypeId::kTimestampTz;
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
    if (src == nullptr)
      return Bad("partition field " + pf.name + ": no source field with id " + std::to_string(pf.source_id));
    if (src->is_nested())
      return Bad("partition field " + pf.name + ": source field " + src->name + " is not a primitive");
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
    if (src == nullptr || src->is_nested())
      return Bad("sort field: no primitive source field with id " + std::to_string(sf.source_id));
    if (!TransformApplies(sf.transform, src->type)) return Bad("sort field: transform does not apply to " + src->name);
  }
  return Status::Ok();
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
             o.fields[i].ascending == order.fields[i].ascending &&
             o.fields[i].nulls_first == order.fields[i].nulls_first;
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
  if (SnapshotById(s.snapshot_id) != nullptr)
    return Bad("snapshot " + std::to_string(s.snapshot_id) + " already exists");
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
  if (version < format_version)
    return Bad("cannot downgrade format version from " + std::to_string(format_version) + " to " +
               std::to_string(version));
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
  if (format_version < 1 || format_version > 3)
    return Bad("unsupported format version " + std::to_string(format_version));
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
