#include "parquet/writer.h"

#include <algorithm>
#include <cstring>

#include "parquet/column.h"
#include "parquet/encoding.h"
#include "parquet/thrift.h"
#include "parquet/value_check.h"

namespace floe::parquet {

namespace {

// parquet.thrift CompressionCodec (persisted, do not renumber).
int32_t ThriftCodec(Codec c) {
  switch (c) {
    case Codec::kUncompressed: return 0;
    case Codec::kSnappy: return 1;
    case Codec::kGzip: return 2;
    case Codec::kZstd: return 6;
  }
  return 0;
}

// parquet.thrift FieldRepetitionType and ConvertedType values used here.
constexpr int32_t kRequired = 0, kOptional = 1, kRepeated = 2;
constexpr int32_t kConvertedUtf8 = 0, kConvertedMap = 1, kConvertedList = 3, kConvertedDecimal = 5, kConvertedDate = 6,
                  kConvertedTimestampMicros = 10;

constexpr char kMagic[] = "PAR1";
constexpr char kCreatedBy[] = "floe version 0.1.0";
constexpr size_t kMaxStatBytes = 4096;

// The shredding tree: one node per schema field, in the shape of the Parquet schema.
struct Node {
  const Field* field = nullptr;
  uint8_t def = 0;  // definition level when this field's value is present
  uint8_t rep = 0;  // list and map: repetition level of their items
  uint32_t first_leaf = 0, end_leaf = 0;
  std::vector<Node> children;  // struct: fields; list: {element}; map: {key, value}
};

size_t SlotSize(Storage s) {
  switch (s) {
    case Storage::kBool: return 1;
    case Storage::kInt32:
    case Storage::kFloat: return 4;
    case Storage::kInt64:
    case Storage::kDouble: return 8;
    case Storage::kInt128: return sizeof(int128_t);
    case Storage::kBytes: return sizeof(std::string_view);
  }
  return 1;
}

struct ChunkMeta {
  ChunkInfo info;
  int64_t offset = 0;
  int64_t compressed_size = 0;
};

struct RowGroupMeta {
  int64_t num_rows = 0;
  int64_t offset = 0;
  std::vector<ChunkMeta> chunks;
};

struct FileBounds {
  bool set = false;
  Bound min, max;
};

}  // namespace

struct Writer::Impl {
  Schema schema;
  Sink* sink = nullptr;
  WriterOptions options;
  EncodeOptions encode;
  std::unique_ptr<Compressor> compressor;
  std::vector<Node> roots;
  std::vector<Leaf> leaves;
  std::vector<ColumnBuffer> columns;
  std::vector<RowGroupMeta> row_groups;
  std::vector<ColumnMetrics> metrics;
  std::vector<FileBounds> bounds;
  int64_t offset = 0;
  int64_t rows_in_group = 0;
  int64_t rows_total = 0;
  Status failed;
  bool closed = false;
  std::string dictionary_page, data_pages;  // one column chunk being written

  Status Write(const void* p, size_t n) {
    Status st = sink->Write(p, n);
    if (!st.ok()) failed = st;
    offset += static_cast<int64_t>(n);
    return st;
  }

  Node Build(const Field& f, uint8_t parent_def, uint8_t parent_rep, std::vector<std::string> path) {
    Node n;
    n.field = &f;
    n.def = static_cast<uint8_t>(parent_def + (f.required ? 0 : 1));
    n.first_leaf = static_cast<uint32_t>(leaves.size());
    path.push_back(f.name);
    switch (f.type) {
      case TypeId::kStruct:
        for (const Field& c : f.children) n.children.push_back(Build(c, n.def, parent_rep, path));
        break;
      case TypeId::kList:
      case TypeId::kMap: {
        n.rep = static_cast<uint8_t>(parent_rep + 1);
        path.push_back(f.type == TypeId::kList ? "list" : "key_value");
        for (const Field& c : f.children) n.children.push_back(Build(c, n.def + 1, n.rep, path));
        break;
      }
      default: {
        Leaf leaf;
        leaf.field = &f;
        leaf.path = path;
        leaf.max_def = n.def;
        leaf.max_rep = parent_rep;
        DescribeLeaf(&leaf);
        leaves.push_back(std::move(leaf));
        break;
      }
    }
    n.end_leaf = static_cast<uint32_t>(leaves.size());
    return n;
  }

  void Nulls(const Node& n, uint8_t rep, uint8_t def) {
    for (uint32_t l = n.first_leaf; l < n.end_leaf; ++l) columns[l].Levels(rep, def);
  }

  // REQUIRES: CheckValue passed for v.
  void Shred(const Node& n, const Value* v, uint8_t rep, uint8_t parent_def) {
    if (v == nullptr || v->is_null()) {
      Nulls(n, rep, parent_def);
      return;
    }
    const Field& f = *n.field;
    switch (f.type) {
      case TypeId::kStruct:
        for (size_t i = 0; i < n.children.size(); ++i) {
          Shred(n.children[i], i < v->children().size() ? &v->children()[i] : nullptr, rep, n.def);
        }
        return;
      case TypeId::kList: {
        const auto& items = v->children();
        if (items.empty()) {
          Nulls(n, rep, n.def);
          return;
        }
        for (size_t j = 0; j < items.size(); ++j) Shred(n.children[0], &items[j], j == 0 ? rep : n.rep, n.def + 1);
        return;
      }
      case TypeId::kMap: {
        const auto& kv = v->children();
        if (kv.empty()) {
          Nulls(n, rep, n.def);
          return;
        }
        for (size_t j = 0; j < kv.size(); j += 2) {
          uint8_t r = j == 0 ? rep : n.rep;
          Shred(n.children[0], &kv[j], r, n.def + 1);
          Shred(n.children[1], &kv[j + 1], r, n.def + 1);
        }
        return;
      }
      default: break;
    }
    ColumnBuffer& c = columns[n.first_leaf];
    const Leaf& leaf = leaves[n.first_leaf];
    c.Levels(rep, n.def);
    const bool decimal = f.type == TypeId::kDecimal;
    switch (leaf.storage) {
      case Storage::kBool: c.PushBool(v->as_bool()); break;
      case Storage::kInt32: c.PushInt32(static_cast<int32_t>(decimal ? v->as_decimal() : v->as_int())); break;
      case Storage::kInt64: c.PushInt64(static_cast<int64_t>(decimal ? v->as_decimal() : v->as_int())); break;
      case Storage::kFloat: c.PushFloat(v->as_float()); break;
      case Storage::kDouble: c.PushDouble(v->as_double()); break;
      case Storage::kInt128: c.PushInt128(v->as_decimal()); break;
      case Storage::kBytes: c.PushBytes(v->bytes().data(), v->bytes().size()); break;
    }
  }

  size_t Buffered() const {
    size_t b = 0;
    for (const ColumnBuffer& c : columns) b += c.EstimatedBytes();
    return b;
  }

  bool GroupFull() const {
    if (options.row_group_rows > 0 && static_cast<size_t>(rows_in_group) >= options.row_group_rows) return true;
    return Buffered() >= options.row_group_bytes;
  }

  Status Flush() {
    if (!failed.ok()) return failed;
    if (rows_in_group == 0) return Status::Ok();
    RowGroupMeta rg;
    rg.num_rows = rows_in_group;
    rg.offset = offset;
    for (size_t l = 0; l < columns.size(); ++l) {
      ChunkMeta cm;
      cm.offset = offset;
      Status st = columns[l].Encode(encode, compressor.get(), &dictionary_page, &data_pages, &cm.info);
      if (!st.ok()) return failed = st;
      cm.compressed_size = static_cast<int64_t>(dictionary_page.size() + data_pages.size());
      RETURN_IF_ERROR(Write(dictionary_page.data(), dictionary_page.size()));
      RETURN_IF_ERROR(Write(data_pages.data(), data_pages.size()));
      ColumnMetrics& m = metrics[l];
      m.value_count += cm.info.num_values;
      m.null_count += cm.info.null_count;
      m.nan_count += cm.info.nan_count;
      m.compressed_size += cm.compressed_size;
      if (cm.info.has_bounds) {
        FileBounds& b = bounds[l];
        Storage s = leaves[l].storage;
        if (!b.set || CompareBounds(s, cm.info.min, b.min) < 0) b.min = cm.info.min;
        if (!b.set || CompareBounds(s, cm.info.max, b.max) > 0) b.max = cm.info.max;
        b.set = true;
        // Bounds longer than kMaxStatBytes stay out of the chunk statistics, as Arrow leaves
        // them out, so that a few large values cannot bloat every footer (Iceberg's bounds
        // came from them just above); they are not kept until the footer either.
        if (cm.info.min.s.size() > kMaxStatBytes || cm.info.max.s.size() > kMaxStatBytes) {
          cm.info.has_bounds = false;
          cm.info.min.s.clear();
          cm.info.max.s.clear();
        }
      }
      rg.chunks.push_back(std::move(cm));
    }
    if (data_pages.capacity() > (64u << 20)) std::string().swap(data_pages);
    row_groups.push_back(std::move(rg));
    rows_in_group = 0;
    return Status::Ok();
  }

  void WriteSchemaElement(thrift::CompactWriter& w, const Node& n, int32_t repetition) {
    const Field& f = *n.field;
    w.BeginStruct();
    if (!f.is_nested()) {
      const Leaf& leaf = leaves[n.first_leaf];
      w.I32(1, static_cast<int32_t>(leaf.physical));
      if (leaf.physical == Physical::kFixedLenByteArray) w.I32(2, leaf.type_length);
    }
    w.I32(3, repetition);
    w.Binary(4, f.name);
    if (f.type == TypeId::kStruct) w.I32(5, static_cast<int32_t>(f.children.size()));
    if (f.type == TypeId::kList || f.type == TypeId::kMap) w.I32(5, 1);
    int32_t converted = -1;
    switch (f.type) {
      case TypeId::kString: converted = kConvertedUtf8; break;
      case TypeId::kDecimal: converted = kConvertedDecimal; break;
      case TypeId::kDate: converted = kConvertedDate; break;
      case TypeId::kTimestampTz: converted = kConvertedTimestampMicros; break;
      case TypeId::kList: converted = kConvertedList; break;
      case TypeId::kMap: converted = kConvertedMap; break;
      default: break;
    }
    if (converted >= 0) w.I32(6, converted);
    if (f.type == TypeId::kDecimal) {
      w.I32(7, f.scale);
      w.I32(8, f.precision);
    }
    w.I32(9, f.id);
    // LogicalType union: field 10 of SchemaElement.
    auto empty_member = [&](int16_t id) {
      w.BeginStructField(10);
      w.BeginStructField(id);
      w.EndStruct();
      w.EndStruct();
    };
    auto time_member = [&](int16_t id, bool utc) {
      w.BeginStructField(10);
      w.BeginStructField(id);
      w.Bool(1, utc);
      w.BeginStructField(2);  // TimeUnit
      w.BeginStructField(2);  // MICROS
      w.EndStruct();
      w.EndStruct();
      w.EndStruct();
      w.EndStruct();
    };
    switch (f.type) {
      case TypeId::kString: empty_member(1); break;
      case TypeId::kMap: empty_member(2); break;
      case TypeId::kList: empty_member(3); break;
      case TypeId::kDecimal:
        w.BeginStructField(10);
        w.BeginStructField(5);
        w.I32(1, f.scale);
        w.I32(2, f.precision);
        w.EndStruct();
        w.EndStruct();
        break;
      case TypeId::kDate: empty_member(6); break;
      case TypeId::kTime: time_member(7, false); break;
      case TypeId::kTimestamp: time_member(8, false); break;
      case TypeId::kTimestampTz: time_member(8, true); break;
      case TypeId::kUuid: empty_member(14); break;
      default: break;
    }
    w.EndStruct();
    if (f.type == TypeId::kStruct) {
      for (const Node& c : n.children) WriteSchemaElement(w, c, c.field->required ? kRequired : kOptional);
    } else if (f.type == TypeId::kList || f.type == TypeId::kMap) {
      w.BeginStruct();
      w.I32(3, kRepeated);
      w.Binary(4, f.type == TypeId::kList ? "list" : "key_value");
      w.I32(5, static_cast<int32_t>(n.children.size()));
      w.EndStruct();
      for (const Node& c : n.children) WriteSchemaElement(w, c, c.field->required ? kRequired : kOptional);
    }
  }

  static size_t CountElements(const Node& n) {
    size_t count = 1;
    if (n.field->type == TypeId::kList || n.field->type == TypeId::kMap) ++count;
    for (const Node& c : n.children) count += CountElements(c);
    return count;
  }

  std::string Footer() {
    std::string out;
    thrift::CompactWriter w(&out);
    w.BeginStruct();
    w.I32(1, 1);  // version
    size_t elements = 1;
    for (const Node& r : roots) elements += CountElements(r);
    w.BeginList(2, thrift::Type::kStruct, elements);
    w.BeginStruct();
    w.Binary(4, "table");
    w.I32(5, static_cast<int32_t>(roots.size()));
    w.EndStruct();
    for (const Node& r : roots) WriteSchemaElement(w, r, r.field->required ? kRequired : kOptional);
    w.I64(3, rows_total);
    w.BeginList(4, thrift::Type::kStruct, row_groups.size());
    for (size_t g = 0; g < row_groups.size(); ++g) {
      const RowGroupMeta& rg = row_groups[g];
      int64_t total_uncompressed = 0, total_compressed = 0;
      w.BeginStruct();
      w.BeginList(1, thrift::Type::kStruct, rg.chunks.size());
      for (size_t l = 0; l < rg.chunks.size(); ++l) {
        const ChunkMeta& cm = rg.chunks[l];
        const Leaf& leaf = leaves[l];
        total_uncompressed += cm.info.uncompressed_size;
        total_compressed += cm.compressed_size;
        w.BeginStruct();
        w.I64(2, cm.offset);
        w.BeginStructField(3);
        w.I32(1, static_cast<int32_t>(leaf.physical));
        // Encodings (ascending): PLAIN for plain pages and the dictionary page, RLE for levels
        // (and RLE booleans), RLE_DICTIONARY for dictionary-encoded data pages.
        std::vector<int32_t> encodings;
        if (cm.info.plain_data_pages > 0 || cm.info.dictionary_page_size > 0) encodings.push_back(0);
        encodings.push_back(3);
        if (cm.info.dictionary_data_pages > 0) encodings.push_back(8);
        w.BeginList(2, thrift::Type::kI32, encodings.size());
        for (int32_t e : encodings) w.ListI32(e);
        w.BeginList(3, thrift::Type::kBinary, leaf.path.size());
        for (const std::string& p : leaf.path) w.ListBinary(p);
        w.I32(4, ThriftCodec(options.codec));
        w.I64(5, cm.info.num_values);
        w.I64(6, cm.info.uncompressed_size);
        w.I64(7, cm.compressed_size);
        w.I64(9, cm.offset + cm.info.dictionary_page_size);
        if (cm.info.dictionary_page_size > 0) w.I64(11, cm.offset);
        // Statistics.
        w.BeginStructField(12);
        std::string min, max;
        if (cm.info.has_bounds) {
          min = ParquetStatBytes(leaf, cm.info.min);
          max = ParquetStatBytes(leaf, cm.info.max);
          // The deprecated min/max (signed order) agree with the type order for these types.
          bool legacy = leaf.physical != Physical::kByteArray && leaf.physical != Physical::kFixedLenByteArray;
          if (legacy) {
            w.Binary(1, max);
            w.Binary(2, min);
          }
        }
        w.I64(3, cm.info.null_count);
        if (cm.info.has_bounds) {
          w.Binary(5, max);
          w.Binary(6, min);
        }
        w.EndStruct();
        // Page encoding stats.
        size_t kinds = (cm.info.dictionary_page_size > 0 ? 1 : 0) + (cm.info.dictionary_data_pages > 0 ? 1 : 0) +
                       (cm.info.plain_data_pages > 0 ? 1 : 0) + (cm.info.rle_data_pages > 0 ? 1 : 0);
        w.BeginList(13, thrift::Type::kStruct, kinds);
        auto stat = [&](int32_t page_type, int32_t encoding, int32_t count) {
          w.BeginStruct();
          w.I32(1, page_type);
          w.I32(2, encoding);
          w.I32(3, count);
          w.EndStruct();
        };
        if (cm.info.dictionary_page_size > 0) stat(2, 0, 1);
        if (cm.info.dictionary_data_pages > 0) stat(0, 8, cm.info.dictionary_data_pages);
        if (cm.info.plain_data_pages > 0) stat(0, 0, cm.info.plain_data_pages);
        if (cm.info.rle_data_pages > 0) stat(0, 3, cm.info.rle_data_pages);
        w.EndStruct();  // ColumnMetaData
        w.EndStruct();  // ColumnChunk
      }
      w.I64(2, total_uncompressed);
      w.I64(3, rg.num_rows);
      w.I64(5, rg.offset);
      w.I64(6, total_compressed);
      w.I16(7, static_cast<int16_t>(g));
      w.EndStruct();
    }
    if (!options.metadata.empty()) {
      w.BeginList(5, thrift::Type::kStruct, options.metadata.size());
      for (const auto& [k, v] : options.metadata) {
        w.BeginStruct();
        w.Binary(1, k);
        w.Binary(2, v);
        w.EndStruct();
      }
    }
    w.Binary(6, kCreatedBy);
    w.BeginList(7, thrift::Type::kStruct, leaves.size());
    for (size_t l = 0; l < leaves.size(); ++l) {
      w.BeginStruct();
      w.BeginStructField(1);  // TYPE_ORDER
      w.EndStruct();
      w.EndStruct();
    }
    w.EndStruct();
    return out;
  }
};

Writer::Writer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Writer::~Writer() = default;

Result<std::unique_ptr<Writer>> Writer::Open(Schema schema, Sink* sink, WriterOptions options) {
  RETURN_IF_ERROR(ValidateSchema(schema));
  if (options.page_size == 0) return Status::InvalidArgument("page_size must be positive");
  if (options.row_group_bytes == 0) return Status::InvalidArgument("row_group_bytes must be positive");
  if (options.row_group_rows > static_cast<size_t>(INT32_MAX)) {
    return Status::InvalidArgument("row_group_rows must be at most 2147483647");
  }
  auto impl = std::make_unique<Impl>();
  impl->schema = std::move(schema);
  impl->sink = sink;
  impl->options = std::move(options);
  impl->encode.page_size = impl->options.page_size;
  impl->encode.dictionary = impl->options.dictionary;
  impl->encode.dictionary_page_limit = impl->options.dictionary_page_limit;
  impl->encode.boolean_rle = impl->options.boolean_rle;
  ASSIGN_OR_RETURN(impl->compressor, Compressor::Make(impl->options.codec, impl->options.compression_level));
  for (const Field& f : impl->schema.fields) impl->roots.push_back(impl->Build(f, 0, 0, {}));
  impl->columns.reserve(impl->leaves.size());
  for (const Leaf& leaf : impl->leaves) {
    impl->columns.emplace_back(&leaf);
    ColumnMetrics m;
    m.field_id = leaf.field->id;
    m.path = leaf.path;
    impl->metrics.push_back(std::move(m));
  }
  impl->bounds.resize(impl->leaves.size());
  RETURN_IF_ERROR(impl->Write(kMagic, 4));
  return std::unique_ptr<Writer>(new Writer(std::move(impl)));
}

Status Writer::AppendRow(const Value& row) {
  Impl& m = *impl_;
  if (!m.failed.ok()) return m.failed;
  if (m.closed) return Status::InvalidArgument("the writer is closed");
  if (row.kind() != Value::Kind::kStruct) return Status::InvalidArgument("a row must be a struct value");
  const auto& values = row.children();
  if (values.size() > m.schema.fields.size()) {
    return Status::InvalidArgument("the row has " + std::to_string(values.size()) + " values, the schema " +
                                   std::to_string(m.schema.fields.size()) + " fields");
  }
  static const Value kNull;
  for (size_t i = 0; i < m.schema.fields.size(); ++i) {
    RETURN_IF_ERROR(CheckValue(m.schema.fields[i], i < values.size() ? values[i] : kNull));
  }
  for (size_t i = 0; i < m.roots.size(); ++i) m.Shred(m.roots[i], i < values.size() ? &values[i] : nullptr, 0, 0);
  ++m.rows_in_group;
  ++m.rows_total;
  if (m.GroupFull()) return m.Flush();
  return Status::Ok();
}

Status Writer::AppendBatch(size_t num_rows, std::span<const ColumnBatch> columns) {
  Impl& m = *impl_;
  if (!m.failed.ok()) return m.failed;
  if (m.closed) return Status::InvalidArgument("the writer is closed");
  if (columns.size() != m.schema.fields.size()) {
    return Status::InvalidArgument("the batch has " + std::to_string(columns.size()) + " columns, the schema " +
                                   std::to_string(m.schema.fields.size()) + " fields");
  }
  // Check everything before buffering anything.
  for (size_t c = 0; c < columns.size(); ++c) {
    const Field& f = m.schema.fields[c];
    if (f.is_nested()) return Status::InvalidArgument("field " + f.name + ": batches take primitive columns only");
    const ColumnBatch& b = columns[c];
    if (b.values == nullptr && num_rows > 0) return Status::InvalidArgument("field " + f.name + ": no values");
    for (size_t r = 0; r < num_rows; ++r) {
      if (b.valid != nullptr && !b.valid[r]) {
        if (f.required) return Mismatch(f, "is required but row " + std::to_string(r) + " is null");
        continue;
      }
      Status st;
      switch (f.type) {
        case TypeId::kBoolean:
          if (static_cast<const uint8_t*>(b.values)[r] > 1) st = Mismatch(f, "boolean slots must be 0 or 1");
          break;
        case TypeId::kTime: st = CheckInt(f, static_cast<const int64_t*>(b.values)[r]); break;
        case TypeId::kDecimal:
          if (f.precision <= 9) {
            st = CheckDecimal(f, static_cast<const int32_t*>(b.values)[r]);
          } else if (f.precision <= 18) {
            st = CheckDecimal(f, static_cast<const int64_t*>(b.values)[r]);
          } else {
            st = CheckDecimal(f, static_cast<const int128_t*>(b.values)[r]);
          }
          break;
        case TypeId::kString:
        case TypeId::kBinary:
        case TypeId::kFixed:
        case TypeId::kUuid: st = CheckBytes(f, static_cast<const std::string_view*>(b.values)[r]); break;
        default:  // int, long, date, timestamps, float, double: every slot is valid
          break;
      }
      if (!st.ok()) return st;
    }
  }
  // Buffer in slices so that row groups close near their size target.
  constexpr size_t kSlice = 1 << 16;
  for (size_t start = 0; start < num_rows;) {
    size_t n = std::min(kSlice, num_rows - start);
    if (m.options.row_group_rows > 0) {
      n = std::min(n, m.options.row_group_rows - static_cast<size_t>(m.rows_in_group));
    }
    for (size_t c = 0; c < columns.size(); ++c) {
      const ColumnBatch& b = columns[c];
      const char* values = static_cast<const char*>(b.values) + start * SlotSize(m.leaves[c].storage);
      m.columns[c].AppendSlots(values, b.valid ? b.valid + start : nullptr, n);
    }
    m.rows_in_group += static_cast<int64_t>(n);
    m.rows_total += static_cast<int64_t>(n);
    start += n;
    if (m.GroupFull()) RETURN_IF_ERROR(m.Flush());
  }
  return Status::Ok();
}

Status Writer::FlushRowGroup() {
  if (impl_->closed) return Status::InvalidArgument("the writer is closed");
  return impl_->Flush();
}

Result<FileMetrics> Writer::Close() {
  Impl& m = *impl_;
  if (m.closed) return Status::InvalidArgument("the writer is closed");
  RETURN_IF_ERROR(m.Flush());
  m.closed = true;
  std::string footer = m.Footer();
  uint32_t len = static_cast<uint32_t>(footer.size());
  footer.append(reinterpret_cast<const char*>(&len), 4);
  footer.append(kMagic, 4);
  RETURN_IF_ERROR(m.Write(footer.data(), footer.size()));
  FileMetrics out;
  out.row_count = m.rows_total;
  out.file_size = m.offset;
  for (const RowGroupMeta& rg : m.row_groups) out.split_offsets.push_back(rg.offset);
  for (size_t l = 0; l < m.leaves.size(); ++l) {
    ColumnMetrics cm = m.metrics[l];
    if (m.bounds[l].set) {
      cm.lower_bound = IcebergBoundBytes(m.leaves[l], m.bounds[l].min);
      cm.upper_bound = IcebergBoundBytes(m.leaves[l], m.bounds[l].max);
    }
    out.columns.push_back(std::move(cm));
  }
  return out;
}

int64_t Writer::rows_written() const { return impl_->rows_total; }
size_t Writer::buffered_bytes() const { return impl_->Buffered(); }
const Schema& Writer::schema() const { return impl_->schema; }

}  // namespace floe::parquet
