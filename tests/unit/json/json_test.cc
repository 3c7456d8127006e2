#include <gtest/gtest.h>

#include "json/json.h"

namespace floe::json {
namespace {

TEST(Json, ParsesAndSerializes) {
  auto v = Parse(R"({"a":[1,2.5,"x",true,null,{"b":{}}],"n":-1234567890123456789})");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  ASSERT_TRUE(v->is_object());
  const Value* a = v->Find("a");
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->items().size(), 6u);
  int64_t i;
  EXPECT_TRUE(a->items()[0].AsInt64(&i));
  EXPECT_EQ(i, 1);
  EXPECT_FALSE(a->items()[1].AsInt64(&i));
  EXPECT_EQ(a->items()[2].str(), "x");
  EXPECT_TRUE(a->items()[3].as_bool());
  EXPECT_TRUE(a->items()[4].is_null());
  EXPECT_EQ(Serialize(*Parse(R"({"k":"a\"b\u00e9"})")), "{\"k\":\"a\\\"b\xc3\xa9\"}");
}

TEST(Json, RejectsMalformedAndDeepDocuments) {
  EXPECT_FALSE(Parse("{").ok());
  EXPECT_FALSE(Parse("{\"a\":}").ok());
  EXPECT_FALSE(Parse("").ok());
  // Integers beyond 64 bits are rejected cleanly (DynamoDB numbers travel as strings).
  EXPECT_FALSE(Parse(R"({"Limit":123456789012345678901234567890})").ok());
  std::string deep(300, '[');
  deep += std::string(300, ']');
  EXPECT_FALSE(Parse(deep, 256).ok());
  EXPECT_TRUE(Parse(deep, 1024).ok());
}

TEST(Json, FindReturnsLastDuplicate) {
  auto v = Parse(R"({"a":1,"a":2})");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->Find("a")->str(), "2");
  EXPECT_EQ(v->Find("missing"), nullptr);
}

}  // namespace
}  // namespace floe::json
