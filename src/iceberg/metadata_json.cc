// The JSON forms of table metadata and its parts (metadata.h).
#include <algorithm>

#include "iceberg/metadata.h"
#include "parquet/schema_json.h"

namespace floe::iceberg {

namespace {

Status Bad(const std::string& m) { return Status::InvalidArgument(m); }

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

// ---- JSON

void WriteProperties(const std::map<std::string, std::string>& properties, json::Writer* w) {
  w->StartObject();
  for (const auto& [k, v] : properties) {
    w->Key(k);
    w->String(v);
  }
  w->EndObject();
}

std::string SchemaToJson(const Schema& s) {
  return Render([&](json::Writer* w) { WriteSchema(s, w); });
}
std::string SpecToJson(const PartitionSpec& s) {
  return Render([&](json::Writer* w) { WriteSpec(s, w); });
}
std::string SpecFieldsToJson(const PartitionSpec& s) {
  return Render([&](json::Writer* w) { WriteSpecFields(s, w); });
}
std::string SortOrderToJson(const SortOrder& o) {
  return Render([&](json::Writer* w) { WriteOrder(o, w); });
}
std::string SnapshotToJson(const Snapshot& s) {
  return Render([&](json::Writer* w) { WriteSnapshot(s, w); });
}

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
  WriteProperties(m.properties, &w);
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
      for (const auto& [k, val] : props->members())
        m.properties[k] = val.is_string() ? val.str() : json::Serialize(val);
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
        m.snapshot_log.push_back(
            LogEntry{OptInt(e, "timestamp-ms").value_or(0), OptInt(e, "snapshot-id").value_or(0), ""});
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

}  // namespace floe::iceberg
