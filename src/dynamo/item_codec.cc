#include "dynamo/item_codec.h"

namespace floe::dynamo {

namespace {
constexpr uint8_t kFormatVersion = 1;
constexpr uint8_t kFlagTombstone = 0x01;

void PutBytes(std::string_view s, std::string* out) {
  PutVarint(s.size(), out);
  out->append(s);
}

bool GetBytes(std::string_view* in, std::string* out) {
  uint64_t n;
  if (!GetVarint(in, &n) || n > in->size()) return false;
  out->assign(in->data(), n);
  in->remove_prefix(n);
  return true;
}

bool SkipBytes(std::string_view* in) {
  uint64_t n;
  if (!GetVarint(in, &n) || n > in->size()) return false;
  in->remove_prefix(n);
  return true;
}

void EncodeValue(const AttributeValue& v, std::string* out) {
  out->push_back(static_cast<char>(v.type));
  switch (v.type) {
    case AttrType::kS:
    case AttrType::kN:
    case AttrType::kB: PutBytes(v.scalar, out); break;
    case AttrType::kBool: out->push_back(v.boolean ? 1 : 0); break;
    case AttrType::kNull: break;
    case AttrType::kM: EncodeAttributeMap(v.map, out); break;
    case AttrType::kL:
      PutVarint(v.list.size(), out);
      for (const auto& e : v.list) EncodeValue(e, out);
      break;
    case AttrType::kSS:
    case AttrType::kNS:
    case AttrType::kBS:
      PutVarint(v.set.size(), out);
      for (const auto& e : v.set) PutBytes(e, out);
      break;
  }
}

Status Bad(const char* what) { return Status::Corruption(std::string("item codec: ") + what); }

Result<AttributeValue> DecodeValue(std::string_view* in, int depth) {
  if (in->empty()) return Bad("truncated value");
  if (depth > kMaxNestingDepth + 1) return Bad("nesting too deep");
  AttributeValue v;
  uint8_t tag = static_cast<uint8_t>((*in)[0]);
  in->remove_prefix(1);
  if (tag < 1 || tag > 10) return Bad("unknown type tag");
  v.type = static_cast<AttrType>(tag);
  switch (v.type) {
    case AttrType::kS:
    case AttrType::kN:
    case AttrType::kB:
      if (!GetBytes(in, &v.scalar)) return Bad("truncated scalar");
      break;
    case AttrType::kBool:
      if (in->empty()) return Bad("truncated bool");
      v.boolean = (*in)[0] != 0;
      in->remove_prefix(1);
      break;
    case AttrType::kNull: v.boolean = true; break;
    case AttrType::kM: {
      uint64_t n;
      if (!GetVarint(in, &n) || n > in->size()) return Bad("bad map count");
      for (uint64_t i = 0; i < n; ++i) {
        std::string name;
        if (!GetBytes(in, &name)) return Bad("truncated name");
        ASSIGN_OR_RETURN(AttributeValue c, DecodeValue(in, depth + 1));
        v.map.emplace(std::move(name), std::move(c));
      }
      break;
    }
    case AttrType::kL: {
      uint64_t n;
      if (!GetVarint(in, &n) || n > in->size()) return Bad("bad list count");
      v.list.reserve(n);
      for (uint64_t i = 0; i < n; ++i) {
        ASSIGN_OR_RETURN(AttributeValue c, DecodeValue(in, depth + 1));
        v.list.push_back(std::move(c));
      }
      break;
    }
    case AttrType::kSS:
    case AttrType::kNS:
    case AttrType::kBS: {
      uint64_t n;
      if (!GetVarint(in, &n) || n > in->size()) return Bad("bad set count");
      v.set.resize(n);
      for (uint64_t i = 0; i < n; ++i) {
        if (!GetBytes(in, &v.set[i])) return Bad("truncated set element");
      }
      break;
    }
  }
  return v;
}

// Walks one encoded value without materializing it.
Status SkipValue(std::string_view* in, int depth) {
  if (in->empty()) return Bad("truncated value");
  if (depth > kMaxNestingDepth + 1) return Bad("nesting too deep");
  const uint8_t tag = static_cast<uint8_t>((*in)[0]);
  in->remove_prefix(1);
  if (tag < 1 || tag > 10) return Bad("unknown type tag");
  uint64_t n;
  switch (static_cast<AttrType>(tag)) {
    case AttrType::kS:
    case AttrType::kN:
    case AttrType::kB:
      if (!SkipBytes(in)) return Bad("truncated scalar");
      return Status::Ok();
    case AttrType::kBool:
      if (in->empty()) return Bad("truncated bool");
      in->remove_prefix(1);
      return Status::Ok();
    case AttrType::kNull: return Status::Ok();
    case AttrType::kM:
      if (!GetVarint(in, &n) || n > in->size()) return Bad("bad map count");
      for (uint64_t i = 0; i < n; ++i) {
        if (!SkipBytes(in)) return Bad("truncated name");
        RETURN_IF_ERROR(SkipValue(in, depth + 1));
      }
      return Status::Ok();
    case AttrType::kL:
      if (!GetVarint(in, &n) || n > in->size()) return Bad("bad list count");
      for (uint64_t i = 0; i < n; ++i) RETURN_IF_ERROR(SkipValue(in, depth + 1));
      return Status::Ok();
    case AttrType::kSS:
    case AttrType::kNS:
    case AttrType::kBS:
      if (!GetVarint(in, &n) || n > in->size()) return Bad("bad set count");
      for (uint64_t i = 0; i < n; ++i) {
        if (!SkipBytes(in)) return Bad("truncated set element");
      }
      return Status::Ok();
  }
  return Bad("unknown type tag");
}

}  // namespace

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

bool GetVarint(std::string_view* in, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift <= 63 && !in->empty(); shift += 7) {
    uint8_t b = static_cast<uint8_t>((*in)[0]);
    in->remove_prefix(1);
    result |= static_cast<uint64_t>(b & 0x7F) << shift;
    if (!(b & 0x80)) {
      *v = result;
      return true;
    }
  }
  return false;
}

void PutFixed64BE(uint64_t v, std::string* out) {
  for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
bool GetFixed64BE(std::string_view* in, uint64_t* v) {
  if (in->size() < 8) return false;
  uint64_t r = 0;
  for (int i = 0; i < 8; ++i) r = (r << 8) | static_cast<uint8_t>((*in)[i]);
  in->remove_prefix(8);
  *v = r;
  return true;
}
void PutFixed32BE(uint32_t v, std::string* out) {
  for (int i = 3; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
bool GetFixed32BE(std::string_view* in, uint32_t* v) {
  if (in->size() < 4) return false;
  uint32_t r = 0;
  for (int i = 0; i < 4; ++i) r = (r << 8) | static_cast<uint8_t>((*in)[i]);
  in->remove_prefix(4);
  *v = r;
  return true;
}

void EncodeAttributeMap(const AttributeMap& m, std::string* out) {
  PutVarint(m.size(), out);
  for (const auto& [name, v] : m) {
    PutBytes(name, out);
    EncodeValue(v, out);
  }
}

Result<AttributeMap> DecodeAttributeMap(std::string_view* in) {
  uint64_t n;
  if (!GetVarint(in, &n) || n > in->size()) return Bad("bad attribute count");
  AttributeMap m;
  for (uint64_t i = 0; i < n; ++i) {
    std::string name;
    if (!GetBytes(in, &name)) return Bad("truncated attribute name");
    ASSIGN_OR_RETURN(AttributeValue v, DecodeValue(in, 1));
    m.emplace(std::move(name), std::move(v));
  }
  return m;
}

Status SkipAttributeMap(std::string_view* in) {
  uint64_t n;
  if (!GetVarint(in, &n) || n > in->size()) return Bad("bad attribute count");
  for (uint64_t i = 0; i < n; ++i) {
    if (!SkipBytes(in)) return Bad("truncated attribute name");
    RETURN_IF_ERROR(SkipValue(in, 1));
  }
  return Status::Ok();
}

void EncodeStoredItem(const VersionHeader& header, const Item& item, std::string* out) {
  out->push_back(static_cast<char>(kFormatVersion));
  out->push_back(static_cast<char>(header.tombstone ? kFlagTombstone : 0));
  PutFixed64BE(header.hlc, out);
  PutBytes(header.region, out);
  if (!header.tombstone) EncodeAttributeMap(item, out);
}

std::string_view StoredItemBody(std::string_view in) {
  if (in.size() < 10 || static_cast<uint8_t>(in[0]) != kFormatVersion ||
      (static_cast<uint8_t>(in[1]) & kFlagTombstone)) {
    return {};
  }
  in.remove_prefix(10);
  uint64_t region_len;
  if (!GetVarint(&in, &region_len) || region_len > in.size()) return {};
  in.remove_prefix(region_len);
  return in;
}

Result<StoredItem> DecodeStoredItem(std::string_view in) {
  if (in.size() < 2) return Bad("truncated header");
  if (static_cast<uint8_t>(in[0]) != kFormatVersion) return Bad("unknown format version");
  StoredItem s;
  s.header.tombstone = (static_cast<uint8_t>(in[1]) & kFlagTombstone) != 0;
  in.remove_prefix(2);
  if (!GetFixed64BE(&in, &s.header.hlc)) return Bad("truncated timestamp");
  if (!GetBytes(&in, &s.header.region)) return Bad("truncated region");
  if (!s.header.tombstone) {
    ASSIGN_OR_RETURN(s.item, DecodeAttributeMap(&in));
  }
  if (!in.empty()) return Bad("trailing bytes");
  return s;
}

}  // namespace floe::dynamo
