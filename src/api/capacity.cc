#include "api/capacity.h"

namespace floe::api {

namespace {

void WriteUnits(json::Writer& w, double units, CapacityKind kind) {
  if (kind == CapacityKind::kRead) {
    w.Key("ReadCapacityUnits");
    w.Double(units);
  } else if (kind == CapacityKind::kWrite) {
    w.Key("WriteCapacityUnits");
    w.Double(units);
  }
  w.Key("CapacityUnits");
  w.Double(units);
}

void WriteIndexUnits(json::Writer& w, const char* member, const std::map<std::string, double>& units,
                     CapacityKind kind) {
  if (units.empty()) return;
  w.Key(member);
  w.StartObject();
  for (const auto& [name, u] : units) {
    w.Key(name);
    w.StartObject();
    WriteUnits(w, u, kind);
    w.EndObject();
  }
  w.EndObject();
}

}  // namespace

CapacityMode CapacityModeOf(const json::Value& request) {
  const json::Value* v = request.Find("ReturnConsumedCapacity");
  if (!v || !v->is_string()) return CapacityMode::kNone;
  if (v->str() == "TOTAL") return CapacityMode::kTotal;
  if (v->str() == "INDEXES") return CapacityMode::kIndexes;
  return CapacityMode::kNone;
}

void WriteCapacityObject(json::Writer& w, CapacityMode mode, const std::string& table, const dynamo::Capacity& c,
                         CapacityKind kind) {
  w.StartObject();
  w.Key("TableName");
  w.String(table);
  WriteUnits(w, c.Total(), kind);
  if (mode == CapacityMode::kIndexes) {
    w.Key("Table");
    w.StartObject();
    WriteUnits(w, c.table, kind);
    w.EndObject();
    WriteIndexUnits(w, "LocalSecondaryIndexes", c.local_indexes, kind);
    WriteIndexUnits(w, "GlobalSecondaryIndexes", c.global_indexes, kind);
  }
  w.EndObject();
}

void WriteCapacityMember(json::Writer& w, CapacityMode mode, const std::string& table, const dynamo::Capacity& c,
                         CapacityKind kind) {
  if (mode == CapacityMode::kNone) return;
  w.Key("ConsumedCapacity");
  WriteCapacityObject(w, mode, table, c, kind);
}

void CapacityByTable::Add(const std::string& table, const dynamo::Capacity& c, double factor) {
  for (auto& [name, total] : tables_) {
    if (name == table) {
      total.Add(c, factor);
      return;
    }
  }
  tables_.emplace_back(table, dynamo::Capacity());
  tables_.back().second.Add(c, factor);
}

void CapacityByTable::WriteMember(json::Writer& w, CapacityMode mode, CapacityKind kind) const {
  if (mode == CapacityMode::kNone) return;
  w.Key("ConsumedCapacity");
  w.StartArray();
  for (const auto& [name, c] : tables_) WriteCapacityObject(w, mode, name, c, kind);
  w.EndArray();
}

}  // namespace floe::api
