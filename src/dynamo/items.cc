#include "dynamo/items.h"

#include <chrono>
#include <thread>

#include "dynamo/indexes.h"
#include "dynamo/item_codec.h"
#include "dynamo/key_codec.h"

namespace floe::dynamo {

namespace {

constexpr char kInvalid[] = "One or more parameter values were invalid: ";
constexpr char kKeyMismatch[] = "The provided key element does not match the schema";
// How long a write waits for a transaction holding its item before it reports a conflict.
constexpr std::chrono::microseconds kConflictGrace{1000};

Status CheckKeyValueNotEmpty(const KeyElement& k, const AttributeValue& v) {
  if (v.scalar.empty() && (v.type == AttrType::kS || v.type == AttrType::kB)) {
    return Status::InvalidArgument(std::string("One or more parameter values are not valid. The AttributeValue for a "
                                               "key attribute cannot contain an empty ") +
                                   (v.type == AttrType::kS ? "string" : "binary") + " value. Key: " + k.name);
  }
  return Status::Ok();
}

Status CheckKeySizes(const TableInfo& t, const AttributeMap& m) {
  auto h = m.find(t.hash_key.name);
  if (h != m.end() && AttributeValueSize(h->second) > kMaxPartitionKeyBytes) {
    return Status::InvalidArgument(std::string(kInvalid) +
                                   "Size of hashkey has exceeded the maximum size limit of2048 bytes");
  }
  if (t.range_key) {
    auto r = m.find(t.range_key->name);
    if (r != m.end() && AttributeValueSize(r->second) > kMaxSortKeyBytes) {
      return Status::InvalidArgument(std::string(kInvalid) +
                                     "Aggregated size of all range keys has exceeded the size limit of 1024 bytes");
    }
  }
  return Status::Ok();
}

EncodedKey KeyBytes(const TableRuntime& table, const TableInfo& info, const Item& key) {
  const AttributeValue& pk = key.at(info.hash_key.name);
  const AttributeValue* sk = info.range_key ? &key.at(info.range_key->name) : nullptr;
  return EncodeItemKey(table.id, pk, sk);
}

Item KeyOf(const TableInfo& info, const Item& item) {
  Item key;
  key.emplace(info.hash_key.name, item.at(info.hash_key.name));
  if (info.range_key) key.emplace(info.range_key->name, item.at(info.range_key->name));
  return key;
}

Result<std::optional<Item>> DecodeLive(std::string_view bytes) {
  ASSIGN_OR_RETURN(StoredItem s, DecodeStoredItem(bytes));
  if (s.header.tombstone) return std::optional<Item>();
  return std::optional<Item>(std::move(s.item));
}

// Everything a write commits, encoded before the commit lock is taken. The change record is
// encoded early when the table logs changes, and index entries are planned against the
// definition the writer read; if either changes before the commit (a stream is enabled or
// disabled, an index is added or removed meanwhile), ApplyPrepared settles it under the lock.
struct PreparedWrite {
  std::string item_value;  // empty: delete the key
  std::string record;      // the change record, if encoded
  bool has_record = false;
  bool by_ttl = false;
  ChangeKind kind = ChangeKind::kInsert;
  VersionHeader header;
  uint64_t hash = 0;
  // These outlive the commit.
  const Item* key = nullptr;
  const Item* old_item = nullptr;
  const Item* new_item = nullptr;
  // The images' encoded bodies: the old one in the stored bytes read before the write (which
  // outlive the commit), the new one in item_value.
  std::optional<std::string_view> old_body;
  int64_t item_delta = 0;
  size_t old_size = 0;  // ItemSize of the items, for stats and capacity
  size_t new_size = 0;
  std::shared_ptr<const TableInfo> info;  // the definition index_writes were planned with
  uint64_t info_version = 0;              // TableRuntime::info_version when info was read
  std::vector<IndexWrite> index_writes;

  void EncodeRecord() {
    std::optional<std::string_view> new_body;
    if (!item_value.empty()) new_body = StoredItemBody(item_value);
    record = EncodeChange(kind, by_ttl, header.hlc, hash, header.region, *key, old_body ? &*old_body : nullptr,
                          new_body ? &*new_body : nullptr);
    has_record = true;
  }

  Status PlanIndexes(storage::Engine* engine) {
    auto exists = [engine](const std::string& entry_key) -> Result<bool> {
      std::string ignored;
      bool found = false;
      RETURN_IF_ERROR(engine->Get(storage::Cf::kItems, entry_key, &ignored, &found));
      return found;
    };
    index_writes.clear();
    if (info->indexes.empty()) return Status::Ok();
    ASSIGN_OR_RETURN(index_writes, PlanIndexWrites(*info, old_item, new_item, header, exists));
    return Status::Ok();
  }
};

// old_stored: the stored bytes of old_item (live version), which must outlive the commit, as
// must key, old_item and new_item. Under the item's key lock.
Result<PreparedWrite> PrepareWrite(Committer& committer, storage::Engine* engine, const TableRuntime& table,
                                   std::shared_ptr<const TableInfo> info, uint64_t info_version, const Item& key,
                                   uint64_t hash, const std::optional<Item>& old_item, std::string_view old_stored,
                                   const std::optional<Item>& new_item, bool by_ttl = false) {
  PreparedWrite p;
  p.by_ttl = by_ttl;
  p.header.hlc = committer.NewTimestamp();
  p.header.region = committer.region();
  p.hash = hash;
  p.key = &key;
  p.old_item = old_item ? &*old_item : nullptr;
  p.new_item = new_item ? &*new_item : nullptr;
  if (old_item) p.old_body = StoredItemBody(old_stored);
  if (new_item) EncodeStoredItem(p.header, *new_item, &p.item_value);
  p.kind = !old_item ? ChangeKind::kInsert : (new_item ? ChangeKind::kModify : ChangeKind::kRemove);
  if (table.log_changes.load(std::memory_order_relaxed)) p.EncodeRecord();
  p.item_delta = p.kind == ChangeKind::kInsert ? 1 : (p.kind == ChangeKind::kRemove ? -1 : 0);
  p.old_size = old_item ? ItemSize(*old_item) : 0;
  p.new_size = new_item ? ItemSize(*new_item) : 0;
  p.info = std::move(info);
  p.info_version = info_version;
  RETURN_IF_ERROR(p.PlanIndexes(engine));
  return p;
}

// Under the commit lock.
Status ApplyPrepared(Committer::Context& ctx, storage::Engine* engine, TableRuntime& table,
                     const std::string& key_bytes, PreparedWrite& p) {
  if (!p.item_value.empty()) {
    ctx.batch().Put(storage::Cf::kItems, key_bytes, p.item_value);
  } else {
    ctx.batch().Delete(storage::Cf::kItems, key_bytes);
  }
  const bool log = table.log_changes.load(std::memory_order_relaxed);
  if (log && !p.has_record) p.EncodeRecord();
  ctx.AddChange(table, log ? &p.record : nullptr, p.item_delta,
                static_cast<int64_t>(p.new_size) - static_cast<int64_t>(p.old_size));
  if (table.info_version.load(std::memory_order_acquire) != p.info_version) {
    p.info = table.info();
    p.info_version = table.info_version.load(std::memory_order_acquire);
    RETURN_IF_ERROR(p.PlanIndexes(engine));
  }
  for (const auto& w : p.index_writes) {
    if (!w.delete_key.empty()) ctx.batch().Delete(storage::Cf::kItems, w.delete_key);
    if (!w.put_key.empty()) ctx.batch().Put(storage::Cf::kItems, w.put_key, w.put_value);
    ctx.AddIndexStats(table, w.index_id, w.item_delta, w.size_delta);
  }
  return Status::Ok();
}

// DynamoDB's write capacity of a change: the larger of the two item sizes on the table, and
// each changed index entry on its index.
Capacity WriteCapacity(const PreparedWrite& p) {
  Capacity c;
  c.table = WriteUnits(std::max(p.old_size, p.new_size));
  for (const auto& w : p.index_writes) (w.global ? c.global_indexes : c.local_indexes)[w.index_name] += w.write_units;
  return c;
}

// The same for a write that changes nothing: the item's size on the table.
Capacity UnchangedWriteCapacity(const std::optional<Item>& item) {
  Capacity c;
  c.table = WriteUnits(item ? ItemSize(*item) : 0);
  return c;
}

Status TableGone() { return Status::NotFound("Requested resource not found"); }

}  // namespace

Result<Item> KeyOfItem(const TableInfo& table, const Item& item) {
  Item key;
  std::vector<const KeyElement*> elems{&table.hash_key};
  if (table.range_key) elems.push_back(&*table.range_key);
  for (const KeyElement* k : elems) {
    auto it = item.find(k->name);
    if (it == item.end()) {
      return Status::InvalidArgument(std::string(kInvalid) + "Missing the key " + k->name + " in the item");
    }
    if (it->second.type != k->type) {
      return Status::InvalidArgument(std::string(kInvalid) + "Type mismatch for key " + k->name + " expected: " +
                                     AttrTypeName(k->type) + " actual: " + AttrTypeName(it->second.type));
    }
    RETURN_IF_ERROR(CheckKeyValueNotEmpty(*k, it->second));
    key.emplace(k->name, it->second);
  }
  return key;
}

Status ValidateKey(const TableInfo& table, const AttributeMap& key) {
  const size_t expected = table.range_key ? 2 : 1;
  std::vector<const KeyElement*> elems{&table.hash_key};
  if (table.range_key) elems.push_back(&*table.range_key);
  for (const KeyElement* k : elems) {
    auto it = key.find(k->name);
    if (it == key.end() || it->second.type != k->type) return Status::InvalidArgument(kKeyMismatch);
  }
  if (key.size() != expected) return Status::InvalidArgument(kKeyMismatch);
  for (const KeyElement* k : elems) RETURN_IF_ERROR(CheckKeyValueNotEmpty(*k, key.at(k->name)));
  return CheckKeySizes(table, key);
}

Status ValidateItemForWrite(const TableInfo& table, const Item& item) {
  RETURN_IF_ERROR(CheckKeySizes(table, item));
  for (const auto& [name, v] : item) {
    if (NestingDepth(v) > kMaxNestingDepth)
      return Status::InvalidArgument("Nesting Levels have exceeded supported limits");
  }
  if (ItemSize(item) > kMaxItemSize) return Status::InvalidArgument("Item size has exceeded the maximum allowed size");
  return ValidateIndexKeys(table, item);
}

ItemStore::ItemStore(storage::Engine* engine, Committer* committer) : engine_(engine), committer_(committer) {}

TableStats ItemStore::Stats(const TableRuntime& table) { return committer_->ReadStats(table); }

Result<WriteResult> ItemStore::Mutate(const std::shared_ptr<TableRuntime>& table, const Item& key, const MutateFn& fn,
                                      bool by_ttl) {
  // The version first: a definition published in between makes the commit re-plan (safe).
  const uint64_t info_version = table->info_version.load(std::memory_order_acquire);
  auto info = table->info();
  EncodedKey ek = KeyBytes(*table, *info, key);
  // A plain write that meets a transaction holding the item fails as DynamoDB's does.
  storage::KeyLocks::Guard guard;
  if (!locks_.LockUnlessTransaction(PartitionHash(ek.bytes) ^ table->id, kConflictGrace, &guard)) {
    return Status::TransactionConflict("Transaction is ongoing for the item");
  }
  std::string raw;
  bool found = false;
  RETURN_IF_ERROR(engine_->Get(storage::Cf::kItems, ek.bytes, &raw, &found));
  WriteResult result;
  if (found) {
    ASSIGN_OR_RETURN(result.old_item, DecodeLive(raw));
  }
  std::optional<Item> next = result.old_item;
  RETURN_IF_ERROR(fn(result.old_item ? &*result.old_item : nullptr, &next));
  if (next) RETURN_IF_ERROR(ValidateItemForWrite(*info, *next));
  const bool unchanged = (!next && !result.old_item) || (next && result.old_item && *next == *result.old_item);
  result.new_item = next;
  if (unchanged) {  // a write that changes nothing writes nothing
    result.capacity = UnchangedWriteCapacity(result.old_item);
    return result;
  }
  ASSIGN_OR_RETURN(PreparedWrite prepared, PrepareWrite(*committer_, engine_, *table, info, info_version, key, ek.hash,
                                                        result.old_item, raw, result.new_item, by_ttl));
  RETURN_IF_ERROR(committer_->Commit(
      [&](Committer::Context& ctx) {
        if (table->dropped) return TableGone();
        return ApplyPrepared(ctx, engine_, *table, ek.bytes, prepared);
      },
      &result.durable_token));
  result.capacity = WriteCapacity(prepared);
  return result;
}

Result<uint64_t> ItemStore::WriteBatchItems(const std::vector<BatchWrite>& writes, std::vector<Capacity>* capacity) {
  std::vector<TransactAction> actions;
  actions.reserve(writes.size());
  for (const auto& w : writes) {
    actions.push_back({w.table, w.key, [&w](const Item*, std::optional<Item>* next) {
                         *next = w.new_item;
                         return Status::Ok();
                       }});
  }
  ASSIGN_OR_RETURN(TransactResult r, Transact(actions, LockMode::kWait));
  if (!r.committed) {
    for (const auto& reason : r.reasons) {
      if (reason.code != CancellationReason::Code::kNone) return Status::InvalidArgument(reason.message);
    }
  }
  if (capacity) *capacity = std::move(r.capacity);
  return r.durable_token;
}

Result<TransactResult> ItemStore::Transact(const std::vector<TransactAction>& actions, LockMode mode) {
  struct State {
    EncodedKey ek;
    std::string raw;  // the stored version, if any
    std::optional<Item> old_item;
    std::optional<Item> next;
    std::optional<PreparedWrite> write;
  };
  const size_t n = actions.size();
  std::vector<State> st(n);
  std::vector<uint64_t> lock_hashes;
  lock_hashes.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    st[i].ek = KeyBytes(*actions[i].table, *actions[i].table->info(), actions[i].key);
    lock_hashes.push_back(PartitionHash(st[i].ek.bytes) ^ actions[i].table->id);
  }
  TransactResult result;
  std::optional<storage::KeyLocks::Guard> guard;
  if (mode == LockMode::kWait) {
    guard.emplace(locks_.LockMany(lock_hashes));
  } else {
    guard.emplace();
    // A short grace period for writers that are about to finish, then a conflict.
    std::vector<bool> busy;
    bool locked = false;
    const auto deadline = std::chrono::steady_clock::now() + kConflictGrace;
    for (;;) {
      locked = locks_.TryLockMany(lock_hashes, &*guard, &busy, /*transactional=*/true);
      if (locked || std::chrono::steady_clock::now() >= deadline) break;
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
    if (!locked) {
      result.reasons.resize(n);
      for (size_t i = 0; i < n; ++i) {
        if (busy[i]) {
          result.reasons[i].code = CancellationReason::Code::kTransactionConflict;
          result.reasons[i].message = "Transaction is ongoing for the item";
        }
      }
      return result;
    }
  }
  for (size_t i = 0; i < n; ++i) {
    bool found = false;
    RETURN_IF_ERROR(engine_->Get(storage::Cf::kItems, st[i].ek.bytes, &st[i].raw, &found));
    if (found) {
      ASSIGN_OR_RETURN(st[i].old_item, DecodeLive(st[i].raw));
    }
  }
  bool cancelled = false;
  result.reasons.resize(n);
  for (size_t i = 0; i < n; ++i) {
    auto& reason = result.reasons[i];
    st[i].next = st[i].old_item;
    Status s = actions[i].fn(st[i].old_item ? &*st[i].old_item : nullptr, &st[i].next);
    if (s.ok() && st[i].next) s = ValidateItemForWrite(*actions[i].table->info(), *st[i].next);
    if (s.ok()) continue;
    cancelled = true;
    if (s.code() == StatusCode::kConditionFailed) {
      reason.code = CancellationReason::Code::kConditionalCheckFailed;
      reason.item = st[i].old_item;
    } else if (s.code() == StatusCode::kInvalidArgument) {
      reason.code = CancellationReason::Code::kValidationError;
    } else {
      return s;
    }
    reason.message = s.message();
  }
  if (cancelled) return result;
  result.reasons.clear();
  for (size_t i = 0; i < n; ++i) {
    const auto& old_item = st[i].old_item;
    const auto& next = st[i].next;
    if ((!next && !old_item) || (next && old_item && *next == *old_item)) continue;  // no change
    const uint64_t version = actions[i].table->info_version.load(std::memory_order_acquire);
    ASSIGN_OR_RETURN(st[i].write, PrepareWrite(*committer_, engine_, *actions[i].table, actions[i].table->info(),
                                               version, actions[i].key, st[i].ek.hash, old_item, st[i].raw, next));
  }
  RETURN_IF_ERROR(committer_->Commit(
      [&](Committer::Context& ctx) {
        for (size_t i = 0; i < n; ++i) {
          if (actions[i].table->dropped) return TableGone();
          if (st[i].write)
            RETURN_IF_ERROR(ApplyPrepared(ctx, engine_, *actions[i].table, st[i].ek.bytes, *st[i].write));
        }
        return Status::Ok();
      },
      &result.durable_token));
  result.committed = true;
  result.capacity.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    result.capacity.push_back(st[i].write ? WriteCapacity(*st[i].write) : UnchangedWriteCapacity(st[i].old_item));
  }
  return result;
}

Result<std::vector<std::optional<Item>>> ItemStore::GetMany(
    const std::vector<std::pair<std::shared_ptr<TableRuntime>, Item>>& keys) {
  auto snapshot = engine_->GetSnapshot();
  std::vector<std::optional<Item>> out;
  out.reserve(keys.size());
  for (const auto& [table, key] : keys) {
    EncodedKey ek = KeyBytes(*table, *table->info(), key);
    std::string raw;
    bool found = false;
    RETURN_IF_ERROR(engine_->Get(storage::Cf::kItems, ek.bytes, &raw, &found, snapshot.get()));
    if (!found) {
      out.emplace_back();
      continue;
    }
    ASSIGN_OR_RETURN(std::optional<Item> item, DecodeLive(raw));
    out.push_back(std::move(item));
  }
  return out;
}

Result<std::optional<Item>> ItemStore::Get(const TableRuntime& table, const Item& key) {
  auto info = table.info();
  EncodedKey ek = KeyBytes(table, *info, key);
  std::string raw;
  bool found = false;
  RETURN_IF_ERROR(engine_->Get(storage::Cf::kItems, ek.bytes, &raw, &found));
  if (!found) return std::optional<Item>();
  return DecodeLive(raw);
}

namespace {

// What a read walks: a table, or one of its indexes.
struct ReadTarget {
  const TableRuntime* table;
  const TableInfo* info;
  const IndexInfo* index;  // null: the table itself

  uint32_t storage_id() const { return index ? index->id : table->id; }
  Item PageKey(const Item& item) const { return index ? IndexPageKey(*info, *index, item) : KeyOf(*info, item); }
  // The storage key of a validated ExclusiveStartKey.
  Result<EncodedKey> StartKey(const Item& start) const {
    if (!index) return KeyBytes(*table, *info, start);
    uint64_t hash = 0;
    std::optional<std::string> k = IndexEntryKey(*info, *index, start, &hash);
    if (!k) return Status::InvalidArgument("The provided starting key is invalid");
    EncodedKey ek;
    ek.bytes = std::move(*k);
    ek.hash = hash;
    return ek;
  }
};

// Reads [lower, upper) in the given direction into a page. With fetch set (a local index
// read that needs attributes it does not project), each entry is replaced by its table item,
// read from the same snapshot.
Result<Page> ReadRange(storage::Engine* engine, const ReadTarget& target, std::string lower, std::string upper,
                       bool forward, int64_t limit, bool fetch,
                       const std::function<Result<bool>(const Item&)>& filter) {
  Page page;
  if (lower >= upper && !upper.empty()) return page;
  auto snapshot = engine->GetSnapshot();
  auto it = engine->NewIterator(storage::Cf::kItems, lower, upper, snapshot.get());
  if (forward)
    it->SeekToFirst();
  else
    it->SeekToLast();
  for (; it->Valid(); forward ? it->Next() : it->Prev()) {
    ASSIGN_OR_RETURN(std::optional<Item> item, DecodeLive(it->value()));
    if (!item) continue;
    ++page.scanned;
    page.bytes_read += ItemSize(*item);
    if (fetch) {  // an index entry holds the table key
      std::string raw;
      bool found = false;
      RETURN_IF_ERROR(engine->Get(storage::Cf::kItems, KeyBytes(*target.table, *target.info, *item).bytes, &raw, &found,
                                  snapshot.get()));
      if (found) {
        ASSIGN_OR_RETURN(std::optional<Item> full, DecodeLive(raw));
        if (full) {
          page.fetched_bytes += ItemSize(*full);
          item = std::move(full);
        }
      }
    }
    bool keep = true;
    if (filter) {
      ASSIGN_OR_RETURN(keep, filter(*item));
    }
    const bool stop = (limit > 0 && page.scanned >= limit) || page.bytes_read >= kMaxPageBytes;
    if (stop) page.last_evaluated_key = target.PageKey(*item);
    if (keep) page.items.push_back(std::move(*item));
    if (stop) break;
  }
  RETURN_IF_ERROR(it->status());
  return page;
}

}  // namespace

Result<Page> ItemStore::Query(const TableRuntime& table, const QuerySpec& spec) {
  auto info = table.info();
  const ReadTarget target{&table, info.get(), spec.index};
  EncodedKey ek = EncodeItemKey(target.storage_id(), spec.partition_key, nullptr);
  const std::string prefix = ek.bytes;
  std::string lower = prefix;
  std::string upper = PrefixSuccessor(prefix);
  // Keys are prefix-free, and an index entry continues after its index key with the table
  // key: every key whose sort key is v starts with prefix + enc(v).
  auto key_with = [&](const AttributeValue& v) {
    std::string k = prefix;
    EncodeKeyValue(v, &k);
    return k;
  };
  using Op = SortKeyCondition::Op;
  switch (spec.sort.op) {
    case Op::kNone: break;
    case Op::kEq:
      lower = key_with(spec.sort.a);
      upper = PrefixSuccessor(lower);
      break;
    case Op::kLt: upper = key_with(spec.sort.a); break;
    case Op::kLe: upper = PrefixSuccessor(key_with(spec.sort.a)); break;
    case Op::kGt: lower = PrefixSuccessor(key_with(spec.sort.a)); break;
    case Op::kGe: lower = key_with(spec.sort.a); break;
    case Op::kBetween:
      lower = key_with(spec.sort.a);
      upper = PrefixSuccessor(key_with(spec.sort.b));
      break;
    case Op::kBeginsWith: {
      std::string p = prefix;
      AppendEscapedKeyBytes(spec.sort.a.scalar, &p);
      lower = p;
      upper = PrefixSuccessor(p);
      break;
    }
  }
  if (spec.exclusive_start) {
    ASSIGN_OR_RETURN(EncodedKey start, target.StartKey(*spec.exclusive_start));
    if (spec.forward) {
      std::string after = start.bytes + '\0';
      if (after > lower) lower = after;
    } else if (start.bytes < upper) {
      upper = start.bytes;
    }
  }
  if (lower >= upper) return Page();
  return ReadRange(engine_, target, lower, upper, spec.forward, spec.limit, spec.fetch_from_table, spec.filter);
}

Result<Page> ItemStore::Scan(const TableRuntime& table, const ScanSpec& spec) {
  auto info = table.info();
  const ReadTarget target{&table, info.get(), spec.index};
  const uint32_t id = target.storage_id();
  const unsigned __int128 space = static_cast<unsigned __int128>(1) << 64;
  const uint64_t lo =
      static_cast<uint64_t>(space * static_cast<unsigned>(spec.segment) / static_cast<unsigned>(spec.total_segments));
  const bool last = spec.segment + 1 == spec.total_segments;
  const uint64_t hi = last ? 0
                           : static_cast<uint64_t>(space * static_cast<unsigned>(spec.segment + 1) /
                                                   static_cast<unsigned>(spec.total_segments));
  std::string lower = TablePrefix(id);
  PutFixed64BE(lo, &lower);
  std::string upper;
  if (last) {
    upper = TablePrefixEnd(id);
  } else {
    upper = TablePrefix(id);
    PutFixed64BE(hi, &upper);
  }
  if (spec.exclusive_start) {
    ASSIGN_OR_RETURN(EncodedKey start, target.StartKey(*spec.exclusive_start));
    if (start.hash < lo || (!last && start.hash >= hi)) {
      return Status::InvalidArgument("The provided Exclusive start key does not map to the provided segment");
    }
    std::string after = start.bytes + '\0';
    if (after > lower) lower = after;
  }
  if (lower >= upper) return Page();
  return ReadRange(engine_, target, lower, upper, true, spec.limit, spec.fetch_from_table, spec.filter);
}

Result<bool> ItemStore::BackfillIndex(const std::shared_ptr<TableRuntime>& table, uint32_t index_id,
                                      std::string* cursor, size_t max_items) {
  auto has_index = [&](const TableInfo& info) -> const IndexInfo* {
    for (const auto& i : info.indexes) {
      if (i.id == index_id) return &i;
    }
    return nullptr;
  };
  if (table->dropped || !has_index(*table->info())) return true;
  std::vector<std::string> keys;
  {
    std::string lower = cursor->empty() ? TablePrefix(table->id) : *cursor + '\0';
    auto it = engine_->NewIterator(storage::Cf::kItems, lower, TablePrefixEnd(table->id));
    for (it->SeekToFirst(); it->Valid() && keys.size() < max_items; it->Next()) keys.emplace_back(it->key());
    RETURN_IF_ERROR(it->status());
  }
  if (keys.empty()) return true;
  std::vector<uint64_t> lock_hashes;
  lock_hashes.reserve(keys.size());
  for (const auto& k : keys) lock_hashes.push_back(PartitionHash(k) ^ table->id);
  auto guard = locks_.LockMany(lock_hashes);
  struct Entry {
    std::string key, value;
    int64_t size;
  };
  std::vector<Entry> entries;
  auto info = table->info();
  const IndexInfo* index = has_index(*info);
  if (!index) return true;
  for (const auto& k : keys) {
    std::string raw;
    bool found = false;
    RETURN_IF_ERROR(engine_->Get(storage::Cf::kItems, k, &raw, &found));
    if (!found) continue;
    ASSIGN_OR_RETURN(StoredItem stored, DecodeStoredItem(raw));
    if (stored.header.tombstone) continue;
    std::optional<std::string> entry_key = IndexEntryKey(*info, *index, stored.item);
    if (!entry_key) continue;  // sparse, or an index key of another type
    std::string ignored;
    RETURN_IF_ERROR(engine_->Get(storage::Cf::kItems, *entry_key, &ignored, &found));
    if (found) continue;  // written by a writer since the index was added
    Item projected = ProjectForIndex(*info, *index, stored.item);
    Entry e{std::move(*entry_key), {}, static_cast<int64_t>(ItemSize(projected))};
    EncodeStoredItem(stored.header, projected, &e.value);
    entries.push_back(std::move(e));
  }
  uint64_t token = 0;
  bool gone = false;
  RETURN_IF_ERROR(committer_->Commit(
      [&](Committer::Context& ctx) {
        // Under the commit lock: the index is still there, so its entries are wanted.
        if (table->dropped || !has_index(*table->info())) {
          gone = true;
          return Status::Ok();
        }
        for (const auto& e : entries) {
          ctx.batch().Put(storage::Cf::kItems, e.key, e.value);
          ctx.AddIndexStats(*table, index_id, 1, e.size);
        }
        return Status::Ok();
      },
      &token));
  *cursor = keys.back();
  return gone || keys.size() < max_items;
}

Result<size_t> ItemStore::ItemCollectionSize(const TableRuntime& table, const AttributeValue& partition_key) {
  auto info = table.info();
  std::vector<uint32_t> ids{table.id};
  for (const auto& i : info->indexes) {
    if (!i.global) ids.push_back(i.id);
  }
  auto snapshot = engine_->GetSnapshot();
  size_t total = 0;
  for (uint32_t id : ids) {
    std::string prefix = EncodeItemKey(id, partition_key, nullptr).bytes;
    auto it = engine_->NewIterator(storage::Cf::kItems, prefix, PrefixSuccessor(prefix), snapshot.get());
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      ASSIGN_OR_RETURN(std::optional<Item> item, DecodeLive(it->value()));
      if (item) total += ItemSize(*item);
    }
    RETURN_IF_ERROR(it->status());
  }
  return total;
}

TableStats ItemStore::IndexStats(const TableRuntime& table, uint32_t index_id) {
  return committer_->ReadIndexStats(table, index_id);
}

}  // namespace floe::dynamo
