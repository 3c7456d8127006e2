#include <gtest/gtest.h>

#include "dynamo/attribute_json.h"
#include "dynamo/expression.h"
#include "json/json.h"

namespace floe::dynamo::expr {
namespace {

Item ParseItem(const char* text) {
  auto v = json::Parse(text);
  EXPECT_TRUE(v.ok());
  return *AttributeMapFromJson(*v);
}

std::map<std::string, AttributeValue> Values() {
  return {{":one", AttributeValue::N("1")},
          {":two", AttributeValue::N("2")},
          {":s", AttributeValue::S("ab")},
          {":t", AttributeValue::S("S")}};
}

Result<bool> Eval(const std::string& text, const Item& item) {
  auto names = std::map<std::string, std::string>{{"#n", "n"}};
  auto values = Values();
  ASSIGN_OR_RETURN(Placeholders p, Placeholders::Create(&names, &values));
  ASSIGN_OR_RETURN(auto parsed, ParseCondition(text, ExprKind::kCondition));
  ASSIGN_OR_RETURN(Node n, p.ResolveCondition(*parsed, ExprKind::kCondition));
  RETURN_IF_ERROR(ValidateCondition(n, ExprKind::kCondition));
  return EvaluateCondition(n, item);
}

std::string Error(const std::string& text) {
  auto r = Eval(text, {});
  return r.ok() ? "ok" : r.status().message();
}

TEST(ExpressionParser, PrecedenceIsOrAndNot) {
  Item item = ParseItem(R"({"n":{"N":"1"},"s":{"S":"ab"}})");
  EXPECT_TRUE(*Eval("n = :one OR n = :two AND s = :one", item));  // OR binds loosest
  EXPECT_FALSE(*Eval("(n = :one OR n = :two) AND s = :one", item));
  EXPECT_FALSE(*Eval("NOT n = :one OR n = :two", item));  // NOT binds tighter than OR
  EXPECT_TRUE(*Eval("NOT (n = :two) AND #n = :one", item));
  EXPECT_TRUE(*Eval("n between :one and :two", item));  // keywords in any case
  EXPECT_TRUE(*Eval("n IN (:two, :one)", item));
  EXPECT_TRUE(*Eval("attribute_type(s, :t) AND begins_with(s, :s) AND size(s) = :two", item));
}

TEST(ExpressionParser, SyntaxErrorsNameTokenAndContext) {
  EXPECT_EQ(Error("n = "), "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"= \"");
  EXPECT_EQ(Error("n = :one )"), "Invalid ConditionExpression: Syntax error; token: \")\", near: \":one )\"");
  EXPECT_EQ(Error("n $ :one"), "Invalid ConditionExpression: Syntax error; token: \"$\", near: \"n $\"");
  EXPECT_EQ(Error("n[x] = :one"), "Invalid ConditionExpression: Syntax error; token: \"x\", near: \"[x\"");
  EXPECT_EQ(Error(""), "Invalid ConditionExpression: The expression can not be empty;");
  EXPECT_EQ(Error("name = :one"),
            "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: name");
  EXPECT_EQ(Error("n = :nope"),
            "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute "
            "value: :nope");
}

TEST(ExpressionParser, UpdateStructure) {
  auto u = ParseUpdate("SET a = b + :one, c[2] = list_append(c, :l) REMOVE d.e ADD f :s DELETE g :s");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  ASSERT_EQ((*u)->clauses.size(), 5u);
  EXPECT_EQ((*u)->clauses[0].value.kind, NodeKind::kPlus);
  EXPECT_EQ(PathToString((*u)->clauses[1].path), "[c, [2]]");
  EXPECT_EQ((*u)->clauses[2].action, UpdateAction::kRemove);
  EXPECT_FALSE(ParseUpdate("SET a = :v REMOVE").ok());
  EXPECT_FALSE(ParseUpdate("UPSERT a = :v").ok());
  EXPECT_EQ(ParseUpdate("REMOVE a REMOVE b").status().message(),
            "Invalid UpdateExpression: The \"REMOVE\" section can only be used once in an update expression;");
}

TEST(ExpressionParser, CacheReturnsTheSameTree) {
  auto a = ParseCondition("x = :y", ExprKind::kFilter);
  auto b = ParseCondition("x = :y", ExprKind::kFilter);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->get(), b->get());
}

Status Apply(const std::string& text, Item* item) {
  auto values = Values();
  values[":l"] = *AttributeValueFromJson(*json::Parse(R"({"L":[{"S":"z"}]})"));
  values[":ss"] = *AttributeValueFromJson(*json::Parse(R"({"SS":["x","y"]})"));
  ASSIGN_OR_RETURN(Placeholders p, Placeholders::Create(nullptr, &values));
  ASSIGN_OR_RETURN(auto parsed, ParseUpdate(text));
  ASSIGN_OR_RETURN(ParsedUpdate u, p.ResolveUpdate(*parsed));
  RETURN_IF_ERROR(ValidateUpdate(u));
  return ApplyUpdate(u, item);
}

TEST(ExpressionEval, UpdatesUseTheOriginalItem) {
  Item item = ParseItem(R"({"a":{"N":"5"},"l":{"L":[{"S":"a"},{"S":"b"},{"S":"c"}]},"m":{"M":{}}})");
  ASSERT_TRUE(Apply("SET a = a + :one, b = a, l[10] = :s, m.k = :two REMOVE l[0], l[1]", &item).ok());
  EXPECT_EQ(item["a"].scalar, "6");
  EXPECT_EQ(item["b"].scalar, "5");      // the value before the update
  ASSERT_EQ(item["l"].list.size(), 2u);  // appended, then elements 0 and 1 of the original removed
  EXPECT_EQ(item["l"].list[0].scalar, "c");
  EXPECT_EQ(item["l"].list[1].scalar, "ab");
  EXPECT_EQ(item["m"].map["k"].scalar, "2");
  ASSERT_TRUE(Apply("ADD tags :ss", &item).ok());
  ASSERT_TRUE(Apply("DELETE tags :ss", &item).ok());
  EXPECT_EQ(item.count("tags"), 0u);
  EXPECT_EQ(Apply("SET x.y = :one", &item).message(),
            "The document path provided in the update expression is invalid for update");
  EXPECT_EQ(Apply("SET z = nothere + :one", &item).message(),
            "The provided expression refers to an attribute that does not exist in the item");
}

// Nesting is bounded by the parser, not by the thread's stack: 4,096 '(' (a 4 KB expression)
// is a ValidationException, for every expression kind that nests.
TEST(ExpressionParser, DeepNestingIsAnErrorNotACrash) {
  const std::string deep(4096, '(');
  const std::string too_deep = "Invalid ConditionExpression: The expression has too many nesting levels; maximum: 100";
  EXPECT_EQ(Error(deep), too_deep);
  EXPECT_EQ(Error(std::string(2000, '(') + "n = :one" + std::string(2000, ')')), too_deep);
  std::string nots;
  for (int i = 0; i < 400; ++i) nots += "NOT ";
  EXPECT_EQ(Error(nots + "n = :one"), too_deep);
  std::string fns = "n = :one";
  for (int i = 0; i < 400; ++i) fns = "size(" + fns;
  EXPECT_EQ(Error(fns), too_deep);
  auto filter = ParseCondition(deep, ExprKind::kFilter);
  EXPECT_EQ(filter.status().message(),
            "Invalid FilterExpression: The expression has too many nesting levels; maximum: 100");
  auto key = ParseCondition(deep, ExprKind::kKeyCondition);
  EXPECT_EQ(key.status().message(),
            "Invalid KeyConditionExpression: The expression has too many nesting levels; maximum: 100");
  std::string appends = ":l";
  for (int i = 0; i < 200; ++i) appends = "list_append(" + appends + ", :l)";  // 3.4 KB
  auto update = ParseUpdate("SET a = " + appends);
  EXPECT_EQ(update.status().message(),
            "Invalid UpdateExpression: The expression has too many nesting levels; maximum: 100");
  auto parens = ParseUpdate("SET a = " + std::string(2000, '(') + ":one" + std::string(2000, ')'));
  EXPECT_EQ(parens.status().message(),
            "Invalid UpdateExpression: The expression has too many nesting levels; maximum: 100");
  // Nesting up to the bound still parses.
  std::string ok = "n = :one";
  for (int i = 0; i < 99; ++i) ok = "NOT " + ok;
  EXPECT_TRUE(ParseCondition(ok, ExprKind::kCondition).ok());
}

// A SET value may not grow past the item size limit on the way: list_append nested deeply over a
// large list stops at the first intermediate value that is too large, with DynamoDB's message.
TEST(ExpressionEval, IntermediateValuesAreBoundedByTheItemSize) {
  AttributeValue big;
  big.type = AttrType::kL;
  for (int i = 0; i < 1000; ++i) big.list.push_back(AttributeValue::S(std::string(100, 'x')));  // ~101 KB
  std::map<std::string, AttributeValue> values{{":big", big}};
  auto p = Placeholders::Create(nullptr, &values);
  ASSERT_TRUE(p.ok());
  std::string text = ":big";
  for (int i = 0; i < 90; ++i) text = "list_append(" + text + ", :big)";
  auto parsed = ParseUpdate("SET a = " + text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  auto u = p->ResolveUpdate(**parsed);
  ASSERT_TRUE(u.ok());
  Item item;
  EXPECT_EQ(ApplyUpdate(*u, &item).message(), "Item size has exceeded the maximum allowed size");
  // Three copies (~303 KB) fit.
  auto small = ParseUpdate("SET a = list_append(list_append(:big, :big), :big)");
  auto v = p->ResolveUpdate(**small);
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(ApplyUpdate(*v, &item).ok());
  EXPECT_EQ(item["a"].list.size(), 3000u);
}

TEST(ExpressionEval, ProjectionKeepsNestedShape) {
  Item item =
      ParseItem(R"({"a":{"M":{"b":{"N":"1"},"c":{"N":"2"}}},"l":{"L":[{"N":"0"},{"N":"1"},{"N":"2"}]},"x":{"S":"y"}})");
  auto parsed = ParseProjection("a.b, l[2], l[0], nothere.deep, x");
  ASSERT_TRUE(parsed.ok());
  auto p = Placeholders::Create(nullptr, nullptr);
  auto paths = p->ResolveProjection(**parsed);
  ASSERT_TRUE(paths.ok());
  Item out = ProjectPaths(item, *paths);
  EXPECT_EQ(out.size(), 3u);
  EXPECT_EQ(out["a"].map.size(), 1u);
  ASSERT_EQ(out["l"].list.size(), 2u);
  EXPECT_EQ(out["l"].list[0].scalar, "0");
  EXPECT_EQ(out["l"].list[1].scalar, "2");
}

TEST(ReservedWords, CaseInsensitive) {
  EXPECT_TRUE(IsReservedWord("name"));
  EXPECT_TRUE(IsReservedWord("STATUS"));
  EXPECT_TRUE(IsReservedWord("Zone"));
  EXPECT_FALSE(IsReservedWord("pk"));
  EXPECT_FALSE(IsReservedWord("price"));
}

}  // namespace
}  // namespace floe::dynamo::expr
