#include "dynamo/items.h"

#include <chrono>
#include <thread>

#include "dynamo/item_codec.h"
#include "dynamo/key_codec.h"

namespace floe::dynamo {

namespace {

constexpr char kInvalid[] = "One or more parameter values were invalid: ";
constexpr char kKeyMismatch[] = "The provided key element does not match the schema";

Status CheckKeyValueNotEmpty(const KeyElement& k, const AttributeValue& v) {
  if (v.scalar.empty() && (v.type == AttrType::kS || v.type == AttrType::kB)) {
    return Status::InvalidArgument(
        std::string("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty ") +
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
// encoded early when the table logs changes; if that changes before the commit (a stream is
// enabled or disabled meanwhile), ApplyPrepared settles it under the lock.
struct PreparedWrite {
  std::string item_value;  // empty: delete the key
  std::string record;      // the change record, if encoded
  bool has_record = false;
  bool by_ttl = false;
  ChangeKind kind = ChangeKind::kInsert;
  uint64_t hlc = 0;
  uint64_t hash = 0;
  const Item* key = nullptr;  // outlives the commit
  // The images' encoded bodies: the old one in the stored bytes read before the write (which
  // outlive the commit), the new one in item_value.
  std::optional<std::string_view> old_body;
  int64_t item_delta = 0;
  int64_t size_delta = 0;

  void EncodeRecord(const std::string& region) {
    std::optional<std::string_view> new_body;
    if (!item_value.empty()) new_body = StoredItemBody(item_value);
    record = EncodeChange(kind, by_ttl, hlc, hash, region, *key, old_body ? &*old_body : nullptr,
                          new_body ? &*new_body : nullptr);
    has_record = true;
  }
};

// old_stored: the stored bytes of old_item (live version), which must outlive the commit.
PreparedWrite PrepareWrite(Committer& committer, const TableRuntime& table, const Item& key, uint64_t hash,
                           const std::optional<Item>& old_item, std::string_view old_stored,
                           const std::optional<Item>& new_item, bool by_ttl = false) {
  PreparedWrite p;
  p.by_ttl = by_ttl;
  p.hlc = committer.NewTimestamp();
  p.hash = hash;
  p.key = &key;
  if (old_item) p.old_body = StoredItemBody(old_stored);
  if (new_item) {
    VersionHeader h;
    h.hlc = p.hlc;
    h.region = committer.region();
    EncodeStoredItem(h, *new_item, &p.item_value);
  }
  p.kind = !old_item ? ChangeKind::kInsert : (new_item ? ChangeKind::kModify : ChangeKind::kRemove);
  if (table.log_changes.load(std::memory_order_relaxed)) p.EncodeRecord(committer.region());
  p.item_delta = p.kind == ChangeKind::kInsert ? 1 : (p.kind == ChangeKind::kRemove ? -1 : 0);
  p.size_delta = static_cast<int64_t>(new_item ? ItemSize(*new_item) : 0) -
                 static_cast<int64_t>(old_item ? ItemSize(*old_item) : 0);
  return p;
}

// Under the commit lock.
void ApplyPrepared(Committer::Context& ctx, const std::string& region, TableRuntime& table,
                   const std::string& key_bytes, PreparedWrite& p) {
  if (!p.item_value.empty()) {
    ctx.batch().Put(storage::Cf::kItems, key_bytes, p.item_value);
  } else {
    ctx.batch().Delete(storage::Cf::kItems, key_bytes);
  }
  const bool log = table.log_changes.load(std::memory_order_relaxed);
  if (log && !p.has_record) p.EncodeRecord(region);
  ctx.AddChange(table, log ? &p.record : nullptr, p.item_delta, p.size_delta);
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
      return Status::InvalidArgument(std::string(kInvalid) + "Type mismatch for key " + k->name +
                                     " expected: " + AttrTypeName(k->type) + " actual: " + AttrTypeName(it->second.type));
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
    if (NestingDepth(v) > kMaxNestingDepth) return Status::InvalidArgument("Nesting Levels have exceeded supported limits");
  }
  if (ItemSize(item) > kMaxItemSize) return Status::InvalidArgument("Item size has exceeded the maximum allowed size");
  return Status::Ok();
}

ItemStore::ItemStore(storage::Engine* engine, Committer* committer) : engine_(engine), committer_(committer) {}

TableStats ItemStore::Stats(const TableRuntime& table) { return committer_->ReadStats(table); }

Result<WriteResult> ItemStore::Mutate(const std::shared_ptr<TableRuntime>& table, const Item& key,
                                      const MutateFn& fn, bool by_ttl) {
  auto info = table->info();
  EncodedKey ek = KeyBytes(*table, *info, key);
  auto guard = locks_.Lock(PartitionHash(ek.bytes) ^ table->id);
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
  if (unchanged) return result;  // a write that changes nothing writes nothing
  PreparedWrite prepared = PrepareWrite(*committer_, *table, key, ek.hash, result.old_item, raw, next, by_ttl);
  RETURN_IF_ERROR(committer_->Commit(
      [&](Committer::Context& ctx) {
        if (table->dropped) return TableGone();
        ApplyPrepared(ctx, committer_->region(), *table, ek.bytes, prepared);
        return Status::Ok();
      },
      &result.durable_token));
  return result;
}

Result<uint64_t> ItemStore::WriteBatchItems(const std::vector<BatchWrite>& writes) {
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
    for (int attempt = 0; attempt < 20 && !locked; ++attempt) {
      locked = locks_.TryLockMany(lock_hashes, &*guard, &busy);
      if (!locked) std::this_thread::sleep_for(std::chrono::microseconds(50));
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
    st[i].write = PrepareWrite(*committer_, *actions[i].table, actions[i].key, st[i].ek.hash, old_item, st[i].raw, next);
  }
  RETURN_IF_ERROR(committer_->Commit(
      [&](Committer::Context& ctx) {
        for (size_t i = 0; i < n; ++i) {
          if (actions[i].table->dropped) return TableGone();
          if (st[i].write) ApplyPrepared(ctx, committer_->region(), *actions[i].table, st[i].ek.bytes, *st[i].write);
        }
        return Status::Ok();
      },
      &result.durable_token));
  result.committed = true;
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

// Reads [lower, upper) in the given direction into a page.
Result<Page> ReadRange(storage::Engine* engine, const TableInfo& info, std::string lower, std::string upper,
                       bool forward, int64_t limit, const std::function<Result<bool>(const Item&)>& filter) {
  Page page;
  auto it = engine->NewIterator(storage::Cf::kItems, lower, upper);
  if (lower >= upper && !upper.empty()) return page;
  if (forward) it->SeekToFirst(); else it->SeekToLast();
  for (; it->Valid(); forward ? it->Next() : it->Prev()) {
    ASSIGN_OR_RETURN(std::optional<Item> item, DecodeLive(it->value()));
    if (!item) continue;
    ++page.scanned;
    page.bytes_read += ItemSize(*item);
    bool keep = true;
    if (filter) {
      ASSIGN_OR_RETURN(keep, filter(*item));
    }
    const bool stop = (limit > 0 && page.scanned >= limit) || page.bytes_read >= kMaxPageBytes;
    if (stop) page.last_evaluated_key = KeyOf(info, *item);
    if (keep) page.items.push_back(std::move(*item));
    if (stop) break;
  }
  RETURN_IF_ERROR(it->status());
  return page;
}

}  // namespace

Result<Page> ItemStore::Query(const TableRuntime& table, const QuerySpec& spec) {
  auto info = table.info();
  EncodedKey ek = EncodeItemKey(table.id, spec.partition_key, nullptr);
  const std::string prefix = ek.bytes;
  std::string lower = prefix;
  std::string upper = PrefixSuccessor(prefix);
  auto key_with = [&](const AttributeValue& v) {
    std::string k = prefix;
    EncodeKeyValue(v, &k);
    return k;
  };
  using Op = SortKeyCondition::Op;
  switch (spec.sort.op) {
    case Op::kNone: break;
    case Op::kEq: lower = key_with(spec.sort.a); upper = lower + '\0'; break;
    case Op::kLt: upper = key_with(spec.sort.a); break;
    case Op::kLe: upper = key_with(spec.sort.a) + '\0'; break;
    case Op::kGt: lower = key_with(spec.sort.a) + '\0'; break;
    case Op::kGe: lower = key_with(spec.sort.a); break;
    case Op::kBetween:
      lower = key_with(spec.sort.a);
      upper = key_with(spec.sort.b) + '\0';
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
    std::string start = KeyBytes(table, *info, *spec.exclusive_start).bytes;
    if (spec.forward) {
      std::string after = start + '\0';
      if (after > lower) lower = after;
    } else if (start < upper) {
      upper = start;
    }
  }
  if (lower >= upper) return Page();
  return ReadRange(engine_, *info, lower, upper, spec.forward, spec.limit, spec.filter);
}

Result<Page> ItemStore::Scan(const TableRuntime& table, const ScanSpec& spec) {
  auto info = table.info();
  const unsigned __int128 space = static_cast<unsigned __int128>(1) << 64;
  const uint64_t lo = static_cast<uint64_t>(space * static_cast<unsigned>(spec.segment) /
                                            static_cast<unsigned>(spec.total_segments));
  const bool last = spec.segment + 1 == spec.total_segments;
  const uint64_t hi = last ? 0 : static_cast<uint64_t>(space * static_cast<unsigned>(spec.segment + 1) /
                                                       static_cast<unsigned>(spec.total_segments));
  std::string lower = TablePrefix(table.id);
  PutFixed64BE(lo, &lower);
  std::string upper;
  if (last) {
    upper = TablePrefixEnd(table.id);
  } else {
    upper = TablePrefix(table.id);
    PutFixed64BE(hi, &upper);
  }
  if (spec.exclusive_start) {
    EncodedKey start = KeyBytes(table, *info, *spec.exclusive_start);
    if (start.hash < lo || (!last && start.hash >= hi)) {
      return Status::InvalidArgument("The provided Exclusive start key does not map to the provided segment");
    }
    std::string after = start.bytes + '\0';
    if (after > lower) lower = after;
  }
  if (lower >= upper) return Page();
  return ReadRange(engine_, *info, lower, upper, true, spec.limit, spec.filter);
}

}  // namespace floe::dynamo
