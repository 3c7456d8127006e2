#include <gtest/gtest.h>

#include <algorithm>

#include "dynamo/attribute_json.h"
#include "dynamo/change_log.h"
#include "dynamo/item_codec.h"
#include "dynamo/key_codec.h"
#include "dynamo/table_schema.h"
#include "json/json.h"

namespace floe::dynamo {
namespace {

std::string Hex(std::string_view s) {
  std::string hex;
  for (unsigned char c : s) {
    char b[3];
    snprintf(b, sizeof b, "%02x", c);
    hex += b;
  }
  return hex;
}

Item ParseItem(const char* text) {
  auto v = json::Parse(text);
  EXPECT_TRUE(v.ok());
  auto m = AttributeMapFromJson(*v);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return *m;
}

TEST(KeyCodec, GoldenBytes) {
  std::string out;
  EncodeKeyValue(AttributeValue::S("ab"), &out);
  EXPECT_EQ(Hex(out), "61620001");
  out.clear();
  EncodeKeyValue(AttributeValue::B(std::string("a\0b", 3)), &out);
  EXPECT_EQ(Hex(out), "6100ff620001");
  EncodedKey k = EncodeItemKey(7, AttributeValue::S("p"), nullptr);
  EXPECT_EQ(Hex(k.bytes.substr(0, 4)), "00000007");
  EXPECT_EQ(Hex(k.bytes.substr(12)), "700001");
  EXPECT_EQ(k.partition_end, k.bytes.size());
  // The partition hash is persisted: it must never change.
  EXPECT_EQ(Hex(k.bytes.substr(4, 8)), [] {
    std::string h;
    uint64_t v = PartitionHash(std::string("p\0\1", 3));
    for (int i = 7; i >= 0; --i) h.push_back(static_cast<char>(v >> (8 * i)));
    return Hex(h);
  }());
  EXPECT_EQ(PartitionHash(""), 17280346270528514342ULL);
}

TEST(KeyCodec, OrderPreservingForStringsAndBinary) {
  std::vector<std::string> values = {
      "",        std::string("\0", 1), std::string("\0\0", 2), std::string("\0a", 2), "a", "a\x01", "ab", "b", "\xff",
      "\xff\xff"};
  std::vector<std::pair<std::string, std::string>> enc;
  for (const auto& v : values) {
    std::string e;
    EncodeKeyValue(AttributeValue::B(v), &e);
    std::string_view view = e;
    auto back = DecodeKeyValue(AttrType::kB, &view);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->scalar, v);
    EXPECT_TRUE(view.empty());
    enc.emplace_back(e, v);
  }
  std::sort(enc.begin(), enc.end());
  for (size_t i = 1; i < enc.size(); ++i) EXPECT_LT(enc[i - 1].second, enc[i].second);
}

TEST(ItemCodec, GoldenBytesAndRoundTrip) {
  VersionHeader h;
  h.hlc = 0x0102030405060708ULL;
  h.region = "us";
  Item item;
  item["a"] = AttributeValue::S("x");
  std::string out;
  EncodeStoredItem(h, item, &out);
  EXPECT_EQ(Hex(out),
            "0100"
            "0102030405060708"
            "027573"
            "01"
            "0161"
            "01"
            "0178");
  auto back = DecodeStoredItem(out);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->header.hlc, h.hlc);
  EXPECT_EQ(back->header.region, "us");
  EXPECT_EQ(back->item, item);

  Item rich = ParseItem(R"({"s":{"S":""},"n":{"N":"-1.50"},"b":{"B":"AAEC"},"t":{"BOOL":true},"z":{"NULL":true},
    "m":{"M":{"l":{"L":[{"SS":["a","b"]},{"NS":["1","2.5"]},{"BS":["AQ=="]},{"M":{}} ,{"L":[]}]}}}})");
  out.clear();
  EncodeStoredItem(h, rich, &out);
  back = DecodeStoredItem(out);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->item, rich);
  EXPECT_EQ(back->item["n"].scalar, "-1.5");

  VersionHeader tomb = h;
  tomb.tombstone = true;
  out.clear();
  EncodeStoredItem(tomb, {}, &out);
  back = DecodeStoredItem(out);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->header.tombstone);
}

TEST(ItemCodec, CorruptInputIsAnErrorNotACrash) {
  VersionHeader h;
  h.region = "r";
  Item rich = ParseItem(R"({"m":{"M":{"l":{"L":[{"SS":["a","b"]},{"N":"5"}]}}}})");
  std::string good;
  EncodeStoredItem(h, rich, &good);
  for (size_t cut = 0; cut < good.size(); ++cut) {
    EXPECT_FALSE(DecodeStoredItem(good.substr(0, cut)).ok()) << cut;
  }
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0xFF);
    (void)DecodeStoredItem(bad);  // must not crash
  }
}

TEST(ChangeLog, RecordRoundTrip) {
  ChangeRecord r;
  r.sequence = 42;
  r.table_id = 3;
  r.kind = ChangeKind::kModify;
  r.hlc = 99;
  r.partition_hash = 7;
  r.region = "eu-west-1";
  r.keys = ParseItem(R"({"pk":{"S":"a"}})");
  r.old_image = ParseItem(R"({"pk":{"S":"a"},"v":{"N":"1"}})");
  r.new_image = ParseItem(R"({"pk":{"S":"a"},"v":{"N":"2"}})");
  std::string key = ChangeLogKey(r.table_id, r.sequence);
  EXPECT_EQ(Hex(key), "00000003000000000000002a");
  auto back = DecodeChangeRecord(key, EncodeChangeRecord(r));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->sequence, 42u);
  EXPECT_EQ(back->kind, ChangeKind::kModify);
  EXPECT_EQ(back->region, "eu-west-1");
  EXPECT_EQ(*back->old_image, *r.old_image);
  EXPECT_EQ(*back->new_image, *r.new_image);
  EXPECT_EQ(back->stored_bytes, key.size() + EncodeChangeRecord(r).size());
}

TEST(ChangeLog, SkippedImagesAreCheckedNotBuilt) {
  ChangeRecord r;
  r.sequence = 7;
  r.kind = ChangeKind::kModify;
  r.region = "us-east-1";
  r.keys = ParseItem(R"({"pk":{"S":"a"}})");
  r.old_image = ParseItem(
      R"({"pk":{"S":"a"},"m":{"M":{"l":{"L":[{"N":"1"},{"SS":["x","y"]},{"NULL":true},{"BOOL":false},{"B":"AAE="}]}}}})");
  r.new_image = ParseItem(R"({"pk":{"S":"a"},"v":{"NS":["2","3"]}})");
  const std::string key = ChangeLogKey(1, r.sequence);
  const std::string value = EncodeChangeRecord(r);
  ImageSelection new_only;
  new_only.old_image = false;
  auto back = DecodeChangeRecord(key, value, new_only);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_FALSE(back->old_image.has_value());
  EXPECT_EQ(*back->new_image, *r.new_image);
  ImageSelection none{false, false};
  back = DecodeChangeRecord(key, value, none);
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back->old_image || back->new_image);
  // A skipped image is still checked: every truncation is an error, every corruption is safe.
  for (size_t cut = 0; cut < value.size(); ++cut) {
    EXPECT_FALSE(DecodeChangeRecord(key, value.substr(0, cut), none).ok()) << cut;
  }
  for (size_t i = 0; i < value.size(); ++i) {
    std::string bad = value;
    bad[i] = static_cast<char>(bad[i] ^ 0xFF);
    (void)DecodeChangeRecord(key, bad, none);  // must not crash
  }
}

TEST(AttributeJson, ValidationMessages) {
  auto err = [](const char* text) {
    auto v = json::Parse(text);
    EXPECT_TRUE(v.ok());
    auto r = AttributeMapFromJson(*v);
    return r.ok() ? std::string("ok") : r.status().message();
  };
  EXPECT_EQ(err(R"({"a":{}})"),
            "One or more parameter values were invalid: Supplied AttributeValue is empty, must contain exactly one of "
            "the supported datatypes");
  EXPECT_EQ(err(R"({"a":{"S":"x","N":"1"}})"),
            "One or more parameter values were invalid: Supplied AttributeValue has more than one datatypes set, must "
            "contain exactly one of the supported datatypes");
  EXPECT_EQ(err(R"({"a":{"SS":[]}})"), "One or more parameter values were invalid: An string set  may not be empty");
  EXPECT_EQ(err(R"({"a":{"NS":[]}})"), "One or more parameter values were invalid: An number set  may not be empty");
  EXPECT_EQ(err(R"({"a":{"SS":["x","x"]}})"),
            "One or more parameter values were invalid: Input collection [x, x] contains duplicates.");
  EXPECT_EQ(err(R"({"a":{"NS":["1","1.0"]}})"),
            "One or more parameter values were invalid: Input collection [1, 1.0] contains duplicates.");
  EXPECT_EQ(err(R"({"a":{"NULL":false}})"),
            "One or more parameter values were invalid: Null attribute value types must have the value of true");
  EXPECT_EQ(err(R"({"a":{"N":"x"}})"), "A value provided cannot be converted into a number");
  EXPECT_EQ(err(R"({"a":{"S":""},"b":{"B":""}})"), "ok");
  // Nesting: 32 levels are fine, 33 are not.
  std::string deep = "{\"a\":";
  for (int i = 0; i < 32; ++i) deep += "{\"L\":[";
  deep += "{\"S\":\"x\"}";
  for (int i = 0; i < 32; ++i) deep += "]}";
  deep += "}";
  EXPECT_EQ(err(deep.c_str()), "ok");
  std::string deeper = "{\"a\":";
  for (int i = 0; i < 33; ++i) deeper += "{\"L\":[";
  deeper += "{\"S\":\"x\"}";
  for (int i = 0; i < 33; ++i) deeper += "]}";
  deeper += "}";
  EXPECT_EQ(err(deeper.c_str()), "Nesting Levels have exceeded supported limits");
}

TEST(AttributeValue, SizeAccounting) {
  Item item = ParseItem(
      R"({"name":{"S":"hello"},"n":{"N":"12345"},"b":{"BOOL":true},"l":{"L":[{"S":"ab"}]},"m":{"M":{"k":{"NULL":true}}}})");
  // name(4)+5, n(1)+ (1+3), b(1)+1, l(1)+3+1+2, m(1)+3+1+1+1
  EXPECT_EQ(ItemSize(item), 9u + 5u + 2u + 7u + 7u);
  EXPECT_EQ(AttributeValueSize(AttributeValue::N("0")), 1u);
  EXPECT_EQ(AttributeValueSize(AttributeValue::N("-1")), 3u);
  EXPECT_EQ(AttributeValueSize(AttributeValue::N("1000")), 2u);
}

}  // namespace
}  // namespace floe::dynamo

namespace floe::dynamo {
namespace {

TEST(Catalog, TableInfoGoldenJsonAndRoundTrip) {
  TableInfo t;
  t.name = "ecommerce-global";
  t.id = 7;
  t.uuid = "u";
  t.arn = "arn:aws:dynamodb:us-east-1:000000000000:table/ecommerce-global";
  t.hash_key = {"PK", AttrType::kS};
  t.range_key = KeyElement{"SK", AttrType::kN};
  t.attribute_definitions = {{"PK", AttrType::kS}, {"SK", AttrType::kN}};
  t.billing_mode = BillingMode::kProvisioned;
  t.read_capacity = 5;
  t.write_capacity = 6;
  t.creation_ms = 1000;
  std::string enc = EncodeTableInfo(t);
  EXPECT_EQ(
      enc,
      R"({"formatVersion":1,"name":"ecommerce-global","id":7,"uuid":"u","arn":"arn:aws:dynamodb:us-east-1:000000000000:table/ecommerce-global",)"
      R"("hashKey":{"name":"PK","type":"S"},"rangeKey":{"name":"SK","type":"N"},"attributeDefinitions":[{"name":"PK","type":"S"},{"name":"SK","type":"N"}],)"
      R"("billingMode":"PROVISIONED","readCapacity":5,"writeCapacity":6,"lastIncreaseMs":0,"lastDecreaseMs":0,"decreasesToday":0,)"
      R"("payPerRequestSinceMs":0,"creationMs":1000,"deletionProtection":false,"tableClass":"STANDARD"})");
  auto back = DecodeTableInfo(enc);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->name, t.name);
  EXPECT_EQ(back->range_key->type, AttrType::kN);
  EXPECT_EQ(back->write_capacity, 6);
  EXPECT_FALSE(DecodeTableInfo("{}").ok());
  EXPECT_FALSE(DecodeTableInfo("not json").ok());
}

TEST(Catalog, TableInfoStreamTtlTagsGoldenJson) {
  TableInfo t;
  t.name = "t";
  t.id = 3;
  t.hash_key = {"pk", AttrType::kS};
  t.attribute_definitions = {t.hash_key};
  t.stream_enabled = true;
  t.stream_view_type = "KEYS_ONLY";
  t.latest_stream_arn = "arn:s";
  t.latest_stream_label = "L";
  t.ttl_enabled = true;
  t.ttl_attribute = "exp";
  t.tags = {{"env", "prod"}, {"a", ""}};
  std::string enc = EncodeTableInfo(t);
  const std::string tail =
      R"("tableClass":"STANDARD","streamEnabled":true,"streamViewType":"KEYS_ONLY","latestStreamArn":"arn:s",)"
      R"("latestStreamLabel":"L","ttlEnabled":true,"ttlAttribute":"exp","tags":[["env","prod"],["a",""]]})";
  ASSERT_GE(enc.size(), tail.size());
  EXPECT_EQ(enc.substr(enc.size() - tail.size()), tail);
  auto back = DecodeTableInfo(enc);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->stream_enabled);
  EXPECT_EQ(back->stream_view_type, "KEYS_ONLY");
  EXPECT_EQ(back->latest_stream_arn, "arn:s");
  EXPECT_EQ(back->latest_stream_label, "L");
  EXPECT_TRUE(back->ttl_enabled);
  EXPECT_EQ(back->ttl_attribute, "exp");
  EXPECT_EQ(back->tags, t.tags);
}

TEST(ChangeLog, StatsGoldenBytes) {
  TableStats s{3, 258};
  EXPECT_EQ(Hex(EncodeStats(s)),
            "0000000000000003"
            "0000000000000102");
  EXPECT_EQ(DecodeStats(EncodeStats(s)).size_bytes, 258);
  EXPECT_EQ(Hex(StatsKey(1)), Hex(std::string("stats/") + std::string("\0\0\0\1", 4)));
}

}  // namespace
}  // namespace floe::dynamo
