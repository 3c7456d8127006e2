#include "dynamo/table_schema.h"

#include "json/json.h"

namespace floe::dynamo {

const char* BillingModeName(BillingMode m) {
  return m == BillingMode::kProvisioned ? "PROVISIONED" : "PAY_PER_REQUEST";
}

void WriteKeyElement(json::Writer& w, const KeyElement& k) {
  w.StartObject();
  w.Key("name");
  w.String(k.name);
  w.Key("type");
  w.String(AttrTypeName(k.type));
  w.EndObject();
}

Result<KeyElement> ReadKeyElement(const json::Value* v) {
  if (!v || !v->is_object()) return Status::Corruption("catalog: bad key element");
  const json::Value* n = v->Find("name");
  const json::Value* t = v->Find("type");
  if (!n || !t || !n->is_string() || !t->is_string()) return Status::Corruption("catalog: bad key element");
  KeyElement k;
  k.name = n->str();
  if (t->str() == "S")
    k.type = AttrType::kS;
  else if (t->str() == "N")
    k.type = AttrType::kN;
  else if (t->str() == "B")
    k.type = AttrType::kB;
  else
    return Status::Corruption("catalog: bad key type");
  return k;
}

const char* ProjectionTypeName(ProjectionType p) {
  switch (p) {
    case ProjectionType::kAll: return "ALL";
    case ProjectionType::kKeysOnly: return "KEYS_ONLY";
    case ProjectionType::kInclude: return "INCLUDE";
  }
  return "ALL";
}

namespace {

int64_t GetInt(const json::Value& o, const char* key) {
  const json::Value* v = o.Find(key);
  int64_t r = 0;
  if (v) v->AsInt64(&r);
  return r;
}
}  // namespace

std::string EncodeTableInfo(const TableInfo& t) {
  json::Writer w;
  w.StartObject();
  w.Key("formatVersion");
  w.Int64(1);
  w.Key("name");
  w.String(t.name);
  w.Key("id");
  w.Uint64(t.id);
  w.Key("uuid");
  w.String(t.uuid);
  w.Key("arn");
  w.String(t.arn);
  w.Key("hashKey");
  WriteKeyElement(w, t.hash_key);
  if (t.range_key) {
    w.Key("rangeKey");
    WriteKeyElement(w, *t.range_key);
  }
  w.Key("attributeDefinitions");
  w.StartArray();
  for (const auto& a : t.attribute_definitions) WriteKeyElement(w, a);
  w.EndArray();
  w.Key("billingMode");
  w.String(BillingModeName(t.billing_mode));
  w.Key("readCapacity");
  w.Int64(t.read_capacity);
  w.Key("writeCapacity");
  w.Int64(t.write_capacity);
  w.Key("lastIncreaseMs");
  w.Int64(t.last_increase_ms);
  w.Key("lastDecreaseMs");
  w.Int64(t.last_decrease_ms);
  w.Key("decreasesToday");
  w.Int64(t.decreases_today);
  w.Key("payPerRequestSinceMs");
  w.Int64(t.pay_per_request_since_ms);
  w.Key("creationMs");
  w.Int64(t.creation_ms);
  w.Key("deletionProtection");
  w.Bool(t.deletion_protection);
  w.Key("tableClass");
  w.String(t.table_class);
  if (t.stream_enabled || !t.latest_stream_arn.empty()) {
    w.Key("streamEnabled");
    w.Bool(t.stream_enabled);
    w.Key("streamViewType");
    w.String(t.stream_view_type);
    w.Key("latestStreamArn");
    w.String(t.latest_stream_arn);
    w.Key("latestStreamLabel");
    w.String(t.latest_stream_label);
  }
  if (t.ttl_enabled || !t.ttl_attribute.empty()) {
    w.Key("ttlEnabled");
    w.Bool(t.ttl_enabled);
    w.Key("ttlAttribute");
    w.String(t.ttl_attribute);
  }
  if (!t.indexes.empty()) {
    w.Key("indexes");
    w.StartArray();
    for (const auto& i : t.indexes) {
      w.StartObject();
      w.Key("name");
      w.String(i.name);
      w.Key("id");
      w.Uint64(i.id);
      w.Key("global");
      w.Bool(i.global);
      w.Key("hashKey");
      WriteKeyElement(w, i.hash_key);
      if (i.range_key) {
        w.Key("rangeKey");
        WriteKeyElement(w, *i.range_key);
      }
      w.Key("projection");
      w.String(ProjectionTypeName(i.projection));
      if (i.projection == ProjectionType::kInclude) {
        w.Key("nonKeyAttributes");
        w.StartArray();
        for (const auto& a : i.non_key_attributes) w.String(a);
        w.EndArray();
      }
      if (i.global) {
        w.Key("readCapacity");
        w.Int64(i.read_capacity);
        w.Key("writeCapacity");
        w.Int64(i.write_capacity);
      }
      if (i.backfilling) {
        w.Key("backfilling");
        w.Bool(true);
      }
      w.EndObject();
    }
    w.EndArray();
  }
  if (!t.tags.empty()) {
    w.Key("tags");
    w.StartArray();
    for (const auto& [k, v] : t.tags) {
      w.StartArray();
      w.String(k);
      w.String(v);
      w.EndArray();
    }
    w.EndArray();
  }
  w.EndObject();
  return w.Take();
}

Result<TableInfo> DecodeTableInfo(std::string_view bytes) {
  auto parsed = json::Parse(bytes);
  if (!parsed.ok() || !parsed->is_object()) return Status::Corruption("catalog: table entry is not a JSON object");
  const json::Value& o = *parsed;
  TableInfo t;
  auto str = [&](const char* k) -> std::string {
    const json::Value* v = o.Find(k);
    return v && v->is_string() ? v->str() : std::string();
  };
  t.name = str("name");
  t.id = static_cast<uint32_t>(GetInt(o, "id"));
  t.uuid = str("uuid");
  t.arn = str("arn");
  ASSIGN_OR_RETURN(t.hash_key, ReadKeyElement(o.Find("hashKey")));
  if (o.Find("rangeKey")) {
    ASSIGN_OR_RETURN(KeyElement rk, ReadKeyElement(o.Find("rangeKey")));
    t.range_key = rk;
  }
  if (const json::Value* defs = o.Find("attributeDefinitions"); defs && defs->is_array()) {
    for (const auto& d : defs->items()) {
      ASSIGN_OR_RETURN(KeyElement k, ReadKeyElement(&d));
      t.attribute_definitions.push_back(k);
    }
  }
  t.billing_mode = str("billingMode") == "PAY_PER_REQUEST" ? BillingMode::kPayPerRequest : BillingMode::kProvisioned;
  t.read_capacity = GetInt(o, "readCapacity");
  t.write_capacity = GetInt(o, "writeCapacity");
  t.last_increase_ms = GetInt(o, "lastIncreaseMs");
  t.last_decrease_ms = GetInt(o, "lastDecreaseMs");
  t.decreases_today = GetInt(o, "decreasesToday");
  t.pay_per_request_since_ms = GetInt(o, "payPerRequestSinceMs");
  t.creation_ms = GetInt(o, "creationMs");
  if (const json::Value* v = o.Find("deletionProtection"); v && v->is_bool()) t.deletion_protection = v->as_bool();
  t.table_class = str("tableClass");
  if (t.table_class.empty()) t.table_class = "STANDARD";
  if (const json::Value* v = o.Find("streamEnabled"); v && v->is_bool()) t.stream_enabled = v->as_bool();
  t.stream_view_type = str("streamViewType");
  t.latest_stream_arn = str("latestStreamArn");
  t.latest_stream_label = str("latestStreamLabel");
  if (const json::Value* v = o.Find("ttlEnabled"); v && v->is_bool()) t.ttl_enabled = v->as_bool();
  t.ttl_attribute = str("ttlAttribute");
  if (const json::Value* tags = o.Find("tags"); tags && tags->is_array()) {
    for (const auto& pair : tags->items()) {
      if (!pair.is_array() || pair.items().size() != 2 || !pair.items()[0].is_string() ||
          !pair.items()[1].is_string()) {
        return Status::Corruption("catalog: bad tag");
      }
      t.tags.emplace_back(pair.items()[0].str(), pair.items()[1].str());
    }
  }
  if (const json::Value* list = o.Find("indexes"); list && list->is_array()) {
    for (const auto& e : list->items()) {
      if (!e.is_object()) return Status::Corruption("catalog: bad index");
      IndexInfo i;
      const json::Value* n = e.Find("name");
      const json::Value* p = e.Find("projection");
      if (!n || !n->is_string() || !p || !p->is_string()) return Status::Corruption("catalog: bad index");
      i.name = n->str();
      i.id = static_cast<uint32_t>(GetInt(e, "id"));
      if (const json::Value* g = e.Find("global"); g && g->is_bool()) i.global = g->as_bool();
      ASSIGN_OR_RETURN(i.hash_key, ReadKeyElement(e.Find("hashKey")));
      if (e.Find("rangeKey")) {
        ASSIGN_OR_RETURN(KeyElement rk, ReadKeyElement(e.Find("rangeKey")));
        i.range_key = rk;
      }
      if (p->str() == "ALL")
        i.projection = ProjectionType::kAll;
      else if (p->str() == "KEYS_ONLY")
        i.projection = ProjectionType::kKeysOnly;
      else if (p->str() == "INCLUDE")
        i.projection = ProjectionType::kInclude;
      else
        return Status::Corruption("catalog: bad projection");
      if (const json::Value* attrs = e.Find("nonKeyAttributes"); attrs && attrs->is_array()) {
        for (const auto& a : attrs->items()) {
          if (!a.is_string()) return Status::Corruption("catalog: bad projection");
          i.non_key_attributes.push_back(a.str());
        }
      }
      i.read_capacity = GetInt(e, "readCapacity");
      i.write_capacity = GetInt(e, "writeCapacity");
      if (const json::Value* b = e.Find("backfilling"); b && b->is_bool()) i.backfilling = b->as_bool();
      if (i.id == 0) return Status::Corruption("catalog: index lacks an id");
      t.indexes.push_back(std::move(i));
    }
  }
  if (t.name.empty() || t.id == 0) return Status::Corruption("catalog: table entry lacks name or id");
  return t;
}

}  // namespace floe::dynamo
