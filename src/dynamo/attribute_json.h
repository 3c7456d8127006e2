#pragma once
// Wire <-> model conversion of attribute values, with DynamoDB's validation and messages.
// Errors: kInvalidArgument (ValidationException) for rule violations, kSerialization
// (SerializationException) for JSON of the wrong shape.
#include "common/status.h"
#include "dynamo/attribute_value.h"

namespace floe::json {
class Value;
class Writer;
}  // namespace floe::json

namespace floe::dynamo {

// One AttributeValue object, e.g. {"S": "x"}. depth is the container nesting level of the
// value's parent (0 for an item's top-level attribute).
Result<AttributeValue> AttributeValueFromJson(const json::Value& v, int depth = 0);
// An object of name -> AttributeValue (Item, Key, ExclusiveStartKey, ...).
Result<AttributeMap> AttributeMapFromJson(const json::Value& v);

void WriteAttributeValue(json::Writer& w, const AttributeValue& v);
void WriteAttributeMap(json::Writer& w, const AttributeMap& m);

}  // namespace floe::dynamo
