// Parquet writer benchmark: 1,000,000 rows of a 10-column mixed schema, written with zstd
// through floe's writer (column batches, one thread). The data is generated in memory first
// (deterministic, seed fixed) and only the writing is timed; best of N runs.
//
// usage: parquet_bench OUT.parquet [ROWS] [RUNS] [CODEC] [ROW_GROUP_ROWS]
// Prints one JSON line: {"rows":..,"seconds":..,"rows_per_second":..,"bytes":..}.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "parquet/writer.h"

using namespace floe::parquet;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: parquet_bench OUT.parquet [ROWS] [RUNS] [CODEC] [ROW_GROUP_ROWS]\n");
    return 2;
  }
  const std::string out = argv[1];
  const size_t rows = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1000000;
  const int runs = argc > 3 ? std::atoi(argv[3]) : 3;
  auto codec = ParseCodec(argc > 4 ? argv[4] : "zstd");
  const size_t row_group_rows = argc > 5 ? std::strtoull(argv[5], nullptr, 10) : 0;
  if (!codec.ok()) {
    std::fprintf(stderr, "%s\n", codec.status().message().c_str());
    return 2;
  }

  Schema schema;
  schema.fields = {
      Primitive(1, "id", TypeId::kLong, true),        Primitive(2, "user_id", TypeId::kLong, true),
      Primitive(3, "ts", TypeId::kTimestampTz, true), Decimal(4, "price", 10, 2, true),
      Primitive(5, "qty", TypeId::kInt, true),        Primitive(6, "score", TypeId::kDouble, false),
      Primitive(7, "status", TypeId::kString, true),  Primitive(8, "city", TypeId::kString, true),
      Primitive(9, "email", TypeId::kString, true),   Primitive(10, "active", TypeId::kBoolean, false),
  };

  std::mt19937_64 rng(42);
  std::vector<int64_t> id(rows), user(rows), ts(rows), price(rows);
  std::vector<int32_t> qty(rows);
  std::vector<double> score(rows);
  std::vector<uint8_t> score_valid(rows), active(rows), active_valid(rows);
  std::vector<std::string_view> status(rows), city(rows), email(rows);
  static const char* kStatus[] = {"PENDING", "PAID", "SHIPPED", "DELIVERED", "CANCELLED"};
  std::vector<std::string> cities;
  for (int i = 0; i < 1000; ++i) cities.push_back("city-" + std::to_string(i * 7919 % 100000));
  std::string email_arena;
  std::vector<size_t> email_off;
  int64_t t = 1700000000000000;
  for (size_t i = 0; i < rows; ++i) {
    id[i] = static_cast<int64_t>(i);
    user[i] = static_cast<int64_t>(rng() % 100000);
    t += static_cast<int64_t>(rng() % 2000000);
    ts[i] = t;
    price[i] = static_cast<int64_t>(rng() % 1000000);
    qty[i] = static_cast<int32_t>(1 + rng() % 20);
    score_valid[i] = rng() % 10 != 0;
    score[i] = static_cast<double>(rng() % 1000000) / 1000.0;
    status[i] = kStatus[rng() % 5];
    city[i] = cities[rng() % cities.size()];
    email_off.push_back(email_arena.size());
    email_arena += "user-" + std::to_string(user[i]) + "." + std::to_string(i % 97) + "@example.com";
    active_valid[i] = rng() % 20 != 0;
    active[i] = rng() % 2;
  }
  email_off.push_back(email_arena.size());
  for (size_t i = 0; i < rows; ++i)
    email[i] = std::string_view(email_arena).substr(email_off[i], email_off[i + 1] - email_off[i]);

  std::vector<ColumnBatch> batch = {
      {id.data(), nullptr},     {user.data(), nullptr},
      {ts.data(), nullptr},     {price.data(), nullptr},
      {qty.data(), nullptr},    {score.data(), score_valid.data()},
      {status.data(), nullptr}, {city.data(), nullptr},
      {email.data(), nullptr},  {active.data(), active_valid.data()},
  };

  double best = 1e9;
  int64_t bytes = 0;
  for (int r = 0; r < runs; ++r) {
    auto start = std::chrono::steady_clock::now();
    auto sink = FileSink::Create(out);
    if (!sink.ok()) {
      std::fprintf(stderr, "%s\n", sink.status().message().c_str());
      return 1;
    }
    WriterOptions options;
    options.codec = *codec;
    options.row_group_rows = row_group_rows;
    auto writer = Writer::Open(schema, sink->get(), options);
    if (!writer.ok()) {
      std::fprintf(stderr, "%s\n", writer.status().message().c_str());
      return 1;
    }
    // Appended in batches of 100,000 rows, as a pipeline would.
    for (size_t at = 0; at < rows; at += 100000) {
      size_t n = std::min<size_t>(100000, rows - at);
      std::vector<ColumnBatch> slice = batch;
      slice[0].values = id.data() + at;
      slice[1].values = user.data() + at;
      slice[2].values = ts.data() + at;
      slice[3].values = price.data() + at;
      slice[4].values = qty.data() + at;
      slice[5] = {score.data() + at, score_valid.data() + at};
      slice[6].values = status.data() + at;
      slice[7].values = city.data() + at;
      slice[8].values = email.data() + at;
      slice[9] = {active.data() + at, active_valid.data() + at};
      floe::Status st = (*writer)->AppendBatch(n, slice);
      if (!st.ok()) {
        std::fprintf(stderr, "%s\n", st.message().c_str());
        return 1;
      }
    }
    auto metrics = (*writer)->Close();
    floe::Status st = metrics.ok() ? (*sink)->Close(false) : metrics.status();
    if (!st.ok()) {
      std::fprintf(stderr, "%s\n", st.message().c_str());
      return 1;
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (secs < best) best = secs;
    bytes = metrics->file_size;
  }
  std::printf("{\"rows\":%zu,\"seconds\":%.4f,\"rows_per_second\":%.0f,\"bytes\":%lld,\"row_groups\":%zu}\n", rows,
              best, static_cast<double>(rows) / best, static_cast<long long>(bytes),
              row_group_rows == 0 ? 1 : (rows + row_group_rows - 1) / row_group_rows);
  return 0;
}
