#include "iceberg/avro.h"

#include <zlib.h>

#include <cstring>
#include <map>

#include "common/random.h"
#include "json/json.h"

namespace floe::iceberg::avro {

namespace {

constexpr char kMagic[4] = {'O', 'b', 'j', 1};
constexpr size_t kBlockBytes = 64 << 10;

const char* TypeName(Type t) {
  switch (t) {
    case Type::kNull: return "null";
    case Type::kBoolean: return "boolean";
    case Type::kInt: return "int";
    case Type::kLong: return "long";
    case Type::kFloat: return "float";
    case Type::kDouble: return "double";
    case Type::kBytes: return "bytes";
    case Type::kString: return "string";
    case Type::kFixed: return "fixed";
    case Type::kEnum: return "enum";
    case Type::kRecord: return "record";
    case Type::kArray: return "array";
    case Type::kMap: return "map";
    case Type::kUnion: return "union";
  }
  return "null";
}

bool IsPlainPrimitive(const Node& n) { return n.type <= Type::kString && n.logical_type.empty(); }

void WriteNode(const Node& n, json::Writer* w) {
  if (IsPlainPrimitive(n)) {
    w->String(TypeName(n.type));
    return;
  }
  if (n.type == Type::kUnion) {
    w->StartArray();
    for (const Node& b : n.children) WriteNode(b, w);
    w->EndArray();
    return;
  }
  w->StartObject();
  w->Key("type");
  w->String(TypeName(n.type));
  switch (n.type) {
    case Type::kRecord:
      w->Key("name");
      w->String(n.name);
      w->Key("fields");
      w->StartArray();
      for (size_t i = 0; i < n.fields.size(); ++i) {
        const RecordField& f = n.fields[i];
        w->StartObject();
        w->Key("name");
        w->String(f.name);
        if (!f.doc.empty()) {
          w->Key("doc");
          w->String(f.doc);
        }
        w->Key("type");
        WriteNode(n.children[i], w);
        if (f.default_null) {
          w->Key("default");
          w->Null();
        }
        if (f.field_id >= 0) {
          w->Key("field-id");
          w->Int64(f.field_id);
        }
        w->EndObject();
      }
      w->EndArray();
      break;
    case Type::kFixed:
      w->Key("name");
      w->String(n.name);
      w->Key("size");
      w->Int64(n.size);
      break;
    case Type::kEnum:
      w->Key("name");
      w->String(n.name);
      w->Key("symbols");
      w->StartArray();
      for (const auto& s : n.symbols) w->String(s);
      w->EndArray();
      break;
    case Type::kArray:
      w->Key("items");
      WriteNode(n.children[0], w);
      if (n.element_id >= 0) {
        w->Key("element-id");
        w->Int64(n.element_id);
      }
      break;
    case Type::kMap:
      w->Key("values");
      WriteNode(n.children[0], w);
      break;
    default: break;
  }
  if (n.key_id >= 0) {
    w->Key("key-id");
    w->Int64(n.key_id);
  }
  if (n.value_id >= 0) {
    w->Key("value-id");
    w->Int64(n.value_id);
  }
  if (!n.logical_type.empty()) {
    w->Key("logicalType");
    w->String(n.logical_type);
    if (n.logical_type == "decimal") {
      w->Key("precision");
      w->Int64(n.precision);
      w->Key("scale");
      w->Int64(n.scale);
    }
  }
  if (n.adjust_to_utc >= 0) {
    w->Key("adjust-to-utc");
    w->Bool(n.adjust_to_utc == 1);
  }
  w->EndObject();
}

Status Bad(const std::string& what) { return Status::Corruption("avro: " + what); }

int32_t IntAttr(const json::Value& v, const char* key, int32_t fallback) {
  const json::Value* a = v.Find(key);
  int64_t x;
  if (a != nullptr && a->AsInt64(&x)) return static_cast<int32_t>(x);
  return fallback;
}

Result<Node> ParseNode(const json::Value& v, std::map<std::string, Node>* named, int depth) {
  if (depth > 64) return Bad("schema nested too deeply");
  if (v.is_array()) {
    Node n;
    n.type = Type::kUnion;
    for (const auto& b : v.items()) {
      ASSIGN_OR_RETURN(Node child, ParseNode(b, named, depth + 1));
      n.children.push_back(std::move(child));
    }
    return n;
  }
  const json::Value* tv = &v;
  if (v.is_object()) {
    tv = v.Find("type");
    if (tv == nullptr) return Bad("schema object without \"type\"");
    if (!tv->is_string()) return ParseNode(*tv, named, depth + 1);  // {"type": {...}}
  }
  if (!tv->is_string()) return Bad("schema must be a string, object or array");
  const std::string& t = tv->str();
  static const std::pair<const char*, Type> kTypes[] = {
      {"null", Type::kNull},   {"boolean", Type::kBoolean}, {"int", Type::kInt},       {"long", Type::kLong},
      {"float", Type::kFloat}, {"double", Type::kDouble},   {"bytes", Type::kBytes},   {"string", Type::kString},
      {"fixed", Type::kFixed}, {"enum", Type::kEnum},       {"record", Type::kRecord}, {"array", Type::kArray},
      {"map", Type::kMap},
  };
  Node n;
  bool known = false;
  for (const auto& [name, type] : kTypes) {
    if (t == name) {
      n.type = type;
      known = true;
    }
  }
  if (!known) {
    auto it = named->find(t);
    if (it == named->end()) return Bad("unknown type \"" + t + "\"");
    return it->second;
  }
  if (!v.is_object()) return n;
  if (const json::Value* lt = v.Find("logicalType"); lt != nullptr && lt->is_string()) n.logical_type = lt->str();
  n.precision = IntAttr(v, "precision", 0);
  n.scale = IntAttr(v, "scale", 0);
  n.element_id = IntAttr(v, "element-id", -1);
  n.key_id = IntAttr(v, "key-id", -1);
  n.value_id = IntAttr(v, "value-id", -1);
  if (const json::Value* a = v.Find("adjust-to-utc"); a != nullptr && a->is_bool()) n.adjust_to_utc = a->as_bool();
  if (const json::Value* name = v.Find("name"); name != nullptr && name->is_string()) n.name = name->str();
  switch (n.type) {
    case Type::kFixed:
      n.size = IntAttr(v, "size", -1);
      if (n.size < 0) return Bad("fixed without a size");
      break;
    case Type::kEnum: {
      const json::Value* syms = v.Find("symbols");
      if (syms == nullptr || !syms->is_array()) return Bad("enum without symbols");
      for (const auto& s : syms->items()) n.symbols.push_back(s.str());
      break;
    }
    case Type::kArray: {
      const json::Value* items = v.Find("items");
      if (items == nullptr) return Bad("array without items");
      ASSIGN_OR_RETURN(Node child, ParseNode(*items, named, depth + 1));
      n.children.push_back(std::move(child));
      break;
    }
    case Type::kMap: {
      const json::Value* values = v.Find("values");
      if (values == nullptr) return Bad("map without values");
      ASSIGN_OR_RETURN(Node child, ParseNode(*values, named, depth + 1));
      n.children.push_back(std::move(child));
      break;
    }
    case Type::kRecord: {
      const json::Value* fields = v.Find("fields");
      if (fields == nullptr || !fields->is_array()) return Bad("record without fields");
      for (const auto& f : fields->items()) {
        const json::Value* fname = f.Find("name");
        const json::Value* ftype = f.Find("type");
        if (fname == nullptr || !fname->is_string() || ftype == nullptr)
          return Bad("record field without name or type");
        RecordField rf;
        rf.name = fname->str();
        rf.field_id = IntAttr(f, "field-id", -1);
        if (const json::Value* d = f.Find("default"); d != nullptr && d->is_null()) rf.default_null = true;
        ASSIGN_OR_RETURN(Node child, ParseNode(*ftype, named, depth + 1));
        n.fields.push_back(std::move(rf));
        n.children.push_back(std::move(child));
      }
      break;
    }
    default: break;
  }
  if (!n.name.empty()) (*named)[n.name] = n;
  return n;
}

void PutLong(int64_t v, std::string* out) {
  uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  while (z >= 0x80) {
    out->push_back(static_cast<char>((z & 0x7F) | 0x80));
    z >>= 7;
  }
  out->push_back(static_cast<char>(z));
}

void PutBytes(std::string_view b, std::string* out) {
  PutLong(static_cast<int64_t>(b.size()), out);
  out->append(b);
}

Status Mismatch(const Node& n) {
  return Status::InvalidArgument(std::string("avro: datum does not match schema type ") + TypeName(n.type) +
                                 (n.name.empty() ? "" : " " + n.name));
}

using K = Datum::Kind;

bool GetLong(std::string_view d, size_t* pos, int64_t* out) {
  uint64_t z = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (*pos >= d.size()) return false;
    uint8_t b = static_cast<uint8_t>(d[(*pos)++]);
    z |= static_cast<uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) {
      *out = static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
      return true;
    }
  }
  return false;
}

bool GetBytes(std::string_view d, size_t* pos, std::string* out) {
  int64_t len;
  if (!GetLong(d, pos, &len) || len < 0 || static_cast<uint64_t>(len) > d.size() - *pos) return false;
  out->assign(d.substr(*pos, static_cast<size_t>(len)));
  *pos += static_cast<size_t>(len);
  return true;
}

Status DecodeDepth(const Node& n, std::string_view d, size_t* pos, Datum* out, int depth);

// Array and map blocks: a count (negative: followed by the block's byte size), 0 ends.
template <typename F>
Status DecodeBlocks(std::string_view d, size_t* pos, F&& item) {
  for (;;) {
    int64_t count;
    if (!GetLong(d, pos, &count)) return Bad("truncated block count");
    if (count == 0) return Status::Ok();
    if (count < 0) {
      int64_t bytes;
      if (!GetLong(d, pos, &bytes)) return Bad("truncated block size");
      count = -count;
    }
    if (static_cast<uint64_t>(count) > d.size() - *pos + 1) return Bad("block count past the end of the data");
    for (int64_t i = 0; i < count; ++i) RETURN_IF_ERROR(item());
  }
}

Status DecodeDepth(const Node& n, std::string_view d, size_t* pos, Datum* out, int depth) {
  if (depth > 64) return Bad("datum nested too deeply");
  switch (n.type) {
    case Type::kNull: *out = Datum::Null(); return Status::Ok();
    case Type::kBoolean:
      if (*pos >= d.size()) return Bad("truncated boolean");
      *out = Datum::Bool(d[(*pos)++] != 0);
      return Status::Ok();
    case Type::kInt:
    case Type::kLong:
    case Type::kEnum: {
      int64_t v;
      if (!GetLong(d, pos, &v)) return Bad("truncated integer");
      *out = Datum::Int(v);
      return Status::Ok();
    }
    case Type::kFloat: {
      if (d.size() - *pos < 4) return Bad("truncated float");
      float f;
      std::memcpy(&f, d.data() + *pos, 4);
      *pos += 4;
      *out = Datum::Float(f);
      return Status::Ok();
    }
    case Type::kDouble: {
      if (d.size() - *pos < 8) return Bad("truncated double");
      double f;
      std::memcpy(&f, d.data() + *pos, 8);
      *pos += 8;
      *out = Datum::Double(f);
      return Status::Ok();
    }
    case Type::kBytes:
    case Type::kString: {
      std::string b;
      if (!GetBytes(d, pos, &b)) return Bad("truncated bytes");
      *out = Datum::Bytes(std::move(b));
      return Status::Ok();
    }
    case Type::kFixed: {
      if (d.size() - *pos < static_cast<size_t>(n.size)) return Bad("truncated fixed");
      *out = Datum::Bytes(std::string(d.substr(*pos, n.size)));
      *pos += n.size;
      return Status::Ok();
    }
    case Type::kRecord: {
      std::vector<Datum> fields(n.children.size());
      for (size_t i = 0; i < n.children.size(); ++i)
        RETURN_IF_ERROR(DecodeDepth(n.children[i], d, pos, &fields[i], depth + 1));
      *out = Datum::Struct(std::move(fields));
      return Status::Ok();
    }
    case Type::kArray: {
      std::vector<Datum> items;
      RETURN_IF_ERROR(DecodeBlocks(d, pos, [&]() -> Status {
        items.emplace_back();
        return DecodeDepth(n.children[0], d, pos, &items.back(), depth + 1);
      }));
      *out = Datum::List(std::move(items));
      return Status::Ok();
    }
    case Type::kMap: {
      std::vector<Datum> kv;
      RETURN_IF_ERROR(DecodeBlocks(d, pos, [&]() -> Status {
        std::string key;
        if (!GetBytes(d, pos, &key)) return Bad("truncated map key");
        kv.push_back(Datum::Bytes(std::move(key)));
        kv.emplace_back();
        return DecodeDepth(n.children[0], d, pos, &kv.back(), depth + 1);
      }));
      *out = Datum::Map(std::move(kv));
      return Status::Ok();
    }
    case Type::kUnion: {
      int64_t branch;
      if (!GetLong(d, pos, &branch) || branch < 0 || static_cast<size_t>(branch) >= n.children.size()) {
        return Bad("bad union branch");
      }
      return DecodeDepth(n.children[branch], d, pos, out, depth + 1);
    }
  }
  return Bad("unknown type");
}

Status Deflate(std::string_view in, std::string* out) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return Status::Internal("deflateInit2 failed");
  }
  out->resize(deflateBound(&zs, in.size()));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out->data());
  zs.avail_out = static_cast<uInt>(out->size());
  int rc = deflate(&zs, Z_FINISH);
  out->resize(zs.total_out);
  deflateEnd(&zs);
  return rc == Z_STREAM_END ? Status::Ok() : Status::Internal("deflate failed");
}

Status Inflate(std::string_view in, std::string* out) {
  z_stream zs{};
  if (inflateInit2(&zs, -15) != Z_OK) return Status::Internal("inflateInit2 failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  out->clear();
  char buf[64 << 10];
  int rc;
  do {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      return Bad("bad deflate block");
    }
    out->append(buf, sizeof buf - zs.avail_out);
    if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) break;  // no end marker: tolerated
  } while (rc != Z_STREAM_END);
  inflateEnd(&zs);
  return Status::Ok();
}

}  // namespace

Node Node::Optional(Node inner) {
  Node u;
  u.type = Type::kUnion;
  u.children.push_back(Primitive(Type::kNull));
  u.children.push_back(std::move(inner));
  return u;
}

std::string SchemaToJson(const Node& schema) {
  json::Writer w;
  WriteNode(schema, &w);
  return w.Take();
}

Result<Node> SchemaFromJson(std::string_view text) {
  auto doc = json::Parse(text);
  if (!doc.ok()) return Bad("schema is not JSON: " + doc.status().message());
  std::map<std::string, Node> named;
  return ParseNode(*doc, &named, 0);
}

Status Encode(const Node& n, const Datum& v, std::string* out) {
  switch (n.type) {
    case Type::kNull:
      if (!v.is_null()) return Mismatch(n);
      return Status::Ok();
    case Type::kBoolean:
      if (v.kind() != K::kBool) return Mismatch(n);
      out->push_back(v.as_bool() ? 1 : 0);
      return Status::Ok();
    case Type::kInt:
    case Type::kLong:
    case Type::kEnum:
      if (v.kind() != K::kInt) return Mismatch(n);
      if (n.type == Type::kInt && (v.as_int() < INT32_MIN || v.as_int() > INT32_MAX)) return Mismatch(n);
      PutLong(v.as_int(), out);
      return Status::Ok();
    case Type::kFloat: {
      if (v.kind() != K::kFloat) return Mismatch(n);
      float f = v.as_float();
      out->append(reinterpret_cast<const char*>(&f), 4);
      return Status::Ok();
    }
    case Type::kDouble: {
      if (v.kind() != K::kDouble) return Mismatch(n);
      double f = v.as_double();
      out->append(reinterpret_cast<const char*>(&f), 8);
      return Status::Ok();
    }
    case Type::kBytes:
    case Type::kString:
      if (v.kind() != K::kBytes) return Mismatch(n);
      PutBytes(v.bytes(), out);
      return Status::Ok();
    case Type::kFixed:
      if (v.kind() != K::kBytes || v.bytes().size() != static_cast<size_t>(n.size)) return Mismatch(n);
      out->append(v.bytes());
      return Status::Ok();
    case Type::kRecord: {
      if (v.kind() != K::kStruct) return Mismatch(n);
      static const Datum kNull;
      for (size_t i = 0; i < n.children.size(); ++i) {
        const Datum& f = i < v.children().size() ? v.children()[i] : kNull;
        Status st = Encode(n.children[i], f, out);
        if (!st.ok()) return Status::InvalidArgument(st.message() + " (field " + n.fields[i].name + ")");
      }
      return Status::Ok();
    }
    case Type::kArray:
      if (v.kind() != K::kList) return Mismatch(n);
      if (!v.children().empty()) {
        PutLong(static_cast<int64_t>(v.children().size()), out);
        for (const Datum& item : v.children()) RETURN_IF_ERROR(Encode(n.children[0], item, out));
      }
      PutLong(0, out);
      return Status::Ok();
    case Type::kMap:
      if (v.kind() != K::kMap) return Mismatch(n);
      if (!v.children().empty()) {
        PutLong(static_cast<int64_t>(v.children().size() / 2), out);
        for (size_t i = 0; i + 1 < v.children().size(); i += 2) {
          if (v.children()[i].kind() != K::kBytes) return Mismatch(n);
          PutBytes(v.children()[i].bytes(), out);
          RETURN_IF_ERROR(Encode(n.children[0], v.children()[i + 1], out));
        }
      }
      PutLong(0, out);
      return Status::Ok();
    case Type::kUnion:
      for (size_t b = 0; b < n.children.size(); ++b) {
        if ((n.children[b].type == Type::kNull) == v.is_null()) {
          PutLong(static_cast<int64_t>(b), out);
          return Encode(n.children[b], v, out);
        }
      }
      return Mismatch(n);
  }
  return Mismatch(n);
}

Status Decode(const Node& schema, std::string_view data, size_t* pos, Datum* out) {
  return DecodeDepth(schema, data, pos, out, 0);
}

FileWriter::FileWriter(Node schema, std::vector<std::pair<std::string, std::string>> metadata, Codec codec)
    : schema_(std::move(schema)), codec_(codec) {
  RandomBytes(sync_, sizeof sync_);
  out_.append(kMagic, 4);
  metadata.emplace_back("avro.schema", SchemaToJson(schema_));
  metadata.emplace_back("avro.codec", codec_ == Codec::kDeflate ? "deflate" : "null");
  PutLong(static_cast<int64_t>(metadata.size()), &out_);
  for (const auto& [k, v] : metadata) {
    PutBytes(k, &out_);
    PutBytes(v, &out_);
  }
  PutLong(0, &out_);
  out_.append(sync_, sizeof sync_);
}

Status FileWriter::Append(const Datum& record) {
  size_t mark = block_.size();
  Status st = Encode(schema_, record, &block_);
  if (!st.ok()) {
    block_.resize(mark);  // nothing of a failed record stays
    return st;
  }
  ++block_count_;
  ++count_;
  if (block_.size() >= kBlockBytes) return FlushBlock();
  return Status::Ok();
}

Status FileWriter::FlushBlock() {
  if (block_count_ == 0) return Status::Ok();
  std::string compressed;
  std::string_view payload = block_;
  if (codec_ == Codec::kDeflate) {
    RETURN_IF_ERROR(Deflate(block_, &compressed));
    payload = compressed;
  }
  PutLong(block_count_, &out_);
  PutLong(static_cast<int64_t>(payload.size()), &out_);
  out_.append(payload);
  out_.append(sync_, sizeof sync_);
  block_.clear();
  block_count_ = 0;
  return Status::Ok();
}

Result<std::string> FileWriter::Finish() {
  RETURN_IF_ERROR(FlushBlock());
  return std::move(out_);
}

const std::string* File::Meta(std::string_view key) const {
  for (const auto& [k, v] : metadata) {
    if (k == key) return &v;
  }
  return nullptr;
}

const std::string* Container::Meta(std::string_view key) const {
  for (const auto& [k, v] : metadata) {
    if (k == key) return &v;
  }
  return nullptr;
}

Result<Container> ReadContainer(std::string_view d) {
  if (d.size() < 4 + 16 || std::memcmp(d.data(), kMagic, 4) != 0) return Bad("not an Avro object container file");
  size_t pos = 4;
  Container c;
  Node meta_schema;
  meta_schema.type = Type::kMap;
  meta_schema.children.push_back(Node::Primitive(Type::kBytes));
  Datum meta;
  RETURN_IF_ERROR(Decode(meta_schema, d, &pos, &meta));
  for (size_t i = 0; i + 1 < meta.children().size(); i += 2) {
    c.metadata.emplace_back(meta.children()[i].bytes(), meta.children()[i + 1].bytes());
  }
  const std::string* schema_json = c.Meta("avro.schema");
  if (schema_json == nullptr) return Bad("no avro.schema in the header");
  ASSIGN_OR_RETURN(c.schema, SchemaFromJson(*schema_json));
  const std::string* codec = c.Meta("avro.codec");
  bool deflate = codec != nullptr && *codec == "deflate";
  if (codec != nullptr && !deflate && *codec != "null") return Bad("unsupported codec " + *codec);
  if (d.size() - pos < 16) return Bad("truncated header");
  std::string_view sync = d.substr(pos, 16);
  pos += 16;
  while (pos < d.size()) {
    int64_t count, size;
    if (!GetLong(d, &pos, &count) || !GetLong(d, &pos, &size) || count < 0 || size < 0 ||
        static_cast<uint64_t>(size) + 16 > d.size() - pos) {
      return Bad("truncated block");
    }
    std::string_view block = d.substr(pos, static_cast<size_t>(size));
    pos += static_cast<size_t>(size);
    if (d.substr(pos, 16) != sync) return Bad("sync marker mismatch");
    pos += 16;
    std::string bytes;
    if (deflate) {
      RETURN_IF_ERROR(Inflate(block, &bytes));
    } else {
      bytes.assign(block);
    }
    c.blocks.emplace_back(std::move(bytes), count);
  }
  return c;
}

Result<File> ReadFile(std::string_view d) {
  ASSIGN_OR_RETURN(Container c, ReadContainer(d));
  File file;
  file.schema = std::move(c.schema);
  file.metadata = std::move(c.metadata);
  for (const auto& [bytes, count] : c.blocks) {
    size_t bpos = 0;
    for (int64_t i = 0; i < count; ++i) {
      file.records.emplace_back();
      RETURN_IF_ERROR(Decode(file.schema, bytes, &bpos, &file.records.back()));
    }
  }
  return file;
}

bool Decoder::Long(int64_t* v) { return ok_ = ok_ && GetLong(d_, &pos_, v); }
bool Decoder::Bytes(std::string* v) { return ok_ = ok_ && GetBytes(d_, &pos_, v); }
bool Decoder::Bool(bool* v) {
  if (!ok_ || pos_ >= d_.size()) return ok_ = false;
  *v = d_[pos_++] != 0;
  return true;
}
bool Decoder::Branch(const Node& u, const Node** branch) {
  int64_t b;
  if (!Long(&b) || b < 0 || static_cast<size_t>(b) >= u.children.size()) return ok_ = false;
  *branch = &u.children[static_cast<size_t>(b)];
  return true;
}
bool Decoder::BlockCount(int64_t* count) {
  if (!Long(count)) return false;
  if (*count < 0) {
    int64_t bytes;
    if (!Long(&bytes)) return false;
    *count = -*count;
  }
  if (static_cast<uint64_t>(*count) > d_.size() - pos_ + 1) return ok_ = false;
  return true;
}
Status Decoder::Read(const Node& n, Datum* out) {
  if (!ok_) return Bad("truncated data");
  Status st = DecodeDepth(n, d_, &pos_, out, 0);
  if (!st.ok()) ok_ = false;
  return st;
}
Status Decoder::Skip(const Node& n) {
  // Skipping decodes into a scratch datum: simple, and only used for fields a caller ignores.
  Datum scratch;
  return Read(n, &scratch);
}

const Datum* FieldOf(const Node& schema, const Datum& record, std::string_view name) {
  for (size_t i = 0; i < schema.fields.size() && i < record.children().size(); ++i) {
    if (schema.fields[i].name == name) return &record.children()[i];
  }
  return nullptr;
}

}  // namespace floe::iceberg::avro
