#include "iceberg/puffin.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <map>

#include "common/random.h"
#include "json/json.h"
#include "objstore/store.h"
#include "parquet/reader.h"

namespace floe::iceberg {

namespace {

constexpr char kPuffinMagic[4] = {'P', 'F', 'A', '1'};
constexpr uint8_t kDvMagic[4] = {0xD1, 0xD3, 0x39, 0x64};
constexpr uint32_t kCookieNoRuns = 12346;
constexpr uint32_t kArrayMax = 4096;

void Le16(uint16_t v, std::string* out) {
  out->push_back(static_cast<char>(v & 0xFF));
  out->push_back(static_cast<char>(v >> 8));
}
void Le32(uint32_t v, std::string* out) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
void Be32(uint32_t v, std::string* out) {
  for (int i = 3; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
uint32_t GetLe32(std::string_view d, size_t p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(d[p + i])) << (8 * i);
  return v;
}
uint16_t GetLe16(std::string_view d, size_t p) {
  return static_cast<uint16_t>(static_cast<uint8_t>(d[p]) | (static_cast<uint8_t>(d[p + 1]) << 8));
}
uint32_t GetBe32(std::string_view d, size_t p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(d[p + i]);
  return v;
}

Status Bad(const std::string& m) { return Status::Corruption("deletion vector: " + m); }

// A 32-bit Roaring bitmap in the portable format, without run containers.
void EncodeRoaring32(const std::vector<uint32_t>& values, std::string* out) {
  std::vector<std::pair<uint16_t, std::vector<uint16_t>>> containers;
  for (uint32_t v : values) {
    uint16_t key = static_cast<uint16_t>(v >> 16);
    if (containers.empty() || containers.back().first != key) containers.push_back({key, {}});
    containers.back().second.push_back(static_cast<uint16_t>(v & 0xFFFF));
  }
  size_t start = out->size();
  Le32(kCookieNoRuns, out);
  Le32(static_cast<uint32_t>(containers.size()), out);
  for (const auto& [key, vals] : containers) {
    Le16(key, out);
    Le16(static_cast<uint16_t>(vals.size() - 1), out);
  }
  // Offsets of each container from the start of this bitmap.
  size_t offsets_at = out->size();
  out->append(containers.size() * 4, '\0');
  for (size_t i = 0; i < containers.size(); ++i) {
    uint32_t offset = static_cast<uint32_t>(out->size() - start);
    for (int b = 0; b < 4; ++b) (*out)[offsets_at + i * 4 + b] = static_cast<char>((offset >> (8 * b)) & 0xFF);
    const auto& vals = containers[i].second;
    if (vals.size() <= kArrayMax) {
      for (uint16_t v : vals) Le16(v, out);
    } else {
      std::string bits(8192, '\0');
      for (uint16_t v : vals) bits[v >> 3] = static_cast<char>(bits[v >> 3] | (1 << (v & 7)));
      out->append(bits);
    }
  }
}

Status DecodeRoaring32(std::string_view d, size_t* pos, uint32_t high, std::vector<int64_t>* out) {
  size_t p = *pos;
  if (d.size() - p < 4) return Bad("truncated bitmap");
  uint32_t cookie = GetLe32(d, p);
  size_t n = 0;
  bool runs = false;
  std::vector<uint8_t> run_flags;
  if ((cookie & 0xFFFF) == 12347) {  // with run containers
    runs = true;
    n = (cookie >> 16) + 1;
    p += 4;
    size_t flag_bytes = (n + 7) / 8;
    if (d.size() - p < flag_bytes) return Bad("truncated run flags");
    run_flags.assign(d.begin() + static_cast<std::ptrdiff_t>(p),
                     d.begin() + static_cast<std::ptrdiff_t>(p + flag_bytes));
    p += flag_bytes;
  } else if (cookie == kCookieNoRuns) {
    if (d.size() - p < 8) return Bad("truncated bitmap header");
    n = GetLe32(d, p + 4);
    p += 8;
  } else {
    return Bad("unknown Roaring cookie");
  }
  if (n > 65536 || d.size() - p < n * 4) return Bad("bad container count");
  std::vector<std::pair<uint16_t, uint32_t>> desc(n);
  for (size_t i = 0; i < n; ++i)
    desc[i] = {GetLe16(d, p + i * 4), static_cast<uint32_t>(GetLe16(d, p + i * 4 + 2)) + 1};
  p += n * 4;
  if (!runs || n >= 4) {
    if (d.size() - p < n * 4) return Bad("truncated offsets");
    p += n * 4;  // offsets: containers follow in order anyway
  }
  for (size_t i = 0; i < n; ++i) {
    uint64_t base = (static_cast<uint64_t>(high) << 32) | (static_cast<uint64_t>(desc[i].first) << 16);
    bool is_run = runs && (run_flags[i / 8] >> (i % 8)) & 1;
    if (is_run) {
      if (d.size() - p < 2) return Bad("truncated run container");
      uint16_t count = GetLe16(d, p);
      p += 2;
      if (d.size() - p < static_cast<size_t>(count) * 4) return Bad("truncated runs");
      for (uint16_t r = 0; r < count; ++r) {
        uint32_t startv = GetLe16(d, p + r * 4), len = GetLe16(d, p + r * 4 + 2);
        for (uint32_t k = 0; k <= len && startv + k <= 0xFFFF; ++k)
          out->push_back(static_cast<int64_t>(base + startv + k));
      }
      p += static_cast<size_t>(count) * 4;
    } else if (desc[i].second <= kArrayMax) {
      size_t bytes = desc[i].second * 2;
      if (d.size() - p < bytes) return Bad("truncated array container");
      for (uint32_t k = 0; k < desc[i].second; ++k) out->push_back(static_cast<int64_t>(base + GetLe16(d, p + k * 2)));
      p += bytes;
    } else {
      if (d.size() - p < 8192) return Bad("truncated bitmap container");
      for (uint32_t k = 0; k < 65536; ++k) {
        if ((static_cast<uint8_t>(d[p + (k >> 3)]) >> (k & 7)) & 1) out->push_back(static_cast<int64_t>(base + k));
      }
      p += 8192;
    }
  }
  *pos = p;
  return Status::Ok();
}

}  // namespace

std::string EncodeDeletionVector(const std::vector<int64_t>& positions) {
  std::string bitmap;
  // Portable 64-bit Roaring: the number of 32-bit bitmaps, then each with its high key.
  std::vector<std::pair<uint32_t, std::vector<uint32_t>>> parts;
  for (int64_t p : positions) {
    uint32_t high = static_cast<uint32_t>(static_cast<uint64_t>(p) >> 32);
    if (parts.empty() || parts.back().first != high) parts.push_back({high, {}});
    parts.back().second.push_back(static_cast<uint32_t>(p & 0xFFFFFFFF));
  }
  uint64_t count = parts.size();
  for (int i = 0; i < 8; ++i) bitmap.push_back(static_cast<char>((count >> (8 * i)) & 0xFF));
  for (const auto& [high, lows] : parts) {
    Le32(high, &bitmap);
    EncodeRoaring32(lows, &bitmap);
  }
  std::string body(reinterpret_cast<const char*>(kDvMagic), 4);
  body += bitmap;
  std::string out;
  Be32(static_cast<uint32_t>(body.size()), &out);
  out += body;
  Be32(static_cast<uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()))),
       &out);
  return out;
}

Result<std::vector<int64_t>> DecodeDeletionVector(std::string_view blob) {
  if (blob.size() < 4 + 4 + 8 + 4) return Bad("blob too short");
  uint32_t len = GetBe32(blob, 0);
  if (len + 8 != blob.size()) return Bad("length does not match the blob");
  std::string_view body = blob.substr(4, len);
  if (std::memcmp(body.data(), kDvMagic, 4) != 0) return Bad("bad magic");
  uint32_t crc =
      static_cast<uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size())));
  if (crc != GetBe32(blob, 4 + len)) return Bad("checksum mismatch");
  std::string_view bm = body.substr(4);
  uint64_t count = 0;
  for (int i = 0; i < 8; ++i) count |= static_cast<uint64_t>(static_cast<uint8_t>(bm[i])) << (8 * i);
  size_t pos = 8;
  std::vector<int64_t> out;
  if (count > bm.size()) return Bad("bad bitmap count");
  for (uint64_t i = 0; i < count; ++i) {
    if (bm.size() - pos < 4) return Bad("truncated key");
    uint32_t high = GetLe32(bm, pos);
    pos += 4;
    RETURN_IF_ERROR(DecodeRoaring32(bm, &pos, high, &out));
  }
  if (pos != bm.size()) return Bad("trailing bytes");
  if (!std::is_sorted(out.begin(), out.end())) return Bad("positions out of order");
  return out;
}

Result<std::vector<DataFile>> WriteDeletionVectors(objstore::Store* store, const TableMetadata& table,
                                                   std::vector<DeletionVectorInput> inputs) {
  if (table.format_version < 3) return Status::InvalidArgument("deletion vectors need table format version 3");
  std::vector<DataFile> out;
  // One Puffin file per vector: a later commit that replaces the vector of one data file
  // removes exactly that file.
  for (auto& in : inputs) {
    std::sort(in.positions.begin(), in.positions.end());
    in.positions.erase(std::unique(in.positions.begin(), in.positions.end()), in.positions.end());
    if (in.positions.empty() || in.positions.front() < 0)
      return Status::InvalidArgument("a deletion vector needs non-negative positions");
    std::string blob = EncodeDeletionVector(in.positions);
    std::string file(kPuffinMagic, 4);
    const int64_t offset = static_cast<int64_t>(file.size());
    file += blob;
    json::Writer footer;
    footer.StartObject();
    footer.Key("blobs");
    footer.StartArray();
    footer.StartObject();
    footer.Key("type");
    footer.String("deletion-vector-v1");
    footer.Key("fields");
    footer.StartArray();
    footer.Int64(kRowPositionFieldId);
    footer.EndArray();
    footer.Key("snapshot-id");
    footer.Int64(-1);  // inherited from the manifest entry
    footer.Key("sequence-number");
    footer.Int64(-1);
    footer.Key("offset");
    footer.Int64(offset);
    footer.Key("length");
    footer.Int64(static_cast<int64_t>(blob.size()));
    footer.Key("properties");
    footer.StartObject();
    footer.Key("referenced-data-file");
    footer.String(in.data_file);
    footer.Key("cardinality");
    footer.String(std::to_string(in.positions.size()));
    footer.EndObject();
    footer.EndObject();
    footer.EndArray();
    footer.Key("properties");
    footer.StartObject();
    footer.Key("created-by");
    footer.String("floe version 0.1.0");
    footer.EndObject();
    footer.EndObject();
    std::string payload = footer.Take();
    file.append(kPuffinMagic, 4);
    file += payload;
    Le32(static_cast<uint32_t>(payload.size()), &file);
    Le32(0, &file);  // flags: footer not compressed
    file.append(kPuffinMagic, 4);
    std::string location = table.location + "/data/" + NewUuid() + "-dv.puffin";
    RETURN_IF_ERROR(store->Write(location, file));
    DataFile df;
    df.content = FileContent::kPositionDeletes;
    df.file_path = location;
    df.file_format = "PUFFIN";
    df.spec_id = in.spec_id;
    df.partition = std::move(in.partition);
    df.record_count = static_cast<int64_t>(in.positions.size());
    df.file_size_in_bytes = static_cast<int64_t>(file.size());
    df.referenced_data_file = in.data_file;
    df.content_offset = offset;
    df.content_size_in_bytes = static_cast<int64_t>(blob.size());
    out.push_back(std::move(df));
  }
  return out;
}

Result<std::vector<int64_t>> ReadDeletionVector(objstore::Store* store, const DataFile& dv) {
  if (!dv.content_offset || !dv.content_size_in_bytes) return Bad("entry without content offset and size");
  ASSIGN_OR_RETURN(std::string blob, store->ReadRange(dv.file_path, *dv.content_offset, *dv.content_size_in_bytes));
  if (static_cast<int64_t>(blob.size()) != *dv.content_size_in_bytes)
    return Bad("blob past the end of " + dv.file_path);
  return DecodeDeletionVector(blob);
}

Result<std::vector<int64_t>> ReadPositions(objstore::Store* store, const DataFile& del, const std::string& data_file) {
  if (del.content != FileContent::kPositionDeletes) return Status::InvalidArgument("not a position delete file");
  if (del.file_format == "PUFFIN") return ReadDeletionVector(store, del);
  if (del.file_format != "PARQUET")
    return Status::InvalidArgument("delete file format " + del.file_format + " is not supported");
  ASSIGN_OR_RETURN(std::string bytes, store->Read(del.file_path));
  ASSIGN_OR_RETURN(auto reader, parquet::Reader::Open(std::move(bytes)));
  int path_i = -1, pos_i = -1;
  for (size_t i = 0; i < reader->schema().fields.size(); ++i) {
    if (reader->schema().fields[i].id == kDeleteFilePathId) path_i = static_cast<int>(i);
    if (reader->schema().fields[i].id == kDeletePosId) pos_i = static_cast<int>(i);
  }
  if (path_i < 0 || pos_i < 0) return Status::Corruption("position delete file without file_path and pos");
  ASSIGN_OR_RETURN(std::vector<parquet::Value> rows, reader->ReadAll());
  std::vector<int64_t> out;
  for (const auto& r : rows) {
    if (r.children()[static_cast<size_t>(path_i)].bytes() == data_file)
      out.push_back(r.children()[static_cast<size_t>(pos_i)].as_int());
  }
  return out;
}

}  // namespace floe::iceberg
