// The replicator's parsers and codecs: config.json replications, column types, the
// DynamoDB -> Iceberg row mapping, and the Lua transform sandbox.
#include <gtest/gtest.h>

#include "dynamo/attribute_json.h"
#include "json/json.h"
#include "pipeline/config.h"
#include "pipeline/mapping.h"
#include "pipeline/transform.h"

namespace floe::pipeline {
namespace {

using dynamo::AttrType;
using parquet::Value;

Result<std::vector<ReplicationConfig>> Parse(const std::string& text) {
  auto v = json::Parse(text);
  if (!v.ok()) return v.status();
  return ParseReplications(*v, ".");
}

std::string Base(const std::string& extra = "") {
  return R"([{"tableName": "t", "glueDatabaseName": "db", "glueTableName": "tb",
             "glueTableSchema": [{"name": "pk", "type": "string", "required": true},
                                 {"name": "qty", "type": "bigint"},
                                 {"name": "city", "type": "string", "source": "address.city"}])" +
         extra + "}]";
}

dynamo::Item ItemOf(const std::string& text) {
  auto v = json::Parse(text);
  EXPECT_TRUE(v.ok());
  auto m = dynamo::AttributeMapFromJson(*v);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return *m;
}

TEST(ConfigTest, ParsesTheDocumentedShapeWithDefaults) {
  auto c = Parse(Base());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->size(), 1u);
  const ReplicationConfig& r = (*c)[0];
  EXPECT_EQ(r.Name(), "db.tb");
  EXPECT_EQ(r.mode, Mode::kMirror);
  EXPECT_EQ(r.interval_seconds, 1);
  EXPECT_EQ(r.size_mb, 5);
  EXPECT_EQ(r.columns[1].type.type, parquet::TypeId::kLong);
  EXPECT_EQ(r.columns[2].source, (std::vector<std::string>{"address", "city"}));
  EXPECT_TRUE(r.maintenance.enabled);
}

TEST(ConfigTest, BadValuesNameTheirKey) {
  const std::pair<std::string, std::string> cases[] = {
      {R"(, "bufferingHints": {"intervalInSeconds": 901})",
       "replications[0].bufferingHints.intervalInSeconds must be an integer from 0 to 900"},
      {R"(, "bufferingHints": {"sizeInMBs": 129})",
       "replications[0].bufferingHints.sizeInMBs must be an integer from 1 to 128"},
      {R"(, "bufferingHints": {"interval": 1})", "unknown key 'replications[0].bufferingHints.interval'"},
      {R"(, "mode": "both")", "replications[0].mode must be \"mirror\" or \"changelog\""},
      {R"(, "retry": {"attempts": 0})", "replications[0].retry.attempts must be an integer from 1 to 1000"},
      {R"(, "maintenance": {"compactDeleteRatio": 2})",
       "replications[0].maintenance.compactDeleteRatio must be a number above 0 and at most 1"},
      {R"(, "tableStreamArn": "nope")", "replications[0].tableStreamArn must be a stream ARN"},
      {R"(, "backupPrefix": "../x")", "replications[0].backupPrefix must be a relative path inside the warehouse"},
      {R"(, "transform": {"lua": "x", "luaFile": "y"})", "needs exactly one of"},
  };
  for (const auto& [extra, message] : cases) {
    auto c = Parse(Base(extra));
    ASSERT_FALSE(c.ok()) << extra;
    EXPECT_NE(c.status().message().find(message), std::string::npos) << c.status().message();
  }
  auto dup = Parse(R"([{"tableName": "t", "glueDatabaseName": "db", "glueTableName": "tb",
                       "glueTableSchema": [{"name": "a", "type": "int"}, {"name": "a", "type": "int"}]}])");
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("glueTableSchema[1].name 'a' is a duplicate"), std::string::npos);
  auto reserved = Parse(R"([{"tableName": "t", "glueDatabaseName": "db", "glueTableName": "tb",
                            "glueTableSchema": [{"name": "_extra", "type": "int"}]}])");
  EXPECT_FALSE(reserved.ok());
  auto missing =
      Parse(R"([{"tableName": "t", "glueDatabaseName": "db", "glueTableSchema": [{"name": "a", "type": "int"}]}])");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("replications[0].glueTableName is required"), std::string::npos);
}

TEST(ConfigTest, ColumnTypesInIcebergAndGlueSpelling) {
  const std::pair<std::string, std::string> cases[] = {
      {"bigint", "long"},
      {"integer", "int"},
      {"smallint", "int"},
      {"real", "float"},
      {"double", "double"},
      {"varchar(20)", "string"},
      {"decimal(10,2)", "decimal(10,2)"},
      {"decimal", "decimal(38,0)"},
      {"timestamp", "timestamp"},
      {"timestamp with time zone", "timestamptz"},
      {"timestamptz", "timestamptz"},
      {"array<string>", "list<string>"},
      {"map<string, bigint>", "map<string, long>"},
      {"struct<city:string, zip: int>", "struct<city: string, zip: int>"},
      {"date", "date"},
      {"binary", "binary"}};
  for (const auto& [in, want] : cases) {
    auto f = ParseColumnType(in);
    ASSERT_TRUE(f.ok()) << in << ": " << f.status().ToString();
    std::string got = parquet::TypeName(*f);
    // TypeName's own spacing may differ; compare without spaces.
    auto strip = [](std::string s) {
      s.erase(std::remove(s.begin(), s.end(), ' '), s.end());
      return s;
    };
    EXPECT_EQ(strip(got), strip(want)) << in;
  }
  for (const char* bad :
       {"strang", "decimal(40,2)", "decimal(5,6)", "map<int,string>", "list<", "struct<a>", "long long"}) {
    EXPECT_FALSE(ParseColumnType(bad).ok()) << bad;
  }
}

RowMapper Mapper(const std::string& columns, Mode mode = Mode::kMirror, Unmapped unmapped = Unmapped::kJson) {
  auto c = Parse(R"([{"tableName": "t", "glueDatabaseName": "db", "glueTableName": "tb", "glueTableSchema": )" +
                 columns + "}]");
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  ReplicationConfig r = (*c)[0];
  r.mode = mode;
  r.unmapped = unmapped;
  auto m = RowMapper::Make(r, {{"pk", AttrType::kS}, {"sk", AttrType::kN}});
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return *m;
}

TEST(MappingTest, ConvertsEveryTypeExactly) {
  RowMapper m = Mapper(R"([{"name": "pk", "type": "string"}, {"name": "sk", "type": "bigint"},
      {"name": "price", "type": "decimal(10,2) "}, {"name": "ratio", "type": "double"}, {"name": "ok", "type": "boolean"},
      {"name": "day", "type": "date"}, {"name": "at", "type": "timestamptz"}, {"name": "exp", "type": "timestamp"},
      {"name": "tags", "type": "list<string>"}, {"name": "counts", "type": "map<string,int>"},
      {"name": "addr", "type": "struct<city:string,zip:string>"}, {"name": "raw", "type": "binary"},
      {"name": "name", "type": "string", "source": "profile.name"}])");
  // Keys are required and identify the table's rows.
  EXPECT_TRUE(m.schema().fields.fields[0].required);
  EXPECT_EQ(m.schema().identifier_field_ids.size(), 2u);
  auto row =
      m.MirrorRow(ItemOf(R"({"pk": {"S": "a"}, "sk": {"N": "-42"}, "price": {"N": "12.5"}, "ratio": {"N": "0.25"},
      "ok": {"BOOL": true}, "day": {"S": "2024-02-29"}, "at": {"S": "2024-01-01T01:00:00+01:00"}, "exp": {"N": "1.5"},
      "tags": {"SS": ["x", "y"]}, "counts": {"M": {"a": {"N": "1"}}}, "addr": {"M": {"city": {"S": "Oslo"}}},
      "raw": {"B": "AAE="}, "profile": {"M": {"name": {"S": "Ann"}}}, "other": {"L": [{"N": "1"}, {"NULL": true}]}})"),
                  "000000000000000000007", 1000);
  ASSERT_TRUE(row.ok()) << row.status().ToString();
  const auto& c = row->children();
  EXPECT_EQ(c[0].bytes(), "a");
  EXPECT_EQ(c[1].as_int(), -42);
  EXPECT_EQ(static_cast<int64_t>(c[2].as_decimal()), 1250);
  EXPECT_EQ(c[3].as_double(), 0.25);
  EXPECT_TRUE(c[4].as_bool());
  EXPECT_EQ(c[5].as_int(), 19782);             // days since 1970-01-01
  EXPECT_EQ(c[6].as_int(), 1704067200000000);  // 2024-01-01T00:00:00Z in microseconds
  EXPECT_EQ(c[7].as_int(), 1500000);           // epoch seconds
  EXPECT_EQ(c[8].children().size(), 2u);
  EXPECT_EQ(c[9].children()[0].bytes(), "a");
  EXPECT_EQ(c[10].children()[0].bytes(), "Oslo");
  EXPECT_TRUE(c[10].children()[1].is_null());
  EXPECT_EQ(c[11].bytes(), std::string("\0\1", 2));
  EXPECT_EQ(c[12].bytes(), "Ann");
  EXPECT_EQ(c[13].bytes(), R"({"other":[1,null]})");  // _extra: what no column names
  EXPECT_EQ(c[14].bytes(), "000000000000000000007");
  EXPECT_EQ(c[15].as_int(), 1000000);
}

TEST(MappingTest, MismatchesAreErrorsNamingTheColumn) {
  RowMapper m = Mapper(R"([{"name": "pk", "type": "string"}, {"name": "sk", "type": "bigint"},
      {"name": "qty", "type": "int"}, {"name": "price", "type": "decimal(5,2) "}, {"name": "day", "type": "date"},
      {"name": "must", "type": "string", "required": true}])");
  const std::pair<std::string, std::string> cases[] = {
      {R"("qty": {"S": "3"})", "column 'qty' from attribute 'qty' (int): expected a number (N), got S"},
      {R"("qty": {"N": "3.5"})", "the number 3.5 is not an integer in range"},
      {R"("qty": {"N": "3000000000"})", "not an integer in range"},
      {R"("price": {"N": "1.234"})", "the number 1.234 does not fit"},
      {R"("price": {"N": "1234"})", "does not fit"},
      {R"("day": {"S": "2023-02-29"})", "is not a date"},
  };
  for (const auto& [attr, message] : cases) {
    auto row = m.MirrorRow(ItemOf(R"({"pk": {"S": "a"}, "sk": {"N": "1"}, "must": {"S": "m"}, )" + attr + "}"), "", 0);
    ASSERT_FALSE(row.ok()) << attr;
    EXPECT_NE(row.status().message().find(message), std::string::npos) << row.status().message();
  }
  auto missing = m.MirrorRow(ItemOf(R"({"pk": {"S": "a"}, "sk": {"N": "1"}})"), "", 0);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("column 'must'"), std::string::npos);
}

TEST(MappingTest, KeysAgreeBetweenItemsAndRows) {
  RowMapper m = Mapper(R"([{"name": "pk", "type": "string"}, {"name": "sk", "type": "decimal(20,0) "}])");
  dynamo::Item item = ItemOf(R"({"pk": {"S": "a"}, "sk": {"N": "100"}, "x": {"S": "y"}})");
  auto key = m.KeyOfItem(item);
  ASSERT_TRUE(key.ok());
  auto row = m.MirrorRow(item, "", 0);
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(*key, m.KeyOfRow(*row));
  EXPECT_NE(*key, *m.KeyOfItem(ItemOf(R"({"pk": {"S": "a"}, "sk": {"N": "101"}})")));
  // A key column of the wrong type is a configuration error.
  auto c = Parse(
      R"([{"tableName": "t", "glueDatabaseName": "db", "glueTableName": "tb", "glueTableSchema": [{"name": "pk", "type": "long"}]}])");
  auto bad = RowMapper::Make((*c)[0], {{"pk", AttrType::kS}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("cannot hold the key attribute 'pk'"), std::string::npos);
  auto none = RowMapper::Make((*c)[0], {{"id", AttrType::kS}});
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("needs a column for the key attribute 'id'"), std::string::npos);
}

TEST(MappingTest, ChangelogRowsCarryOperationKeysAndImages) {
  RowMapper m =
      Mapper(R"([{"name": "pk", "type": "string"}, {"name": "sk", "type": "long"}, {"name": "qty", "type": "long"}])",
             Mode::kChangelog, Unmapped::kDrop);
  Change c;
  c.op = Change::Op::kModify;
  c.keys = ItemOf(R"({"pk": {"S": "a"}, "sk": {"N": "1"}})");
  c.old_image = ItemOf(R"({"pk": {"S": "a"}, "sk": {"N": "1"}, "qty": {"N": "1"}})");
  c.new_image = ItemOf(R"({"pk": {"S": "a"}, "sk": {"N": "1"}, "qty": {"N": "2"}, "dropped": {"S": "x"}})");
  c.sequence = "000000000000000000042";
  c.created_ms = 5;
  auto row = m.ChangelogRow(c);
  ASSERT_TRUE(row.ok()) << row.status().ToString();
  const auto& f = row->children();
  EXPECT_EQ(f[0].bytes(), "MODIFY");
  EXPECT_EQ(f[1].bytes(), "000000000000000000042");
  EXPECT_EQ(f[2].as_int(), 5000);
  EXPECT_FALSE(f[3].as_bool());
  EXPECT_EQ(f[4].bytes(), "a");
  EXPECT_EQ(f[5].as_int(), 1);
  EXPECT_EQ(f[6].children()[2].as_int(), 1);
  EXPECT_EQ(f[7].children()[2].as_int(), 2);
  EXPECT_EQ(f[7].children().size(), 3u);  // unmapped attributes dropped: no _extra
}

TransformSettings Lua(const std::string& code) {
  TransformSettings t;
  t.code = code;
  t.timeout_ms = 200;
  t.memory_mb = 8;
  return t;
}

std::vector<Change> Changes(int n) {
  std::vector<Change> out;
  for (int i = 0; i < n; ++i) {
    Change c;
    c.op = Change::Op::kInsert;
    c.keys = ItemOf(R"({"pk": {"S": "k)" + std::to_string(i) + R"("}})");
    c.new_image =
        ItemOf(R"({"pk": {"S": "k)" + std::to_string(i) + R"("}, "n": {"N": ")" + std::to_string(i) + R"("}})");
    c.sequence = std::to_string(i);
    out.push_back(c);
  }
  return out;
}

TEST(TransformTest, FirehoseContract) {
  auto t = Transformer::Make(Lua(R"(
function transform(records)
  local out = {}
  for _, r in ipairs(records) do
    local n = tonumber(r.data.NewImage.n.N)
    if n == 1 then out[#out+1] = {recordId = r.recordId, result = 'Dropped'}
    elseif n == 2 then out[#out+1] = {recordId = r.recordId, result = 'ProcessingFailed'}
    elseif n == 3 then out[#out+1] = {recordId = r.recordId, result = 'Ok', data = {eventName = 'INSERT'}}
    elseif n == 4 then -- no result at all
    else
      r.data.NewImage.doubled = {N = tostring(n * 2)}
      r.data.NewImage.tags = {SS = {}}
      r.data.NewImage.tags = nil
      out[#out+1] = {recordId = r.recordId, result = 'Ok', data = r.data}
    end
  end
  return out
end)"));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  auto out = (*t)->Apply(Changes(6));
  ASSERT_EQ(out.size(), 6u);
  using R = Transformer::Outcome::Result;
  EXPECT_EQ(out[0].result, R::kOk);
  EXPECT_EQ(out[0].change.new_image->at("doubled").scalar, "0");
  EXPECT_EQ(out[1].result, R::kDropped);
  EXPECT_EQ(out[2].result, R::kFailed);
  EXPECT_EQ(out[3].result, R::kFailed);
  EXPECT_NE(out[3].error.find("data.Keys is required"), std::string::npos) << out[3].error;
  EXPECT_EQ(out[4].result, R::kFailed);
  EXPECT_NE(out[4].error.find("no result for recordId"), std::string::npos);
  EXPECT_EQ(out[5].result, R::kOk);
  EXPECT_EQ(out[5].change.new_image->at("doubled").scalar, "10");
}

TEST(TransformTest, SandboxTimeoutAndMemory) {
  // No io, os, load or require.
  auto escape = Transformer::Make(Lua("function transform(r) return io.open('/etc/passwd') end"));
  ASSERT_TRUE(escape.ok());
  auto out = (*escape)->Apply(Changes(1));
  EXPECT_EQ(out[0].result, Transformer::Outcome::Result::kFailed);
  EXPECT_NE(out[0].error.find("io"), std::string::npos) << out[0].error;
  for (const char* code :
       {"function transform(r) return load('return 1')() end", "function transform(r) return require('os') end",
        "function transform(r) return string.dump(transform) end"}) {
    auto t = Transformer::Make(Lua(code));
    ASSERT_TRUE(t.ok());
    EXPECT_EQ((*t)->Apply(Changes(1))[0].result, Transformer::Outcome::Result::kFailed) << code;
  }
  auto spin = Transformer::Make(Lua("function transform(r) while true do end end"));
  ASSERT_TRUE(spin.ok());
  out = (*spin)->Apply(Changes(2));
  EXPECT_NE(out[0].error.find("timeout"), std::string::npos) << out[0].error;
  auto hog = Transformer::Make(
      Lua("function transform(r) local t = {} for i = 1, 1e9 do t[i] = string.rep('x', 1000) .. i end end"));
  ASSERT_TRUE(hog.ok());
  out = (*hog)->Apply(Changes(1));
  EXPECT_EQ(out[0].result, Transformer::Outcome::Result::kFailed);
  EXPECT_NE(out[0].error.find("memory"), std::string::npos) << out[0].error;
  // The state survives: a later batch works.
  auto ok =
      Transformer::Make(Lua("function transform(r) local o = {} for _, x in ipairs(r) do o[#o+1] = {recordId = "
                            "x.recordId, result = 'Ok', data = x.data} end return o end"));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ((*ok)->Apply(Changes(3))[2].result, Transformer::Outcome::Result::kOk);
  EXPECT_FALSE(Transformer::Make(Lua("function transform(")).ok());
  EXPECT_FALSE(Transformer::Make(Lua("x = 1")).ok());
}

}  // namespace
}  // namespace floe::pipeline
