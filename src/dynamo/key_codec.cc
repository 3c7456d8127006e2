#include "dynamo/key_codec.h"

#include "common/hash.h"

#include "dynamo/decimal.h"
#include "dynamo/item_codec.h"

namespace floe::dynamo {

void AppendEscapedKeyBytes(std::string_view bytes, std::string* out) {
  for (char c : bytes) {
    out->push_back(c);
    if (c == '\0') out->push_back(static_cast<char>(0xFF));
  }
}

void EncodeKeyValue(const AttributeValue& v, std::string* out) {
  if (v.type == AttrType::kN) {
    auto d = Decimal::Parse(v.scalar);
    // Stored numbers are canonical, so parsing cannot fail here.
    (d.ok() ? d.value() : Decimal()).EncodeOrdered(out);
    return;
  }
  AppendEscapedKeyBytes(v.scalar, out);
  out->push_back('\0');
  out->push_back('\x01');
}

Result<AttributeValue> DecodeKeyValue(AttrType type, std::string_view* in) {
  if (type == AttrType::kN) {
    ASSIGN_OR_RETURN(Decimal d, Decimal::DecodeOrdered(in));
    return AttributeValue::N(d.ToString());
  }
  std::string bytes;
  size_t i = 0;
  while (true) {
    if (i >= in->size()) return Status::Corruption("unterminated key bytes");
    char c = (*in)[i];
    if (c != '\0') {
      bytes.push_back(c);
      ++i;
      continue;
    }
    if (i + 1 >= in->size()) return Status::Corruption("truncated key escape");
    uint8_t next = static_cast<uint8_t>((*in)[i + 1]);
    if (next == 0xFF) {
      bytes.push_back('\0');
      i += 2;
    } else if (next == 0x01) {
      i += 2;
      break;
    } else {
      return Status::Corruption("bad key escape");
    }
  }
  in->remove_prefix(i);
  AttributeValue v;
  v.type = type;
  v.scalar = std::move(bytes);
  return v;
}

uint64_t PartitionHash(std::string_view s) {
  uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return Fmix64(h);
}

EncodedKey EncodeItemKey(uint32_t table_id, const AttributeValue& pk, const AttributeValue* sk) {
  std::string pk_enc;
  EncodeKeyValue(pk, &pk_enc);
  EncodedKey k;
  k.hash = PartitionHash(pk_enc);
  k.bytes.reserve(12 + pk_enc.size() + 16);
  PutFixed32BE(table_id, &k.bytes);
  PutFixed64BE(k.hash, &k.bytes);
  k.bytes += pk_enc;
  k.partition_end = k.bytes.size();
  if (sk) EncodeKeyValue(*sk, &k.bytes);
  return k;
}

std::string TablePrefix(uint32_t table_id) {
  std::string s;
  PutFixed32BE(table_id, &s);
  return s;
}

std::string TablePrefixEnd(uint32_t table_id) { return PrefixSuccessor(TablePrefix(table_id)); }

}  // namespace floe::dynamo
