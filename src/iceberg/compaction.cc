#include "iceberg/compaction.h"

#include <map>
#include <set>
#include <unordered_set>

#include "iceberg/data_files.h"
#include "iceberg/puffin.h"
#include "objstore/store.h"
#include "parquet/reader.h"

namespace floe::iceberg {

using parquet::Field;
using parquet::TypeId;
using parquet::Value;

namespace {

// Re-shapes a value written under `from` to the field `to` (same field id): struct members by
// id, lists and maps element-wise, primitives as they are (promotions keep the Value kind,
// except float -> double).
Value Project(const Value& v, const Field& from, const Field& to) {
  if (v.is_null()) return v;
  switch (to.type) {
    case TypeId::kStruct: {
      std::vector<Value> out;
      for (const Field& t : to.children) {
        Value child;
        for (size_t i = 0; i < from.children.size() && i < v.children().size(); ++i) {
          if (from.children[i].id == t.id) child = Project(v.children()[i], from.children[i], t);
        }
        out.push_back(std::move(child));
      }
      return Value::Struct(std::move(out));
    }
    case TypeId::kList: {
      std::vector<Value> out;
      for (const Value& e : v.children()) out.push_back(Project(e, from.children[0], to.children[0]));
      return Value::List(std::move(out));
    }
    case TypeId::kMap: {
      std::vector<Value> out;
      for (size_t i = 0; i + 1 < v.children().size(); i += 2) {
        out.push_back(Project(v.children()[i], from.children[0], to.children[0]));
        out.push_back(Project(v.children()[i + 1], from.children[1], to.children[1]));
      }
      return Value::Map(std::move(out));
    }
    case TypeId::kDouble: return from.type == TypeId::kFloat ? Value::Double(v.as_float()) : v;
    default: return v;
  }
}

bool ValueEquals(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return false;
  if (a.kind() == Value::Kind::kBytes) return a.bytes() == b.bytes();
  if (a.kind() == Value::Kind::kFloat) return a.as_float() == b.as_float();
  if (a.kind() == Value::Kind::kDouble) return a.as_double() == b.as_double();
  return a.as_decimal() == b.as_decimal();
}

// Index of a top-level field id in a schema, or -1.
int TopLevel(const parquet::Schema& s, int32_t id) {
  for (size_t i = 0; i < s.fields.size(); ++i) {
    if (s.fields[i].id == id) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

Result<std::vector<Value>> ReadLiveRows(objstore::Store* store, const ScanTask& task, const parquet::Schema& schema,
                                        int64_t* dropped, std::vector<int64_t>* positions) {
  ASSIGN_OR_RETURN(std::string bytes, store->Read(task.data.file.file_path));
  ASSIGN_OR_RETURN(auto reader, parquet::Reader::Open(std::move(bytes)));
  ASSIGN_OR_RETURN(std::vector<Value> rows, reader->ReadAll());
  std::vector<bool> gone(rows.size(), false);
  const parquet::Schema& file_schema = reader->schema();
  for (const LiveFile& d : task.deletes) {
    if (d.file.content == FileContent::kPositionDeletes) {
      ASSIGN_OR_RETURN(std::vector<int64_t> positions, ReadPositions(store, d.file, task.data.file.file_path));
      for (int64_t pos : positions) {
        if (pos >= 0 && static_cast<size_t>(pos) < gone.size()) gone[static_cast<size_t>(pos)] = true;
      }
    } else {
      if (d.file.file_format != "PARQUET")
        return Status::InvalidArgument("equality delete format " + d.file.file_format + " is not supported");
      ASSIGN_OR_RETURN(std::string dbytes, store->Read(d.file.file_path));
      ASSIGN_OR_RETURN(auto dreader, parquet::Reader::Open(std::move(dbytes)));
      ASSIGN_OR_RETURN(std::vector<Value> drows, dreader->ReadAll());
      // Equality deletes: a row goes when it equals a delete row on every equality field
      // (top-level fields; null equals null).
      std::vector<std::pair<int, int>> cols;  // (data index, delete index)
      for (int32_t id : d.file.equality_ids) {
        int di = TopLevel(file_schema, id), xi = TopLevel(dreader->schema(), id);
        if (xi < 0) return Status::Corruption("equality delete file without field " + std::to_string(id));
        cols.emplace_back(di, xi);
      }
      for (size_t i = 0; i < rows.size(); ++i) {
        if (gone[i]) continue;
        for (const Value& del : drows) {
          bool match = true;
          for (auto [di, xi] : cols) {
            Value dv = di >= 0 ? rows[i].children()[di] : Value::Null();
            const Value& xv = del.children()[xi];
            if (dv.is_null() != xv.is_null() || (!dv.is_null() && !ValueEquals(dv, xv))) {
              match = false;
              break;
            }
          }
          if (match) {
            gone[i] = true;
            break;
          }
        }
      }
    }
  }
  Field from, to;
  from.type = to.type = TypeId::kStruct;
  from.children = file_schema.fields;
  to.children = schema.fields;
  std::vector<Value> out;
  int64_t n_gone = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (gone[i]) {
      ++n_gone;
      continue;
    }
    out.push_back(Project(rows[i], from, to));
    if (positions != nullptr) positions->push_back(static_cast<int64_t>(i));
  }
  if (dropped != nullptr) *dropped = n_gone;
  return out;
}

Result<CompactResult> Compact(Catalog* catalog, const TableIdent& ident, const CompactOptions& options) {
  ASSIGN_OR_RETURN(LoadedTable t, catalog->LoadTable(ident));
  const TableMetadata& m = t.metadata;
  CompactResult result;
  const Snapshot* head = m.CurrentSnapshot();
  if (head == nullptr) return result;
  ASSIGN_OR_RETURN(std::vector<ScanTask> tasks, PlanScan(catalog->store(), m));
  int64_t target = options.target_file_bytes > 0 ? options.target_file_bytes
                                                 : m.IntProperty("write.target-file-size-bytes", 512LL << 20);
  int64_t small = options.small_file_bytes > 0 ? options.small_file_bytes : target * 3 / 4;

  // Group by partition; pick files with many deletes, and small files where enough gather.
  std::map<std::string, std::vector<size_t>> groups;
  for (size_t i = 0; i < tasks.size(); ++i) {
    groups[PartitionKey(tasks[i].data.file)].push_back(i);
  }
  std::vector<size_t> chosen;
  for (auto& [key, idx] : groups) {
    std::vector<size_t> smalls;
    for (size_t i : idx) {
      const ScanTask& task = tasks[i];
      int64_t deleted = 0;
      for (const auto& d : task.deletes) deleted += d.file.record_count;
      bool heavy = !task.deletes.empty() &&
                   static_cast<double>(deleted) >=
                       options.delete_ratio * static_cast<double>(std::max<int64_t>(1, task.data.file.record_count));
      if (heavy) {
        chosen.push_back(i);
      } else if (task.data.file.file_size_in_bytes < small) {
        smalls.push_back(i);
      }
    }
    if (static_cast<int>(smalls.size()) >= std::max(2, options.min_input_files))
      chosen.insert(chosen.end(), smalls.begin(), smalls.end());
  }
  if (chosen.empty()) return result;

  const Schema* schema = m.CurrentSchema();
  DataWriterOptions wo;
  wo.target_file_bytes = target;
  ASSIGN_OR_RETURN(auto writer, DataWriter::Open(catalog->store(), m, wo));
  SnapshotChange change;
  change.operation = "replace";
  change.data_sequence_number = head->sequence_number;
  change.validate_from_snapshot = head->snapshot_id;
  change.summary = options.summary;
  std::set<std::string> rewritten;
  for (size_t i : chosen) {
    int64_t dropped = 0;
    ASSIGN_OR_RETURN(std::vector<Value> rows, ReadLiveRows(catalog->store(), tasks[i], schema->fields, &dropped));
    for (const Value& r : rows) RETURN_IF_ERROR(writer->Append(r));
    result.dropped_rows += dropped;
    rewritten.insert(tasks[i].data.file.file_path);
    change.removed.push_back(tasks[i].data.file.file_path);
  }
  ASSIGN_OR_RETURN(change.added_data, writer->Finish());
  // Delete files that applied only to rewritten files apply to nothing now.
  std::map<std::string, bool> delete_needed;
  for (const ScanTask& task : tasks) {
    for (const auto& d : task.deletes) {
      bool& needed = delete_needed[d.file.file_path];
      needed = needed || rewritten.count(task.data.file.file_path) == 0;
    }
  }
  for (const auto& [path, needed] : delete_needed) {
    if (!needed) change.removed.push_back(path);
  }
  result.rewritten_data_files = static_cast<int>(chosen.size());
  result.removed_delete_files = static_cast<int>(change.removed.size()) - result.rewritten_data_files;
  for (const auto& f : change.added_data) result.added_paths.push_back(f.file_path);
  auto committed = CommitChange(catalog, ident, change);
  if (!committed.ok()) {
    for (const auto& f : change.added_data) (void)catalog->store()->Delete(f.file_path);
    return committed.status();
  }
  result.commit = std::move(*committed);
  return result;
}

}  // namespace floe::iceberg
