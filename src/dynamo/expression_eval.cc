// Placeholder resolution, semantic validation and evaluation of expressions.
#include <algorithm>
#include <unordered_set>

#include "dynamo/decimal.h"
#include "dynamo/expression.h"

namespace floe::dynamo::expr {

namespace {

std::string Prefix(ExprKind k) { return std::string("Invalid ") + ExprKindName(k) + ": "; }

bool KeySyntax(const std::string& key, char lead) {
  if (key.size() < 2 || key[0] != lead) return false;
  for (size_t i = 1; i < key.size(); ++i) {
    char c = key[i];
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

std::string ShowOperand(const AttributeValue& v) {
  std::string shown = v.type == AttrType::kS || v.type == AttrType::kN ? v.scalar : "...";
  return std::string("AttributeValue: {") + AttrTypeName(v.type) + ":" + shown + "}";
}

const char* UpdateTypeName(AttrType t) {
  switch (t) {
    case AttrType::kS: return "STRING";
    case AttrType::kN: return "NUMBER";
    case AttrType::kB: return "BINARY";
    case AttrType::kNull: return "NULL";
    case AttrType::kBool: return "BOOLEAN";
    case AttrType::kL: return "LIST";
    case AttrType::kM: return "MAP";
    default: return nullptr;  // sets are allowed
  }
}

bool IsSet(AttrType t) { return t == AttrType::kSS || t == AttrType::kNS || t == AttrType::kBS; }

Status Invalid(std::string m) { return Status::InvalidArgument(std::move(m)); }

}  // namespace

const AttributeValue& Node::value() const {
  static const AttributeValue kEmpty;
  return shared_value ? *shared_value : kEmpty;
}

Result<Placeholders> Placeholders::Create(const std::map<std::string, std::string>* names,
                                          const std::map<std::string, AttributeValue>* values) {
  Placeholders p;
  if (names) {
    if (names->empty()) return Invalid("ExpressionAttributeNames must not be empty");
    for (const auto& [k, v] : *names) {
      if (!KeySyntax(k, '#'))
        return Invalid("ExpressionAttributeNames contains invalid key: Syntax error; key: \"" + k + "\"");
    }
    p.names_ = *names;
    p.has_names_ = true;
  }
  if (values) {
    if (values->empty()) return Invalid("ExpressionAttributeValues must not be empty");
    for (const auto& [k, v] : *values) {
      if (!KeySyntax(k, ':'))
        return Invalid("ExpressionAttributeValues contains invalid key: Syntax error; key: \"" + k + "\"");
    }
    for (const auto& [k, v] : *values) p.values_.emplace(k, std::make_shared<const AttributeValue>(v));
    p.has_values_ = true;
  }
  return p;
}

Status Placeholders::ResolvePath(Path& path, ExprKind kind) {
  for (auto& e : path) {
    if (!e.placeholder) continue;
    auto it = names_.find(e.name);
    if (it == names_.end()) {
      return Invalid(
          Prefix(kind) +
          "An expression attribute name used in the document path is not defined; attribute name: " + e.name);
    }
    used_names_.insert(e.name);
    e.name = it->second;
    e.placeholder = false;
  }
  return Status::Ok();
}

Status Placeholders::ResolveNode(Node& node, ExprKind kind) {
  if (node.kind == NodeKind::kPath) return ResolvePath(node.path, kind);
  if (node.kind == NodeKind::kValue) {
    auto it = values_.find(node.value_name);
    if (it == values_.end()) {
      return Invalid(
          Prefix(kind) +
          "An expression attribute value used in expression is not defined; attribute value: " + node.value_name);
    }
    used_values_.insert(node.value_name);
    node.shared_value = it->second;
    return Status::Ok();
  }
  for (auto& a : node.args) RETURN_IF_ERROR(ResolveNode(a, kind));
  return Status::Ok();
}

Result<Node> Placeholders::ResolveCondition(const Node& parsed, ExprKind kind) {
  Node n = parsed;
  RETURN_IF_ERROR(ResolveNode(n, kind));
  return n;
}

Result<ParsedUpdate> Placeholders::ResolveUpdate(const ParsedUpdate& parsed) {
  ParsedUpdate u = parsed;
  for (auto& c : u.clauses) {
    RETURN_IF_ERROR(ResolvePath(c.path, ExprKind::kUpdate));
    if (c.action != UpdateAction::kRemove) RETURN_IF_ERROR(ResolveNode(c.value, ExprKind::kUpdate));
  }
  // Overlapping and conflicting paths, on resolved names.
  for (size_t i = 0; i < u.clauses.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      const Path& a = u.clauses[j].path;
      const Path& b = u.clauses[i].path;
      bool diverged = false;
      for (size_t k = 0; k < a.size() && k < b.size(); ++k) {
        if (a[k].is_index() != b[k].is_index()) {
          return Invalid(
              "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of "
              "these paths; path one: " +
              PathToString(a) + ", path two: " + PathToString(b));
        }
        if (!(a[k] == b[k])) {
          diverged = true;
          break;
        }
      }
      if (!diverged) {
        return Invalid(
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these "
            "paths; path one: " +
            PathToString(a) + ", path two: " + PathToString(b));
      }
    }
  }
  return u;
}

Result<std::vector<Path>> Placeholders::ResolveProjection(const std::vector<Path>& parsed) {
  std::vector<Path> paths = parsed;
  for (auto& p : paths) RETURN_IF_ERROR(ResolvePath(p, ExprKind::kProjection));
  for (size_t i = 0; i < paths.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      const Path& a = paths[j];
      const Path& b = paths[i];
      size_t k = 0;
      bool conflict = false;
      for (; k < a.size() && k < b.size(); ++k) {
        if (a[k].is_index() != b[k].is_index()) {
          conflict = true;
          break;
        }
        if (!(a[k] == b[k])) break;
      }
      if (conflict) {
        return Invalid(
            "Invalid ProjectionExpression: Two document paths conflict with each other; must remove or rewrite one of "
            "these paths; path one: " +
            PathToString(a) + ", path two: " + PathToString(b));
      }
      if (k == std::min(a.size(), b.size())) {
        return Invalid(
            "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of "
            "these paths; path one: " +
            PathToString(a) + ", path two: " + PathToString(b));
      }
    }
  }
  return paths;
}

Status Placeholders::Finish() const {
  std::string unused;
  for (const auto& [k, v] : names_) {
    if (!used_names_.count(k)) unused += (unused.empty() ? "" : ", ") + k;
  }
  if (!unused.empty())
    return Invalid("Value provided in ExpressionAttributeNames unused in expressions: keys: {" + unused + "}");
  for (const auto& [k, v] : values_) {
    if (!used_values_.count(k)) unused += (unused.empty() ? "" : ", ") + k;
  }
  if (!unused.empty())
    return Invalid("Value provided in ExpressionAttributeValues unused in expressions: keys: {" + unused + "}");
  return Status::Ok();
}

Status ValidateCondition(const Node& n, ExprKind kind) {
  for (const auto& a : n.args) RETURN_IF_ERROR(ValidateCondition(a, kind));
  const std::string prefix = Prefix(kind);
  auto type_error = [&](const std::string& fn, AttrType t) {
    return Invalid(prefix + "Incorrect operand type for operator or function; operator or function: " + fn +
                   ", operand type: " + AttrTypeName(t));
  };
  if (n.kind == NodeKind::kFunction) {
    if (n.op == "begins_with") {
      for (const auto& a : n.args) {
        if (a.kind == NodeKind::kValue && a.value().type != AttrType::kS && a.value().type != AttrType::kB) {
          return type_error(n.op, a.value().type);
        }
      }
    } else if (n.op == "attribute_type") {
      const Node& t = n.args[1];
      if (t.kind != NodeKind::kValue || t.value().type != AttrType::kS) {
        if (t.kind == NodeKind::kValue) return type_error(n.op, t.value().type);
        return Invalid(prefix +
                       "Incorrect operand type for operator or function; operator or function: attribute_type, operand "
                       "type: {NS,SS,L,BS,N,M,B,BOOL,NULL,S}");
      }
      static const char* kTypes[] = {"S", "N", "B", "NULL", "SS", "BOOL", "L", "BS", "NS", "M"};
      if (std::none_of(std::begin(kTypes), std::end(kTypes), [&](const char* x) { return t.value().scalar == x; })) {
        return Invalid(prefix + "Invalid attribute type name found; type: " + t.value().scalar +
                       ", valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}");
      }
    } else if (n.op == "size") {
      const Node& a = n.args[0];
      if (a.kind == NodeKind::kValue &&
          (a.value().type == AttrType::kN || a.value().type == AttrType::kBool || a.value().type == AttrType::kNull)) {
        return type_error(n.op, a.value().type);
      }
    }
  }
  if (n.kind == NodeKind::kBetween && n.args[1].kind == NodeKind::kValue && n.args[2].kind == NodeKind::kValue) {
    const AttributeValue& lo = n.args[1].value();
    const AttributeValue& hi = n.args[2].value();
    if (lo.type != hi.type) {
      return Invalid(prefix +
                     "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: " +
                     ShowOperand(lo) + ", upper bound operand: " + ShowOperand(hi));
    }
    auto c = CompareScalars(lo, hi);
    if (c && *c > 0) {
      return Invalid(prefix +
                     "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower "
                     "bound operand: " +
                     ShowOperand(lo) + ", upper bound operand: " + ShowOperand(hi));
    }
  }
  return Status::Ok();
}

namespace {
Status ValidateUpdateValue(const Node& n) {
  for (const auto& a : n.args) RETURN_IF_ERROR(ValidateUpdateValue(a));
  auto check = [&](const char* fn, AttrType want) -> Status {
    for (const auto& a : n.args) {
      if (a.kind == NodeKind::kValue && a.value().type != want) {
        return Invalid(
            std::string(
                "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: ") +
            fn + ", operand type: " + AttrTypeName(a.value().type));
      }
    }
    return Status::Ok();
  };
  if (n.kind == NodeKind::kPlus) return check("+", AttrType::kN);
  if (n.kind == NodeKind::kMinus) return check("-", AttrType::kN);
  if (n.kind == NodeKind::kFunction && n.op == "list_append") return check("list_append", AttrType::kL);
  return Status::Ok();
}
}  // namespace

Status ValidateUpdate(const ParsedUpdate& u) {
  for (const auto& c : u.clauses) {
    if (c.action == UpdateAction::kSet) RETURN_IF_ERROR(ValidateUpdateValue(c.value));
    if (c.action == UpdateAction::kAdd || c.action == UpdateAction::kDelete) {
      const AttrType t = c.value.value().type;
      const bool ok = IsSet(t) || (c.action == UpdateAction::kAdd && t == AttrType::kN);
      if (!ok) {
        const char* tn = UpdateTypeName(t);
        return Invalid(
            std::string("Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ") +
            (c.action == UpdateAction::kAdd ? "ADD" : "DELETE") + ", operand type: " + (tn ? tn : AttrTypeName(t)));
      }
    }
  }
  return Status::Ok();
}

// ---- evaluation ----

const AttributeValue* ResolvePathIn(const Item& item, const Path& path) {
  if (path.empty() || path[0].is_index()) return nullptr;
  auto it = item.find(path[0].name);
  if (it == item.end()) return nullptr;
  const AttributeValue* cur = &it->second;
  for (size_t i = 1; i < path.size(); ++i) {
    const PathElement& e = path[i];
    if (e.is_index()) {
      if (cur->type != AttrType::kL || static_cast<size_t>(e.index) >= cur->list.size()) return nullptr;
      cur = &cur->list[static_cast<size_t>(e.index)];
    } else {
      if (cur->type != AttrType::kM) return nullptr;
      auto m = cur->map.find(e.name);
      if (m == cur->map.end()) return nullptr;
      cur = &m->second;
    }
  }
  return cur;
}

namespace {

// The value of an operand (path, value or size()), or null when absent.
const AttributeValue* Operand(const Node& n, const Item& item, AttributeValue* scratch) {
  switch (n.kind) {
    case NodeKind::kPath: return ResolvePathIn(item, n.path);
    case NodeKind::kValue: return &n.value();
    case NodeKind::kFunction:
      if (n.op == "size") {
        const AttributeValue* v = Operand(n.args[0], item, scratch);
        if (!v) return nullptr;
        size_t size;
        switch (v->type) {
          case AttrType::kS:
          case AttrType::kB: size = v->scalar.size(); break;
          case AttrType::kSS:
          case AttrType::kNS:
          case AttrType::kBS: size = v->set.size(); break;
          case AttrType::kL: size = v->list.size(); break;
          case AttrType::kM: size = v->map.size(); break;
          default: return nullptr;  // size of N, BOOL or NULL: no value, the condition is false
        }
        *scratch = AttributeValue::N(std::to_string(size));
        return scratch;
      }
      return nullptr;
    default: return nullptr;
  }
}

bool Contains(const AttributeValue& hay, const AttributeValue& needle) {
  switch (hay.type) {
    case AttrType::kS: return needle.type == AttrType::kS && hay.scalar.find(needle.scalar) != std::string::npos;
    case AttrType::kB: return needle.type == AttrType::kB && hay.scalar.find(needle.scalar) != std::string::npos;
    case AttrType::kSS:
      return needle.type == AttrType::kS && std::find(hay.set.begin(), hay.set.end(), needle.scalar) != hay.set.end();
    case AttrType::kBS:
      return needle.type == AttrType::kB && std::find(hay.set.begin(), hay.set.end(), needle.scalar) != hay.set.end();
    case AttrType::kNS:
      return needle.type == AttrType::kN && std::find(hay.set.begin(), hay.set.end(), needle.scalar) != hay.set.end();
    case AttrType::kL: return std::find(hay.list.begin(), hay.list.end(), needle) != hay.list.end();
    default: return false;
  }
}

}  // namespace

Result<bool> EvaluateCondition(const Node& n, const Item& item) {
  switch (n.kind) {
    case NodeKind::kAnd: {
      ASSIGN_OR_RETURN(bool a, EvaluateCondition(n.args[0], item));
      if (!a) return false;
      return EvaluateCondition(n.args[1], item);
    }
    case NodeKind::kOr: {
      ASSIGN_OR_RETURN(bool a, EvaluateCondition(n.args[0], item));
      if (a) return true;
      return EvaluateCondition(n.args[1], item);
    }
    case NodeKind::kNot: {
      ASSIGN_OR_RETURN(bool a, EvaluateCondition(n.args[0], item));
      return !a;
    }
    case NodeKind::kCompare: {
      AttributeValue s1, s2;
      const AttributeValue* a = Operand(n.args[0], item, &s1);
      const AttributeValue* b = Operand(n.args[1], item, &s2);
      if (n.op == "=") return a && b && *a == *b;
      if (n.op == "<>") return !(a && b && *a == *b);
      if (!a || !b) return false;
      auto c = CompareScalars(*a, *b);
      if (!c) return false;
      if (n.op == "<") return *c < 0;
      if (n.op == "<=") return *c <= 0;
      if (n.op == ">") return *c > 0;
      return *c >= 0;
    }
    case NodeKind::kBetween: {
      AttributeValue s1, s2, s3;
      const AttributeValue* x = Operand(n.args[0], item, &s1);
      const AttributeValue* lo = Operand(n.args[1], item, &s2);
      const AttributeValue* hi = Operand(n.args[2], item, &s3);
      if (!x || !lo || !hi) return false;
      auto c1 = CompareScalars(*x, *lo), c2 = CompareScalars(*x, *hi);
      return c1 && c2 && *c1 >= 0 && *c2 <= 0;
    }
    case NodeKind::kIn: {
      AttributeValue s;
      const AttributeValue* x = Operand(n.args[0], item, &s);
      if (!x) return false;
      for (size_t i = 1; i < n.args.size(); ++i) {
        AttributeValue t;
        const AttributeValue* v = Operand(n.args[i], item, &t);
        if (v && *v == *x) return true;
      }
      return false;
    }
    case NodeKind::kFunction: {
      if (n.op == "attribute_exists") return ResolvePathIn(item, n.args[0].path) != nullptr;
      if (n.op == "attribute_not_exists") return ResolvePathIn(item, n.args[0].path) == nullptr;
      AttributeValue s1, s2;
      const AttributeValue* a = Operand(n.args[0], item, &s1);
      const AttributeValue* b = n.args.size() > 1 ? Operand(n.args[1], item, &s2) : nullptr;
      if (n.op == "attribute_type") return a && b && b->type == AttrType::kS && b->scalar == AttrTypeName(a->type);
      if (n.op == "begins_with") {
        return a && b && a->type == b->type && (a->type == AttrType::kS || a->type == AttrType::kB) &&
               a->scalar.compare(0, b->scalar.size(), b->scalar) == 0;
      }
      if (n.op == "contains") return a && b && Contains(*a, *b);
      return false;
    }
    default: return Status::Internal("not a condition");
  }
}

namespace {

// Copies the value at path[depth..] of src into dst, creating the containers on the way.
void ProjectInto(const AttributeValue& src, const Path& path, size_t depth, AttributeValue* dst) {
  if (depth == path.size()) {
    *dst = src;
    return;
  }
  const PathElement& e = path[depth];
  if (e.is_index()) {
    if (src.type != AttrType::kL || static_cast<size_t>(e.index) >= src.list.size()) return;
    if (dst->type != AttrType::kL) {
      *dst = AttributeValue();
      dst->type = AttrType::kL;
    }
    // Projected list elements keep their relative order; record the source index while
    // building, in the map below.
    AttributeValue child;
    ProjectInto(src.list[static_cast<size_t>(e.index)], path, depth + 1, &child);
    dst->map["\x01" + std::to_string(1000000000 + e.index)] = std::move(child);  // compacted later
  } else {
    if (src.type != AttrType::kM) return;
    auto it = src.map.find(e.name);
    if (it == src.map.end()) return;
    if (dst->type != AttrType::kM) {
      *dst = AttributeValue();
      dst->type = AttrType::kM;
    }
    ProjectInto(it->second, path, depth + 1, &dst->map[e.name]);
  }
}

// Turns the temporary index-keyed maps of projected lists into lists, in index order, and
// drops containers that stayed empty because the path did not exist.
bool Compact(AttributeValue* v) {
  if (v->type == AttrType::kNull && !v->boolean) return false;  // created on the way, never filled
  if (v->type == AttrType::kL) {
    std::vector<AttributeValue> items;
    for (auto& [k, child] : v->map) {  // keys sort by index
      if (Compact(&child)) items.push_back(std::move(child));
    }
    v->map.clear();
    v->list = std::move(items);
    return !v->list.empty();
  }
  if (v->type == AttrType::kM && !v->map.empty()) {
    for (auto it = v->map.begin(); it != v->map.end();) {
      if (!Compact(&it->second))
        it = v->map.erase(it);
      else
        ++it;
    }
    return !v->map.empty();
  }
  return true;
}

}  // namespace

Item ProjectPaths(const Item& item, const std::vector<Path>& paths) {
  AttributeValue root;
  root.type = AttrType::kM;
  AttributeValue src;
  src.type = AttrType::kM;
  // Project against a view of the item as a map (copying only what is projected).
  for (const auto& p : paths) {
    if (p.empty()) continue;
    auto it = item.find(p[0].name);
    if (it == item.end()) continue;
    AttributeValue& slot = root.map[p[0].name];
    if (p.size() == 1) {
      slot = it->second;
    } else {
      ProjectInto(it->second, p, 1, &slot);
    }
  }
  Item out;
  for (auto& [name, v] : root.map) {
    if (Compact(&v)) out.emplace(name, std::move(v));
  }
  return out;
}

// ---- updates ----

namespace {

constexpr char kInvalidPath[] = "The document path provided in the update expression is invalid for update";
constexpr char kMissingAttr[] = "The provided expression refers to an attribute that does not exist in the item";
constexpr char kBadType[] = "An operand in the update expression has an incorrect data type";

constexpr char kTooLarge[] = "Item size has exceeded the maximum allowed size";

// Evaluates one SET value. Only list_append makes a value larger than its operands, so only
// its operands are measured (size non-null: set to the value's DynamoDB size): no list it
// builds may exceed the item size limit, so a request's work is bounded by its size (a
// list_append nested 255 deep over a large list would otherwise build hundreds of megabytes
// before the final item check). A plain SET value is measured once, with the item.
Result<AttributeValue> EvalUpdateValue(const Node& n, const Item& item, size_t* size) {
  auto checked = [&](AttributeValue v) -> Result<AttributeValue> {
    if (size == nullptr) return v;
    *size = AttributeValueSize(v);
    if (*size > kMaxItemSize) return Invalid(kTooLarge);
    return v;
  };
  switch (n.kind) {
    case NodeKind::kValue: return checked(n.value());
    case NodeKind::kPath: {
      const AttributeValue* v = ResolvePathIn(item, n.path);
      if (!v) return Invalid(kMissingAttr);
      return checked(*v);
    }
    case NodeKind::kPlus:
    case NodeKind::kMinus: {
      ASSIGN_OR_RETURN(AttributeValue a, EvalUpdateValue(n.args[0], item, nullptr));
      ASSIGN_OR_RETURN(AttributeValue b, EvalUpdateValue(n.args[1], item, nullptr));
      if (a.type != AttrType::kN || b.type != AttrType::kN) return Invalid(kBadType);
      ASSIGN_OR_RETURN(Decimal x, Decimal::Parse(a.scalar));
      ASSIGN_OR_RETURN(Decimal y, Decimal::Parse(b.scalar));
      ASSIGN_OR_RETURN(Decimal r, n.kind == NodeKind::kPlus ? Decimal::Add(x, y) : Decimal::Subtract(x, y));
      return checked(AttributeValue::N(r.ToString()));
    }
    case NodeKind::kFunction: {
      if (n.op == "if_not_exists") {
        const AttributeValue* v = ResolvePathIn(item, n.args[0].path);
        if (v) return checked(*v);
        return EvalUpdateValue(n.args[1], item, size);
      }
      if (n.op == "list_append") {
        size_t sa = 0, sb = 0;
        ASSIGN_OR_RETURN(AttributeValue a, EvalUpdateValue(n.args[0], item, &sa));
        ASSIGN_OR_RETURN(AttributeValue b, EvalUpdateValue(n.args[1], item, &sb));
        if (a.type != AttrType::kL || b.type != AttrType::kL) return Invalid(kBadType);
        const size_t appended = sa + sb - 3;  // the list overhead (3) counted once
        if (appended > kMaxItemSize) return Invalid(kTooLarge);
        if (size) *size = appended;
        for (auto& e : b.list) a.list.push_back(std::move(e));
        return a;
      }
      return Invalid("Invalid UpdateExpression: Invalid function name; function: " + n.op);
    }
    default: return Status::Internal("not an update value");
  }
}

// The container holding the last path element, or an error when the path cannot be updated.
// create_missing_top: a top-level attribute need not exist.
Result<AttributeValue*> ParentFor(Item* item, const Path& path) {
  auto it = item->find(path[0].name);
  if (it == item->end()) return Invalid(kInvalidPath);
  AttributeValue* cur = &it->second;
  for (size_t i = 1; i + 1 < path.size(); ++i) {
    const PathElement& e = path[i];
    if (e.is_index()) {
      if (cur->type != AttrType::kL || static_cast<size_t>(e.index) >= cur->list.size()) return Invalid(kInvalidPath);
      cur = &cur->list[static_cast<size_t>(e.index)];
    } else {
      if (cur->type != AttrType::kM) return Invalid(kInvalidPath);
      auto m = cur->map.find(e.name);
      if (m == cur->map.end()) return Invalid(kInvalidPath);
      cur = &m->second;
    }
  }
  return cur;
}

Status SetAt(Item* item, const Path& path, AttributeValue value) {
  if (path.size() == 1) {
    (*item)[path[0].name] = std::move(value);
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(AttributeValue * parent, ParentFor(item, path));
  const PathElement& last = path.back();
  if (last.is_index()) {
    if (parent->type != AttrType::kL) return Invalid(kInvalidPath);
    if (static_cast<size_t>(last.index) >= parent->list.size()) {
      parent->list.push_back(std::move(value));  // past the end: appended
    } else {
      parent->list[static_cast<size_t>(last.index)] = std::move(value);
    }
  } else {
    if (parent->type != AttrType::kM) return Invalid(kInvalidPath);
    parent->map[last.name] = std::move(value);
  }
  return Status::Ok();
}

AttributeValue* FindMutable(Item* item, const Path& path) {
  return const_cast<AttributeValue*>(ResolvePathIn(*item, path));
}

Result<AttributeValue> SetUnion(const AttributeValue& a, const AttributeValue& b) {
  if (a.type != b.type || !IsSet(a.type)) return Invalid(kBadType);
  AttributeValue r = a;
  for (const auto& e : b.set) {
    if (std::find(r.set.begin(), r.set.end(), e) == r.set.end()) r.set.push_back(e);
  }
  return r;
}

}  // namespace

Status ApplyUpdate(const ParsedUpdate& update, Item* item) {
  const Item original = *item;  // every value is computed from the item before the update
  // SET values first, all against the original item.
  std::vector<std::pair<const UpdateClause*, AttributeValue>> sets;
  for (const auto& c : update.clauses) {
    if (c.action != UpdateAction::kSet) continue;
    ASSIGN_OR_RETURN(AttributeValue v, EvalUpdateValue(c.value, original, nullptr));
    sets.emplace_back(&c, std::move(v));
  }
  for (auto& [c, v] : sets) RETURN_IF_ERROR(SetAt(item, c->path, std::move(v)));

  // REMOVE: list elements by descending index so earlier removals do not shift later ones.
  std::vector<const UpdateClause*> removes;
  for (const auto& c : update.clauses) {
    if (c.action == UpdateAction::kRemove) removes.push_back(&c);
  }
  std::stable_sort(removes.begin(), removes.end(), [](const UpdateClause* a, const UpdateClause* b) {
    return a->path.back().is_index() && b->path.back().is_index() && a->path.back().index > b->path.back().index;
  });
  for (const UpdateClause* c : removes) {
    const Path& p = c->path;
    if (p.size() == 1) {
      item->erase(p[0].name);
      continue;
    }
    auto parent = ParentFor(item, p);
    if (!parent.ok()) {
      // Removing below a missing attribute changes nothing; below a scalar it is an error.
      if (ResolvePathIn(*item, Path(p.begin(), p.end() - 1)) == nullptr) continue;
      return parent.status();
    }
    AttributeValue* container = *parent;
    const PathElement& last = p.back();
    if (last.is_index()) {
      if (container->type != AttrType::kL) return Invalid(kInvalidPath);
      if (static_cast<size_t>(last.index) < container->list.size()) {
        container->list.erase(container->list.begin() + last.index);
      }
    } else {
      if (container->type != AttrType::kM) return Invalid(kInvalidPath);
      container->map.erase(last.name);
    }
  }

  for (const auto& c : update.clauses) {
    if (c.action != UpdateAction::kAdd && c.action != UpdateAction::kDelete) continue;
    const AttributeValue& operand = c.value.value();
    AttributeValue* cur = FindMutable(item, c.path);
    if (c.action == UpdateAction::kAdd) {
      if (!cur) {
        RETURN_IF_ERROR(SetAt(item, c.path, operand));
        continue;
      }
      if (cur->type == AttrType::kN && operand.type == AttrType::kN) {
        ASSIGN_OR_RETURN(Decimal x, Decimal::Parse(cur->scalar));
        ASSIGN_OR_RETURN(Decimal y, Decimal::Parse(operand.scalar));
        ASSIGN_OR_RETURN(Decimal r, Decimal::Add(x, y));
        *cur = AttributeValue::N(r.ToString());
      } else {
        ASSIGN_OR_RETURN(*cur, SetUnion(*cur, operand));
      }
    } else {
      if (!cur) continue;
      if (cur->type != operand.type || !IsSet(cur->type)) return Invalid(kBadType);
      std::vector<std::string> kept;
      for (const auto& e : cur->set) {
        if (std::find(operand.set.begin(), operand.set.end(), e) == operand.set.end()) kept.push_back(e);
      }
      if (kept.empty()) {
        // An empty set cannot exist: the attribute goes away.
        if (c.path.size() == 1) {
          item->erase(c.path[0].name);
        } else {
          ASSIGN_OR_RETURN(AttributeValue * parent, ParentFor(item, c.path));
          if (c.path.back().is_index()) {
            parent->list.erase(parent->list.begin() + c.path.back().index);
          } else {
            parent->map.erase(c.path.back().name);
          }
        }
      } else {
        cur->set = std::move(kept);
      }
    }
  }
  return Status::Ok();
}

}  // namespace floe::dynamo::expr
