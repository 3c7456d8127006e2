// Index definitions in the catalog, entry keys (docs/formats/indexes.md) and the entry
// changes planned for item changes.
#include <gtest/gtest.h>

#include "common/hex.h"
#include "dynamo/indexes.h"
#include "dynamo/item_codec.h"
#include "dynamo/key_codec.h"
#include "dynamo/table_schema.h"

namespace floe::dynamo {
namespace {

TableInfo Table() {
  TableInfo t;
  t.name = "t";
  t.id = 3;
  t.hash_key = {"pk", AttrType::kS};
  t.range_key = KeyElement{"sk", AttrType::kS};
  IndexInfo g;
  g.name = "by_city";
  g.id = 4;
  g.hash_key = {"city", AttrType::kS};
  g.range_key = KeyElement{"age", AttrType::kN};
  g.projection = ProjectionType::kInclude;
  g.non_key_attributes = {"name"};
  g.read_capacity = 1;
  g.write_capacity = 2;
  g.backfilling = true;
  IndexInfo l;
  l.name = "by_age";
  l.id = 5;
  l.global = false;
  l.hash_key = {"pk", AttrType::kS};
  l.range_key = KeyElement{"age", AttrType::kN};
  l.projection = ProjectionType::kKeysOnly;
  t.indexes = {l, g};
  t.attribute_definitions = {{"pk", AttrType::kS}, {"sk", AttrType::kS}, {"city", AttrType::kS}, {"age", AttrType::kN}};
  return t;
}

Item MakeItem(const std::string& pk, const std::string& city, const std::string& age, const std::string& name) {
  Item i{{"pk", AttributeValue::S(pk)},
         {"sk", AttributeValue::S("s")},
         {"name", AttributeValue::S(name)},
         {"other", AttributeValue::S("o")}};
  if (!city.empty()) i["city"] = AttributeValue::S(city);
  if (!age.empty()) i["age"] = AttributeValue::N(age);
  return i;
}

TEST(Indexes, CatalogGoldenJsonAndRoundTrip) {
  TableInfo t = Table();
  std::string enc = EncodeTableInfo(t);
  const std::string indexes =
      R"("indexes":[{"name":"by_age","id":5,"global":false,"hashKey":{"name":"pk","type":"S"},)"
      R"("rangeKey":{"name":"age","type":"N"},"projection":"KEYS_ONLY"},)"
      R"({"name":"by_city","id":4,"global":true,"hashKey":{"name":"city","type":"S"},"rangeKey":{"name":"age","type":"N"},)"
      R"("projection":"INCLUDE","nonKeyAttributes":["name"],"readCapacity":1,"writeCapacity":2,"backfilling":true}])";
  EXPECT_NE(enc.find(indexes), std::string::npos) << enc;
  auto back = DecodeTableInfo(enc);
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->indexes.size(), 2u);
  EXPECT_FALSE(back->indexes[0].global);
  EXPECT_EQ(back->indexes[1].non_key_attributes, std::vector<std::string>{"name"});
  EXPECT_TRUE(back->indexes[1].backfilling);
  EXPECT_EQ(back->indexes[1].write_capacity, 2);
  EXPECT_EQ(EncodeTableInfo(*back), enc);
}

TEST(Indexes, EntryKeyGoldenBytes) {
  TableInfo t = Table();
  const IndexInfo& g = t.indexes[1];
  uint64_t hash = 0;
  auto key = IndexEntryKey(t, g, MakeItem("u", "P", "1", "n"), &hash);
  ASSERT_TRUE(key.has_value());
  // index id 4, PartitionHash(enc("P")), enc("P"), enc(1), enc("u"), enc("s")
  std::string pk_enc;
  EncodeKeyValue(AttributeValue::S("P"), &pk_enc);
  EXPECT_EQ(hash, PartitionHash(pk_enc));
  std::string hash_hex = HexEncode(key->substr(4, 8));
  EXPECT_EQ(HexEncode(*key), "00000004" + hash_hex +
                                 "500001"
                                 "81820200"
                                 "750001"
                                 "730001");
  // Sparse: an absent or mistyped index key attribute has no entry.
  EXPECT_FALSE(IndexEntryKey(t, g, MakeItem("u", "", "1", "n")).has_value());
  Item wrong = MakeItem("u", "P", "1", "n");
  wrong["age"] = AttributeValue::S("1");
  EXPECT_FALSE(IndexEntryKey(t, g, wrong).has_value());
}

TEST(Indexes, ProjectionAndPageKey) {
  TableInfo t = Table();
  Item item = MakeItem("u", "P", "1", "n");
  Item inc = ProjectForIndex(t, t.indexes[1], item);
  EXPECT_EQ(inc.size(), 5u);  // pk, sk, city, age, name
  EXPECT_FALSE(inc.count("other"));
  Item keys = ProjectForIndex(t, t.indexes[0], item);
  EXPECT_EQ(keys.size(), 3u);  // pk, sk, age
  EXPECT_EQ(IndexPageKey(t, t.indexes[1], item).size(), 4u);
}

TEST(Indexes, PlanCountsEntriesAndUnits) {
  TableInfo t = Table();
  t.indexes[1].backfilling = false;
  VersionHeader h;
  h.hlc = 1;
  h.region = "r";
  auto never = [](const std::string&) -> Result<bool> { return false; };
  Item a = MakeItem("u", "P", "1", "n");
  // Insert: one entry in each index.
  auto plan = PlanIndexWrites(t, nullptr, &a, h, never);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->size(), 2u);
  for (const auto& w : *plan) {
    EXPECT_TRUE(w.delete_key.empty());
    EXPECT_EQ(w.item_delta, 1);
    EXPECT_EQ(w.write_units, 1.0);
  }
  // Changing a non-projected attribute changes no entry.
  Item b = a;
  b["other"] = AttributeValue::S("changed");
  plan = PlanIndexWrites(t, &a, &b, h, never);
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan->empty());
  // Changing a projected attribute rewrites the global entry in place.
  b["name"] = AttributeValue::S("m");
  plan = PlanIndexWrites(t, &a, &b, h, never);
  ASSERT_EQ(plan->size(), 1u);
  EXPECT_EQ((*plan)[0].index_name, "by_city");
  EXPECT_TRUE((*plan)[0].delete_key.empty());
  EXPECT_EQ((*plan)[0].item_delta, 0);
  // Moving the index key: delete plus put, two units.
  Item c = a;
  c["city"] = AttributeValue::S("Q");
  plan = PlanIndexWrites(t, &a, &c, h, never);
  ASSERT_EQ(plan->size(), 1u);
  EXPECT_FALSE((*plan)[0].delete_key.empty());
  EXPECT_FALSE((*plan)[0].put_key.empty());
  EXPECT_EQ((*plan)[0].item_delta, 0);
  EXPECT_EQ((*plan)[0].write_units, 2.0);
  // Delete of an item a backfilling index has not reached yet: nothing to remove there.
  t.indexes[1].backfilling = true;
  plan = PlanIndexWrites(t, &a, nullptr, h, never);
  ASSERT_EQ(plan->size(), 1u);
  EXPECT_EQ((*plan)[0].index_name, "by_age");
  EXPECT_EQ((*plan)[0].item_delta, -1);
}

TEST(Indexes, ValidateIndexKeys) {
  TableInfo t = Table();
  Item ok = MakeItem("u", "P", "1", "n");
  EXPECT_TRUE(ValidateIndexKeys(t, ok).ok());
  Item bad = ok;
  bad["city"] = AttributeValue::N("1");
  EXPECT_EQ(ValidateIndexKeys(t, bad).message(),
            "One or more parameter values were invalid: Type mismatch for Index Key city Expected: S Actual: N "
            "IndexName: by_city");
  bad = ok;
  bad["city"] = AttributeValue::S("");
  EXPECT_NE(ValidateIndexKeys(t, bad).message().find("IndexName: by_city, IndexKey: city"), std::string::npos);
}

TEST(Indexes, CapacityUnits) {
  EXPECT_EQ(WriteUnits(0), 1.0);
  EXPECT_EQ(WriteUnits(1024), 1.0);
  EXPECT_EQ(WriteUnits(1025), 2.0);
  EXPECT_EQ(ReadUnits(0, false), 0.5);
  EXPECT_EQ(ReadUnits(4096, true), 1.0);
  EXPECT_EQ(ReadUnits(4097, true), 2.0);
  EXPECT_EQ(ReadUnits(4097, false), 1.0);
}

}  // namespace
}  // namespace floe::dynamo
