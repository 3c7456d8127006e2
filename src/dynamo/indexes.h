#pragma once
// Secondary index entries (docs/formats/indexes.md): their keys, their projections, and the
// entry changes that one item change implies. An entry lives in the items column family:
//
//   entry key   := index_id:u32be  hash:u64be  enc(index pk)  [enc(index sk)]
//                  enc(table pk)  [enc(table sk)]
//   entry value := a stored item (item_codec.h) holding the projected attributes
//
// so that an index partition is contiguous and ordered by index sort key, then table key,
// and Query and Scan on an index read it exactly as they read a table.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "dynamo/attribute_value.h"
#include "dynamo/table_schema.h"

namespace floe::dynamo {

struct VersionHeader;

// Whether an attribute is held by the index: a key attribute of the table or the index, or
// projected.
bool IsProjected(const TableInfo& table, const IndexInfo& index, std::string_view attr);

// The attributes the index holds of item.
Item ProjectForIndex(const TableInfo& table, const IndexInfo& index, const Item& item);

// The entry key of item in the index; nullopt when the item has no entry (an index key
// attribute is absent, or of another type: sparse index). *hash gets the partition hash.
std::optional<std::string> IndexEntryKey(const TableInfo& table, const IndexInfo& index, const Item& item,
                                         uint64_t* hash = nullptr);

// The table and index key attributes of an item (LastEvaluatedKey of an index read).
Item IndexPageKey(const TableInfo& table, const IndexInfo& index, const Item& item);

// Validates the index key attributes of an item to be written, with DynamoDB's messages
// (kInvalidArgument): present index keys must have the defined type and be non-empty.
Status ValidateIndexKeys(const TableInfo& table, const Item& item);

// DynamoDB's write capacity units for bytes: 1 per started KB, at least 1.
double WriteUnits(size_t bytes);
// Read capacity units for bytes: 1 per started 4 KB (at least 1), halved when eventually
// consistent.
double ReadUnits(size_t bytes, bool consistent);

// One index's share of an item change.
struct IndexWrite {
  uint32_t index_id = 0;
  std::string index_name;
  bool global = true;
  std::string delete_key;  // empty: nothing to delete
  std::string put_key;     // empty: nothing to put
  std::string put_value;
  int64_t item_delta = 0;
  int64_t size_delta = 0;
  double write_units = 0;  // capacity consumed on the index
};

// Asked, for an index that is still backfilling, whether the old item's entry exists (the
// backfill may not have reached it yet).
using EntryExistsFn = std::function<Result<bool>(const std::string& entry_key)>;

// The entry changes of every index of table for the change old_item -> new_item (null:
// absent). header stamps the new entries.
Result<std::vector<IndexWrite>> PlanIndexWrites(const TableInfo& table, const Item* old_item, const Item* new_item,
                                                const VersionHeader& header, const EntryExistsFn& entry_exists);

}  // namespace floe::dynamo
