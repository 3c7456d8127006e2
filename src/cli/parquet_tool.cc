#include "cli/parquet_tool.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "common/hex.h"
#include "json/json.h"
#include "parquet/schema_json.h"
#include "parquet/writer.h"

namespace floe::cli {

namespace {

constexpr char kParquetUsage[] =
    "usage: floe parquet write --schema FILE --rows FILE|- --out FILE\n"
    "           [--codec zstd|snappy|gzip|uncompressed] [--level N] [--page-size BYTES]\n"
    "           [--row-group-rows N] [--row-group-bytes BYTES] [--no-dictionary]\n"
    "           [--dictionary-limit BYTES] [--boolean-rle] [--metadata KEY=VALUE]...\n"
    "  The schema is Iceberg schema JSON; rows are JSON objects, one per line.\n"
    "  Prints the file's metrics (what an Iceberg data_file entry needs) as JSON.\n";

Result<size_t> Size(const char* flag, const std::string& v) {
  char* end = nullptr;
  unsigned long long x = std::strtoull(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0') return Status::InvalidArgument(std::string(flag) + " needs a number");
  return static_cast<size_t>(x);
}

Status WriteRows(const std::string& rows, const parquet::Schema& schema, const parquet::WriterOptions& options,
                 parquet::Sink* sink, parquet::FileMetrics* metrics);
void PrintMetrics(const parquet::FileMetrics& m);

Status Write(int argc, char** argv) {
  std::string schema_path, rows_path, out_path;
  parquet::WriterOptions options;
  for (int i = 3; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "--no-dictionary") {
      options.dictionary = false;
      continue;
    }
    if (flag == "--boolean-rle") {
      options.boolean_rle = true;
      continue;
    }
    if (i + 1 >= argc) return Status::InvalidArgument(flag + " needs a value");
    std::string v = argv[++i];
    if (flag == "--schema") {
      schema_path = v;
    } else if (flag == "--rows") {
      rows_path = v;
    } else if (flag == "--out") {
      out_path = v;
    } else if (flag == "--codec") {
      ASSIGN_OR_RETURN(options.codec, parquet::ParseCodec(v));
    } else if (flag == "--level") {
      char* end = nullptr;
      long level = std::strtol(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || level < -100000 || level > 100) {
        return Status::InvalidArgument("--level needs an integer");
      }
      options.compression_level = static_cast<int>(level);
    } else if (flag == "--page-size") {
      ASSIGN_OR_RETURN(options.page_size, Size("--page-size", v));
    } else if (flag == "--row-group-rows") {
      ASSIGN_OR_RETURN(options.row_group_rows, Size("--row-group-rows", v));
    } else if (flag == "--row-group-bytes") {
      ASSIGN_OR_RETURN(options.row_group_bytes, Size("--row-group-bytes", v));
    } else if (flag == "--dictionary-limit") {
      ASSIGN_OR_RETURN(options.dictionary_page_limit, Size("--dictionary-limit", v));
    } else if (flag == "--metadata") {
      size_t eq = v.find('=');
      if (eq == std::string::npos) return Status::InvalidArgument("--metadata takes KEY=VALUE");
      options.metadata.emplace_back(v.substr(0, eq), v.substr(eq + 1));
    } else {
      return Status::InvalidArgument("unknown flag " + flag);
    }
  }
  if (schema_path.empty() || rows_path.empty() || out_path.empty()) {
    return Status::InvalidArgument("--schema, --rows and --out are required");
  }
  ASSIGN_OR_RETURN(std::string schema_text, ReadInput(schema_path));
  ASSIGN_OR_RETURN(json::Value schema_doc, json::Parse(schema_text));
  ASSIGN_OR_RETURN(parquet::Schema schema, parquet::SchemaFromJson(schema_doc));
  ASSIGN_OR_RETURN(std::string rows, ReadInput(rows_path));
  parquet::FileMetrics metrics;

  // Written beside the target and renamed on success: a failed write leaves no file behind.
  const std::string tmp_path = out_path + ".tmp";
  ASSIGN_OR_RETURN(auto sink, parquet::FileSink::Create(tmp_path));
  Status st = WriteRows(rows, schema, options, sink.get(), &metrics);
  if (st.ok()) st = sink->Close(true);
  if (st.ok() && std::rename(tmp_path.c_str(), out_path.c_str()) != 0) {
    st = Status::IOError("cannot rename " + tmp_path + " to " + out_path);
  }
  if (!st.ok()) {
    std::remove(tmp_path.c_str());
    return st;
  }
  PrintMetrics(metrics);
  return Status::Ok();
}

Status WriteRows(const std::string& rows, const parquet::Schema& schema, const parquet::WriterOptions& options,
                 parquet::Sink* sink, parquet::FileMetrics* metrics) {
  ASSIGN_OR_RETURN(auto writer, parquet::Writer::Open(schema, sink, options));
  size_t line_no = 0, start = 0;
  while (start < rows.size()) {
    size_t end = rows.find('\n', start);
    if (end == std::string::npos) end = rows.size();
    std::string_view line(rows.data() + start, end - start);
    start = end + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    auto doc = json::Parse(line, 256);
    if (!doc.ok()) return Status::InvalidArgument("line " + std::to_string(line_no) + ": " + doc.status().message());
    auto row = parquet::RowFromJson(writer->schema(), *doc);
    if (!row.ok()) return Status::InvalidArgument("line " + std::to_string(line_no) + ": " + row.status().message());
    Status st = writer->AppendRow(*row);
    if (!st.ok()) return Status::InvalidArgument("line " + std::to_string(line_no) + ": " + st.message());
  }
  ASSIGN_OR_RETURN(*metrics, writer->Close());
  return Status::Ok();
}

void PrintMetrics(const parquet::FileMetrics& m) {
  json::Writer w;
  w.StartObject();
  w.Key("row_count");
  w.Int64(m.row_count);
  w.Key("file_size");
  w.Int64(m.file_size);
  w.Key("split_offsets");
  w.StartArray();
  for (int64_t o : m.split_offsets) w.Int64(o);
  w.EndArray();
  w.Key("columns");
  w.StartArray();
  for (const parquet::ColumnMetrics& c : m.columns) {
    w.StartObject();
    w.Key("field_id");
    w.Int64(c.field_id);
    w.Key("path");
    w.StartArray();
    for (const std::string& p : c.path) w.String(p);
    w.EndArray();
    w.Key("value_count");
    w.Int64(c.value_count);
    w.Key("null_count");
    w.Int64(c.null_count);
    w.Key("nan_count");
    w.Int64(c.nan_count);
    w.Key("compressed_size");
    w.Int64(c.compressed_size);
    if (c.lower_bound) {
      w.Key("lower_bound");
      w.String(HexEncode(*c.lower_bound));
      w.Key("upper_bound");
      w.String(HexEncode(*c.upper_bound));
    }
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  std::string out = w.Take();
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fputc('\n', stdout);
}

}  // namespace

int ParquetTool(int argc, char** argv) {
  if (argc < 3 || std::strcmp(argv[2], "write") != 0) {
    std::fputs(kParquetUsage, stderr);
    return 2;
  }
  Status st = Write(argc, argv);
  if (!st.ok()) {
    std::fprintf(stderr, "floe parquet: %s\n", st.message().c_str());
    return 1;
  }
  return 0;
}

Result<std::string> ReadInput(const std::string& path) {
  std::stringstream ss;
  if (path == "-") {
    ss << std::cin.rdbuf();
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status::InvalidArgument("cannot read " + path);
    ss << in.rdbuf();
  }
  return ss.str();
}

}  // namespace floe::cli
