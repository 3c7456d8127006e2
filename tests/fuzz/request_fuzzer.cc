// libFuzzer target: a DynamoDB request body through the API's expression entry point.
// Input: the first byte picks the operation's parameters (UpdateItem, Query, Scan, GetItem,
// DeleteItem with Expected); the rest is the request's JSON, parsed as the router parses it.
// Whatever is accepted is evaluated against (or applied to) a sample item. Nothing may
// crash, hang, leak or recurse past the request threads' stack (fuzz_runner.h).
#include <cstddef>
#include <cstdint>
#include <string>

#include "api/expressions.h"
#include "dynamo/attribute_json.h"
#include "fuzz_runner.h"
#include "json/json.h"

using namespace floe;

namespace {

const dynamo::TableInfo& Table() {
  static const dynamo::TableInfo info = [] {
    dynamo::TableInfo t;
    t.name = "t";
    t.hash_key = {"pk", dynamo::AttrType::kS};
    t.range_key = dynamo::KeyElement{"sk", dynamo::AttrType::kN};
    return t;
  }();
  return info;
}

void One(const uint8_t* data, size_t size) {
  if (size < 1) return;
  api::ExpressionSpec spec;
  switch (data[0] % 5) {
    case 0: spec.update = spec.condition = true; break;                        // UpdateItem
    case 1: spec.key_condition = spec.filter = spec.projection = true; break;  // Query
    case 2:
      spec.filter = spec.projection = true;
      spec.legacy_filter = "ScanFilter";
      break;                                // Scan
    case 3: spec.projection = true; break;  // GetItem
    default: spec.condition = true; break;  // PutItem, DeleteItem
  }
  auto request = json::Parse(std::string_view(reinterpret_cast<const char*>(data + 1), size - 1), 256);
  if (!request.ok() || !request->is_object()) return;
  dynamo::Item item;
  if (const json::Value* v = request->Find("Item")) {
    auto parsed = dynamo::AttributeMapFromJson(*v);
    if (parsed.ok()) item = std::move(parsed).value();
  }
  item["pk"] = dynamo::AttributeValue::S("k");
  auto e = api::ParseRequestExpressions(*request, spec, &Table());
  if (!e.ok()) return;
  if (e->condition) (void)dynamo::expr::EvaluateCondition(*e->condition, item);
  if (e->filter) (void)dynamo::expr::EvaluateCondition(*e->filter, item);
  if (e->key_condition) (void)dynamo::expr::EvaluateCondition(*e->key_condition, item);
  if (e->update) {
    (void)api::CheckUpdateKeepsKey(*e->update, Table());
    dynamo::Item copy = item;
    (void)dynamo::expr::ApplyUpdate(*e->update, &copy);
  }
  if (e->projection) (void)dynamo::expr::ProjectPaths(item, *e->projection);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::RunOnRequestStack([&] { One(data, size); });
  return 0;
}
