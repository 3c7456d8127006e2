#include "iceberg/data_files.h"

#include <algorithm>
#include <set>

#include "common/random.h"
#include "iceberg/partition.h"
#include "iceberg/puffin.h"
#include "json/json.h"
#include "objstore/store.h"

namespace floe::iceberg {

using parquet::Field;
using parquet::TypeId;

namespace {

constexpr size_t kBoundWidth = 16;

void CollectRepeated(const Field& f, bool inside, std::set<int32_t>* out) {
  if (inside) out->insert(f.id);
  bool child_inside = inside || f.type == TypeId::kList || f.type == TypeId::kMap;
  for (const Field& c : f.children) CollectRepeated(c, child_inside, out);
}

size_t EstimateBytes(const parquet::Value& v) {
  switch (v.kind()) {
    case parquet::Value::Kind::kNull: return 1;
    case parquet::Value::Kind::kBytes: return v.bytes().size() + 4;
    case parquet::Value::Kind::kStruct:
    case parquet::Value::Kind::kList:
    case parquet::Value::Kind::kMap: {
      size_t n = 2;
      for (const auto& c : v.children()) n += EstimateBytes(c);
      return n;
    }
    default: return 8;
  }
}

Result<parquet::Codec> TableCodec(const TableMetadata& m) {
  std::string name = m.Property("write.parquet.compression-codec", "zstd");
  return parquet::ParseCodec(name);
}

}  // namespace

struct DataWriter::Open_ {
  std::vector<parquet::Value> key;
  std::string partition_path;
  std::string location;
  std::unique_ptr<parquet::StringSink> sink;
  std::unique_ptr<parquet::Writer> writer;
  int64_t bytes = 0;
  size_t ordinal = 0;
  int64_t rows = 0;
};

DataWriter::~DataWriter() = default;

Result<std::unique_ptr<DataWriter>> DataWriter::Open(objstore::Store* store, const TableMetadata& table,
                                                     DataWriterOptions options) {
  const Schema* schema = table.CurrentSchema();
  const PartitionSpec* spec = table.DefaultSpec();
  if (schema == nullptr || spec == nullptr)
    return Status::Corruption("table metadata without a current schema or spec");
  std::unique_ptr<DataWriter> w(new DataWriter());
  w->store_ = store;
  w->location_ = table.location;
  w->schema_ = schema->fields;
  w->schema_json_ = SchemaToJson(*schema);
  w->spec_id_ = spec->spec_id;
  ASSIGN_OR_RETURN(Partitioner p, Partitioner::Make(schema->fields, *spec));
  w->partitioner_ = std::make_unique<Partitioner>(std::move(p));
  if (options.codec) {
    w->parquet_options_.codec = *options.codec;
  } else {
    ASSIGN_OR_RETURN(w->parquet_options_.codec, TableCodec(table));
  }
  w->parquet_options_.metadata.emplace_back("iceberg.schema", w->schema_json_);
  w->target_bytes_ = options.target_file_bytes > 0 ? options.target_file_bytes
                                                   : table.IntProperty("write.target-file-size-bytes", 512LL << 20);
  int64_t row_group = table.IntProperty("write.parquet.row-group-size-bytes", 128LL << 20);
  if (row_group > 0) w->parquet_options_.row_group_bytes = static_cast<size_t>(row_group);
  return w;
}

Status DataWriter::Append(const parquet::Value& row) {
  RowLocation ignored;
  return Append(row, &ignored);
}

Status DataWriter::Append(const parquet::Value& row, RowLocation* where) {
  ASSIGN_OR_RETURN(std::vector<parquet::Value> key, partitioner_->Key(row));
  std::string path = partitioner_->Path(key);
  auto it = open_.find(path);
  if (it == open_.end()) {
    auto f = std::make_unique<Open_>();
    f->key = std::move(key);
    f->partition_path = path;
    f->location = location_ + "/data/" + (path.empty() ? "" : path + "/") + NewUuid() + ".parquet";
    f->sink = std::make_unique<parquet::StringSink>();
    f->ordinal = opened_++;
    ASSIGN_OR_RETURN(f->writer, parquet::Writer::Open(schema_, f->sink.get(), parquet_options_));
    it = open_.emplace(path, std::move(f)).first;
  }
  Open_* f = it->second.get();
  RETURN_IF_ERROR(f->writer->AppendRow(row));
  where->file = f->ordinal;
  where->pos = f->rows++;
  f->bytes += static_cast<int64_t>(EstimateBytes(row));
  if (f->bytes >= target_bytes_) {
    Status st = CloseFile(f);
    open_.erase(it);
    return st;
  }
  return Status::Ok();
}

Status DataWriter::CloseFile(Open_* f) {
  ASSIGN_OR_RETURN(parquet::FileMetrics metrics, f->writer->Close());
  RETURN_IF_ERROR(store_->Write(f->location, f->sink->str()));
  DataFile df = DataFileFromMetrics(schema_, metrics, f->location);
  df.spec_id = spec_id_;
  df.partition = f->key;
  done_.emplace(f->ordinal, std::move(df));
  return Status::Ok();
}

Result<std::vector<DataFile>> DataWriter::Finish() {
  for (auto& [path, f] : open_) RETURN_IF_ERROR(CloseFile(f.get()));
  open_.clear();
  // Ordinals are dense: every opened file is closed exactly once.
  std::vector<DataFile> out;
  for (auto& [ordinal, df] : done_) out.push_back(std::move(df));
  done_.clear();
  return out;
}

DataFile DataFileFromMetrics(const parquet::Schema& schema, const parquet::FileMetrics& metrics, std::string path) {
  std::set<int32_t> repeated;
  for (const Field& f : schema.fields) CollectRepeated(f, false, &repeated);
  DataFile df;
  df.file_path = std::move(path);
  df.file_format = "PARQUET";
  df.record_count = metrics.row_count;
  df.file_size_in_bytes = metrics.file_size;
  df.split_offsets = metrics.split_offsets;
  for (const parquet::ColumnMetrics& c : metrics.columns) {
    df.column_sizes[c.field_id] = c.compressed_size;
    df.value_counts[c.field_id] = c.value_count;
    df.null_value_counts[c.field_id] = c.null_count;
    const Field* field = FindField(schema, c.field_id);
    if (field == nullptr) continue;
    if (field->type == TypeId::kFloat || field->type == TypeId::kDouble) df.nan_value_counts[c.field_id] = c.nan_count;
    if (repeated.count(c.field_id) > 0) continue;
    if (c.lower_bound) df.lower_bounds[c.field_id] = TruncateLowerBound(*field, *c.lower_bound, kBoundWidth);
    if (c.upper_bound) {
      if (auto ub = TruncateUpperBound(*field, *c.upper_bound, kBoundWidth)) df.upper_bounds[c.field_id] = *ub;
    }
  }
  return df;
}

Result<DataFile> WritePositionDeletes(objstore::Store* store, const TableMetadata& table,
                                      std::vector<PositionDelete> deletes, std::vector<parquet::Value> partition,
                                      int32_t spec_id) {
  if (deletes.empty()) return Status::InvalidArgument("a position delete file needs at least one delete");
  std::sort(deletes.begin(), deletes.end());
  deletes.erase(std::unique(deletes.begin(), deletes.end(),
                            [](const PositionDelete& a, const PositionDelete& b) {
                              return a.file_path == b.file_path && a.pos == b.pos;
                            }),
                deletes.end());
  parquet::Schema schema;
  schema.fields.push_back(parquet::Primitive(kDeleteFilePathId, "file_path", TypeId::kString, true));
  schema.fields.push_back(parquet::Primitive(kDeletePosId, "pos", TypeId::kLong, true));
  parquet::WriterOptions options;
  ASSIGN_OR_RETURN(options.codec, TableCodec(table));
  Schema iceberg_schema;
  iceberg_schema.fields = schema;
  options.metadata.emplace_back("iceberg.schema", SchemaToJson(iceberg_schema));
  parquet::StringSink sink;
  ASSIGN_OR_RETURN(auto writer, parquet::Writer::Open(schema, &sink, options));
  std::vector<std::string_view> paths;
  std::vector<int64_t> positions;
  for (const auto& d : deletes) {
    paths.push_back(d.file_path);
    positions.push_back(d.pos);
  }
  parquet::ColumnBatch cols[2] = {{paths.data(), nullptr}, {positions.data(), nullptr}};
  RETURN_IF_ERROR(writer->AppendBatch(deletes.size(), cols));
  ASSIGN_OR_RETURN(parquet::FileMetrics metrics, writer->Close());
  std::string location = table.location + "/data/" + NewUuid() + "-deletes.parquet";
  RETURN_IF_ERROR(store->Write(location, sink.str()));
  DataFile df = DataFileFromMetrics(schema, metrics, location);
  df.content = FileContent::kPositionDeletes;
  df.spec_id = spec_id;
  df.partition = std::move(partition);
  // Readers locate the target files by the file_path bounds: keep them untruncated.
  df.lower_bounds[kDeleteFilePathId] = deletes.front().file_path;
  df.upper_bounds[kDeleteFilePathId] = deletes.back().file_path;
  if (deletes.front().file_path == deletes.back().file_path) df.referenced_data_file = deletes.front().file_path;
  return df;
}

Result<SnapshotChange> DeleteRowsChange(objstore::Store* store, const TableMetadata& table,
                                        const std::vector<LiveFile>& live,
                                        std::map<std::string, std::vector<int64_t>> positions) {
  std::map<std::string, const LiveFile*> data;
  std::map<std::string, std::vector<const LiveFile*>> scoped;  // file-scoped deletes by target
  for (const LiveFile& f : live) {
    if (f.file.content == FileContent::kData) {
      data[f.file.file_path] = &f;
    } else if (f.file.content == FileContent::kPositionDeletes && f.file.referenced_data_file) {
      scoped[*f.file.referenced_data_file].push_back(&f);
    }
  }
  SnapshotChange change;
  std::vector<DeletionVectorInput> dvs;
  for (auto& [path, pos] : positions) {
    auto it = data.find(path);
    if (it == data.end()) return Status::InvalidArgument(path + " is not a live data file");
    const DataFile& target = it->second->file;
    for (int64_t p : pos) {
      if (p < 0 || p >= target.record_count) {
        return Status::InvalidArgument("position " + std::to_string(p) + " is outside " + path + "'s " +
                                       std::to_string(target.record_count) + " rows");
      }
    }
    change.referenced_data_files.push_back(path);
    if (table.format_version < 3) {
      std::vector<PositionDelete> dels;
      for (int64_t p : pos) dels.push_back({path, p});
      ASSIGN_OR_RETURN(DataFile df,
                       WritePositionDeletes(store, table, std::move(dels), target.partition, target.spec_id));
      change.added_deletes.push_back(std::move(df));
      continue;
    }
    // One vector per data file: fold in what earlier deletes of this file hold.
    for (const LiveFile* prev : scoped[path]) {
      ASSIGN_OR_RETURN(std::vector<int64_t> old, ReadPositions(store, prev->file, path));
      pos.insert(pos.end(), old.begin(), old.end());
      change.removed.push_back(prev->file.file_path);
    }
    dvs.push_back(DeletionVectorInput{path, target.partition, target.spec_id, std::move(pos)});
  }
  if (!dvs.empty()) {
    ASSIGN_OR_RETURN(std::vector<DataFile> written, WriteDeletionVectors(store, table, std::move(dvs)));
    for (auto& f : written) change.added_deletes.push_back(std::move(f));
  }
  if (change.added_deletes.empty()) return Status::InvalidArgument("no positions to delete");
  return change;
}

}  // namespace floe::iceberg
