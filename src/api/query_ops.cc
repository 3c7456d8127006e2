// Query (KeyConditions) and Scan (including parallel scan).
#include "api/capacity.h"
#include "api/expressions.h"
#include "api/ops.h"
#include "api/params.h"
#include "dynamo/attribute_json.h"
#include "dynamo/catalog.h"
#include "dynamo/indexes.h"
#include "dynamo/items.h"

#include <functional>
#include <map>

namespace floe::api {

using dynamo::AttributeValue;
using dynamo::AttrType;
using dynamo::Item;
using Op = dynamo::SortKeyCondition::Op;
namespace ex = dynamo::expr;

namespace {

constexpr char kInvalid[] = "One or more parameter values were invalid: ";

struct SelectSpec {
  std::optional<std::string> select;
  bool count_only = false;
  std::optional<std::vector<ex::Path>> projection;
};

Status ParseSelect(const json::Value& req, Validator& v, bool index, SelectSpec* out) {
  std::optional<std::string>& select = out->select;
  RETURN_IF_ERROR(OptString(req, "Select", &select));
  v.Enum(select, "select", {"ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "SPECIFIC_ATTRIBUTES", "COUNT"});
  RETURN_IF_ERROR(v.Done());
  const char* projection_param = req.Find("ProjectionExpression") ? "ProjectionExpression" : "AttributesToGet";
  if (select && *select == "ALL_PROJECTED_ATTRIBUTES" && !index) {
    return Status::InvalidArgument(std::string(kInvalid) +
                                   "Select type ALL_PROJECTED_ATTRIBUTES is supported only for index queries");
  }
  if (select && *select == "COUNT") {
    if (out->projection) {
      return Status::InvalidArgument(std::string(kInvalid) + "Cannot specify the " + projection_param +
                                     " when choosing to get only the Count");
    }
    out->count_only = true;
  }
  if (select && *select == "ALL_ATTRIBUTES" && out->projection) {
    return Status::InvalidArgument(std::string(kInvalid) + "Cannot specify the " + projection_param +
                                   " when choosing to get ALL_ATTRIBUTES");
  }
  if (select && *select == "SPECIFIC_ATTRIBUTES" && !out->projection) {
    return Status::InvalidArgument(
        std::string(kInvalid) +
        "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES");
  }
  return Status::Ok();
}

Status ParseExclusiveStart(const json::Value& req, const dynamo::TableInfo& info, const dynamo::IndexInfo* index,
                           std::optional<Item>* out) {
  const json::Value* esk = nullptr;
  RETURN_IF_ERROR(OptObject(req, "ExclusiveStartKey", &esk));
  if (!esk) return Status::Ok();
  ASSIGN_OR_RETURN(Item key, dynamo::AttributeMapFromJson(*esk));
  Status st;
  if (!index) {
    st = dynamo::ValidateKey(info, key);
  } else {
    // An index position: the table key and the index key attributes, nothing else.
    Item table_key;
    for (const auto& [name, value] : key) {
      if (name == info.hash_key.name || (info.range_key && name == info.range_key->name))
        table_key.emplace(name, value);
    }
    st = dynamo::ValidateKey(info, table_key);
    if (st.ok() &&
        (dynamo::IndexPageKey(info, *index, key).size() != key.size() || !dynamo::IndexEntryKey(info, *index, key))) {
      st = Status::InvalidArgument("The provided key element does not match the schema");
    }
  }
  if (!st.ok()) return Status::InvalidArgument("The provided starting key is invalid: " + st.message());
  *out = std::move(key);
  return Status::Ok();
}

// The index a Query or Scan names, with DynamoDB's rules for reading it.
Status ResolveIndex(const std::optional<std::string>& name, const dynamo::TableInfo& info, bool consistent,
                    const SelectSpec& select, const dynamo::IndexInfo** out) {
  *out = nullptr;
  if (!name) return Status::Ok();
  const dynamo::IndexInfo* index = info.FindIndex(*name);
  if (!index) return Status::InvalidArgument("The table does not have the specified index: " + *name);
  if (index->global && consistent) {
    return Status::InvalidArgument("Consistent reads are not supported on global secondary indexes");
  }
  if (index->backfilling)
    return Status::InvalidArgument("Cannot read from backfilling global secondary index: " + *name);
  if (index->global && select.select && *select.select == "ALL_ATTRIBUTES" &&
      index->projection != dynamo::ProjectionType::kAll) {
    return Status::InvalidArgument(std::string(kInvalid) +
                                   "Select type ALL_ATTRIBUTES is not supported for global secondary index " + *name +
                                   " because its projection type is not ALL");
  }
  *out = index;
  return Status::Ok();
}

void CollectTopNames(const ex::Node& n, std::vector<std::string>* out) {
  if (n.kind == ex::NodeKind::kPath && !n.path.empty()) out->push_back(n.path[0].name);
  for (const auto& c : n.args) CollectTopNames(c, out);
}

// Whether a local index read must fetch table items: it asks for attributes the index does
// not project (global indexes return only what they project).
bool NeedsFetch(const dynamo::TableInfo& info, const dynamo::IndexInfo* index, const SelectSpec& select,
                const std::optional<ex::Node>& filter) {
  if (!index || index->global || index->projection == dynamo::ProjectionType::kAll) return false;
  if (select.select && *select.select == "ALL_ATTRIBUTES") return true;
  std::vector<std::string> names;
  if (select.projection) {
    for (const auto& p : *select.projection) {
      if (!p.empty()) names.push_back(p[0].name);
    }
  }
  if (filter) CollectTopNames(*filter, &names);
  for (const auto& n : names) {
    if (!dynamo::IsProjected(info, *index, n)) return true;
  }
  return false;
}

// A key schema as the key-condition checks see it: the table's or the index's.
dynamo::TableInfo KeyView(const dynamo::TableInfo& info, const dynamo::IndexInfo* index) {
  dynamo::TableInfo view;
  view.hash_key = index ? index->hash_key : info.hash_key;
  view.range_key = index ? index->range_key : info.range_key;
  return view;
}

// Read capacity of a page: the entries on the table or index read, the fetched items on the
// table.
dynamo::Capacity ReadCapacity(const dynamo::IndexInfo* index, const dynamo::Page& page, bool consistent) {
  dynamo::Capacity c;
  const double units = dynamo::ReadUnits(page.bytes_read, consistent);
  if (!index) {
    c.table = units;
  } else {
    (index->global ? c.global_indexes : c.local_indexes)[index->name] = units;
    if (page.fetched_bytes) c.table = dynamo::ReadUnits(page.fetched_bytes, consistent);
  }
  return c;
}

void WritePage(json::Writer& out, const dynamo::Page& page, const SelectSpec& select, CapacityMode mode,
               const std::string& table, const dynamo::Capacity& capacity) {
  out.StartObject();
  if (!select.count_only) {
    out.Key("Items");
    out.StartArray();
    for (const auto& item : page.items) {
      dynamo::WriteAttributeMap(out, select.projection ? ex::ProjectPaths(item, *select.projection) : item);
    }
    out.EndArray();
  }
  out.Key("Count");
  out.Int64(static_cast<int64_t>(page.items.size()));
  out.Key("ScannedCount");
  out.Int64(page.scanned);
  if (page.last_evaluated_key) {
    out.Key("LastEvaluatedKey");
    dynamo::WriteAttributeMap(out, *page.last_evaluated_key);
  }
  WriteCapacityMember(out, mode, table, capacity);
  out.EndObject();
}

std::string ShowValue(const AttributeValue& v) {
  return std::string("AttributeValue: {") + AttrTypeName(v.type) + ":" + v.scalar + "}";
}

// Legacy KeyConditions -> partition key and sort key condition.
Status ParseKeyConditions(const json::Value& conditions, const dynamo::TableInfo& info, dynamo::QuerySpec* spec) {
  bool have_hash = false;
  for (const auto& [name, cond] : conditions.members()) {
    if (!cond.is_object()) return Status::Serialization("Unexpected value type for Condition");
    std::optional<std::string> op;
    RETURN_IF_ERROR(OptString(cond, "ComparisonOperator", &op));
    Validator v;
    v.NotNull(op.has_value(), "keyConditions." + name + ".member.comparisonOperator");
    v.Enum(op, "keyConditions." + name + ".member.comparisonOperator",
           {"EQ", "NE", "IN", "LE", "LT", "GE", "GT", "BETWEEN", "NOT_NULL", "NULL", "CONTAINS", "NOT_CONTAINS",
            "BEGINS_WITH"});
    RETURN_IF_ERROR(v.Done());
    const json::Value* list = nullptr;
    RETURN_IF_ERROR(OptArray(cond, "AttributeValueList", &list));
    std::vector<AttributeValue> values;
    if (list) {
      for (const auto& e : list->items()) {
        ASSIGN_OR_RETURN(AttributeValue av, dynamo::AttributeValueFromJson(e));
        values.push_back(std::move(av));
      }
    }
    size_t expected = *op == "BETWEEN" ? 2 : (*op == "NULL" || *op == "NOT_NULL") ? 0 : 1;
    if (*op == "IN" ? values.empty() : values.size() != expected) {
      return Status::InvalidArgument(std::string(kInvalid) + "Invalid number of argument(s) for the " + *op +
                                     " ComparisonOperator");
    }
    const bool is_hash = name == info.hash_key.name;
    const bool is_range = info.range_key && name == info.range_key->name;
    if (!is_hash && !is_range) return Status::InvalidArgument("Query condition missed key schema element: " + name);
    const AttrType key_type = is_hash ? info.hash_key.type : info.range_key->type;
    for (const auto& val : values) {
      if (val.type != key_type) {
        return Status::InvalidArgument(std::string(kInvalid) + "Condition parameter type does not match schema type");
      }
    }
    if (is_hash) {
      if (*op != "EQ") return Status::InvalidArgument("Query key condition not supported");
      spec->partition_key = values[0];
      have_hash = true;
      continue;
    }
    dynamo::SortKeyCondition& sk = spec->sort;
    if (*op == "EQ")
      sk.op = Op::kEq;
    else if (*op == "LT")
      sk.op = Op::kLt;
    else if (*op == "LE")
      sk.op = Op::kLe;
    else if (*op == "GT")
      sk.op = Op::kGt;
    else if (*op == "GE")
      sk.op = Op::kGe;
    else if (*op == "BETWEEN")
      sk.op = Op::kBetween;
    else if (*op == "BEGINS_WITH")
      sk.op = Op::kBeginsWith;
    else
      return Status::InvalidArgument("Query key condition not supported");
    if (sk.op == Op::kBeginsWith && key_type == AttrType::kN) {
      return Status::InvalidArgument(std::string(kInvalid) +
                                     "ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type");
    }
    sk.a = values[0];
    if (sk.op == Op::kBetween) {
      sk.b = values[1];
      if (dynamo::CompareScalars(sk.a, sk.b).value_or(0) > 0) {
        return Status::InvalidArgument(
            "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to "
            "lower bound; lower bound operand: " +
            ShowValue(sk.a) + ", upper bound operand: " + ShowValue(sk.b));
      }
    }
  }
  if (!have_hash) return Status::InvalidArgument("Query condition missed key schema element: " + info.hash_key.name);
  return Status::Ok();
}

// Records one key condition leaf (compare, BETWEEN, begins_with) on an attribute.
Status KeyLeaf(const ex::Node& n, const dynamo::TableInfo& info, std::map<std::string, ex::Node>* by_attr) {
  const char* kInvalidCond = "Invalid condition in KeyConditionExpression: ";
  std::string attr;
  int attr_index = -1;
  for (size_t i = 0; i < n.args.size(); ++i) {
    const ex::Node& a = n.args[i];
    if (a.kind == ex::NodeKind::kPath) {
      if (attr_index >= 0)
        return Status::InvalidArgument(std::string(kInvalidCond) + "Multiple attribute names used in one condition");
      if (a.path.size() > 1)
        return Status::InvalidArgument("KeyConditionExpressions cannot have conditions on nested attributes");
      attr = a.path[0].name;
      attr_index = static_cast<int>(i);
    } else if (a.kind == ex::NodeKind::kFunction) {
      return Status::InvalidArgument("KeyConditionExpressions cannot contain nested operations");
    }
  }
  if (attr_index < 0) return Status::InvalidArgument(std::string(kInvalidCond) + "No key attribute specified");
  const bool first_operand_rule = n.kind == ex::NodeKind::kBetween || n.kind == ex::NodeKind::kFunction;
  if (first_operand_rule && attr_index != 0) {
    return Status::InvalidArgument(std::string(kInvalidCond) + (n.kind == ex::NodeKind::kBetween ? "BETWEEN" : n.op) +
                                   " operator must have the key attribute as its first operand");
  }
  if (by_attr->count(attr))
    return Status::InvalidArgument("KeyConditionExpressions must only contain one condition per key");
  ex::Node leaf = n;
  if (n.kind == ex::NodeKind::kCompare && attr_index == 1) {  // ":v < sk" is "sk > :v"
    static const std::map<std::string, std::string> kFlip = {
        {"=", "="}, {"<", ">"}, {"<=", ">="}, {">", "<"}, {">=", "<="}};
    leaf.op = kFlip.at(n.op);
    std::swap(leaf.args[0], leaf.args[1]);
  }
  (*by_attr)[attr] = std::move(leaf);
  (void)info;
  return Status::Ok();
}

Status CollectKeyConditions(const ex::Node& n, const dynamo::TableInfo& info,
                            std::map<std::string, ex::Node>* by_attr) {
  const char* kBadOp = "Invalid operator used in KeyConditionExpression: ";
  switch (n.kind) {
    case ex::NodeKind::kAnd:
      RETURN_IF_ERROR(CollectKeyConditions(n.args[0], info, by_attr));
      return CollectKeyConditions(n.args[1], info, by_attr);
    case ex::NodeKind::kOr: return Status::InvalidArgument(std::string(kBadOp) + "OR");
    case ex::NodeKind::kNot: return Status::InvalidArgument(std::string(kBadOp) + "NOT");
    case ex::NodeKind::kIn: return Status::InvalidArgument(std::string(kBadOp) + "IN");
    case ex::NodeKind::kCompare:
      if (n.op == "<>") return Status::InvalidArgument(std::string(kBadOp) + "<>");
      return KeyLeaf(n, info, by_attr);
    case ex::NodeKind::kBetween: return KeyLeaf(n, info, by_attr);
    case ex::NodeKind::kFunction:
      if (n.op == "begins_with") return KeyLeaf(n, info, by_attr);
      if (n.op == "size") return Status::InvalidArgument("KeyConditionExpressions cannot contain nested operations");
      return Status::InvalidArgument(std::string(kBadOp) + n.op);
    default: return Status::InvalidArgument("Invalid KeyConditionExpression");
  }
}

Status ConvertKeyConditionExpression(const ex::Node& root, const dynamo::TableInfo& info, dynamo::QuerySpec* spec) {
  std::map<std::string, ex::Node> by_attr;
  RETURN_IF_ERROR(CollectKeyConditions(root, info, &by_attr));
  for (const auto& [attr, leaf] : by_attr) {
    const bool is_hash = attr == info.hash_key.name;
    const bool is_range = info.range_key && attr == info.range_key->name;
    if (!is_hash && !is_range) {
      return Status::InvalidArgument(
          "Query condition missed key schema element: " +
          (by_attr.count(info.hash_key.name) && info.range_key ? info.range_key->name : info.hash_key.name));
    }
    const dynamo::AttrType key_type = is_hash ? info.hash_key.type : info.range_key->type;
    for (size_t i = 1; i < leaf.args.size(); ++i) {
      if (leaf.args[i].value().type != key_type) {
        return Status::InvalidArgument(std::string(kInvalid) + "Condition parameter type does not match schema type");
      }
    }
    if (is_hash) {
      if (leaf.kind != ex::NodeKind::kCompare || leaf.op != "=")
        return Status::InvalidArgument("Query key condition not supported");
      spec->partition_key = leaf.args[1].value();
      continue;
    }
    dynamo::SortKeyCondition& sk = spec->sort;
    if (leaf.kind == ex::NodeKind::kBetween) {
      sk.op = Op::kBetween;
      sk.b = leaf.args[2].value();
    } else if (leaf.kind == ex::NodeKind::kFunction) {
      if (key_type == AttrType::kN) {
        return Status::InvalidArgument(
            "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: "
            "begins_with, operand type: N");
      }
      sk.op = Op::kBeginsWith;
    } else {
      static const std::map<std::string, Op> kOps = {
          {"=", Op::kEq}, {"<", Op::kLt}, {"<=", Op::kLe}, {">", Op::kGt}, {">=", Op::kGe}};
      sk.op = kOps.at(leaf.op);
    }
    sk.a = leaf.args[1].value();
  }
  if (!by_attr.count(info.hash_key.name)) {
    return Status::InvalidArgument("Query condition missed key schema element: " + info.hash_key.name);
  }
  return Status::Ok();
}

// Paths of a condition that name a key attribute (FilterExpression in Query may not).
std::optional<std::string> KeyAttributeIn(const ex::Node& n, const dynamo::TableInfo& info) {
  if (n.kind == ex::NodeKind::kPath && !n.path.empty()) {
    const std::string& a = n.path[0].name;
    if (a == info.hash_key.name || (info.range_key && a == info.range_key->name)) return a;
  }
  for (const auto& c : n.args) {
    if (auto k = KeyAttributeIn(c, info)) return k;
  }
  return std::nullopt;
}

std::function<Result<bool>(const Item&)> FilterFn(const std::optional<ex::Node>& filter) {
  if (!filter) return nullptr;
  return [f = *filter](const Item& item) { return ex::EvaluateCondition(f, item); };
}

}  // namespace

Status Query(OpContext& ctx, const json::Value& req, json::Writer& out) {
  std::optional<std::string> name, index;
  std::optional<int64_t> limit;
  std::optional<bool> forward, consistent;
  const json::Value* key_conditions = nullptr;
  RETURN_IF_ERROR(OptString(req, "TableName", &name));
  RETURN_IF_ERROR(OptString(req, "IndexName", &index));
  RETURN_IF_ERROR(OptInt(req, "Limit", &limit));
  RETURN_IF_ERROR(OptBool(req, "ScanIndexForward", &forward));
  RETURN_IF_ERROR(OptBool(req, "ConsistentRead", &consistent));
  RETURN_IF_ERROR(OptObject(req, "KeyConditions", &key_conditions));
  Validator v;
  v.TableName(name, "tableName");
  v.Min(limit, "limit", 1);
  ValidateCommonEnums(req, v);
  RETURN_IF_ERROR(v.Done());
  ExpressionSpec es;
  es.projection = es.filter = es.key_condition = true;
  es.legacy_filter = "QueryFilter";
  ASSIGN_OR_RETURN(auto table, FindTable(ctx, *name));
  auto info = table->info();
  ASSIGN_OR_RETURN(RequestExpressions exprs, ParseRequestExpressions(req, es, info.get()));
  SelectSpec select;
  select.projection = exprs.projection;
  RETURN_IF_ERROR(ParseSelect(req, v, index.has_value(), &select));
  if (!key_conditions && !exprs.key_condition) {
    return Status::InvalidArgument(
        "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.");
  }
  const dynamo::IndexInfo* idx = nullptr;
  RETURN_IF_ERROR(ResolveIndex(index, *info, consistent.value_or(false), select, &idx));
  const dynamo::TableInfo keys = KeyView(*info, idx);
  dynamo::QuerySpec spec;
  spec.index = idx;
  if (exprs.key_condition) {
    RETURN_IF_ERROR(ConvertKeyConditionExpression(*exprs.key_condition, keys, &spec));
  } else {
    RETURN_IF_ERROR(ParseKeyConditions(*key_conditions, keys, &spec));
  }
  if (exprs.filter && req.Find("FilterExpression")) {
    if (auto key = KeyAttributeIn(*exprs.filter, keys)) {
      return Status::InvalidArgument(
          "Filter Expression can only contain non-primary key attributes: Primary key attribute: " + *key);
    }
  }
  spec.forward = forward.value_or(true);
  spec.limit = limit.value_or(0);
  spec.filter = FilterFn(exprs.filter);
  spec.fetch_from_table = NeedsFetch(*info, idx, select, exprs.filter);
  RETURN_IF_ERROR(ParseExclusiveStart(req, *info, idx, &spec.exclusive_start));
  if (spec.exclusive_start && spec.exclusive_start->at(keys.hash_key.name) != spec.partition_key) {
    return Status::InvalidArgument(
        "The provided starting key is outside query boundaries based on provided conditions");
  }
  ASSIGN_OR_RETURN(dynamo::Page page, ctx.services.items->Query(*table, spec));
  WritePage(out, page, select, CapacityModeOf(req), *name, ReadCapacity(idx, page, consistent.value_or(false)));
  return Status::Ok();
}

Status Scan(OpContext& ctx, const json::Value& req, json::Writer& out) {
  std::optional<std::string> name, index;
  std::optional<int64_t> limit, segment, total_segments;
  std::optional<bool> consistent;
  RETURN_IF_ERROR(OptString(req, "TableName", &name));
  RETURN_IF_ERROR(OptString(req, "IndexName", &index));
  RETURN_IF_ERROR(OptInt(req, "Limit", &limit));
  RETURN_IF_ERROR(OptInt(req, "Segment", &segment));
  RETURN_IF_ERROR(OptInt(req, "TotalSegments", &total_segments));
  RETURN_IF_ERROR(OptBool(req, "ConsistentRead", &consistent));
  Validator v;
  v.TableName(name, "tableName");
  v.Min(limit, "limit", 1);
  v.Min(segment, "segment", 0);
  v.Max(segment, "segment", 999999);
  v.Min(total_segments, "totalSegments", 1);
  v.Max(total_segments, "totalSegments", 1000000);
  ValidateCommonEnums(req, v);
  RETURN_IF_ERROR(v.Done());
  ExpressionSpec es;
  es.projection = es.filter = true;
  es.legacy_filter = "ScanFilter";
  ASSIGN_OR_RETURN(RequestExpressions exprs, ParseRequestExpressions(req, es, nullptr));
  SelectSpec select;
  select.projection = exprs.projection;
  RETURN_IF_ERROR(ParseSelect(req, v, index.has_value(), &select));
  if (segment && !total_segments) {
    return Status::InvalidArgument(
        "The TotalSegments parameter is required but was not present in the request when Segment parameter is present");
  }
  if (total_segments && !segment) {
    return Status::InvalidArgument(
        "The Segment parameter is required but was not present in the request when parameter TotalSegments is present");
  }
  if (segment && *segment >= *total_segments) {
    return Status::InvalidArgument(
        "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: " +
        std::to_string(*segment) + " is not less than TotalSegments: " + std::to_string(*total_segments));
  }
  ASSIGN_OR_RETURN(auto table, FindTable(ctx, *name));
  auto info = table->info();
  const dynamo::IndexInfo* idx = nullptr;
  RETURN_IF_ERROR(ResolveIndex(index, *info, consistent.value_or(false), select, &idx));
  dynamo::ScanSpec spec;
  spec.index = idx;
  spec.fetch_from_table = NeedsFetch(*info, idx, select, exprs.filter);
  spec.segment = static_cast<int>(segment.value_or(0));
  spec.total_segments = static_cast<int>(total_segments.value_or(1));
  spec.limit = limit.value_or(0);
  spec.filter = FilterFn(exprs.filter);
  RETURN_IF_ERROR(ParseExclusiveStart(req, *info, idx, &spec.exclusive_start));
  ASSIGN_OR_RETURN(dynamo::Page page, ctx.services.items->Scan(*table, spec));
  WritePage(out, page, select, CapacityModeOf(req), *name, ReadCapacity(idx, page, consistent.value_or(false)));
  return Status::Ok();
}

}  // namespace floe::api
