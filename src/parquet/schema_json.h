#pragma once
// JSON forms of schemas and rows, for `floe parquet write` and tests:
//  - a schema is Iceberg's schema JSON ({"type": "struct", "fields": [...]}, Iceberg spec,
//    Appendix C), with list and map types as {"type": "list", "element-id", "element",
//    "element-required"} and {"type": "map", "key-id", "key", "value-id", "value",
//    "value-required"};
//  - a row is a JSON object keyed by field name, each value in Iceberg's JSON single-value
//    serialization (decimals as strings, dates "2017-11-16", times "22:31:08.123456",
//    timestamps "2017-11-16T22:31:08.123456" with an offset for timestamptz, uuids in their
//    8-4-4-4-12 form, binary and fixed as hex, maps as {"keys": [...], "values": [...]}).
//    Integers, dates, times and timestamps may also be given as JSON numbers (days or
//    microseconds); long values may be strings; floats may be "NaN", "Infinity", "-Infinity".
#include "common/status.h"
#include "json/json.h"
#include "parquet/schema.h"
#include "parquet/value.h"

namespace floe::parquet {

// Errors: kInvalidArgument naming the offending field.
Result<Schema> SchemaFromJson(const json::Value& doc);
// Writes the members "type": "struct" and "fields": [...] of a schema's JSON object (the
// caller opens and closes the object, so that it can add "schema-id" and the like).
void WriteSchemaMembers(const Schema& schema, json::Writer* w);
// A type in Iceberg's JSON form: a string for primitives, an object for nested types.
void WriteTypeJson(const Field& field, json::Writer* w);
// A row for Writer::AppendRow. Unknown member names are errors.
Result<Value> RowFromJson(const Schema& schema, const json::Value& row);

// Civil-date helpers (proleptic Gregorian): days since 1970-01-01.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);
// The inverse: the year, month (1..12) and day (1..31) of a day number.
void CivilFromDays(int64_t days, int64_t* y, unsigned* m, unsigned* d);

}  // namespace floe::parquet
