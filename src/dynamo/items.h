#pragma once
// Item operations on a table: single-item read-modify-write, batches, Query and Scan.
// Every mutation takes one path (DESIGN.md): under the item's key lock, read the current
// version, decide the new one, and commit the item and its change record in one WriteBatch.
// Thread-safe.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "dynamo/attribute_value.h"
#include "dynamo/change_log.h"
#include "dynamo/table_schema.h"
#include "storage/engine.h"

namespace floe::dynamo {

// ---- Key validation, with DynamoDB's messages (kInvalidArgument) ----

// The key attributes of a full item (PutItem, BatchWriteItem PutRequest).
Result<Item> KeyOfItem(const TableInfo& table, const Item& item);
// A Key parameter (GetItem, DeleteItem, ...): exactly the key attributes, right types.
Status ValidateKey(const TableInfo& table, const AttributeMap& key);
// Item-level limits: size, key sizes.
Status ValidateItemForWrite(const TableInfo& table, const Item& item);

// ---- Writes ----

// Decides an item's next state from its current one (null: absent). Setting *next to
// nullopt deletes the item; leaving it equal to the current state writes nothing.
// A non-ok status aborts the write and is returned to the caller.
using MutateFn = std::function<Status(const Item* current, std::optional<Item>* next)>;

// Capacity units one operation consumed on a table and its indexes (by index name), with
// DynamoDB's arithmetic (indexes.h WriteUnits / ReadUnits).
struct Capacity {
  double table = 0;
  std::map<std::string, double> global_indexes;
  std::map<std::string, double> local_indexes;

  double Total() const {
    double t = table;
    for (const auto& [n, u] : global_indexes) t += u;
    for (const auto& [n, u] : local_indexes) t += u;
    return t;
  }
  void Add(const Capacity& o, double factor = 1) {
    table += o.table * factor;
    for (const auto& [n, u] : o.global_indexes) global_indexes[n] += u * factor;
    for (const auto& [n, u] : o.local_indexes) local_indexes[n] += u * factor;
  }
};

struct WriteResult {
  std::optional<Item> old_item;  // the state before the write
  std::optional<Item> new_item;  // the state after it
  uint64_t durable_token = 0;    // for Engine::WhenDurable; 0 if nothing was written
  Capacity capacity;             // write units consumed
};

// One item of a transaction (TransactWriteItems) or batch: fn decides its next state as in
// Mutate; a kConditionFailed or kInvalidArgument status cancels the whole transaction.
struct TransactAction {
  std::shared_ptr<TableRuntime> table;
  Item key;  // validated
  MutateFn fn;
};

struct CancellationReason {
  enum class Code { kNone, kConditionalCheckFailed, kTransactionConflict, kValidationError };
  Code code = Code::kNone;
  std::string message;
  std::optional<Item> item;  // the item as it was, for a failed condition
};

struct TransactResult {
  bool committed = false;
  std::vector<CancellationReason> reasons;  // one per action when cancelled
  uint64_t durable_token = 0;
  std::vector<Capacity> capacity;  // per action when committed (non-transactional units)
};

// How Transact takes its key locks: wait for them (batches), or cancel with
// TransactionConflict when another writer holds one (transactions, as DynamoDB does).
enum class LockMode { kWait, kFailOnConflict };

struct BatchWrite {
  std::shared_ptr<TableRuntime> table;
  Item key;
  std::optional<Item> new_item;  // nullopt: delete
};

// ---- Reads ----

struct SortKeyCondition {
  enum class Op { kNone, kEq, kLt, kLe, kGt, kGe, kBetween, kBeginsWith };
  Op op = Op::kNone;
  AttributeValue a;
  AttributeValue b;  // upper bound for kBetween
};

struct QuerySpec {
  const IndexInfo* index = nullptr;  // null: the table; else one of its indexes (of the same info)
  bool fetch_from_table = false;     // local index: return the table's items
  AttributeValue partition_key;
  SortKeyCondition sort;
  bool forward = true;
  int64_t limit = 0;                    // 0: none
  std::optional<Item> exclusive_start;  // validated key
  // Applied after reading, before counting into Count (FilterExpression, QueryFilter).
  std::function<Result<bool>(const Item&)> filter;
};

struct ScanSpec {
  const IndexInfo* index = nullptr;
  bool fetch_from_table = false;
  int segment = 0;
  int total_segments = 1;
  int64_t limit = 0;
  std::optional<Item> exclusive_start;
  std::function<Result<bool>(const Item&)> filter;
};

struct Page {
  std::vector<Item> items;  // after the filter
  int64_t scanned = 0;      // items read, before the filter
  std::optional<Item> last_evaluated_key;
  size_t bytes_read = 0;     // of the entries read (table items, or index entries)
  size_t fetched_bytes = 0;  // of the table items fetched for a local index
};

constexpr size_t kMaxPageBytes = 1024 * 1024;

class ItemStore {
 public:
  ItemStore(storage::Engine* engine, Committer* committer);

  // Single-item read-modify-write. key must be validated. by_ttl marks the change record as
  // a deletion by the TTL expirer.
  Result<WriteResult> Mutate(const std::shared_ptr<TableRuntime>& table, const Item& key, const MutateFn& fn,
                             bool by_ttl = false);

  // Unconditional puts and deletes, committed in one WriteBatch. Keys must be distinct.
  // *capacity, if given, gets the write units of each write.
  Result<uint64_t> WriteBatchItems(const std::vector<BatchWrite>& writes, std::vector<Capacity>* capacity = nullptr);

  // All-or-nothing read-modify-write of several items (keys distinct and validated): under
  // every item's key lock, each fn sees its item's current state; if all succeed, every
  // change commits in one WriteBatch (one change record per changed item), else nothing does
  // and the result holds the reasons. Errors other than cancellation (I/O, a dropped table)
  // are returned as a status.
  Result<TransactResult> Transact(const std::vector<TransactAction>& actions, LockMode mode);

  // Point reads of several items from one consistent snapshot (TransactGetItems).
  Result<std::vector<std::optional<Item>>> GetMany(
      const std::vector<std::pair<std::shared_ptr<TableRuntime>, Item>>& keys);

  // Point read. key must be validated.
  Result<std::optional<Item>> Get(const TableRuntime& table, const Item& key);

  Result<Page> Query(const TableRuntime& table, const QuerySpec& spec);
  Result<Page> Scan(const TableRuntime& table, const ScanSpec& spec);

  // Backfills a new index from the table's items: writes the entries of up to max_items
  // items after *cursor (a storage key; empty: from the start), each under its key lock, and
  // advances *cursor. Entries that writers already made are left as they are. Returns true
  // when the whole table has been covered, or the index no longer exists.
  Result<bool> BackfillIndex(const std::shared_ptr<TableRuntime>& table, uint32_t index_id, std::string* cursor,
                             size_t max_items);

  // The size in bytes of an item collection: the table's items with this partition key and
  // their local index entries (ReturnItemCollectionMetrics).
  Result<size_t> ItemCollectionSize(const TableRuntime& table, const AttributeValue& partition_key);

  // Consistent statistics of a table, and of one of its indexes.
  TableStats Stats(const TableRuntime& table);
  TableStats IndexStats(const TableRuntime& table, uint32_t index_id);

  storage::Engine* engine() { return engine_; }

 private:
  storage::Engine* engine_;
  Committer* committer_;
  storage::KeyLocks locks_;
};

}  // namespace floe::dynamo
