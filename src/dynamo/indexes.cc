#include "dynamo/indexes.h"

#include <algorithm>

#include "dynamo/item_codec.h"
#include "dynamo/key_codec.h"

namespace floe::dynamo {

namespace {

bool IsKeyOf(const KeyElement& hash, const std::optional<KeyElement>& range, std::string_view attr) {
  return hash.name == attr || (range && range->name == attr);
}

const AttributeValue* TypedAttr(const Item& item, const KeyElement& k) {
  auto it = item.find(k.name);
  if (it == item.end() || it->second.type != k.type) return nullptr;
  return &it->second;
}

}  // namespace

bool IsProjected(const TableInfo& table, const IndexInfo& index, std::string_view attr) {
  if (index.projection == ProjectionType::kAll) return true;
  if (IsKeyOf(table.hash_key, table.range_key, attr) || IsKeyOf(index.hash_key, index.range_key, attr)) return true;
  if (index.projection == ProjectionType::kKeysOnly) return false;
  return std::find(index.non_key_attributes.begin(), index.non_key_attributes.end(), attr) !=
         index.non_key_attributes.end();
}

Item ProjectForIndex(const TableInfo& table, const IndexInfo& index, const Item& item) {
  if (index.projection == ProjectionType::kAll) return item;
  Item out;
  for (const auto& [name, value] : item) {
    if (IsProjected(table, index, name)) out.emplace(name, value);
  }
  return out;
}

std::optional<std::string> IndexEntryKey(const TableInfo& table, const IndexInfo& index, const Item& item,
                                         uint64_t* hash) {
  const AttributeValue* ipk = TypedAttr(item, index.hash_key);
  if (!ipk) return std::nullopt;
  const AttributeValue* isk = nullptr;
  if (index.range_key) {
    isk = TypedAttr(item, *index.range_key);
    if (!isk) return std::nullopt;
  }
  const AttributeValue* tpk = TypedAttr(item, table.hash_key);
  const AttributeValue* tsk = table.range_key ? TypedAttr(item, *table.range_key) : nullptr;
  if (!tpk || (table.range_key && !tsk)) return std::nullopt;
  EncodedKey ek = EncodeItemKey(index.id, *ipk, isk);
  if (hash) *hash = ek.hash;
  EncodeKeyValue(*tpk, &ek.bytes);
  if (tsk) EncodeKeyValue(*tsk, &ek.bytes);
  return std::move(ek.bytes);
}

Item IndexPageKey(const TableInfo& table, const IndexInfo& index, const Item& item) {
  Item key;
  for (const KeyElement* k : {&table.hash_key, table.range_key ? &*table.range_key : nullptr, &index.hash_key,
                              index.range_key ? &*index.range_key : nullptr}) {
    if (!k) continue;
    auto it = item.find(k->name);
    if (it != item.end()) key.emplace(k->name, it->second);
  }
  return key;
}

Status ValidateIndexKeys(const TableInfo& table, const Item& item) {
  for (const auto& index : table.indexes) {
    for (const KeyElement* k : {&index.hash_key, index.range_key ? &*index.range_key : nullptr}) {
      if (!k) continue;
      auto it = item.find(k->name);
      if (it == item.end()) continue;
      const AttributeValue& v = it->second;
      if (v.type != k->type) {
        return Status::InvalidArgument(
            std::string("One or more parameter values were invalid: Type mismatch for Index Key ") + k->name +
            " Expected: " + AttrTypeName(k->type) + " Actual: " + AttrTypeName(v.type) + " IndexName: " + index.name);
      }
      if (v.scalar.empty() && v.type != AttrType::kN) {
        return Status::InvalidArgument(
            std::string(
                "One or more parameter values are not valid. A value specified for a secondary index key is not "
                "supported. The AttributeValue for a key attribute cannot contain an empty ") +
            (v.type == AttrType::kS ? "string" : "binary") + " value. IndexName: " + index.name +
            ", IndexKey: " + k->name);
      }
    }
  }
  return Status::Ok();
}

double WriteUnits(size_t bytes) { return static_cast<double>(std::max<size_t>(1, (bytes + 1023) / 1024)); }

double ReadUnits(size_t bytes, bool consistent) {
  const double units = static_cast<double>(std::max<size_t>(1, (bytes + 4095) / 4096));
  return consistent ? units : units / 2;
}

Result<std::vector<IndexWrite>> PlanIndexWrites(const TableInfo& table, const Item* old_item, const Item* new_item,
                                                const VersionHeader& header, const EntryExistsFn& entry_exists) {
  std::vector<IndexWrite> out;
  for (const auto& index : table.indexes) {
    std::optional<std::string> old_key, new_key;
    if (old_item) old_key = IndexEntryKey(table, index, *old_item);
    if (new_item) new_key = IndexEntryKey(table, index, *new_item);
    if (old_key && index.backfilling) {
      ASSIGN_OR_RETURN(bool exists, entry_exists(*old_key));
      if (!exists) old_key.reset();
    }
    if (!old_key && !new_key) continue;
    const bool all = index.projection == ProjectionType::kAll;
    std::optional<Item> old_proj, new_proj;
    if (old_key && !all) old_proj = ProjectForIndex(table, index, *old_item);
    if (new_key && !all) new_proj = ProjectForIndex(table, index, *new_item);
    const Item* old_entry = old_key ? (all ? old_item : &*old_proj) : nullptr;
    const Item* new_entry = new_key ? (all ? new_item : &*new_proj) : nullptr;
    const size_t old_size = old_entry ? ItemSize(*old_entry) : 0;
    const size_t new_size = new_entry ? ItemSize(*new_entry) : 0;
    IndexWrite w;
    w.index_id = index.id;
    w.index_name = index.name;
    w.global = index.global;
    if (old_key && new_key && *old_key == *new_key) {
      if (*old_entry == *new_entry) continue;  // the entry does not change
    } else if (old_key) {
      w.delete_key = std::move(*old_key);
      w.item_delta -= 1;
      w.write_units += WriteUnits(old_size);
    }
    if (new_key) {
      w.put_key = std::move(*new_key);
      EncodeStoredItem(header, *new_entry, &w.put_value);
      if (w.delete_key.empty() && old_entry) {
        w.size_delta -= static_cast<int64_t>(old_size);  // the entry is rewritten in place
      } else {
        w.item_delta += 1;
      }
      w.write_units += WriteUnits(new_size);
    }
    if (!w.delete_key.empty()) w.size_delta -= static_cast<int64_t>(old_size);
    w.size_delta += static_cast<int64_t>(new_size);
    out.push_back(std::move(w));
  }
  return out;
}

}  // namespace floe::dynamo
