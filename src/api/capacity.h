#pragma once
// ReturnConsumedCapacity: the ConsumedCapacity member of responses, with DynamoDB's shape.
// TOTAL gives the table name and the total units; INDEXES adds the table's share and each
// index's. Internal to the api module.
#include <string>
#include <utility>
#include <vector>

#include "dynamo/items.h"
#include "json/json.h"

namespace floe::api {

enum class CapacityMode { kNone, kTotal, kIndexes };
// Transactions also state whether the units are read or write units.
enum class CapacityKind { kPlain, kRead, kWrite };

// The request's ReturnConsumedCapacity (validated by ValidateCommonEnums).
CapacityMode CapacityModeOf(const json::Value& request);

// One ConsumedCapacity object.
void WriteCapacityObject(json::Writer& w, CapacityMode mode, const std::string& table, const dynamo::Capacity& c,
                         CapacityKind kind = CapacityKind::kPlain);
// The "ConsumedCapacity" member of a single-table response; nothing for kNone.
void WriteCapacityMember(json::Writer& w, CapacityMode mode, const std::string& table, const dynamo::Capacity& c,
                         CapacityKind kind = CapacityKind::kPlain);

// Capacity of a multi-table operation, summed per table in the order tables first appear.
class CapacityByTable {
 public:
  void Add(const std::string& table, const dynamo::Capacity& c, double factor = 1);
  // The "ConsumedCapacity" member, an array with one object per table; nothing for kNone.
  void WriteMember(json::Writer& w, CapacityMode mode, CapacityKind kind = CapacityKind::kPlain) const;

 private:
  std::vector<std::pair<std::string, dynamo::Capacity>> tables_;
};

}  // namespace floe::api
