// libFuzzer target for the expression parser and evaluator.
// Input: first byte chooses the grammar (condition, update, projection); the rest is the
// expression text. Whatever parses is resolved against a fixed set of placeholders,
// validated, and evaluated against (or applied to) a fixed item. Nothing may crash, hang
// or leak. Built and run by `make test` (see Makefile: fuzz).
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "dynamo/expression.h"
#include "fuzz_runner.h"

using namespace floe::dynamo;

namespace {

AttributeValue List(std::vector<AttributeValue> items) {
  AttributeValue v;
  v.type = AttrType::kL;
  v.list = std::move(items);
  return v;
}

AttributeValue Set(AttrType t, std::vector<std::string> items) {
  AttributeValue v;
  v.type = t;
  v.set = std::move(items);
  return v;
}

const Item& SampleItem() {
  static const Item item = [] {
    Item i;
    i["a"] = AttributeValue::N("10");
    i["b"] = AttributeValue::S("hello");
    i["c"] = List({AttributeValue::N("1"), AttributeValue::S("x"), List({})});
    AttributeValue m;
    m.type = AttrType::kM;
    m.map["a"] = AttributeValue::N("2");
    m.map["d"] = List({AttributeValue::Bool(true)});
    i["d"] = m;
    i["e"] = Set(AttrType::kSS, {"p", "q"});
    i["f"] = Set(AttrType::kNS, {"1", "2"});
    i["g"] = AttributeValue::B(std::string("\0\1", 2));
    return i;
  }();
  return item;
}

}  // namespace

namespace {

void One(const uint8_t* data, size_t size);

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  floe::fuzz::RunOnRequestStack([&] { One(data, size); });
  return 0;
}

namespace {

void One(const uint8_t* data, size_t size) {
  if (size < 1) return;
  const int mode = data[0] % 3;
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  static const std::map<std::string, std::string> names = {{"#a", "a"}, {"#b", "b"}, {"#n", "name"}, {"#x", "zz"}};
  static const std::map<std::string, AttributeValue> values = {
      {":v", AttributeValue::N("1")},         {":s", AttributeValue::S("x")},       {":b", AttributeValue::B("y")},
      {":l", List({AttributeValue::N("3")})}, {":ss", Set(AttrType::kSS, {"p"})},   {":ns", Set(AttrType::kNS, {"9"})},
      {":t", AttributeValue::S("N")},         {":big", AttributeValue::N("9E+125")}};
  auto placeholders = expr::Placeholders::Create(&names, &values);
  if (!placeholders.ok()) __builtin_trap();
  if (mode == 0) {
    auto parsed = expr::ParseCondition(text, expr::ExprKind::kCondition);
    if (!parsed.ok()) return;
    auto resolved = placeholders->ResolveCondition(**parsed, expr::ExprKind::kCondition);
    if (!resolved.ok() || !expr::ValidateCondition(*resolved, expr::ExprKind::kCondition).ok()) return;
    (void)expr::EvaluateCondition(*resolved, SampleItem());
  } else if (mode == 1) {
    auto parsed = expr::ParseUpdate(text);
    if (!parsed.ok()) return;
    auto resolved = placeholders->ResolveUpdate(**parsed);
    if (!resolved.ok() || !expr::ValidateUpdate(*resolved).ok()) return;
    Item copy = SampleItem();
    (void)expr::ApplyUpdate(*resolved, &copy);
  } else {
    auto parsed = expr::ParseProjection(text);
    if (!parsed.ok()) return;
    auto resolved = placeholders->ResolveProjection(**parsed);
    if (!resolved.ok()) return;
    (void)expr::ProjectPaths(SampleItem(), *resolved);
  }
}

}  // namespace
