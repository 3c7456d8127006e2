#include "api/expressions.h"

#include <map>

#include "api/params.h"
#include "dynamo/attribute_json.h"

namespace floe::api {

namespace ex = dynamo::expr;
using dynamo::AttributeValue;
using dynamo::AttrType;

namespace {

constexpr char kInvalid[] = "One or more parameter values were invalid: ";

bool Present(const json::Value& req, const char* name) {
  const json::Value* v = req.Find(name);
  return v && !v->is_null();
}

ex::Node PathNode(const std::string& attr) {
  ex::Node n;
  n.kind = ex::NodeKind::kPath;
  ex::PathElement e;
  e.name = attr;
  n.path.push_back(e);
  return n;
}

ex::Node ValueNode(AttributeValue v) {
  ex::Node n;
  n.kind = ex::NodeKind::kValue;
  n.shared_value = std::make_shared<const AttributeValue>(std::move(v));
  return n;
}

ex::Node Make(ex::NodeKind kind, std::string op, std::vector<ex::Node> args) {
  ex::Node n;
  n.kind = kind;
  n.op = std::move(op);
  n.args = std::move(args);
  return n;
}

bool ScalarType(AttrType t) { return t == AttrType::kS || t == AttrType::kN || t == AttrType::kB; }

// One legacy condition (Expected entry, QueryFilter/ScanFilter entry) as an AST node.
Result<ex::Node> LegacyCondition(const std::string& attr, const json::Value& cond, bool allow_exists) {
  if (!cond.is_object()) return Status::Serialization("Unexpected value type for a condition");
  std::optional<std::string> op;
  std::optional<bool> exists;
  RETURN_IF_ERROR(OptString(cond, "ComparisonOperator", &op));
  if (allow_exists) RETURN_IF_ERROR(OptBool(cond, "Exists", &exists));
  const json::Value* value_json = cond.Find("Value");
  if (value_json && value_json->is_null()) value_json = nullptr;
  if (!allow_exists) value_json = nullptr;
  const json::Value* list_json = nullptr;
  RETURN_IF_ERROR(OptArray(cond, "AttributeValueList", &list_json));
  Validator v;
  v.Enum(op, "comparisonOperator",
         {"IN", "NULL", "BETWEEN", "LT", "NOT_CONTAINS", "EQ", "GT", "NOT_NULL", "NE", "LE", "BEGINS_WITH", "GE",
          "CONTAINS"});
  if (!allow_exists) v.NotNull(op.has_value(), "comparisonOperator");
  RETURN_IF_ERROR(v.Done());

  std::vector<AttributeValue> values;
  if (list_json) {
    for (const auto& e : list_json->items()) {
      ASSIGN_OR_RETURN(AttributeValue av, dynamo::AttributeValueFromJson(e));
      values.push_back(std::move(av));
    }
  }
  if (op) {
    if (exists) {
      return Status::InvalidArgument(std::string(kInvalid) +
                                     "Exists and ComparisonOperator cannot be used together for Attribute: " + attr);
    }
    if (value_json && list_json) {
      return Status::InvalidArgument(std::string(kInvalid) +
                                     "Value and AttributeValueList cannot be used together for Attribute: " + attr);
    }
    if (value_json) {
      ASSIGN_OR_RETURN(AttributeValue av, dynamo::AttributeValueFromJson(*value_json));
      values.push_back(std::move(av));
    }
    const std::string& o = *op;
    size_t want = (o == "NULL" || o == "NOT_NULL") ? 0 : (o == "BETWEEN" ? 2 : 1);
    const bool count_ok = o == "IN" ? !values.empty() : values.size() == want;
    if (!count_ok) {
      return Status::InvalidArgument(std::string(kInvalid) + "Invalid number of argument(s) for the " + o +
                                     " ComparisonOperator");
    }
    for (const auto& val : values) {
      if (val.type != values[0].type) {
        return Status::InvalidArgument(std::string(kInvalid) +
                                       "AttributeValues inside AttributeValueList must be of same type");
      }
      bool type_ok = true;
      if (o == "LT" || o == "LE" || o == "GT" || o == "GE" || o == "BETWEEN" || o == "IN" || o == "CONTAINS" ||
          o == "NOT_CONTAINS") {
        type_ok = ScalarType(val.type);
      } else if (o == "BEGINS_WITH") {
        type_ok = val.type == AttrType::kS || val.type == AttrType::kB;
      }
      if (!type_ok) {
        return Status::InvalidArgument(std::string(kInvalid) + "ComparisonOperator " + o + " is not valid for " +
                                       AttrTypeName(val.type) + " AttributeValue type");
      }
    }
    if (o == "BETWEEN") {
      if (dynamo::CompareScalars(values[0], values[1]).value_or(0) > 0) {
        return Status::InvalidArgument(
            "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound");
      }
    }
    ex::Node path = PathNode(attr);
    using K = ex::NodeKind;
    static const std::map<std::string, std::string> kCompare = {{"EQ", "="},  {"NE", "<>"}, {"LT", "<"},
                                                                {"LE", "<="}, {"GT", ">"},  {"GE", ">="}};
    if (auto c = kCompare.find(o); c != kCompare.end())
      return Make(K::kCompare, c->second, {path, ValueNode(values[0])});
    if (o == "NULL") return Make(K::kFunction, "attribute_not_exists", {path});
    if (o == "NOT_NULL") return Make(K::kFunction, "attribute_exists", {path});
    if (o == "CONTAINS") return Make(K::kFunction, "contains", {path, ValueNode(values[0])});
    if (o == "NOT_CONTAINS") {
      return Make(K::kAnd, "",
                  {Make(K::kFunction, "attribute_exists", {path}),
                   Make(K::kNot, "", {Make(K::kFunction, "contains", {path, ValueNode(values[0])})})});
    }
    if (o == "BEGINS_WITH") return Make(K::kFunction, "begins_with", {path, ValueNode(values[0])});
    if (o == "BETWEEN") return Make(K::kBetween, "", {path, ValueNode(values[0]), ValueNode(values[1])});
    std::vector<ex::Node> args{path};
    for (auto& val : values) args.push_back(ValueNode(std::move(val)));
    return Make(K::kIn, "", std::move(args));
  }
  if (list_json) {
    return Status::InvalidArgument(
        std::string(kInvalid) + "AttributeValueList can only be used with a ComparisonOperator for Attribute: " + attr);
  }
  const bool must_exist = !exists.has_value() || *exists;
  if (must_exist && !value_json) {
    return Status::InvalidArgument(std::string(kInvalid) + "Value must be provided when Exists is " +
                                   (exists ? "true" : "null") + " for Attribute: " + attr);
  }
  if (!must_exist && value_json) {
    return Status::InvalidArgument(std::string(kInvalid) +
                                   "Value cannot be used when Exists is false for Attribute: " + attr);
  }
  if (!must_exist) return Make(ex::NodeKind::kFunction, "attribute_not_exists", {PathNode(attr)});
  ASSIGN_OR_RETURN(AttributeValue av, dynamo::AttributeValueFromJson(*value_json));
  return Make(ex::NodeKind::kCompare, "=", {PathNode(attr), ValueNode(std::move(av))});
}

// Expected / QueryFilter / ScanFilter combined with ConditionalOperator.
Result<std::optional<ex::Node>> LegacyConditions(const json::Value& req, const char* param, bool allow_exists) {
  const json::Value* conds = nullptr;
  RETURN_IF_ERROR(OptObject(req, param, &conds));
  std::optional<std::string> op;
  RETURN_IF_ERROR(OptString(req, "ConditionalOperator", &op));
  Validator v;
  v.Enum(op, "conditionalOperator", {"OR", "AND"});
  RETURN_IF_ERROR(v.Done());
  if (!conds || conds->members().empty()) return std::optional<ex::Node>();
  std::optional<ex::Node> combined;
  for (const auto& [attr, cond] : conds->members()) {
    ASSIGN_OR_RETURN(ex::Node n, LegacyCondition(attr, cond, allow_exists));
    if (!combined) {
      combined = std::move(n);
    } else {
      combined =
          Make(op && *op == "OR" ? ex::NodeKind::kOr : ex::NodeKind::kAnd, "", {std::move(*combined), std::move(n)});
    }
  }
  return combined;
}

Result<ex::ParsedUpdate> LegacyUpdates(const json::Value& updates) {
  ex::ParsedUpdate u;
  for (const auto& [attr, spec] : updates.members()) {
    if (!spec.is_object()) return Status::Serialization("Unexpected value type for AttributeValueUpdate");
    std::optional<std::string> action;
    RETURN_IF_ERROR(OptString(spec, "Action", &action));
    Validator v;
    v.Enum(action, "attributeUpdates." + attr + ".member.action", {"ADD", "PUT", "DELETE"});
    RETURN_IF_ERROR(v.Done());
    const std::string act = action.value_or("PUT");
    const json::Value* value_json = spec.Find("Value");
    if (value_json && value_json->is_null()) value_json = nullptr;
    std::optional<AttributeValue> value;
    if (value_json) {
      ASSIGN_OR_RETURN(AttributeValue av, dynamo::AttributeValueFromJson(*value_json));
      value = std::move(av);
    }
    if (!value && act != "DELETE") {
      return Status::InvalidArgument(std::string(kInvalid) +
                                     "Only DELETE action is allowed when no attribute value is specified");
    }
    ex::UpdateClause c;
    ex::PathElement e;
    e.name = attr;
    c.path.push_back(e);
    if (act == "PUT") {
      c.action = ex::UpdateAction::kSet;
      c.value = ValueNode(*value);
    } else if (act == "DELETE") {
      if (!value) {
        c.action = ex::UpdateAction::kRemove;
      } else {
        if (value->type != AttrType::kSS && value->type != AttrType::kNS && value->type != AttrType::kBS) {
          return Status::InvalidArgument(std::string(kInvalid) +
                                         "DELETE action with value is not supported for the type " +
                                         AttrTypeName(value->type));
        }
        c.action = ex::UpdateAction::kDelete;
        c.value = ValueNode(*value);
      }
    } else {  // ADD
      if (value->type == AttrType::kL) {
        // ADD of a list appends to it (creating it when absent).
        AttributeValue empty;
        empty.type = AttrType::kL;
        c.action = ex::UpdateAction::kSet;
        c.value = Make(
            ex::NodeKind::kFunction, "list_append",
            {Make(ex::NodeKind::kFunction, "if_not_exists", {PathNode(attr), ValueNode(empty)}), ValueNode(*value)});
      } else if (value->type == AttrType::kN || value->type == AttrType::kSS || value->type == AttrType::kNS ||
                 value->type == AttrType::kBS) {
        c.action = ex::UpdateAction::kAdd;
        c.value = ValueNode(*value);
      } else {
        return Status::InvalidArgument(std::string(kInvalid) + "ADD action is not supported for the type " +
                                       AttrTypeName(value->type));
      }
    }
    u.clauses.push_back(std::move(c));
  }
  return u;
}

}  // namespace

Result<RequestExpressions> ParseRequestExpressions(const json::Value& req, const ExpressionSpec& spec,
                                                   const dynamo::TableInfo* table) {
  // 1. Which parameters are present, and may they be combined?
  std::vector<std::string> exprs, value_exprs, legacy;
  auto consider = [&](bool enabled, const char* expr_name, const char* legacy_name, bool uses_values) {
    if (!enabled) return;
    if (uses_values) value_exprs.push_back(expr_name);
    if (Present(req, expr_name)) exprs.push_back(expr_name);
    if (legacy_name && Present(req, legacy_name)) legacy.push_back(legacy_name);
  };
  consider(spec.update, "UpdateExpression", "AttributeUpdates", true);
  consider(spec.condition, "ConditionExpression", "Expected", true);
  consider(spec.filter, "FilterExpression", spec.legacy_filter, true);
  consider(spec.key_condition, "KeyConditionExpression", nullptr, true);
  consider(spec.projection, "ProjectionExpression", "AttributesToGet", false);
  if (spec.key_condition && Present(req, "KeyConditions") && Present(req, "KeyConditionExpression")) {
    legacy.push_back("KeyConditions");
  }
  if (!exprs.empty() && !legacy.empty()) {
    auto join = [](const std::vector<std::string>& v) {
      std::string s;
      for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
      return s;
    };
    return Status::InvalidArgument(
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {" +
        join(legacy) + "} Expression parameters: {" + join(exprs) + "}");
  }
  const bool has_names = Present(req, "ExpressionAttributeNames");
  const bool has_values = Present(req, "ExpressionAttributeValues");
  if (has_names && exprs.empty()) {
    return Status::InvalidArgument("ExpressionAttributeNames can only be specified when using expressions");
  }
  bool any_value_expr = false;
  for (const auto& e : value_exprs) any_value_expr |= Present(req, e.c_str());
  if (has_values && !any_value_expr) {
    std::string list;
    for (size_t i = 0; i < value_exprs.size(); ++i) list += (i ? " and " : "") + value_exprs[i];
    return Status::InvalidArgument("ExpressionAttributeValues can only be specified when using expressions: " + list +
                                   (value_exprs.size() > 1 ? " are null" : " is null"));
  }

  // 2. Placeholders.
  std::map<std::string, std::string> names;
  std::map<std::string, AttributeValue> values;
  if (has_names) {
    const json::Value* obj = nullptr;
    RETURN_IF_ERROR(OptObject(req, "ExpressionAttributeNames", &obj));
    for (const auto& [k, v] : obj->members()) {
      if (!v.is_string()) return Status::Serialization("Unexpected value type in ExpressionAttributeNames");
      names[k] = v.str();
    }
  }
  if (has_values) {
    const json::Value* obj = nullptr;
    RETURN_IF_ERROR(OptObject(req, "ExpressionAttributeValues", &obj));
    for (const auto& [k, v] : obj->members()) {
      auto av = dynamo::AttributeValueFromJson(v);
      if (!av.ok()) {
        if (av.status().code() != StatusCode::kInvalidArgument) return av.status();
        return Status::InvalidArgument("ExpressionAttributeValues contains invalid value: " + av.status().message() +
                                       " for key " + k);
      }
      values[k] = std::move(av).value();
    }
  }
  ASSIGN_OR_RETURN(ex::Placeholders placeholders,
                   ex::Placeholders::Create(has_names ? &names : nullptr, has_values ? &values : nullptr));

  // 3. Expressions, in DynamoDB's order.
  RequestExpressions out;
  std::optional<std::string> text;
  if (spec.update) {
    RETURN_IF_ERROR(OptString(req, "UpdateExpression", &text));
    if (text) {
      ASSIGN_OR_RETURN(auto parsed, ex::ParseUpdate(*text));
      ASSIGN_OR_RETURN(ex::ParsedUpdate u, placeholders.ResolveUpdate(*parsed));
      RETURN_IF_ERROR(ex::ValidateUpdate(u));
      out.update = std::move(u);
    }
  }
  auto condition = [&](const char* param, ex::ExprKind kind, std::optional<ex::Node>* slot) -> Status {
    text.reset();
    RETURN_IF_ERROR(OptString(req, param, &text));
    if (!text) return Status::Ok();
    ASSIGN_OR_RETURN(auto parsed, ex::ParseCondition(*text, kind));
    ASSIGN_OR_RETURN(ex::Node n, placeholders.ResolveCondition(*parsed, kind));
    RETURN_IF_ERROR(ex::ValidateCondition(n, kind));
    *slot = std::move(n);
    return Status::Ok();
  };
  if (spec.condition) RETURN_IF_ERROR(condition("ConditionExpression", ex::ExprKind::kCondition, &out.condition));
  if (spec.key_condition)
    RETURN_IF_ERROR(condition("KeyConditionExpression", ex::ExprKind::kKeyCondition, &out.key_condition));
  if (spec.filter) RETURN_IF_ERROR(condition("FilterExpression", ex::ExprKind::kFilter, &out.filter));
  if (spec.projection) {
    text.reset();
    RETURN_IF_ERROR(OptString(req, "ProjectionExpression", &text));
    if (text) {
      ASSIGN_OR_RETURN(auto parsed, ex::ParseProjection(*text));
      ASSIGN_OR_RETURN(out.projection, placeholders.ResolveProjection(*parsed));
    }
  }
  RETURN_IF_ERROR(placeholders.Finish());

  // 4. Legacy parameters.
  if (spec.update && !out.update) {
    const json::Value* updates = nullptr;
    RETURN_IF_ERROR(OptObject(req, "AttributeUpdates", &updates));
    if (updates) {
      ASSIGN_OR_RETURN(ex::ParsedUpdate u, LegacyUpdates(*updates));
      out.update = std::move(u);
    }
  }
  if (spec.condition && !out.condition) {
    ASSIGN_OR_RETURN(out.condition, LegacyConditions(req, "Expected", true));
  }
  if (spec.filter && !out.filter) {
    ASSIGN_OR_RETURN(out.filter, LegacyConditions(req, spec.legacy_filter, false));
    if (out.filter && table) {
      const json::Value* conds = req.Find(spec.legacy_filter);
      for (const auto& [attr, c] : conds->members()) {
        if (attr == table->hash_key.name || (table->range_key && attr == table->range_key->name)) {
          return Status::InvalidArgument(
              std::string(kInvalid) + spec.legacy_filter +
              " can only contain non-primary key attributes: Primary key attribute: " + attr);
        }
      }
    }
  }
  if (spec.projection && !out.projection) {
    std::optional<std::vector<std::string>> attrs;
    RETURN_IF_ERROR(OptStringList(req, "AttributesToGet", &attrs));
    if (attrs) {
      std::vector<ex::Path> paths;
      for (const auto& a : *attrs) {
        for (const auto& p : paths) {
          if (p[0].name == a) {
            return Status::InvalidArgument(std::string(kInvalid) + "Duplicate value in attribute name: " + a);
          }
        }
        paths.push_back(PathNode(a).path);
      }
      out.projection = std::move(paths);
    }
  }
  return out;
}

Status CheckUpdateKeepsKey(const ex::ParsedUpdate& update, const dynamo::TableInfo& table) {
  for (const auto& c : update.clauses) {
    const std::string& top = c.path[0].name;
    if (top == table.hash_key.name || (table.range_key && top == table.range_key->name)) {
      return Status::InvalidArgument(std::string(kInvalid) + "Cannot update attribute " + top +
                                     ". This attribute is part of the key");
    }
  }
  return Status::Ok();
}

std::vector<ex::Path> UpdatedPaths(const ex::ParsedUpdate& update) {
  std::vector<ex::Path> out;
  for (const auto& c : update.clauses) out.push_back(c.path);
  return out;
}

}  // namespace floe::api
