#pragma once
// DynamoDB's expression language: condition (ConditionExpression, FilterExpression,
// KeyConditionExpression), update (UpdateExpression) and projection (ProjectionExpression).
//
// One hand-written parser for the whole family: Parse*() turns text into an AST whose
// placeholders (#name, :value) are still symbolic, so parsed ASTs can be cached by text;
// Resolve() substitutes ExpressionAttributeNames/Values and checks them; then the
// evaluators run against items. Errors are kInvalidArgument with DynamoDB's messages
// ("Invalid ConditionExpression: Syntax error; token: ..."), the caller-facing prefix
// included.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "dynamo/attribute_value.h"

namespace floe::dynamo::expr {

// One step of a document path: an attribute/map key, or a list index.
struct PathElement {
  std::string name;    // map key, or the placeholder ("#n") before resolution
  int64_t index = -1;  // list index when >= 0
  bool placeholder = false;
  bool is_index() const { return index >= 0; }
  bool operator==(const PathElement& o) const { return name == o.name && index == o.index; }
};
using Path = std::vector<PathElement>;

enum class NodeKind {
  kPath,     // path
  kValue,    // value_name (":v") -> value after resolution
  kCompare,  // op in {"=", "<>", "<", "<=", ">", ">="}, args[0], args[1]
  kBetween,  // args[0] BETWEEN args[1] AND args[2]
  kIn,       // args[0] IN (args[1..])
  kAnd,
  kOr,
  kNot,
  kFunction,  // op = function name, args
  kPlus,      // update values: args[0] + args[1]
  kMinus,
};

struct Node {
  NodeKind kind = NodeKind::kPath;
  std::string op;
  Path path;
  std::string value_name;
  // kValue after resolution: the request's value, shared by every node that names it (a
  // placeholder used 300 times is not copied 300 times).
  std::shared_ptr<const AttributeValue> shared_value;
  std::vector<Node> args;
  // The resolved value of a kValue node (an empty value before resolution).
  const AttributeValue& value() const;
};

enum class UpdateAction { kSet, kRemove, kAdd, kDelete };

struct UpdateClause {
  UpdateAction action = UpdateAction::kSet;
  Path path;
  Node value;  // SET: the value expression; ADD/DELETE: a kValue node; REMOVE: unused
};

struct ParsedUpdate {
  std::vector<UpdateClause> clauses;
};

// Names of the expression parameters, for messages ("Invalid <kind>: ...").
enum class ExprKind { kCondition, kFilter, kKeyCondition, kUpdate, kProjection };
const char* ExprKindName(ExprKind k);

// Parsing (syntax and structure: function names and arity, reserved words, update
// sections, path overlaps, limits). Thread-safe; results are immutable.
Result<std::shared_ptr<const Node>> ParseCondition(const std::string& text, ExprKind kind);
Result<std::shared_ptr<const ParsedUpdate>> ParseUpdate(const std::string& text);
Result<std::shared_ptr<const std::vector<Path>>> ParseProjection(const std::string& text);

// The placeholders of one request. Resolve() marks what it uses; Finish() reports the
// unused ones as DynamoDB does.
class Placeholders {
 public:
  // Validates the parameter maps themselves (empty maps, key syntax, value validity).
  // names/values may be null (absent).
  static Result<Placeholders> Create(const std::map<std::string, std::string>* names,
                                     const std::map<std::string, AttributeValue>* values);
  Result<Node> ResolveCondition(const Node& parsed, ExprKind kind);
  Result<ParsedUpdate> ResolveUpdate(const ParsedUpdate& parsed);
  Result<std::vector<Path>> ResolveProjection(const std::vector<Path>& parsed);
  Status Finish() const;

 private:
  Status ResolvePath(Path& path, ExprKind kind);
  Status ResolveNode(Node& node, ExprKind kind);
  std::map<std::string, std::string> names_;
  std::map<std::string, std::shared_ptr<const AttributeValue>> values_;
  std::set<std::string> used_names_, used_values_;
  bool has_names_ = false, has_values_ = false;
};

// Semantic checks that need resolved values (operand types of functions, BETWEEN bounds).
Status ValidateCondition(const Node& resolved, ExprKind kind);
Status ValidateUpdate(const ParsedUpdate& resolved);

// ---- Evaluation ----

// Resolves a document path in an item; null when absent.
const AttributeValue* ResolvePathIn(const Item& item, const Path& path);
// Evaluates a resolved condition. Errors: none for well-typed input (kept for symmetry).
Result<bool> EvaluateCondition(const Node& cond, const Item& item);
// The item restricted to the given paths (ProjectionExpression semantics).
Item ProjectPaths(const Item& item, const std::vector<Path>& paths);
// Applies an update to item (the current state; empty when absent). Errors with
// DynamoDB's messages (kInvalidArgument).
Status ApplyUpdate(const ParsedUpdate& update, Item* item);

std::string PathToString(const Path& p);  // "[a, b, [0]]" as in DynamoDB's messages

bool IsReservedWord(std::string_view word);

}  // namespace floe::dynamo::expr
