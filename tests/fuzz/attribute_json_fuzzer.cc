// libFuzzer target: JSON text to DynamoDB attribute values, as every request's items and
// keys take. Input: JSON; parsed with the router's depth limit, then read as an attribute
// map, as one attribute value, and measured. Nothing may crash, hang, leak or recurse past the
// request threads' stack (fuzz_runner.h).
#include <cstddef>
#include <cstdint>
#include <string>

#include "dynamo/attribute_json.h"
#include "dynamo/attribute_value.h"
#include "fuzz_runner.h"
#include "json/json.h"

using namespace floe;

namespace {

void One(const uint8_t* data, size_t size) {
  auto v = json::Parse(std::string_view(reinterpret_cast<const char*>(data), size), 256);
  if (!v.ok()) return;
  auto map = dynamo::AttributeMapFromJson(*v);
  if (map.ok()) {
    (void)dynamo::ItemSize(*map);
    for (const auto& [name, value] : *map) {
      if (dynamo::NestingDepth(value) > dynamo::kMaxNestingDepth + 1) __builtin_trap();  // bounded on input
      json::Writer w;
      dynamo::WriteAttributeValue(w, value);
      auto back = json::Parse(w.Take(), 256);
      if (!back.ok()) __builtin_trap();  // what floe writes, floe reads
      auto again = dynamo::AttributeValueFromJson(*back);
      if (!again.ok() || !(*again == value)) __builtin_trap();
    }
  }
  (void)dynamo::AttributeValueFromJson(*v);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::RunOnRequestStack([&] { One(data, size); });
  return 0;
}
