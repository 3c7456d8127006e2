#pragma once
// Order-preserving key encoding (docs/formats/keys.md).
//
//   item key  := table_id:u32be  hash:u64be  enc(partition key)  [enc(sort key)]
//   enc(S|B)  := bytes with 0x00 escaped as 0x00 0xFF, then the terminator 0x00 0x01
//   enc(N)    := Decimal::EncodeOrdered
//
// hash is PartitionHash(enc(partition key)): items of one partition are contiguous and
// sorted by sort key (S by UTF-8 bytes, N numerically, B bytewise); partitions are spread
// over the hash space, which parallel Scan segments divide evenly.
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "dynamo/attribute_value.h"
#include "storage/engine.h"

namespace floe::dynamo {

// Appends bytes escaped as in enc(S|B), without the terminator: the common prefix of the
// encodings of every S or B value that begins with bytes (Query's begins_with).
void AppendEscapedKeyBytes(std::string_view bytes, std::string* out);

// Appends the order-preserving encoding of a key attribute (S, N or B).
void EncodeKeyValue(const AttributeValue& v, std::string* out);
// Decodes one key value of the given type from the front of *in. Errors: kCorruption.
Result<AttributeValue> DecodeKeyValue(AttrType type, std::string_view* in);

// Stable 64-bit hash of an encoded partition key (FNV-1a, then the murmur3 finalizer).
// Persisted in keys: never change it.
uint64_t PartitionHash(std::string_view encoded_partition_key);

struct EncodedKey {
  std::string bytes;         // the full item key
  uint64_t hash = 0;         // partition hash
  size_t partition_end = 0;  // bytes[0, partition_end) is the partition prefix
};

// The storage key of an item. sort_key is null for a table without one.
EncodedKey EncodeItemKey(uint32_t table_id, const AttributeValue& partition_key, const AttributeValue* sort_key);

// The first key of a table, and the first key after it.
std::string TablePrefix(uint32_t table_id);
std::string TablePrefixEnd(uint32_t table_id);

// The upper bound of a prefix scan (storage::PrefixSuccessor).
using storage::PrefixSuccessor;

}  // namespace floe::dynamo
