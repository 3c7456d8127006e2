#include "parquet/reader.h"

#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>
#include <map>

#include "parquet/thrift.h"

namespace floe::parquet {

namespace {

using thrift::CompactReader;

Status Corrupt(const std::string& m) { return Status::Corruption("parquet: " + m); }
Status Unsupported(const std::string& m) { return Status::InvalidArgument("parquet: unsupported " + m); }

struct SchemaElement {
  int32_t type = -1;  // physical; -1 for groups
  int32_t type_length = 0;
  int32_t repetition = 0;  // 0 required, 1 optional, 2 repeated
  std::string name;
  int32_t num_children = 0;
  int32_t converted = -1;
  int32_t scale = 0, precision = 0;
  int32_t field_id = 0;
  int logical = -1;  // LogicalType union member id
  bool utc = false;
  int32_t int_bits = 0;
};

struct ColumnChunk {
  int32_t type = 0;
  int32_t codec = 0;
  int64_t num_values = 0;
  int64_t data_page_offset = 0;
  int64_t dictionary_page_offset = -1;
  int64_t total_compressed_size = 0;
};

struct RowGroup {
  std::vector<ColumnChunk> columns;
  int64_t num_rows = 0;
};

SchemaElement ReadSchemaElement(CompactReader& r) {
  SchemaElement e;
  r.Struct([&](int16_t id, uint8_t t) {
    switch (id) {
      case 1: e.type = static_cast<int32_t>(r.Zigzag()); break;
      case 2: e.type_length = static_cast<int32_t>(r.Zigzag()); break;
      case 3: e.repetition = static_cast<int32_t>(r.Zigzag()); break;
      case 4: e.name = r.Binary(); break;
      case 5: e.num_children = static_cast<int32_t>(r.Zigzag()); break;
      case 6: e.converted = static_cast<int32_t>(r.Zigzag()); break;
      case 7: e.scale = static_cast<int32_t>(r.Zigzag()); break;
      case 8: e.precision = static_cast<int32_t>(r.Zigzag()); break;
      case 9: e.field_id = static_cast<int32_t>(r.Zigzag()); break;
      case 10:
        r.Struct([&](int16_t lid, uint8_t lt) {
          e.logical = lid;
          if (lid == 5) {  // DECIMAL
            r.Struct([&](int16_t did, uint8_t dt) {
              if (did == 1)
                e.scale = static_cast<int32_t>(r.Zigzag());
              else if (did == 2)
                e.precision = static_cast<int32_t>(r.Zigzag());
              else
                r.Skip(dt);
            });
          } else if (lid == 7 || lid == 8) {  // TIME, TIMESTAMP
            r.Struct([&](int16_t tid, uint8_t tt) {
              if (tid == 1)
                e.utc = r.BoolValue();
              else
                r.Skip(tt);
            });
          } else if (lid == 10) {  // INTEGER
            r.Struct([&](int16_t iid, uint8_t it) {
              if (iid == 1)
                e.int_bits = r.Byte();
              else
                r.Skip(it);
            });
          } else {
            r.Skip(lt);
          }
        });
        break;
      default: r.Skip(t);
    }
  });
  return e;
}

ColumnChunk ReadColumnChunk(CompactReader& r) {
  ColumnChunk c;
  r.Struct([&](int16_t id, uint8_t t) {
    if (id != 3) return r.Skip(t);
    r.Struct([&](int16_t mid, uint8_t mt) {
      switch (mid) {
        case 1: c.type = static_cast<int32_t>(r.Zigzag()); break;
        case 4: c.codec = static_cast<int32_t>(r.Zigzag()); break;
        case 5: c.num_values = r.Zigzag(); break;
        case 7: c.total_compressed_size = r.Zigzag(); break;
        case 9: c.data_page_offset = r.Zigzag(); break;
        case 11: c.dictionary_page_offset = r.Zigzag(); break;
        default: r.Skip(mt);
      }
    });
  });
  return c;
}

// ---- schema

struct Node {
  Field field;   // the Iceberg view (set for every node but list/map wrappers)
  int kind = 0;  // 0 primitive, 1 struct, 2 list, 3 map
  bool optional = false;
  int def = 0;                 // definition level at which this node is present
  int rep = 0;                 // repetition level of the repeated group under a list/map
  int repeated_def = 0;        // list/map: definition level of the repeated group
  std::vector<Node> children;  // struct fields; list: {element}; map: {key, value}
  int leaf = -1;               // primitive: its column index
  int first_leaf = 0;          // the first column under this node
  int num_leaves = 0;
};

struct Column {
  SchemaElement elem;
  int max_def = 0, max_rep = 0;
  std::vector<uint8_t> def, rep;
  std::vector<Value> values;
  size_t pos = 0, vpos = 0;
};

Result<TypeId> IcebergType(const SchemaElement& e, Field* f) {
  switch (e.type) {
    case 0: return TypeId::kBoolean;
    case 1:
      if (e.logical == 6 || e.converted == 6) return TypeId::kDate;
      if (e.logical == 5 || e.converted == 5) {
        f->precision = e.precision;
        f->scale = e.scale;
        return TypeId::kDecimal;
      }
      if (e.logical == 7 || e.converted == 7) return Unsupported("TIME_MILLIS");
      return TypeId::kInt;
    case 2:
      if (e.logical == 8 || e.converted == 10)
        return e.utc || e.logical != 8 ? TypeId::kTimestampTz : TypeId::kTimestamp;
      if (e.logical == 7 || e.converted == 8) return TypeId::kTime;
      if (e.logical == 5 || e.converted == 5) {
        f->precision = e.precision;
        f->scale = e.scale;
        return TypeId::kDecimal;
      }
      return TypeId::kLong;
    case 3: return Unsupported("INT96 column " + e.name);
    case 4: return TypeId::kFloat;
    case 5: return TypeId::kDouble;
    case 6:
      if (e.logical == 1 || e.converted == 0 || e.logical == 4 || e.logical == 12 || e.converted == 4)
        return TypeId::kString;
      if (e.logical == 5 || e.converted == 5) {
        f->precision = e.precision;
        f->scale = e.scale;
        return TypeId::kDecimal;
      }
      return TypeId::kBinary;
    case 7:
      if (e.logical == 14) return TypeId::kUuid;
      if (e.logical == 5 || e.converted == 5) {
        f->precision = e.precision;
        f->scale = e.scale;
        return TypeId::kDecimal;
      }
      f->length = e.type_length;
      return TypeId::kFixed;
  }
  return Corrupt("unknown physical type");
}

class SchemaBuilder {
 public:
  SchemaBuilder(const std::vector<SchemaElement>& elems, std::vector<Column>* cols) : e_(elems), cols_(cols) {}

  Result<Node> Build(int def, int rep, int depth) {
    if (depth > 200) return Corrupt("schema nested too deeply");
    if (i_ >= e_.size()) return Corrupt("schema ends early");
    const SchemaElement& e = e_[i_++];
    Node n;
    n.field.name = e.name;
    n.field.id = e.field_id;
    n.optional = e.repetition == 1;
    n.field.required = e.repetition == 0;
    if (e.repetition == 2) return Unsupported("repeated field " + e.name + " outside a LIST or MAP group");
    n.def = def + (n.optional ? 1 : 0);
    n.first_leaf = static_cast<int>(cols_->size());
    if (e.num_children == 0) {
      ASSIGN_OR_RETURN(n.field.type, IcebergType(e, &n.field));
      n.kind = 0;
      n.leaf = static_cast<int>(cols_->size());
      Column c;
      c.elem = e;
      c.max_def = n.def;
      c.max_rep = rep;
      cols_->push_back(std::move(c));
      n.num_leaves = 1;
      return n;
    }
    bool is_list = e.logical == 3 || e.converted == 3;
    bool is_map = e.logical == 2 || e.converted == 1 || e.converted == 2;
    if (is_list || is_map) {
      if (e.num_children != 1 || i_ >= e_.size() || e_[i_].repetition != 2) {
        return Unsupported("LIST or MAP group " + e.name + " without a repeated child (legacy two-level layout)");
      }
      const SchemaElement& g = e_[i_++];
      n.kind = is_list ? 2 : 3;
      n.field.type = is_list ? TypeId::kList : TypeId::kMap;
      n.repeated_def = n.def + 1;
      n.rep = rep + 1;
      if (g.num_children == 0) return Unsupported("two-level list " + e.name);
      if (is_list && g.num_children != 1) return Unsupported("list " + e.name + " with a multi-field repeated group");
      if (is_map && g.num_children != 2) return Corrupt("map " + e.name + " without key and value");
      for (int c = 0; c < g.num_children; ++c) {
        ASSIGN_OR_RETURN(Node child, Build(n.repeated_def, n.rep, depth + 1));
        child.field.name = is_list ? "element" : (c == 0 ? "key" : "value");
        n.field.children.push_back(child.field);
        n.children.push_back(std::move(child));
      }
    } else {
      n.kind = 1;
      n.field.type = TypeId::kStruct;
      for (int c = 0; c < e.num_children; ++c) {
        ASSIGN_OR_RETURN(Node child, Build(n.def, rep, depth + 1));
        n.field.children.push_back(child.field);
        n.children.push_back(std::move(child));
      }
    }
    n.num_leaves = static_cast<int>(cols_->size()) - n.first_leaf;
    return n;
  }

  size_t consumed() const { return i_; }

 private:
  const std::vector<SchemaElement>& e_;
  std::vector<Column>* cols_;
  size_t i_ = 1;  // element 0 is the root
};

// ---- pages

Status Decompress(int32_t codec, std::string_view in, size_t uncompressed, std::string* out) {
  switch (codec) {
    case 0: out->assign(in); return Status::Ok();
    case 1: {
      size_t n = 0;
      if (!snappy::GetUncompressedLength(in.data(), in.size(), &n) || n != uncompressed)
        return Corrupt("bad snappy page");
      out->resize(n);
      if (!snappy::RawUncompress(in.data(), in.size(), out->data())) return Corrupt("bad snappy page");
      return Status::Ok();
    }
    case 2: {
      out->resize(uncompressed);
      z_stream zs{};
      if (inflateInit2(&zs, 15 + 32) != Z_OK) return Status::Internal("inflateInit2 failed");
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
      zs.avail_in = static_cast<uInt>(in.size());
      zs.next_out = reinterpret_cast<Bytef*>(out->data());
      zs.avail_out = static_cast<uInt>(out->size());
      int rc = inflate(&zs, Z_FINISH);
      size_t got = zs.total_out;
      inflateEnd(&zs);
      if (rc != Z_STREAM_END || got != uncompressed) return Corrupt("bad gzip page");
      return Status::Ok();
    }
    case 6: {
      out->resize(uncompressed);
      size_t n = ZSTD_decompress(out->data(), out->size(), in.data(), in.size());
      if (ZSTD_isError(n) || n != uncompressed) return Corrupt("bad zstd page");
      return Status::Ok();
    }
    default: return Unsupported("compression codec " + std::to_string(codec));
  }
}

// Decodes `count` values of the RLE / bit-packed hybrid at width bw.
Status DecodeHybrid(std::string_view d, int bw, size_t count, std::vector<uint32_t>* out) {
  size_t pos = 0;
  out->clear();
  out->reserve(count);
  while (out->size() < count) {
    if (pos >= d.size()) return Corrupt("hybrid run past the end of the data");
    uint64_t h = 0;
    int shift = 0;
    for (;;) {
      if (pos >= d.size() || shift > 35) return Corrupt("bad hybrid header");
      uint8_t b = static_cast<uint8_t>(d[pos++]);
      h |= static_cast<uint64_t>(b & 0x7F) << shift;
      shift += 7;
      if ((b & 0x80) == 0) break;
    }
    if ((h & 1) == 0) {
      uint64_t n = h >> 1;
      size_t bytes = static_cast<size_t>((bw + 7) / 8);
      if (pos + bytes > d.size()) return Corrupt("truncated RLE run");
      uint32_t v = 0;
      for (size_t k = 0; k < bytes; ++k) v |= static_cast<uint32_t>(static_cast<uint8_t>(d[pos + k])) << (8 * k);
      pos += bytes;
      for (uint64_t k = 0; k < n && out->size() < count; ++k) out->push_back(v);
    } else {
      uint64_t groups = h >> 1;
      size_t bytes = static_cast<size_t>(groups * bw);
      if (pos + bytes > d.size()) return Corrupt("truncated bit-packed run");
      uint64_t acc = 0;
      int bits = 0;
      size_t p = pos;
      for (uint64_t k = 0; k < groups * 8; ++k) {
        while (bits < bw) {
          acc |= static_cast<uint64_t>(static_cast<uint8_t>(d[p++])) << bits;
          bits += 8;
        }
        uint32_t v = bw == 0 ? 0 : static_cast<uint32_t>(acc & ((1ULL << bw) - 1));
        acc >>= bw;
        bits -= bw;
        if (out->size() < count) out->push_back(v);
      }
      pos += bytes;
    }
  }
  return Status::Ok();
}

int Width(int max) {
  int w = 0;
  while ((1 << w) <= max) ++w;
  return max == 0 ? 0 : w;
}

// PLAIN values of one column.
Status DecodePlain(const Column& c, std::string_view d, size_t count, std::vector<Value>* out) {
  const SchemaElement& e = c.elem;
  bool decimal = e.logical == 5 || e.converted == 5;
  size_t pos = 0;
  for (size_t i = 0; i < count; ++i) {
    switch (e.type) {
      case 0: {
        if (i / 8 >= d.size()) return Corrupt("truncated booleans");
        out->push_back(Value::Bool((static_cast<uint8_t>(d[i / 8]) >> (i % 8)) & 1));
        continue;
      }
      case 1: {
        if (pos + 4 > d.size()) return Corrupt("truncated int32 values");
        int32_t v;
        std::memcpy(&v, d.data() + pos, 4);
        pos += 4;
        out->push_back(decimal ? Value::Decimal(v) : Value::Int(v));
        continue;
      }
      case 2: {
        if (pos + 8 > d.size()) return Corrupt("truncated int64 values");
        int64_t v;
        std::memcpy(&v, d.data() + pos, 8);
        pos += 8;
        out->push_back(decimal ? Value::Decimal(v) : Value::Int(v));
        continue;
      }
      case 4: {
        if (pos + 4 > d.size()) return Corrupt("truncated float values");
        float v;
        std::memcpy(&v, d.data() + pos, 4);
        pos += 4;
        out->push_back(Value::Float(v));
        continue;
      }
      case 5: {
        if (pos + 8 > d.size()) return Corrupt("truncated double values");
        double v;
        std::memcpy(&v, d.data() + pos, 8);
        pos += 8;
        out->push_back(Value::Double(v));
        continue;
      }
      case 6: {
        if (pos + 4 > d.size()) return Corrupt("truncated byte array length");
        uint32_t n;
        std::memcpy(&n, d.data() + pos, 4);
        pos += 4;
        if (n > d.size() - pos) return Corrupt("truncated byte array");
        std::string_view b = d.substr(pos, n);
        pos += n;
        out->push_back(decimal ? Value::Decimal(DecimalFromBigEndian(b)) : Value::Bytes(std::string(b)));
        continue;
      }
      case 7: {
        size_t n = static_cast<size_t>(e.type_length);
        if (pos + n > d.size()) return Corrupt("truncated fixed values");
        std::string_view b = d.substr(pos, n);
        pos += n;
        out->push_back(decimal ? Value::Decimal(DecimalFromBigEndian(b)) : Value::Bytes(std::string(b)));
        continue;
      }
      default: return Unsupported("physical type " + std::to_string(e.type));
    }
  }
  return Status::Ok();
}

struct PageHeader {
  int32_t type = -1;
  int32_t uncompressed = 0, compressed = 0;
  int32_t num_values = 0;
  int32_t encoding = 0;
  // v2
  int32_t def_bytes = 0, rep_bytes = 0;
  bool v2_compressed = true;
};

PageHeader ReadPageHeader(CompactReader& r) {
  PageHeader h;
  r.Struct([&](int16_t id, uint8_t t) {
    switch (id) {
      case 1: h.type = static_cast<int32_t>(r.Zigzag()); break;
      case 2: h.uncompressed = static_cast<int32_t>(r.Zigzag()); break;
      case 3: h.compressed = static_cast<int32_t>(r.Zigzag()); break;
      case 5:
      case 7:
        r.Struct([&](int16_t sid, uint8_t st) {
          if (sid == 1)
            h.num_values = static_cast<int32_t>(r.Zigzag());
          else if (sid == 2)
            h.encoding = static_cast<int32_t>(r.Zigzag());
          else
            r.Skip(st);
        });
        break;
      case 8:
        r.Struct([&](int16_t sid, uint8_t st) {
          switch (sid) {
            case 1: h.num_values = static_cast<int32_t>(r.Zigzag()); break;
            case 4: h.encoding = static_cast<int32_t>(r.Zigzag()); break;
            case 5: h.def_bytes = static_cast<int32_t>(r.Zigzag()); break;
            case 6: h.rep_bytes = static_cast<int32_t>(r.Zigzag()); break;
            case 7: h.v2_compressed = r.BoolValue(); break;
            default: r.Skip(st);
          }
        });
        break;
      default: r.Skip(t);
    }
  });
  return h;
}

Status ReadLevels(std::string_view d, size_t* pos, bool prefixed, size_t v2_len, int max, size_t n,
                  std::vector<uint8_t>* out) {
  if (max == 0) {
    out->insert(out->end(), n, 0);
    return Status::Ok();
  }
  size_t len = v2_len;
  if (prefixed) {
    if (*pos + 4 > d.size()) return Corrupt("truncated level length");
    uint32_t l;
    std::memcpy(&l, d.data() + *pos, 4);
    *pos += 4;
    len = l;
  }
  if (len > d.size() - *pos) return Corrupt("truncated levels");
  std::vector<uint32_t> levels;
  RETURN_IF_ERROR(DecodeHybrid(d.substr(*pos, len), Width(max), n, &levels));
  *pos += len;
  for (uint32_t l : levels) {
    if (l > static_cast<uint32_t>(max)) return Corrupt("level above its maximum");
    out->push_back(static_cast<uint8_t>(l));
  }
  return Status::Ok();
}

Status ReadChunk(std::string_view file, const ColumnChunk& cc, Column* col) {
  int64_t start = cc.dictionary_page_offset >= 0 && cc.dictionary_page_offset < cc.data_page_offset
                      ? cc.dictionary_page_offset
                      : cc.data_page_offset;
  if (start < 4 || cc.total_compressed_size < 0 ||
      static_cast<uint64_t>(start + cc.total_compressed_size) > file.size()) {
    return Corrupt("column chunk outside the file");
  }
  std::string_view chunk = file.substr(static_cast<size_t>(start), static_cast<size_t>(cc.total_compressed_size));
  std::vector<Value> dictionary;
  int64_t seen = 0;
  size_t pos = 0;
  std::string page;
  while (seen < cc.num_values && pos < chunk.size()) {
    CompactReader r(chunk.substr(pos));
    PageHeader h = ReadPageHeader(r);
    if (!r.ok() || h.compressed < 0 || h.uncompressed < 0) return Corrupt("bad page header");
    pos += r.pos();
    if (static_cast<size_t>(h.compressed) > chunk.size() - pos) return Corrupt("page past the end of its chunk");
    std::string_view body = chunk.substr(pos, static_cast<size_t>(h.compressed));
    pos += static_cast<size_t>(h.compressed);
    if (h.type == 2) {  // dictionary page
      RETURN_IF_ERROR(Decompress(cc.codec, body, static_cast<size_t>(h.uncompressed), &page));
      dictionary.clear();
      RETURN_IF_ERROR(DecodePlain(*col, page, static_cast<size_t>(h.num_values), &dictionary));
      continue;
    }
    if (h.type != 0 && h.type != 3) continue;  // index pages
    size_t n = static_cast<size_t>(h.num_values);
    size_t lpos = 0;
    std::string_view values;
    size_t first_def = col->def.size();
    if (h.type == 0) {
      RETURN_IF_ERROR(Decompress(cc.codec, body, static_cast<size_t>(h.uncompressed), &page));
      RETURN_IF_ERROR(ReadLevels(page, &lpos, true, 0, col->max_rep, n, &col->rep));
      RETURN_IF_ERROR(ReadLevels(page, &lpos, true, 0, col->max_def, n, &col->def));
      values = std::string_view(page).substr(lpos);
    } else {
      size_t levels = static_cast<size_t>(h.rep_bytes) + static_cast<size_t>(h.def_bytes);
      if (levels > body.size()) return Corrupt("v2 levels past the page");
      RETURN_IF_ERROR(ReadLevels(body, &lpos, false, static_cast<size_t>(h.rep_bytes), col->max_rep, n, &col->rep));
      RETURN_IF_ERROR(ReadLevels(body, &lpos, false, static_cast<size_t>(h.def_bytes), col->max_def, n, &col->def));
      if (h.v2_compressed) {
        RETURN_IF_ERROR(Decompress(cc.codec, body.substr(levels), static_cast<size_t>(h.uncompressed) - levels, &page));
      } else {
        page.assign(body.substr(levels));
      }
      values = page;
    }
    size_t present = 0;
    for (size_t k = first_def; k < col->def.size(); ++k) present += col->def[k] == col->max_def;
    if (h.encoding == 0) {
      RETURN_IF_ERROR(DecodePlain(*col, values, present, &col->values));
    } else if (h.encoding == 2 || h.encoding == 8) {
      if (values.empty()) {
        if (present != 0) return Corrupt("dictionary page data without a bit width");
      } else {
        int bw = static_cast<uint8_t>(values[0]);
        if (bw > 32) return Corrupt("dictionary index bit width above 32");
        std::vector<uint32_t> idx;
        RETURN_IF_ERROR(DecodeHybrid(values.substr(1), bw, present, &idx));
        for (uint32_t i : idx) {
          if (i >= dictionary.size()) return Corrupt("dictionary index out of range");
          col->values.push_back(dictionary[i]);
        }
      }
    } else if (h.encoding == 3 && col->elem.type == 0) {  // RLE booleans, length-prefixed
      if (values.size() < 4) return Corrupt("truncated RLE booleans");
      uint32_t len;
      std::memcpy(&len, values.data(), 4);
      if (len > values.size() - 4) return Corrupt("truncated RLE booleans");
      std::vector<uint32_t> bits;
      RETURN_IF_ERROR(DecodeHybrid(values.substr(4, len), 1, present, &bits));
      for (uint32_t b : bits) col->values.push_back(Value::Bool(b != 0));
    } else {
      return Unsupported("encoding " + std::to_string(h.encoding) + " in column " + col->elem.name);
    }
    seen += static_cast<int64_t>(n);
  }
  if (seen != cc.num_values) return Corrupt("column chunk holds fewer values than its metadata says");
  return Status::Ok();
}

// ---- record assembly (Dremel): one instance of `n` from the columns under it.

class Assembler {
 public:
  explicit Assembler(std::vector<Column>* cols) : cols_(cols) {}

  Status Read(const Node& n, Value* out) {
    Column& first = (*cols_)[static_cast<size_t>(n.first_leaf)];
    if (first.pos >= first.def.size()) return Corrupt("column " + first.elem.name + " ends early");
    int d = first.def[first.pos];
    if (n.optional && d < n.def) {
      Consume(n);
      *out = Value::Null();
      return Status::Ok();
    }
    switch (n.kind) {
      case 0: {
        Column& c = (*cols_)[static_cast<size_t>(n.leaf)];
        if (c.vpos >= c.values.size()) return Corrupt("column " + c.elem.name + " has fewer values than levels");
        *out = std::move(c.values[c.vpos++]);
        ++c.pos;
        return Status::Ok();
      }
      case 1: {
        std::vector<Value> fields(n.children.size());
        for (size_t i = 0; i < n.children.size(); ++i) RETURN_IF_ERROR(Read(n.children[i], &fields[i]));
        *out = Value::Struct(std::move(fields));
        return Status::Ok();
      }
      default: {
        std::vector<Value> items;
        if (d < n.repeated_def) {
          Consume(n);  // an empty list or map
        } else {
          for (;;) {
            for (const Node& c : n.children) {
              items.emplace_back();
              RETURN_IF_ERROR(Read(c, &items.back()));
            }
            if (first.pos >= first.rep.size() || first.rep[first.pos] != n.rep) break;
          }
        }
        *out = n.kind == 2 ? Value::List(std::move(items)) : Value::Map(std::move(items));
        return Status::Ok();
      }
    }
  }

 private:
  // Skips one entry in every column under n (a null or empty instance).
  void Consume(const Node& n) {
    for (int i = n.first_leaf; i < n.first_leaf + n.num_leaves; ++i) ++(*cols_)[static_cast<size_t>(i)].pos;
  }
  std::vector<Column>* cols_;
};

}  // namespace

struct Reader::Impl {
  std::string file;
  Schema schema;
  int64_t num_rows = 0;
  std::vector<std::pair<std::string, std::string>> metadata;
  std::vector<SchemaElement> elems;
  std::vector<RowGroup> row_groups;
  std::vector<Node> roots;
  std::vector<Column> columns;  // schema order; levels and values filled per row group
};

Reader::Reader() : impl_(std::make_unique<Impl>()) {}
Reader::~Reader() = default;
const Schema& Reader::schema() const { return impl_->schema; }
int64_t Reader::num_rows() const { return impl_->num_rows; }
const std::vector<std::pair<std::string, std::string>>& Reader::metadata() const { return impl_->metadata; }

Result<std::unique_ptr<Reader>> Reader::Open(std::string file) {
  if (file.size() < 12 || file.compare(0, 4, "PAR1") != 0 || file.compare(file.size() - 4, 4, "PAR1") != 0) {
    return Corrupt("not a Parquet file");
  }
  uint32_t footer_len;
  std::memcpy(&footer_len, file.data() + file.size() - 8, 4);
  if (footer_len > file.size() - 12) return Corrupt("footer length past the file");
  std::unique_ptr<Reader> reader(new Reader());
  Impl& m = *reader->impl_;
  m.file = std::move(file);
  std::string_view footer = std::string_view(m.file).substr(m.file.size() - 8 - footer_len, footer_len);
  CompactReader r(footer);
  r.Struct([&](int16_t id, uint8_t t) {
    switch (id) {
      case 2: {
        uint8_t et;
        uint64_t n;
        r.List(&et, &n);
        for (uint64_t i = 0; i < n && r.ok(); ++i) m.elems.push_back(ReadSchemaElement(r));
        break;
      }
      case 3: m.num_rows = r.Zigzag(); break;
      case 4: {
        uint8_t et;
        uint64_t n;
        r.List(&et, &n);
        for (uint64_t i = 0; i < n && r.ok(); ++i) {
          RowGroup g;
          r.Struct([&](int16_t gid, uint8_t gt) {
            if (gid == 1) {
              uint8_t ct;
              uint64_t cn;
              r.List(&ct, &cn);
              for (uint64_t k = 0; k < cn && r.ok(); ++k) g.columns.push_back(ReadColumnChunk(r));
            } else if (gid == 3) {
              g.num_rows = r.Zigzag();
            } else {
              r.Skip(gt);
            }
          });
          m.row_groups.push_back(std::move(g));
        }
        break;
      }
      case 5: {
        uint8_t et;
        uint64_t n;
        r.List(&et, &n);
        for (uint64_t i = 0; i < n && r.ok(); ++i) {
          std::string k, v;
          r.Struct([&](int16_t kid, uint8_t kt) {
            if (kid == 1)
              k = r.Binary();
            else if (kid == 2)
              v = r.Binary();
            else
              r.Skip(kt);
          });
          m.metadata.emplace_back(std::move(k), std::move(v));
        }
        break;
      }
      default: r.Skip(t);
    }
  });
  if (!r.ok() || m.elems.empty()) return Corrupt("malformed footer");
  SchemaBuilder b(m.elems, &m.columns);
  for (int i = 0; i < m.elems[0].num_children; ++i) {
    ASSIGN_OR_RETURN(Node n, b.Build(0, 0, 0));
    m.schema.fields.push_back(n.field);
    m.roots.push_back(std::move(n));
  }
  if (b.consumed() != m.elems.size()) return Corrupt("schema element count mismatch");
  for (const RowGroup& g : m.row_groups) {
    if (g.columns.size() != m.columns.size()) return Corrupt("row group column count differs from the schema");
  }
  return reader;
}

Result<std::vector<Value>> Reader::ReadAll() {
  Impl& m = *impl_;
  std::vector<Value> rows;
  rows.reserve(static_cast<size_t>(std::max<int64_t>(0, std::min<int64_t>(m.num_rows, 1 << 24))));
  for (const RowGroup& g : m.row_groups) {
    for (size_t c = 0; c < m.columns.size(); ++c) {
      Column& col = m.columns[c];
      col.def.clear();
      col.rep.clear();
      col.values.clear();
      col.pos = col.vpos = 0;
      if (g.columns[c].type != col.elem.type) return Corrupt("column chunk type differs from the schema");
      RETURN_IF_ERROR(ReadChunk(m.file, g.columns[c], &col));
    }
    Assembler a(&m.columns);
    for (int64_t i = 0; i < g.num_rows; ++i) {
      std::vector<Value> fields(m.roots.size());
      for (size_t f = 0; f < m.roots.size(); ++f) RETURN_IF_ERROR(a.Read(m.roots[f], &fields[f]));
      rows.push_back(Value::Struct(std::move(fields)));
    }
    for (const Column& col : m.columns) {
      if (col.pos != col.def.size()) return Corrupt("column " + col.elem.name + " holds more entries than its rows");
    }
  }
  return rows;
}

}  // namespace floe::parquet
