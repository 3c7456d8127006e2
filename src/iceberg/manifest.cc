#include "iceberg/manifest.h"

#include <algorithm>
#include <cmath>

#include "iceberg/avro.h"
#include "iceberg/partition.h"

namespace floe::iceberg {

using avro::Datum;
using avro::Node;
using avro::Type;
using parquet::Field;
using parquet::TypeId;

namespace {

Node Prim(Type t) { return Node::Primitive(t); }
Node Opt(Node n) { return Node::Optional(std::move(n)); }

void AddField(Node* record, std::string name, int32_t id, Node type) {
  avro::RecordField f;
  f.name = std::move(name);
  f.field_id = id;
  f.default_null = type.type == Type::kUnion;
  record->fields.push_back(std::move(f));
  record->children.push_back(std::move(type));
}

Node Record(std::string name) {
  Node n;
  n.type = Type::kRecord;
  n.name = std::move(name);
  return n;
}

// Iceberg's map<int, V> as an Avro array of key/value records (logicalType "map").
Node IntMap(int32_t key_id, int32_t value_id, Type value) {
  Node kv = Record("k" + std::to_string(key_id) + "_v" + std::to_string(value_id));
  AddField(&kv, "key", key_id, Prim(Type::kInt));
  AddField(&kv, "value", value_id, Prim(value));
  Node arr;
  arr.type = Type::kArray;
  arr.logical_type = "map";
  arr.children.push_back(std::move(kv));
  return arr;
}

Node Array(int32_t element_id, Node items) {
  Node arr;
  arr.type = Type::kArray;
  arr.element_id = element_id;
  arr.children.push_back(std::move(items));
  return arr;
}

// Avro names: [A-Za-z_][A-Za-z0-9_]*; other characters become _x<HEX> (Java's sanitizer).
std::string AvroName(const std::string& name) {
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
    if (ok) {
      out.push_back(static_cast<char>(c));
    } else if (i == 0 && c >= '0' && c <= '9') {
      out += "_" + std::string(1, static_cast<char>(c));
    } else {
      static const char kHex[] = "0123456789ABCDEF";
      out += "_x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

Node AvroPrimitive(const Field& f) {
  Node n;
  switch (f.type) {
    case TypeId::kBoolean: return Prim(Type::kBoolean);
    case TypeId::kInt: return Prim(Type::kInt);
    case TypeId::kLong: return Prim(Type::kLong);
    case TypeId::kFloat: return Prim(Type::kFloat);
    case TypeId::kDouble: return Prim(Type::kDouble);
    case TypeId::kDate:
      n = Prim(Type::kInt);
      n.logical_type = "date";
      return n;
    case TypeId::kTime:
      n = Prim(Type::kLong);
      n.logical_type = "time-micros";
      return n;
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      n = Prim(Type::kLong);
      n.logical_type = "timestamp-micros";
      n.adjust_to_utc = f.type == TypeId::kTimestampTz ? 1 : 0;
      return n;
    case TypeId::kString: return Prim(Type::kString);
    case TypeId::kUuid:
      n.type = Type::kFixed;
      n.name = "uuid_fixed";
      n.size = 16;
      n.logical_type = "uuid";
      return n;
    case TypeId::kFixed:
      n.type = Type::kFixed;
      n.name = "fixed_" + std::to_string(f.length);
      n.size = f.length;
      return n;
    case TypeId::kDecimal:
      n.type = Type::kFixed;
      n.name = "decimal_" + std::to_string(f.precision) + "_" + std::to_string(f.scale);
      n.size = parquet::DecimalBytes(f.precision);
      n.logical_type = "decimal";
      n.precision = f.precision;
      n.scale = f.scale;
      return n;
    default: return Prim(Type::kBytes);
  }
}

// Partition values: decimals travel as fixed big-endian bytes in Avro.
Datum ToAvro(const Field& f, const parquet::Value& v) {
  if (v.is_null() || f.type != TypeId::kDecimal) return v;
  std::string b;
  parquet::AppendDecimalBigEndian(v.as_decimal(), parquet::DecimalBytes(f.precision), &b);
  return Datum::Bytes(std::move(b));
}

parquet::Value FromAvro(const Node& n, const Datum& d) {
  if (d.is_null() || n.type != Type::kUnion) return d;
  for (const Node& b : n.children) {
    if (b.type == Type::kFixed && b.logical_type == "decimal") {
      auto v = DeserializeValue(parquet::Decimal(0, "", b.precision, b.scale), d.bytes());
      if (v.ok()) return *v;
    }
  }
  return d;
}

Node PartitionRecord(const std::vector<Field>& types) {
  Node r = Record("r102");
  for (const Field& f : types) AddField(&r, AvroName(f.name), f.id, Opt(AvroPrimitive(f)));
  return r;
}

Node DataFileRecord(int format_version, const std::vector<Field>& partition_types) {
  Node r = Record("r2");
  AddField(&r, "content", 134, Prim(Type::kInt));
  AddField(&r, "file_path", 100, Prim(Type::kString));
  AddField(&r, "file_format", 101, Prim(Type::kString));
  AddField(&r, "partition", 102, PartitionRecord(partition_types));
  AddField(&r, "record_count", 103, Prim(Type::kLong));
  AddField(&r, "file_size_in_bytes", 104, Prim(Type::kLong));
  AddField(&r, "column_sizes", 108, Opt(IntMap(117, 118, Type::kLong)));
  AddField(&r, "value_counts", 109, Opt(IntMap(119, 120, Type::kLong)));
  AddField(&r, "null_value_counts", 110, Opt(IntMap(121, 122, Type::kLong)));
  AddField(&r, "nan_value_counts", 137, Opt(IntMap(138, 139, Type::kLong)));
  AddField(&r, "lower_bounds", 125, Opt(IntMap(126, 127, Type::kBytes)));
  AddField(&r, "upper_bounds", 128, Opt(IntMap(129, 130, Type::kBytes)));
  AddField(&r, "key_metadata", 131, Opt(Prim(Type::kBytes)));
  AddField(&r, "split_offsets", 132, Opt(Array(133, Prim(Type::kLong))));
  AddField(&r, "equality_ids", 135, Opt(Array(136, Prim(Type::kInt))));
  AddField(&r, "sort_order_id", 140, Opt(Prim(Type::kInt)));
  if (format_version >= 3) AddField(&r, "first_row_id", 142, Opt(Prim(Type::kLong)));
  AddField(&r, "referenced_data_file", 143, Opt(Prim(Type::kString)));
  if (format_version >= 3) {
    AddField(&r, "content_offset", 144, Opt(Prim(Type::kLong)));
    AddField(&r, "content_size_in_bytes", 145, Opt(Prim(Type::kLong)));
  }
  return r;
}

Node EntryRecord(int format_version, const std::vector<Field>& partition_types) {
  Node r = Record("manifest_entry");
  AddField(&r, "status", 0, Prim(Type::kInt));
  AddField(&r, "snapshot_id", 1, Opt(Prim(Type::kLong)));
  AddField(&r, "sequence_number", 3, Opt(Prim(Type::kLong)));
  AddField(&r, "file_sequence_number", 4, Opt(Prim(Type::kLong)));
  AddField(&r, "data_file", 2, DataFileRecord(format_version, partition_types));
  return r;
}

Node ManifestFileRecord(int format_version) {
  Node summary = Record("r508");
  AddField(&summary, "contains_null", 509, Prim(Type::kBoolean));
  AddField(&summary, "contains_nan", 518, Opt(Prim(Type::kBoolean)));
  AddField(&summary, "lower_bound", 510, Opt(Prim(Type::kBytes)));
  AddField(&summary, "upper_bound", 511, Opt(Prim(Type::kBytes)));
  Node r = Record("manifest_file");
  AddField(&r, "manifest_path", 500, Prim(Type::kString));
  AddField(&r, "manifest_length", 501, Prim(Type::kLong));
  AddField(&r, "partition_spec_id", 502, Prim(Type::kInt));
  AddField(&r, "content", 517, Prim(Type::kInt));
  AddField(&r, "sequence_number", 515, Prim(Type::kLong));
  AddField(&r, "min_sequence_number", 516, Prim(Type::kLong));
  AddField(&r, "added_snapshot_id", 503, Prim(Type::kLong));
  AddField(&r, "added_files_count", 504, Prim(Type::kInt));
  AddField(&r, "existing_files_count", 505, Prim(Type::kInt));
  AddField(&r, "deleted_files_count", 506, Prim(Type::kInt));
  AddField(&r, "added_rows_count", 512, Prim(Type::kLong));
  AddField(&r, "existing_rows_count", 513, Prim(Type::kLong));
  AddField(&r, "deleted_rows_count", 514, Prim(Type::kLong));
  AddField(&r, "partitions", 507, Opt(Array(508, std::move(summary))));
  AddField(&r, "key_metadata", 519, Opt(Prim(Type::kBytes)));
  if (format_version >= 3) AddField(&r, "first_row_id", 520, Opt(Prim(Type::kLong)));
  return r;
}

Datum OptInt(std::optional<int64_t> v) { return v ? Datum::Int(*v) : Datum::Null(); }
Datum OptBytes(const std::optional<std::string>& v) { return v ? Datum::Bytes(*v) : Datum::Null(); }

template <typename V>
Datum MapDatum(const std::map<int32_t, V>& m) {
  if (m.empty()) return Datum::Null();
  std::vector<Datum> items;
  items.reserve(m.size());
  for (const auto& [k, v] : m) {
    if constexpr (std::is_same_v<V, std::string>) {
      items.push_back(Datum::Struct({Datum::Int(k), Datum::Bytes(v)}));
    } else {
      items.push_back(Datum::Struct({Datum::Int(k), Datum::Int(v)}));
    }
  }
  return Datum::List(std::move(items));
}

Datum DataFileDatum(int format_version, const std::vector<Field>& ptypes, const DataFile& f) {
  std::vector<Datum> partition;
  for (size_t i = 0; i < ptypes.size(); ++i) {
    partition.push_back(i < f.partition.size() ? ToAvro(ptypes[i], f.partition[i]) : Datum::Null());
  }
  std::vector<Datum> v;
  v.push_back(Datum::Int(static_cast<int32_t>(f.content)));
  v.push_back(Datum::Bytes(f.file_path));
  v.push_back(Datum::Bytes(f.file_format));
  v.push_back(Datum::Struct(std::move(partition)));
  v.push_back(Datum::Int(f.record_count));
  v.push_back(Datum::Int(f.file_size_in_bytes));
  v.push_back(MapDatum(f.column_sizes));
  v.push_back(MapDatum(f.value_counts));
  v.push_back(MapDatum(f.null_value_counts));
  v.push_back(MapDatum(f.nan_value_counts));
  v.push_back(MapDatum(f.lower_bounds));
  v.push_back(MapDatum(f.upper_bounds));
  v.push_back(Datum::Null());  // key_metadata
  if (f.split_offsets.empty()) {
    v.push_back(Datum::Null());
  } else {
    std::vector<Datum> offs;
    for (int64_t o : f.split_offsets) offs.push_back(Datum::Int(o));
    v.push_back(Datum::List(std::move(offs)));
  }
  if (f.equality_ids.empty()) {
    v.push_back(Datum::Null());
  } else {
    std::vector<Datum> ids;
    for (int32_t id : f.equality_ids) ids.push_back(Datum::Int(id));
    v.push_back(Datum::List(std::move(ids)));
  }
  v.push_back(f.sort_order_id ? Datum::Int(*f.sort_order_id) : Datum::Null());
  if (format_version >= 3) v.push_back(OptInt(f.first_row_id));
  v.push_back(OptBytes(f.referenced_data_file));
  if (format_version >= 3) {
    v.push_back(OptInt(f.content_offset));
    v.push_back(OptInt(f.content_size_in_bytes));
  }
  return Datum::Struct(std::move(v));
}

// ---- decoding helpers

const Node& Unwrap(const Node& n) {
  if (n.type != Type::kUnion) return n;
  for (const Node& b : n.children) {
    if (b.type != Type::kNull) return b;
  }
  return n;
}

struct Rec {
  const Node* schema;
  const Datum* datum;

  const Datum* Get(std::string_view name) const {
    const Datum* d = avro::FieldOf(*schema, *datum, name);
    return d != nullptr && !d->is_null() ? d : nullptr;
  }
  const Node* TypeOf(std::string_view name) const {
    for (size_t i = 0; i < schema->fields.size(); ++i) {
      if (schema->fields[i].name == name) return &Unwrap(schema->children[i]);
    }
    return nullptr;
  }
  std::optional<int64_t> Int(std::string_view name) const {
    const Datum* d = Get(name);
    if (d == nullptr || d->kind() != Datum::Kind::kInt) return std::nullopt;
    return d->as_int();
  }
  std::string Str(std::string_view name) const {
    const Datum* d = Get(name);
    return d != nullptr && d->kind() == Datum::Kind::kBytes ? d->bytes() : std::string();
  }
  Rec Sub(std::string_view name) const {
    const Datum* d = Get(name);
    const Node* t = TypeOf(name);
    static const Datum kEmpty = Datum::Struct({});
    static const Node kEmptyNode;
    if (d == nullptr || t == nullptr) return Rec{&kEmptyNode, &kEmpty};
    return Rec{t, d};
  }
};

void AddSummary(const Field& type, const parquet::Value& v, FieldSummary* s, std::optional<parquet::Value>* lo,
                std::optional<parquet::Value>* hi) {
  if (v.is_null()) {
    s->contains_null = true;
    return;
  }
  if ((type.type == TypeId::kFloat && std::isnan(v.as_float())) ||
      (type.type == TypeId::kDouble && std::isnan(v.as_double()))) {
    s->contains_nan = true;
    return;
  }
  if (!*lo || CompareValues(type, v, **lo) < 0) *lo = v;
  if (!*hi || CompareValues(type, v, **hi) > 0) *hi = v;
}

}  // namespace

std::string PartitionKey(const DataFile& f) {
  std::string key = std::to_string(f.spec_id);
  for (const parquet::Value& v : f.partition) {
    key.push_back('|');
    key.push_back(static_cast<char>('0' + static_cast<int>(v.kind())));
    switch (v.kind()) {
      case parquet::Value::Kind::kNull: break;
      case parquet::Value::Kind::kBytes: key += std::to_string(v.bytes().size()) + ":" + v.bytes(); break;
      case parquet::Value::Kind::kFloat: {
        float x = v.as_float();
        key.append(reinterpret_cast<const char*>(&x), sizeof x);
        break;
      }
      case parquet::Value::Kind::kDouble: {
        double x = v.as_double();
        key.append(reinterpret_cast<const char*>(&x), sizeof x);
        break;
      }
      default: {  // bool, int and decimal values live in the integer
        parquet::int128_t x = v.as_decimal();
        key.append(reinterpret_cast<const char*>(&x), sizeof x);
      }
    }
  }
  return key;
}

bool MayDeleteFrom(const DataFile& del, const std::string& data_path) {
  if (del.referenced_data_file) return *del.referenced_data_file == data_path;
  auto lo = del.lower_bounds.find(kDeleteFilePathId);
  auto hi = del.upper_bounds.find(kDeleteFilePathId);
  return (lo == del.lower_bounds.end() || data_path >= lo->second) &&
         (hi == del.upper_bounds.end() || data_path <= hi->second);
}

Result<EncodedManifest> EncodeManifest(const ManifestContext& ctx, int32_t content, const std::string& path,
                                       const std::vector<ManifestEntry>& entries, int64_t snapshot_id) {
  ASSIGN_OR_RETURN(std::vector<Field> ptypes, PartitionType(ctx.schema->fields, *ctx.spec));
  Node schema = EntryRecord(ctx.format_version, ptypes);
  std::vector<std::pair<std::string, std::string>> meta = {
      {"schema", SchemaToJson(*ctx.schema)},
      {"schema-id", std::to_string(ctx.schema->schema_id)},
      {"partition-spec", SpecFieldsToJson(*ctx.spec)},
      {"partition-spec-id", std::to_string(ctx.spec->spec_id)},
      {"format-version", std::to_string(ctx.format_version)},
      {"content", content == 0 ? "data" : "deletes"},
  };
  avro::FileWriter writer(std::move(schema), std::move(meta));
  EncodedManifest out;
  ManifestFile& mf = out.file;
  mf.manifest_path = path;
  mf.partition_spec_id = ctx.spec->spec_id;
  mf.content = content;
  mf.added_snapshot_id = snapshot_id;
  mf.min_sequence_number = INT64_MAX;
  std::vector<FieldSummary> summaries(ptypes.size());
  std::vector<std::optional<parquet::Value>> lows(ptypes.size()), highs(ptypes.size());
  for (const ManifestEntry& e : entries) {
    if ((e.file.content == FileContent::kData) != (content == 0)) {
      return Status::InvalidArgument("manifest content does not match file " + e.file.file_path);
    }
    if (e.file.partition.size() != ptypes.size()) {
      return Status::InvalidArgument("file " + e.file.file_path + " has " + std::to_string(e.file.partition.size()) +
                                     " partition values, the spec " + std::to_string(ptypes.size()));
    }
    Datum d =
        Datum::Struct({Datum::Int(static_cast<int32_t>(e.status)), OptInt(e.snapshot_id), OptInt(e.sequence_number),
                       OptInt(e.file_sequence_number), DataFileDatum(ctx.format_version, ptypes, e.file)});
    RETURN_IF_ERROR(writer.Append(d));
    switch (e.status) {
      case EntryStatus::kAdded:
        ++mf.added_files_count;
        mf.added_rows_count += e.file.record_count;
        break;
      case EntryStatus::kExisting:
        ++mf.existing_files_count;
        mf.existing_rows_count += e.file.record_count;
        break;
      case EntryStatus::kDeleted:
        ++mf.deleted_files_count;
        mf.deleted_rows_count += e.file.record_count;
        break;
    }
    if (e.sequence_number && e.status != EntryStatus::kDeleted) {
      mf.min_sequence_number = std::min(mf.min_sequence_number, *e.sequence_number);
    }
    for (size_t i = 0; i < ptypes.size(); ++i)
      AddSummary(ptypes[i], e.file.partition[i], &summaries[i], &lows[i], &highs[i]);
  }
  for (size_t i = 0; i < ptypes.size(); ++i) {
    if (ptypes[i].type == TypeId::kFloat || ptypes[i].type == TypeId::kDouble) {
      summaries[i].contains_nan = summaries[i].contains_nan.value_or(false);
    }
    if (lows[i]) summaries[i].lower_bound = SerializeValue(ptypes[i], *lows[i]);
    if (highs[i]) summaries[i].upper_bound = SerializeValue(ptypes[i], *highs[i]);
  }
  mf.partitions = std::move(summaries);
  ASSIGN_OR_RETURN(out.bytes, writer.Finish());
  mf.manifest_length = static_cast<int64_t>(out.bytes.size());
  return out;
}

namespace {

// Manifest entries are decoded straight from Avro into ManifestEntry (no Datum trees):
// planning after thousands of commits reads tens of thousands of entries. Fields are matched
// by name once per file; unknown fields are skipped; a known field of an unexpected type is
// corrupt.
class EntryDecoder {
 public:
  explicit EntryDecoder(std::string_view block) : d_(block) {}
  const Status& status() const { return st_; }

  bool OptLong(const Node& n, std::optional<int64_t>* out, const char* what) {
    const Node* t = &n;
    if (n.type == Type::kUnion && !d_.Branch(n, &t)) return Fail(what);
    if (t->type == Type::kNull) {
      out->reset();
      return true;
    }
    int64_t v;
    if ((t->type != Type::kLong && t->type != Type::kInt) || !d_.Long(&v)) return Fail(what);
    *out = v;
    return true;
  }

  bool OptBytes(const Node& n, std::optional<std::string>* out, const char* what) {
    const Node* t = &n;
    if (n.type == Type::kUnion && !d_.Branch(n, &t)) return Fail(what);
    if (t->type == Type::kNull) {
      out->reset();
      return true;
    }
    std::string v;
    if ((t->type != Type::kString && t->type != Type::kBytes) || !d_.Bytes(&v)) return Fail(what);
    *out = std::move(v);
    return true;
  }

  // Iceberg's map<int, V>: an array of {key, value} records, or null.
  template <typename V>
  bool IntMap(const Node& n, std::map<int32_t, V>* out, const char* what) {
    const Node* t = &n;
    if (n.type == Type::kUnion && !d_.Branch(n, &t)) return Fail(what);
    if (t->type == Type::kNull) return true;
    if (t->type != Type::kArray || t->children.empty() || t->children[0].type != Type::kRecord ||
        t->children[0].fields.size() != 2 || t->children[0].fields[0].name != "key") {
      return Fail(what);
    }
    for (;;) {
      int64_t count;
      if (!d_.BlockCount(&count)) return Fail(what);
      if (count == 0) return true;
      for (int64_t i = 0; i < count; ++i) {
        int64_t k;
        if (!d_.Long(&k)) return Fail(what);
        if constexpr (std::is_same_v<V, std::string>) {
          std::string v;
          if (!d_.Bytes(&v)) return Fail(what);
          out->emplace_hint(out->end(), static_cast<int32_t>(k), std::move(v));
        } else {
          int64_t v;
          if (!d_.Long(&v)) return Fail(what);
          out->emplace_hint(out->end(), static_cast<int32_t>(k), v);
        }
      }
    }
  }

  template <typename T>
  bool LongList(const Node& n, std::vector<T>* out, const char* what) {
    const Node* t = &n;
    if (n.type == Type::kUnion && !d_.Branch(n, &t)) return Fail(what);
    if (t->type == Type::kNull) return true;
    if (t->type != Type::kArray) return Fail(what);
    for (;;) {
      int64_t count;
      if (!d_.BlockCount(&count)) return Fail(what);
      if (count == 0) return true;
      for (int64_t i = 0; i < count; ++i) {
        int64_t v;
        if (!d_.Long(&v)) return Fail(what);
        out->push_back(static_cast<T>(v));
      }
    }
  }

  bool Partition(const Node& n, std::vector<parquet::Value>* out) {
    const Node* t = &n;
    if (n.type == Type::kUnion && !d_.Branch(n, &t)) return Fail("partition");
    if (t->type != Type::kRecord) return Fail("partition");
    for (const Node& f : t->children) {
      Datum v;
      if (Status st = d_.Read(f, &v); !st.ok()) return Fail("partition");
      out->push_back(FromAvro(f, v));
    }
    return true;
  }

  bool Skip(const Node& n) { return d_.Skip(n).ok() || Fail("a field"); }

  bool DataFileRecord(const Node& n, DataFile* df) {
    if (n.type != Type::kRecord) return Fail("data_file");
    for (size_t i = 0; i < n.fields.size(); ++i) {
      const std::string& name = n.fields[i].name;
      const Node& t = n.children[i];
      std::optional<int64_t> v;
      std::optional<std::string> b;
      bool ok = true;
      if (name == "content") {
        ok = OptLong(t, &v, "content");
        if (ok && v && (*v < 0 || *v > 2)) return Fail("content");
        df->content = static_cast<FileContent>(v.value_or(0));
      } else if (name == "file_path") {
        ok = OptBytes(t, &b, "file_path");
        df->file_path = std::move(b).value_or("");
      } else if (name == "file_format") {
        ok = OptBytes(t, &b, "file_format");
        df->file_format = std::move(b).value_or("");
      } else if (name == "partition") {
        ok = Partition(t, &df->partition);
      } else if (name == "record_count") {
        ok = OptLong(t, &v, "record_count");
        df->record_count = v.value_or(0);
      } else if (name == "file_size_in_bytes") {
        ok = OptLong(t, &v, "file_size_in_bytes");
        df->file_size_in_bytes = v.value_or(0);
      } else if (name == "column_sizes") {
        ok = IntMap(t, &df->column_sizes, "column_sizes");
      } else if (name == "value_counts") {
        ok = IntMap(t, &df->value_counts, "value_counts");
      } else if (name == "null_value_counts") {
        ok = IntMap(t, &df->null_value_counts, "null_value_counts");
      } else if (name == "nan_value_counts") {
        ok = IntMap(t, &df->nan_value_counts, "nan_value_counts");
      } else if (name == "lower_bounds") {
        ok = IntMap(t, &df->lower_bounds, "lower_bounds");
      } else if (name == "upper_bounds") {
        ok = IntMap(t, &df->upper_bounds, "upper_bounds");
      } else if (name == "split_offsets") {
        ok = LongList(t, &df->split_offsets, "split_offsets");
      } else if (name == "equality_ids") {
        ok = LongList(t, &df->equality_ids, "equality_ids");
      } else if (name == "sort_order_id") {
        ok = OptLong(t, &v, "sort_order_id");
        if (v) df->sort_order_id = static_cast<int32_t>(*v);
      } else if (name == "first_row_id") {
        ok = OptLong(t, &df->first_row_id, "first_row_id");
      } else if (name == "referenced_data_file") {
        ok = OptBytes(t, &df->referenced_data_file, "referenced_data_file");
      } else if (name == "content_offset") {
        ok = OptLong(t, &df->content_offset, "content_offset");
      } else if (name == "content_size_in_bytes") {
        ok = OptLong(t, &df->content_size_in_bytes, "content_size_in_bytes");
      } else {
        ok = Skip(t);
      }
      if (!ok) return false;
    }
    if (df->file_path.empty()) return Fail("file_path (empty)");
    return true;
  }

  bool Entry(const Node& n, ManifestEntry* e) {
    bool has_file = false;
    for (size_t i = 0; i < n.fields.size(); ++i) {
      const std::string& name = n.fields[i].name;
      const Node& t = n.children[i];
      bool ok = true;
      if (name == "status") {
        std::optional<int64_t> v;
        ok = OptLong(t, &v, "status");
        if (ok && (!v || *v < 0 || *v > 2)) return Fail("status");
        e->status = static_cast<EntryStatus>(v.value_or(0));
      } else if (name == "snapshot_id") {
        ok = OptLong(t, &e->snapshot_id, "snapshot_id");
      } else if (name == "sequence_number") {
        ok = OptLong(t, &e->sequence_number, "sequence_number");
      } else if (name == "file_sequence_number") {
        ok = OptLong(t, &e->file_sequence_number, "file_sequence_number");
      } else if (name == "data_file") {
        ok = DataFileRecord(t, &e->file);
        has_file = true;
      } else {
        ok = Skip(t);
      }
      if (!ok) return false;
    }
    return has_file || Fail("data_file (missing)");
  }

 private:
  bool Fail(const char* what) {
    if (st_.ok()) st_ = Status::Corruption(std::string("manifest entry: bad or truncated ") + what);
    return false;
  }
  avro::Decoder d_;
  Status st_;
};

}  // namespace

Result<ReadManifestResult> DecodeManifest(const std::string& bytes) {
  ASSIGN_OR_RETURN(avro::Container c, avro::ReadContainer(bytes));
  ReadManifestResult out;
  if (const std::string* s = c.Meta("partition-spec-id")) out.spec_id = std::atoi(s->c_str());
  if (const std::string* s = c.Meta("content")) out.content = *s == "deletes" ? 1 : 0;
  if (c.schema.type != Type::kRecord) return Status::Corruption("manifest entries are not records");
  for (const auto& [block, count] : c.blocks) {
    EntryDecoder dec(block);
    for (int64_t i = 0; i < count; ++i) {
      ManifestEntry e;
      if (!dec.Entry(c.schema, &e)) return dec.status();
      e.file.spec_id = out.spec_id;
      out.entries.push_back(std::move(e));
    }
  }
  return out;
}

Status InheritFromManifest(const ManifestFile& m, std::vector<ManifestEntry>* entries) {
  int64_t next_row_id = m.first_row_id.value_or(0);
  for (ManifestEntry& e : *entries) {
    if (!e.snapshot_id) e.snapshot_id = m.added_snapshot_id;
    if (e.status == EntryStatus::kAdded) {
      if (!e.sequence_number) e.sequence_number = m.sequence_number;
      if (!e.file_sequence_number) e.file_sequence_number = m.sequence_number;
    } else if (!e.sequence_number || !e.file_sequence_number) {
      if (m.sequence_number == 0) {  // format version 1: everything is sequence number 0
        e.sequence_number = e.sequence_number.value_or(0);
        e.file_sequence_number = e.file_sequence_number.value_or(0);
      } else {
        return Status::Corruption("manifest " + m.manifest_path +
                                  ": an existing or deleted entry without a sequence number");
      }
    }
    if (m.first_row_id && m.content == 0 && e.status != EntryStatus::kDeleted) {
      if (!e.file.first_row_id) e.file.first_row_id = next_row_id;
      next_row_id += e.file.record_count;
    }
  }
  return Status::Ok();
}

Result<std::string> EncodeManifestList(int format_version, int64_t snapshot_id, std::optional<int64_t> parent_id,
                                       int64_t sequence_number, std::optional<int64_t> first_row_id,
                                       const std::vector<ManifestFile>& manifests) {
  std::vector<std::pair<std::string, std::string>> meta = {
      {"snapshot-id", std::to_string(snapshot_id)},
      {"parent-snapshot-id", parent_id ? std::to_string(*parent_id) : "null"},
      {"sequence-number", std::to_string(sequence_number)},
      {"format-version", std::to_string(format_version)},
  };
  if (format_version >= 3 && first_row_id) meta.emplace_back("first-row-id", std::to_string(*first_row_id));
  avro::FileWriter writer(ManifestFileRecord(format_version), std::move(meta));
  for (const ManifestFile& m : manifests) {
    std::vector<Datum> parts;
    for (const FieldSummary& s : m.partitions) {
      parts.push_back(
          Datum::Struct({Datum::Bool(s.contains_null), s.contains_nan ? Datum::Bool(*s.contains_nan) : Datum::Null(),
                         OptBytes(s.lower_bound), OptBytes(s.upper_bound)}));
    }
    std::vector<Datum> v = {Datum::Bytes(m.manifest_path),
                            Datum::Int(m.manifest_length),
                            Datum::Int(m.partition_spec_id),
                            Datum::Int(m.content),
                            Datum::Int(m.sequence_number),
                            Datum::Int(m.min_sequence_number),
                            Datum::Int(m.added_snapshot_id),
                            Datum::Int(m.added_files_count),
                            Datum::Int(m.existing_files_count),
                            Datum::Int(m.deleted_files_count),
                            Datum::Int(m.added_rows_count),
                            Datum::Int(m.existing_rows_count),
                            Datum::Int(m.deleted_rows_count),
                            Datum::List(std::move(parts)),
                            Datum::Null()};
    if (format_version >= 3) v.push_back(OptInt(m.first_row_id));
    RETURN_IF_ERROR(writer.Append(Datum::Struct(std::move(v))));
  }
  return writer.Finish();
}

Result<std::vector<ManifestFile>> DecodeManifestList(const std::string& bytes) {
  ASSIGN_OR_RETURN(avro::File file, avro::ReadFile(bytes));
  std::vector<ManifestFile> out;
  out.reserve(file.records.size());
  for (const Datum& rec : file.records) {
    Rec r{&file.schema, &rec};
    ManifestFile m;
    m.manifest_path = r.Str("manifest_path");
    if (m.manifest_path.empty()) return Status::Corruption("manifest list entry without a path");
    m.manifest_length = r.Int("manifest_length").value_or(0);
    m.partition_spec_id = static_cast<int32_t>(r.Int("partition_spec_id").value_or(0));
    m.content = static_cast<int32_t>(r.Int("content").value_or(0));
    m.sequence_number = r.Int("sequence_number").value_or(0);
    m.min_sequence_number = r.Int("min_sequence_number").value_or(0);
    m.added_snapshot_id = r.Int("added_snapshot_id").value_or(0);
    m.added_files_count =
        static_cast<int32_t>(r.Int("added_files_count").value_or(r.Int("added_data_files_count").value_or(0)));
    m.existing_files_count =
        static_cast<int32_t>(r.Int("existing_files_count").value_or(r.Int("existing_data_files_count").value_or(0)));
    m.deleted_files_count =
        static_cast<int32_t>(r.Int("deleted_files_count").value_or(r.Int("deleted_data_files_count").value_or(0)));
    m.added_rows_count = r.Int("added_rows_count").value_or(0);
    m.existing_rows_count = r.Int("existing_rows_count").value_or(0);
    m.deleted_rows_count = r.Int("deleted_rows_count").value_or(0);
    if (const Datum* parts = r.Get("partitions")) {
      const Node* t = r.TypeOf("partitions");
      const Node& item = t->children.empty() ? *t : t->children[0];
      for (const Datum& p : parts->children()) {
        Rec pr{&item, &p};
        FieldSummary s;
        if (const Datum* cn = pr.Get("contains_null")) s.contains_null = cn->as_bool();
        if (const Datum* cn = pr.Get("contains_nan")) s.contains_nan = cn->as_bool();
        if (const Datum* lb = pr.Get("lower_bound")) s.lower_bound = lb->bytes();
        if (const Datum* ub = pr.Get("upper_bound")) s.upper_bound = ub->bytes();
        m.partitions.push_back(std::move(s));
      }
    }
    m.first_row_id = r.Int("first_row_id");
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace floe::iceberg
