#pragma once
// Binary encoding of stored item versions (docs/formats/items.md). Every version carries
// its hybrid-logical-clock timestamp and origin region; a tombstone has no attributes.
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "dynamo/attribute_value.h"

namespace floe::dynamo {

struct VersionHeader {
  uint64_t hlc = 0;
  std::string region;
  bool tombstone = false;
};

struct StoredItem {
  VersionHeader header;
  Item item;  // empty for a tombstone
};

// Appends the encoding of an item version.
void EncodeStoredItem(const VersionHeader& header, const Item& item, std::string* out);
// Errors: kCorruption.
Result<StoredItem> DecodeStoredItem(std::string_view bytes);

// The attribute-map body of an encoded live version (EncodeStoredItem's output), without
// decoding it; empty for a tombstone or malformed bytes.
std::string_view StoredItemBody(std::string_view stored);

// The attribute-map body alone (used inside change records too).
void EncodeAttributeMap(const AttributeMap& m, std::string* out);
// Decodes a body from the front of *in and advances it. Errors: kCorruption.
Result<AttributeMap> DecodeAttributeMap(std::string_view* in);
// Advances past one encoded attribute map, checking its structure as DecodeAttributeMap does,
// without building it. Errors: kCorruption.
Status SkipAttributeMap(std::string_view* in);

// Varint helpers (LEB128, unsigned), shared by the record codecs.
void PutVarint(uint64_t v, std::string* out);
bool GetVarint(std::string_view* in, uint64_t* v);
void PutFixed64BE(uint64_t v, std::string* out);
bool GetFixed64BE(std::string_view* in, uint64_t* v);
void PutFixed32BE(uint32_t v, std::string* out);
bool GetFixed32BE(std::string_view* in, uint32_t* v);

}  // namespace floe::dynamo
