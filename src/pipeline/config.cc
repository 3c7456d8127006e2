#include "pipeline/config.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include "common/ascii.h"
#include "json/json.h"

namespace floe::pipeline {
namespace {

using parquet::Field;
using parquet::TypeId;

// Recursive-descent parser over a type string.
class TypeParser {
 public:
  explicit TypeParser(std::string_view s) : s_(s) {}

  Result<Field> Parse() {
    ASSIGN_OR_RETURN(Field f, Type(0));
    Skip();
    if (pos_ != s_.size()) return Error("unexpected '" + std::string(s_.substr(pos_)) + "'");
    return f;
  }

 private:
  Status Error(const std::string& what) const {
    return Status::InvalidArgument("bad type '" + std::string(s_) + "': " + what);
  }
  void Skip() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool Eat(char c) {
    Skip();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  std::string Word() {
    Skip();
    size_t start = pos_;
    while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_')) ++pos_;
    return std::string(s_.substr(start, pos_ - start));
  }
  Result<int64_t> Int() {
    Skip();
    size_t start = pos_;
    while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    if (start == pos_ || pos_ - start > 9) return Error("expected a number");
    return std::stoll(std::string(s_.substr(start, pos_ - start)));
  }
  // A field name inside struct<...>: a word, or a backquoted or double-quoted name.
  Result<std::string> Name() {
    Skip();
    if (pos_ < s_.size() && (s_[pos_] == '`' || s_[pos_] == '"')) {
      char q = s_[pos_++];
      size_t end = s_.find(q, pos_);
      if (end == std::string_view::npos) return Error("unterminated name");
      std::string n(s_.substr(pos_, end - pos_));
      pos_ = end + 1;
      return n;
    }
    std::string w = Word();
    if (w.empty()) return Error("expected a field name");
    return w;
  }

  Result<Field> Type(int depth) {
    if (depth > parquet::kMaxNestingDepth) return Error("nested too deeply");
    std::string w = AsciiLower(Word());
    if (w.empty()) return Error("expected a type");
    auto prim = [](TypeId t) {
      Field f;
      f.type = t;
      return f;
    };
    if (w == "boolean" || w == "bool") return prim(TypeId::kBoolean);
    if (w == "int" || w == "integer" || w == "smallint" || w == "tinyint") return prim(TypeId::kInt);
    if (w == "long" || w == "bigint") return prim(TypeId::kLong);
    if (w == "float" || w == "real") return prim(TypeId::kFloat);
    if (w == "double") return prim(TypeId::kDouble);
    if (w == "date") return prim(TypeId::kDate);
    if (w == "binary") return prim(TypeId::kBinary);
    if (w == "timestamptz") return prim(TypeId::kTimestampTz);
    if (w == "timestamp") {
      // "timestamp with time zone" is Glue/Trino's timestamptz.
      size_t save = pos_;
      if (AsciiLower(Word()) == "with" && AsciiLower(Word()) == "time" && AsciiLower(Word()) == "zone")
        return prim(TypeId::kTimestampTz);
      pos_ = save;
      return prim(TypeId::kTimestamp);
    }
    if (w == "string" || w == "varchar" || w == "char") {
      if (w != "string" && Eat('(')) {
        RETURN_IF_ERROR(Int().status());
        if (!Eat(')')) return Error("expected ')'");
      }
      return prim(TypeId::kString);
    }
    if (w == "decimal" || w == "numeric") {
      int64_t p = 38, sc = 0;
      if (Eat('(')) {
        ASSIGN_OR_RETURN(p, Int());
        if (Eat(',')) {
          ASSIGN_OR_RETURN(sc, Int());
        }
        if (!Eat(')')) return Error("expected ')'");
      }
      if (p < 1 || p > 38 || sc < 0 || sc > p) return Error("decimal precision must be 1..38 and scale 0..precision");
      return parquet::Decimal(0, "", static_cast<int32_t>(p), static_cast<int32_t>(sc));
    }
    if (w == "list" || w == "array") {
      if (!Eat('<')) return Error("expected '<' after " + w);
      ASSIGN_OR_RETURN(Field e, Type(depth + 1));
      if (!Eat('>')) return Error("expected '>'");
      return parquet::List(0, "", std::move(e));
    }
    if (w == "map") {
      if (!Eat('<')) return Error("expected '<' after map");
      ASSIGN_OR_RETURN(Field k, Type(depth + 1));
      if (!Eat(',')) return Error("expected ','");
      ASSIGN_OR_RETURN(Field v, Type(depth + 1));
      if (!Eat('>')) return Error("expected '>'");
      if (k.type != TypeId::kString) return Error("map keys must be strings (DynamoDB map keys are)");
      return parquet::Map(0, "", std::move(k), std::move(v));
    }
    if (w == "struct") {
      if (!Eat('<')) return Error("expected '<' after struct");
      std::vector<Field> fields;
      std::set<std::string> names;
      do {
        ASSIGN_OR_RETURN(std::string name, Name());
        if (!Eat(':')) return Error("expected ':' after field " + name);
        ASSIGN_OR_RETURN(Field f, Type(depth + 1));
        if (!names.insert(name).second) return Error("duplicate field " + name);
        f.name = name;
        fields.push_back(std::move(f));
      } while (Eat(','));
      if (!Eat('>')) return Error("expected '>'");
      return parquet::Struct(0, "", std::move(fields));
    }
    return Error("unknown type '" + w + "'");
  }

  std::string_view s_;
  size_t pos_ = 0;
};

class Keys {
 public:
  Keys(const json::Value& obj, std::string where) : obj_(obj), where_(std::move(where)) {}
  std::string Path(std::string_view key) const { return where_ + "." + std::string(key); }
  Status CheckOnly(std::initializer_list<std::string_view> allowed) const {
    for (const auto& [k, v] : obj_.members()) {
      if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
        return Status::InvalidArgument("unknown key '" + Path(k) + "'");
      }
    }
    return Status::Ok();
  }
  Result<std::optional<std::string>> String(std::string_view key, bool non_empty = true) const {
    const json::Value* v = obj_.Find(key);
    if (v == nullptr) return std::optional<std::string>();
    if (!v->is_string() || (non_empty && v->str().empty())) {
      return Status::InvalidArgument(Path(key) + " must be a non-empty string");
    }
    return std::optional<std::string>(v->str());
  }
  Status Int(std::string_view key, int64_t lo, int64_t hi, int64_t* out) const {
    const json::Value* v = obj_.Find(key);
    if (v == nullptr) return Status::Ok();
    int64_t n;
    if (!v->AsInt64(&n) || n < lo || n > hi) {
      return Status::InvalidArgument(Path(key) + " must be an integer from " + std::to_string(lo) + " to " +
                                     std::to_string(hi));
    }
    *out = n;
    return Status::Ok();
  }
  Status Bool(std::string_view key, bool* out) const {
    const json::Value* v = obj_.Find(key);
    if (v == nullptr) return Status::Ok();
    if (!v->is_bool()) return Status::InvalidArgument(Path(key) + " must be true or false");
    *out = v->as_bool();
    return Status::Ok();
  }
  Result<const json::Value*> Object(std::string_view key) const {
    const json::Value* v = obj_.Find(key);
    if (v != nullptr && !v->is_object()) return Status::InvalidArgument(Path(key) + " must be an object");
    return v;
  }

 private:
  const json::Value& obj_;
  std::string where_;
};

bool ValidName(const std::string& s) {
  if (s.empty() || s.size() > 255) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
  }
  return true;
}

Result<std::vector<std::string>> SplitSource(const std::string& path, const std::string& where) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (part.empty()) return Status::InvalidArgument(where + " '" + path + "' has an empty attribute name");
    parts.push_back(std::move(part));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return parts;
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument("cannot read '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<ReplicationConfig> ParseOne(const json::Value& v, const std::string& where, const std::string& base_dir) {
  if (!v.is_object()) return Status::InvalidArgument(where + " must be an object");
  Keys k(v, where);
  RETURN_IF_ERROR(k.CheckOnly({"tableName", "tableStreamArn", "glueDatabaseName", "glueTableName", "glueTableSchema",
                               "mode", "bufferingHints", "partitionSpec", "transform", "backupPrefix", "retry",
                               "maintenance", "warehouse", "unmappedAttributes", "formatVersion"}));
  ReplicationConfig c;
  auto need = [&](std::string_view key, std::string* out) -> Status {
    ASSIGN_OR_RETURN(auto s, k.String(key));
    if (!s) return Status::InvalidArgument(k.Path(key) + " is required");
    *out = *s;
    return Status::Ok();
  };
  RETURN_IF_ERROR(need("tableName", &c.table_name));
  RETURN_IF_ERROR(need("glueDatabaseName", &c.database));
  RETURN_IF_ERROR(need("glueTableName", &c.table));
  if (!ValidName(c.database)) {
    return Status::InvalidArgument(k.Path("glueDatabaseName") + " may hold only letters, digits, '_' and '-'");
  }
  if (!ValidName(c.table))
    return Status::InvalidArgument(k.Path("glueTableName") + " may hold only letters, digits, '_' and '-'");
  ASSIGN_OR_RETURN(auto arn, k.String("tableStreamArn"));
  if (arn) {
    if (arn->rfind("arn:", 0) != 0 || arn->find(":table/") == std::string::npos ||
        arn->find("/stream/") == std::string::npos) {
      return Status::InvalidArgument(k.Path("tableStreamArn") +
                                     " must be a stream ARN (arn:aws:dynamodb:REGION:ACCOUNT:table/NAME/stream/LABEL)");
    }
    c.stream_arn = *arn;
  }
  ASSIGN_OR_RETURN(auto mode, k.String("mode"));
  if (mode) {
    if (*mode == "mirror")
      c.mode = Mode::kMirror;
    else if (*mode == "changelog")
      c.mode = Mode::kChangelog;
    else
      return Status::InvalidArgument(k.Path("mode") + " must be \"mirror\" or \"changelog\"");
  }
  ASSIGN_OR_RETURN(auto unmapped, k.String("unmappedAttributes"));
  if (unmapped) {
    if (*unmapped == "json")
      c.unmapped = Unmapped::kJson;
    else if (*unmapped == "drop")
      c.unmapped = Unmapped::kDrop;
    else
      return Status::InvalidArgument(k.Path("unmappedAttributes") + " must be \"json\" or \"drop\"");
  }
  int64_t fv = 2;
  RETURN_IF_ERROR(k.Int("formatVersion", 2, 3, &fv));
  c.format_version = static_cast<int>(fv);
  ASSIGN_OR_RETURN(auto wh, k.String("warehouse"));
  if (wh) c.warehouse = *wh;
  ASSIGN_OR_RETURN(auto backup, k.String("backupPrefix"));
  if (backup) {
    std::string b = *backup;
    while (!b.empty() && b.back() == '/') b.pop_back();
    while (!b.empty() && b.front() == '/') b.erase(b.begin());
    if (b.empty() || b.find("..") != std::string::npos) {
      return Status::InvalidArgument(k.Path("backupPrefix") + " must be a relative path inside the warehouse");
    }
    c.backup_prefix = b;
  }

  // glueTableSchema
  const json::Value* schema = v.Find("glueTableSchema");
  if (schema == nullptr) return Status::InvalidArgument(k.Path("glueTableSchema") + " is required");
  if (!schema->is_array() || schema->items().empty()) {
    return Status::InvalidArgument(k.Path("glueTableSchema") + " must be a non-empty array of columns");
  }
  std::set<std::string> names;
  for (size_t i = 0; i < schema->items().size(); ++i) {
    const json::Value& col = schema->items()[i];
    std::string cw = k.Path("glueTableSchema") + "[" + std::to_string(i) + "]";
    if (!col.is_object()) return Status::InvalidArgument(cw + " must be an object");
    Keys ck(col, cw);
    RETURN_IF_ERROR(ck.CheckOnly({"name", "type", "source", "required", "comment"}));
    Column column;
    ASSIGN_OR_RETURN(auto name, ck.String("name"));
    if (!name) return Status::InvalidArgument(cw + ".name is required");
    if (name->rfind("_", 0) == 0) {
      return Status::InvalidArgument(cw + ".name '" + *name +
                                     "': names starting with '_' are reserved for floe's columns");
    }
    if (!names.insert(*name).second) return Status::InvalidArgument(cw + ".name '" + *name + "' is a duplicate");
    column.name = *name;
    ASSIGN_OR_RETURN(auto type, ck.String("type"));
    if (!type) return Status::InvalidArgument(cw + ".type is required");
    auto parsed = ParseColumnType(*type);
    if (!parsed.ok()) return Status::InvalidArgument(cw + ".type: " + parsed.status().message());
    column.type = std::move(parsed).value();
    ASSIGN_OR_RETURN(auto source, ck.String("source"));
    ASSIGN_OR_RETURN(column.source, SplitSource(source ? *source : column.name, cw + ".source"));
    RETURN_IF_ERROR(ck.Bool("required", &column.required));
    c.columns.push_back(std::move(column));
  }

  // bufferingHints
  ASSIGN_OR_RETURN(const json::Value* hints, k.Object("bufferingHints"));
  if (hints) {
    Keys hk(*hints, k.Path("bufferingHints"));
    RETURN_IF_ERROR(hk.CheckOnly({"intervalInSeconds", "sizeInMBs"}));
    RETURN_IF_ERROR(hk.Int("intervalInSeconds", 0, 900, &c.interval_seconds));
    RETURN_IF_ERROR(hk.Int("sizeInMBs", 1, 128, &c.size_mb));
  }

  // partitionSpec: ["col", "day(col)", "bucket[16](col)"]
  if (const json::Value* spec = v.Find("partitionSpec")) {
    if (!spec->is_array()) return Status::InvalidArgument(k.Path("partitionSpec") + " must be an array of strings");
    for (const auto& p : spec->items()) {
      if (!p.is_string() || p.str().empty()) {
        return Status::InvalidArgument(k.Path("partitionSpec") + " must be an array of strings like \"day(ts)\"");
      }
      c.partition_spec.push_back(p.str());
    }
  }

  // transform
  ASSIGN_OR_RETURN(const json::Value* tr, k.Object("transform"));
  if (tr) {
    Keys tk(*tr, k.Path("transform"));
    RETURN_IF_ERROR(tk.CheckOnly({"lua", "luaFile", "function", "batchSize", "timeoutMs", "memoryMB"}));
    TransformSettings t;
    ASSIGN_OR_RETURN(auto code, tk.String("lua"));
    ASSIGN_OR_RETURN(auto file, tk.String("luaFile"));
    if (code.has_value() == file.has_value()) {
      return Status::InvalidArgument(k.Path("transform") +
                                     " needs exactly one of \"lua\" (source) and \"luaFile\" (path)");
    }
    if (code) {
      t.code = *code;
    } else {
      std::string path = (*file)[0] == '/' || base_dir.empty() ? *file : base_dir + "/" + *file;
      auto text = ReadFile(path);
      if (!text.ok()) return Status::InvalidArgument(tk.Path("luaFile") + ": " + text.status().message());
      t.code = *text;
    }
    ASSIGN_OR_RETURN(auto fn, tk.String("function"));
    if (fn) t.function = *fn;
    RETURN_IF_ERROR(tk.Int("batchSize", 1, 10000, &t.batch_records));
    RETURN_IF_ERROR(tk.Int("timeoutMs", 1, 60000, &t.timeout_ms));
    RETURN_IF_ERROR(tk.Int("memoryMB", 1, 4096, &t.memory_mb));
    c.transform = std::move(t);
  }

  // retry
  ASSIGN_OR_RETURN(const json::Value* retry, k.Object("retry"));
  if (retry) {
    Keys rk(*retry, k.Path("retry"));
    RETURN_IF_ERROR(rk.CheckOnly({"attempts", "minBackoffMs", "maxBackoffMs"}));
    RETURN_IF_ERROR(rk.Int("attempts", 1, 1000, &c.retry.attempts));
    RETURN_IF_ERROR(rk.Int("minBackoffMs", 1, 3600000, &c.retry.min_backoff_ms));
    RETURN_IF_ERROR(rk.Int("maxBackoffMs", 1, 3600000, &c.retry.max_backoff_ms));
    if (c.retry.max_backoff_ms < c.retry.min_backoff_ms) {
      return Status::InvalidArgument(rk.Path("maxBackoffMs") + " must not be below minBackoffMs");
    }
  }

  // maintenance
  ASSIGN_OR_RETURN(const json::Value* maint, k.Object("maintenance"));
  if (maint) {
    Keys mk(*maint, k.Path("maintenance"));
    RETURN_IF_ERROR(
        mk.CheckOnly({"enabled", "intervalSeconds", "compactMinInputFiles", "targetFileSizeMB", "compactDeleteRatio",
                      "snapshotRetentionSeconds", "retainLastSnapshots", "orphanAgeSeconds"}));
    MaintenanceSettings& m = c.maintenance;
    RETURN_IF_ERROR(mk.Bool("enabled", &m.enabled));
    RETURN_IF_ERROR(mk.Int("intervalSeconds", 1, 86400, &m.interval_seconds));
    RETURN_IF_ERROR(mk.Int("compactMinInputFiles", 2, 100000, &m.min_input_files));
    RETURN_IF_ERROR(mk.Int("targetFileSizeMB", 1, 4096, &m.target_file_mb));
    if (const json::Value* r = maint->Find("compactDeleteRatio")) {
      double d;
      if (!r->AsDouble(&d) || d <= 0 || d > 1) {
        return Status::InvalidArgument(mk.Path("compactDeleteRatio") + " must be a number above 0 and at most 1");
      }
      m.delete_ratio = d;
    }
    RETURN_IF_ERROR(mk.Int("snapshotRetentionSeconds", 0, 10LL * 365 * 86400, &m.snapshot_retention_seconds));
    RETURN_IF_ERROR(mk.Int("retainLastSnapshots", 1, 100000, &m.retain_last_snapshots));
    RETURN_IF_ERROR(mk.Int("orphanAgeSeconds", 60, 10LL * 365 * 86400, &m.orphan_age_seconds));
  }
  return c;
}

}  // namespace

Result<parquet::Field> ParseColumnType(std::string_view text) { return TypeParser(text).Parse(); }

Result<std::vector<ReplicationConfig>> ParseReplications(const json::Value& array, const std::string& base_dir) {
  if (!array.is_array()) return Status::InvalidArgument("replications must be an array");
  std::vector<ReplicationConfig> out;
  std::set<std::string> targets;
  for (size_t i = 0; i < array.items().size(); ++i) {
    std::string where = "replications[" + std::to_string(i) + "]";
    ASSIGN_OR_RETURN(ReplicationConfig c, ParseOne(array.items()[i], where, base_dir));
    if (!targets.insert(c.warehouse + "\n" + c.Name()).second) {
      return Status::InvalidArgument(where + ": another replication already writes " + c.Name());
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace floe::pipeline
