#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "common/hex.h"
#include "json/json.h"
#include "parquet/column.h"
#include "parquet/encoding.h"
#include "parquet/reader.h"
#include "parquet/schema_json.h"
#include "parquet/thrift.h"
#include "parquet/writer.h"

namespace floe::parquet {
namespace {

TEST(Thrift, CompactProtocolBytes) {
  std::string out;
  thrift::CompactWriter w(&out);
  w.BeginStruct();
  w.I32(1, -1);                           // 0x15 (delta 1, i32), zigzag(-1) = 1
  w.I64(2, 300);                          // 0x16 (delta 1, i64), zigzag 600 = 0xd8 0x04
  w.Binary(4, "ab");                      // 0x28 (delta 2, binary), length 2
  w.Bool(5, true);                        // 0x11 (delta 1, true)
  w.BeginStructField(6);                  // 0x1c
  w.I16(1, 7);                            // 0x14 0x0e
  w.EndStruct();                          // 0x00
  w.BeginList(7, thrift::Type::kI32, 2);  // 0x19, 0x25
  w.ListI32(0);
  w.ListI32(3);
  w.I32(30, 1);  // delta 23 > 15: 0x05 then zigzag(30) = 0x3c, value 0x02
  w.EndStruct();
  EXPECT_EQ(HexEncode(out),
            "1501"
            "16d804"
            "28026162"
            "11"
            "1c140e00"
            "19250006"
            "053c02"
            "00");

  std::string big;
  thrift::CompactWriter l(&big);
  l.BeginStruct();
  l.BeginList(1, thrift::Type::kBinary, 20);  // 15 or more elements: 0xf8 then varint size
  for (int i = 0; i < 20; ++i) l.ListBinary("");
  l.EndStruct();
  EXPECT_EQ(HexEncode(big).substr(0, 6), "19f814");
}

TEST(Encoding, HybridRunsAndBitPacking) {
  // The specification's example: 0..7 at bit width 3 is one bit-packed group.
  uint8_t seq[8] = {0, 1, 2, 3, 4, 5, 6, 7};
  std::string out;
  EncodeHybrid(seq, 8, 3, &out);
  EXPECT_EQ(HexEncode(out), "0388c6fa");

  // Ten equal values: an RLE run (header 10 << 1, value in one byte).
  uint8_t ones[10];
  std::memset(ones, 1, sizeof(ones));
  out.clear();
  EncodeHybrid(ones, 10, 1, &out);
  EXPECT_EQ(HexEncode(out), "1401");

  // Three literals, then a run of 12: the run lends 5 values to fill the literal group,
  // leaving 7, too short for a run, so everything is bit-packed (two groups, zero-padded).
  uint8_t mixed[15] = {1, 0, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2};
  out.clear();
  EncodeHybrid(mixed, 15, 2, &out);
  EXPECT_EQ(HexEncode(out),
            "05"
            "91aa"
            "aa2a");  // 2 groups x 2 bytes

  // A literal group of 8 and then a run of 9: the run stays a run.
  uint32_t lr[17] = {1, 2, 3, 4, 5, 6, 7, 0, 9, 9, 9, 9, 9, 9, 9, 9, 9};
  out.clear();
  EncodeHybrid(lr, 17, 4, &out);
  EXPECT_EQ(HexEncode(out),
            "03"
            "21436507"
            "12"
            "09");

  EXPECT_EQ(BitWidth(0), 0);
  EXPECT_EQ(BitWidth(1), 1);
  EXPECT_EQ(BitWidth(7), 3);
  EXPECT_EQ(BitWidth(8), 4);
}

TEST(Encoding, BooleansAndUtf8) {
  uint8_t b[10] = {1, 0, 1, 1, 0, 0, 0, 1, 1, 0};
  std::string out;
  EncodeBooleans(b, 10, &out);
  EXPECT_EQ(HexEncode(out), "8d01");
  EXPECT_TRUE(IsValidUtf8("plain ascii, long enough for the 8-byte path"));
  EXPECT_TRUE(IsValidUtf8("h\xc3\xa9llo \xe6\x97\xa5 \xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xc3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(IsValidUtf8("abcdefgh\xff"));
}

TEST(Schema, DecimalBytesAndValidation) {
  EXPECT_EQ(DecimalBytes(1), 1);
  EXPECT_EQ(DecimalBytes(2), 1);
  EXPECT_EQ(DecimalBytes(3), 2);
  EXPECT_EQ(DecimalBytes(9), 4);
  EXPECT_EQ(DecimalBytes(18), 8);
  EXPECT_EQ(DecimalBytes(19), 9);
  EXPECT_EQ(DecimalBytes(38), 16);

  Schema s;
  s.fields = {Primitive(1, "a", TypeId::kInt), Primitive(1, "b", TypeId::kInt)};
  EXPECT_EQ(ValidateSchema(s).message(), "field id 1 is used twice");
  s.fields = {Decimal(1, "d", 39, 0)};
  EXPECT_EQ(ValidateSchema(s).message(), "decimal field d needs a precision between 1 and 38");
  s.fields = {Struct(1, "s", {Primitive(2, "x", TypeId::kInt), Primitive(3, "x", TypeId::kLong)})};
  EXPECT_EQ(ValidateSchema(s).message(), "struct s has two fields named x");
  Field deep = Primitive(100, "leaf", TypeId::kInt);
  for (int i = 0; i < kMaxNestingDepth; ++i) deep = List(i + 1, "l", deep);
  s.fields = {deep};
  EXPECT_FALSE(ValidateSchema(s).ok());
}

// A whole file, pinned byte for byte: one required int column, three rows, uncompressed,
// PLAIN. The page header reads 15 00 (DATA_PAGE) 15 18 15 18 (12 bytes, both sizes)
// 2c (data_page_header) 15 06 (3 values) 15 00 (PLAIN) 15 06 15 06 (RLE levels) 00 00; the
// footer is decoded field by field in docs/formats/parquet.md.
TEST(Writer, GoldenFile) {
  Schema s;
  s.fields = {Primitive(1, "a", TypeId::kInt, true)};
  StringSink sink;
  WriterOptions o;
  o.codec = Codec::kUncompressed;
  o.dictionary = false;
  auto w = Writer::Open(s, &sink, o);
  ASSERT_TRUE(w.ok());
  for (int i = 1; i <= 3; ++i) ASSERT_TRUE((*w)->AppendRow(Value::Struct({Value::Int(i)})).ok());
  auto m = (*w)->Close();
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(HexEncode(sink.str()),
            "50415231"
            "1500151815182c150615001506150600"
            "00"
            "010000000200000003000000"
            "1502192c48057461626c65150200150225001801615502001606191c191c26081c1502192500061918016115001606163a16"
            "3a26083c180403000000180401000000160028040300000018040100000000191c150015001502000000163a16062608163a"
            "1400002812666c6f652076657273696f6e20302e312e30191c1c000000"
            "81000000"
            "50415231");
  EXPECT_EQ(m->row_count, 3);
  EXPECT_EQ(m->file_size, static_cast<int64_t>(sink.str().size()));
  ASSERT_EQ(m->columns.size(), 1u);
  EXPECT_EQ(HexEncode(*m->columns[0].lower_bound), "01000000");
  EXPECT_EQ(HexEncode(*m->columns[0].upper_bound), "03000000");
}

TEST(Writer, FailedAppendsBufferNothing) {
  Schema s;
  s.fields = {Primitive(1, "k", TypeId::kLong, true),
              Struct(2, "st", {Primitive(3, "x", TypeId::kInt, true), Primitive(4, "s", TypeId::kString)})};
  StringSink sink;
  auto w = Writer::Open(s, &sink);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->AppendRow(Value::Struct({Value::Int(1), Value::Null()})).ok());
  size_t before = (*w)->buffered_bytes();

  // The required leaf fails after the row's first column was already checked.
  Status st = (*w)->AppendRow(Value::Struct({Value::Int(2), Value::Struct({Value::Null()})}));
  EXPECT_EQ(st.message(), "field st.x: is required but the value is null");
  st = (*w)->AppendRow(Value::Struct({Value::Int(2), Value::Struct({Value::Int(1), Value::Bytes("\xff")})}));
  EXPECT_EQ(st.message(), "field st.s: string is not valid UTF-8");
  st = (*w)->AppendRow(Value::Struct({Value::Int(1LL << 40), Value::Struct({Value::Int(1LL << 40)})}));
  EXPECT_EQ(st.message(), "field st.x: 1099511627776 is out of range for int");
  st = (*w)->AppendRow(Value::Struct({Value::Bytes("x")}));
  EXPECT_EQ(st.message(), "field k: expected long, got bytes");
  EXPECT_EQ((*w)->buffered_bytes(), before);
  EXPECT_EQ((*w)->rows_written(), 1);

  // Batches take primitive columns only, and check every slot first.
  Schema flat;
  flat.fields = {Primitive(1, "k", TypeId::kLong, true), Decimal(2, "d", 3, 1)};
  StringSink sink2;
  auto w2 = Writer::Open(flat, &sink2);
  int64_t keys[3] = {1, 2, 3};
  int32_t decs[3] = {1, 999, 1000};
  uint8_t valid[3] = {1, 1, 1};
  ColumnBatch cols[2] = {{keys, nullptr}, {decs, valid}};
  st = (*w2)->AppendBatch(3, cols);
  EXPECT_EQ(st.message(), "field d: value has more digits than decimal(3,1) allows");
  EXPECT_EQ((*w2)->rows_written(), 0);
  uint8_t keys_valid[3] = {1, 0, 1};
  cols[0].valid = keys_valid;
  decs[2] = 5;
  st = (*w2)->AppendBatch(3, cols);
  EXPECT_EQ(st.message(), "field k: is required but row 1 is null");
  cols[0].valid = nullptr;
  EXPECT_TRUE((*w2)->AppendBatch(3, cols).ok());
  EXPECT_EQ((*w2)->rows_written(), 3);
}

TEST(Writer, IcebergBounds) {
  Field f = Decimal(1, "d", 38, 2);
  Leaf leaf;
  leaf.field = &f;
  DescribeLeaf(&leaf);
  EXPECT_EQ(leaf.physical, Physical::kFixedLenByteArray);
  EXPECT_EQ(leaf.type_length, 16);
  Bound b;
  b.i = -1;
  EXPECT_EQ(HexEncode(IcebergBoundBytes(leaf, b)), "ff");
  EXPECT_EQ(HexEncode(ParquetStatBytes(leaf, b)), "ffffffffffffffffffffffffffffffff");
  b.i = 128;
  EXPECT_EQ(HexEncode(IcebergBoundBytes(leaf, b)), "0080");
  Field small = Decimal(2, "s", 9, 2);
  Leaf l2;
  l2.field = &small;
  DescribeLeaf(&l2);
  b.i = 1234;
  EXPECT_EQ(HexEncode(ParquetStatBytes(l2, b)), "d2040000");  // INT32, little-endian
  EXPECT_EQ(HexEncode(IcebergBoundBytes(l2, b)), "04d2");     // unscaled, big-endian, minimal
}

TEST(SchemaJson, ParsesIcebergSchemasAndRows) {
  auto doc = json::Parse(R"j({"type":"struct","fields":[
    {"id":1,"name":"d","required":true,"type":"date"},
    {"id":2,"name":"ts","required":false,"type":"timestamptz"},
    {"id":3,"name":"t","required":false,"type":"time"},
    {"id":4,"name":"p","required":false,"type":"decimal(10, 3)"},
    {"id":5,"name":"m","required":false,"type":{"type":"map","key-id":6,"key":"string","value-id":7,"value":"long"}},
    {"id":8,"name":"lts","required":false,"type":"timestamp"}]})j");
  ASSERT_TRUE(doc.ok());
  auto schema = SchemaFromJson(*doc);
  ASSERT_TRUE(schema.ok()) << schema.status().message();
  EXPECT_EQ(TypeName(schema->fields[4]), "map<string,long>");
  EXPECT_EQ(schema->fields[3].scale, 3);

  auto row = [&](const char* text) { return RowFromJson(*schema, *json::Parse(text)); };
  auto r = row(R"({"d":"2024-02-29","ts":"2024-01-01T01:00:00+01:00","t":"00:00:01.5","p":"-1.5"})");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->children()[0].as_int(), 19782);
  EXPECT_EQ(r->children()[1].as_int(), 1704067200000000LL);
  EXPECT_EQ(r->children()[2].as_int(), 1500000);
  EXPECT_EQ(static_cast<int64_t>(r->children()[3].as_decimal()), -1500);
  EXPECT_EQ(row(R"({"d":"0001-01-01"})")->children()[0].as_int(), -719162);
  EXPECT_EQ(row(R"({"d":"1970-01-01","ts":"1969-12-31T23:59:59.999999Z"})")->children()[1].as_int(), -1);

  EXPECT_EQ(row(R"({"d":"2023-02-29"})").status().message(), "d: not a valid date value");
  EXPECT_EQ(row(R"({"d":0,"p":"1.2345"})").status().message(), "p: not a valid decimal(10,3) value");
  EXPECT_EQ(row(R"({"d":0,"lts":"2024-01-01T00:00:00Z"})").status().message(), "lts: not a valid timestamp value");
  EXPECT_EQ(row(R"({"d":0,"t":"00:00:00.1234567"})").status().message(), "t: not a valid time value");
  EXPECT_EQ(row(R"({"d":0,"m":{"keys":["a"]}})").status().message(),
            "m: a map value is {\"keys\": [...], \"values\": [...]} of equal lengths");
  EXPECT_EQ(row(R"({"zz":1})").status().message(), "the schema has no field named zz");
}

}  // namespace
}  // namespace floe::parquet

namespace floe::parquet {
namespace {

bool SameValue(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Value::Kind::kNull: return true;
    case Value::Kind::kFloat: return a.as_float() == b.as_float();
    case Value::Kind::kDouble: return a.as_double() == b.as_double();
    case Value::Kind::kBytes: return a.bytes() == b.bytes();
    case Value::Kind::kStruct:
    case Value::Kind::kList:
    case Value::Kind::kMap:
      if (a.children().size() != b.children().size()) return false;
      for (size_t i = 0; i < a.children().size(); ++i) {
        if (!SameValue(a.children()[i], b.children()[i])) return false;
      }
      return true;
    default: return a.as_decimal() == b.as_decimal();
  }
}

// Schema JSON comes from catalog clients: its nesting is bounded explicitly, before any
// recursion could reach the thread's stack (the JSON parser alone would allow ~500 list levels).
TEST(SchemaJson, NestingIsBounded) {
  auto nested = [](int levels) {
    std::string t = "\"int\"";
    for (int i = 0; i < levels; ++i) {
      t = "{\"type\": \"list\", \"element-id\": " + std::to_string(i + 2) + ", \"element\": " + t +
          ", \"element-required\": false}";
    }
    return R"({"type": "struct", "fields": [{"id": 1, "name": "l", "required": false, "type": )" + t + "}]}";
  };
  auto ok = json::Parse(nested(kMaxNestingDepth - 1));
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(SchemaFromJson(*ok).ok());
  auto deep = json::Parse(nested(400));
  ASSERT_TRUE(deep.ok());
  auto schema = SchemaFromJson(*deep);
  ASSERT_FALSE(schema.ok());
  EXPECT_NE(schema.status().message().find("nested too deeply"), std::string::npos) << schema.status().message();
}

// Reader: what the writer writes comes back value for value, through every codec,
// dictionary and PLAIN pages, nested lists, maps and structs with nulls at every level.
TEST(Reader, ReadsBackWhatTheWriterWrote) {
  auto schema = SchemaFromJson(*json::Parse(R"json({"type": "struct", "fields": [
    {"id": 1, "name": "id", "required": true, "type": "long"},
    {"id": 2, "name": "s", "required": false, "type": "string"},
    {"id": 3, "name": "d9", "required": false, "type": "decimal(9,2)"},
    {"id": 4, "name": "d38", "required": false, "type": "decimal(38,10)"},
    {"id": 5, "name": "tags", "required": false, "type": {"type": "list", "element-id": 6, "element": "string", "element-required": false}},
    {"id": 7, "name": "m", "required": false, "type": {"type": "map", "key-id": 8, "key": "string", "value-id": 9,
       "value": {"type": "list", "element-id": 10, "element": "int", "element-required": true}, "value-required": false}},
    {"id": 11, "name": "st", "required": false, "type": {"type": "struct", "fields": [
       {"id": 12, "name": "a", "required": true, "type": "boolean"},
       {"id": 13, "name": "b", "required": false, "type": {"type": "list", "element-id": 14, "element":
          {"type": "struct", "fields": [{"id": 15, "name": "x", "required": false, "type": "double"}]}, "element-required": false}}]}},
    {"id": 16, "name": "u", "required": false, "type": "uuid"},
    {"id": 17, "name": "ts", "required": false, "type": "timestamptz"}]})json"));
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  std::vector<Value> rows;
  for (int i = 0; i < 3000; ++i) {
    auto maybe = [&](int k, Value v) { return (i * 7 + k) % 5 == 0 ? Value::Null() : std::move(v); };
    std::vector<Value> tags;
    for (int k = 0; k < i % 4; ++k)
      tags.push_back(k == 1 ? Value::Null() : Value::Bytes("t" + std::to_string(i % 13 + k)));
    std::vector<Value> m;
    for (int k = 0; k < i % 3; ++k) {
      m.push_back(Value::Bytes("k" + std::to_string(k)));
      std::vector<Value> ints;
      for (int j = 0; j < (i + k) % 3; ++j) ints.push_back(Value::Int(i * 10 + j));
      m.push_back(k == 1 && i % 2 ? Value::Null() : Value::List(std::move(ints)));
    }
    std::vector<Value> bs;
    for (int k = 0; k < i % 3; ++k)
      bs.push_back(k == 2 ? Value::Null() : Value::Struct({maybe(k + 9, Value::Double(i * 0.5 + k))}));
    rows.push_back(Value::Struct({
        Value::Int(i * 1000003LL - 7),
        maybe(1, Value::Bytes("s" + std::to_string(i % 50))),
        maybe(2, Value::Decimal(i * 101 - 5000)),
        maybe(3, Value::Decimal((static_cast<int128_t>(i) << 80) - 12345)),
        maybe(4, Value::List(std::move(tags))),
        maybe(5, Value::Map(std::move(m))),
        maybe(6, Value::Struct({Value::Bool(i % 2 == 0), maybe(7, Value::List(std::move(bs)))})),
        maybe(8, Value::Bytes(std::string(16, static_cast<char>(i)))),
        maybe(9, Value::Int(1700000000000000LL + i)),
    }));
  }
  for (Codec codec : {Codec::kUncompressed, Codec::kSnappy, Codec::kGzip, Codec::kZstd}) {
    for (bool dictionary : {true, false}) {
      WriterOptions o;
      o.codec = codec;
      o.dictionary = dictionary;
      o.page_size = 4096;
      o.row_group_rows = 1100;
      StringSink sink;
      auto w = Writer::Open(*schema, &sink, o);
      ASSERT_TRUE(w.ok());
      for (const auto& r : rows) ASSERT_TRUE((*w)->AppendRow(r).ok());
      ASSERT_TRUE((*w)->Close().ok());
      auto reader = Reader::Open(sink.str());
      ASSERT_TRUE(reader.ok()) << reader.status().ToString();
      EXPECT_EQ((*reader)->num_rows(), 3000);
      EXPECT_EQ(TypeName((*reader)->schema().fields[6]), TypeName(schema->fields[6]));
      EXPECT_EQ((*reader)->schema().fields[6].children[1].children[0].children[0].id, 15);
      auto back = (*reader)->ReadAll();
      ASSERT_TRUE(back.ok()) << back.status().ToString();
      ASSERT_EQ(back->size(), rows.size());
      for (size_t i = 0; i < rows.size(); ++i)
        ASSERT_TRUE(SameValue(rows[i], (*back)[i])) << "row " << i << " codec " << CodecName(codec);
    }
  }
  StringSink sink;
  auto w = Writer::Open(*schema, &sink, {});
  for (int i = 0; i < 10; ++i) ASSERT_TRUE((*w)->AppendRow(rows[i]).ok());
  ASSERT_TRUE((*w)->Close().ok());
  std::string file = sink.str();
  // Truncations and flipped bytes are errors, never crashes.
  for (size_t cut : {size_t{0}, size_t{4}, file.size() / 2, file.size() - 9})
    EXPECT_FALSE(Reader::Open(file.substr(0, cut)).ok());
  for (size_t i = 4; i < file.size() - 8; i += 7) {
    std::string bad = file;
    bad[i] ^= 0x5A;
    auto r = Reader::Open(bad);
    if (r.ok()) (void)(*r)->ReadAll();
  }
}

}  // namespace
}  // namespace floe::parquet
