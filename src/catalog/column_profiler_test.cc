#include "catalog/column_profiler.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/hash.h"
#include "base/task.h"
#include "catalog/column_profiler_state.h"
#include "catalog/heavy_hitters.h"
#include "catalog/profile_values.h"
#include "catalog/sample_rows.h"
#include "core/datetime.h"
#include "core/value.h"
#include "io/csv/csv_reader.h"
#include "io/parquet/parquet_reader.h"
#include "io/parquet/parquet_writer.h"

namespace sluice::catalog {
namespace {

using core::TypeId;
using core::Value;

core::SchemaPtr MakeSchema(std::vector<core::Field> fields) {
  return std::make_shared<core::Schema>(std::move(fields));
}

// Makes a batch from rows of values (nullopt for NULL) given as Values.
core::Batch MakeBatch(const core::SchemaPtr& schema, const std::vector<std::vector<Value>>& rows) {
  core::Batch batch(schema);
  for (const auto& row : rows) batch.AppendRow(row);
  return batch;
}

std::vector<std::string> Texts(const std::vector<ValueCount>& values) {
  std::vector<std::string> texts;
  for (const auto& value : values) texts.push_back(value.value + "=" + std::to_string(value.count));
  return texts;
}

std::vector<uint64_t> TextHashes(const std::vector<std::string>& texts) {
  std::vector<uint64_t> hashes;
  for (const auto& text : texts) hashes.push_back(HashString(text));
  std::sort(hashes.begin(), hashes.end());
  return hashes;
}

class HandMadeBatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto schema = MakeSchema({{"id", TypeId::kBigint},
                              {"name", TypeId::kVarchar},
                              {"code", TypeId::kVarchar},
                              {"day", TypeId::kDate},
                              {"flag", TypeId::kBoolean},
                              {"score", TypeId::kDouble},
                              {"empty", TypeId::kInteger}});
    Value null_text = Value::Null(TypeId::kVarchar);
    std::vector<std::string> names = {
        "apple", "Äpfel", "日本語", "", "apple", "", "zebra: longer than twelve bytes",
        "apple", "émile", ""};
    std::vector<std::string> codes = {"12", "-7", "x1", "300", "", "42", "4.5", "0", "n/a", "1000"};
    std::vector<std::vector<Value>> rows;
    for (int i = 0; i < 10; ++i) {
      std::vector<Value> row;
      row.push_back(i == 3 ? Value::Null(TypeId::kBigint) : Value::Bigint(i + 1));
      row.push_back(i == 3 || i == 9 ? null_text : Value::Varchar(names[i]));
      row.push_back(i == 4 ? null_text : Value::Varchar(codes[i]));
      row.push_back(i == 0 ? Value::Null(TypeId::kDate)
                           : Value::Date(*core::ParseDate("2024-02-27") + i));
      row.push_back(Value::Boolean(i % 3 == 0));
      row.push_back(i >= 8 ? Value::Null(TypeId::kDouble) : Value::Double(i * 0.5));
      row.push_back(Value::Null(TypeId::kInteger));
      rows.push_back(std::move(row));
    }
    // Row 5 of `name` is the empty string, not NULL.
    core::Batch batch = MakeBatch(schema, rows);
    ProfileOptions options;
    options.top_k = 3;
    options.histogram_bins = 3;
    TableProfiler profiler(*schema, options);
    profiler.AddBatch(batch);
    profile_ = profiler.Finish();
  }

  const ColumnProfile& Column(size_t i) const { return profile_.columns[i]; }

  TableProfile profile_;
};

TEST_F(HandMadeBatchTest, ProfilesABigintColumnExactly) {
  EXPECT_EQ(profile_.rows, 10);
  const ColumnProfile& id = Column(0);
  EXPECT_EQ(id.name, "id");
  EXPECT_EQ(id.type, TypeId::kBigint);
  EXPECT_EQ(id.rows, 10);
  EXPECT_EQ(id.non_null, 9);
  EXPECT_DOUBLE_EQ(id.null_fraction, 0.1);
  EXPECT_EQ(id.distinct, 9);
  EXPECT_EQ(id.min, "1");
  EXPECT_EQ(id.max, "10");
  EXPECT_NEAR(*id.mean, 51.0 / 9, 1e-12);
  double squares = 0;
  for (int v : {1, 2, 3, 5, 6, 7, 8, 9, 10}) squares += (v - 51.0 / 9) * (v - 51.0 / 9);
  EXPECT_NEAR(*id.stddev, std::sqrt(squares / 8), 1e-12);
  std::vector<std::pair<double, double>> quantiles = {{0, 1},     {0.01, 1},  {0.05, 1},
                                                      {0.25, 3},  {0.5, 6},   {0.75, 8},
                                                      {0.95, 10}, {0.99, 10}, {1, 10}};
  EXPECT_EQ(id.quantiles, quantiles);
  ASSERT_EQ(id.histogram.size(), 3u);
  EXPECT_EQ(id.histogram[0].lower, 1);
  EXPECT_EQ(id.histogram[0].upper, 4);
  EXPECT_EQ(id.histogram[0].count, 3);  // 1 2 3
  EXPECT_EQ(id.histogram[1].count, 2);  // 5 6
  EXPECT_EQ(id.histogram[2].count, 4);  // 7 8 9 10
  EXPECT_EQ(id.histogram[2].upper, 10);
  EXPECT_EQ(Texts(id.top_values), (std::vector<std::string>{"1=1", "2=1", "3=1"}));
  EXPECT_EQ(id.inferred_type, TypeId::kBigint);
  EXPECT_EQ(id.type_failure_fraction, 0);
  EXPECT_FALSE(id.min_length);
  EXPECT_EQ(id.signature.hashes, TextHashes({"1", "2", "3", "5", "6", "7", "8", "9", "10"}));
  std::vector<std::string> sample = id.sample;
  std::sort(sample.begin(), sample.end());
  EXPECT_EQ(sample, (std::vector<std::string>{"1", "10", "2", "3", "5", "6", "7", "8", "9"}));
}

TEST_F(HandMadeBatchTest, ProfilesStringsWithMultiByteCharacters) {
  const ColumnProfile& name = Column(1);
  EXPECT_EQ(name.non_null, 8);
  EXPECT_DOUBLE_EQ(name.null_fraction, 0.2);
  EXPECT_EQ(name.distinct, 6);
  EXPECT_EQ(name.min, "");
  EXPECT_EQ(name.max, "日本語");  // bytewise: 0xE6 sorts after 0xC3 (Ä, é) and 'z'
  EXPECT_EQ(name.min_length, 0);
  EXPECT_EQ(name.max_length, 31);
  // apple x3, Äpfel, 日本語, "", zebra..., émile: 15 + 5 + 3 + 0 + 31 + 5
  EXPECT_DOUBLE_EQ(*name.mean_length, 59.0 / 8);
  EXPECT_EQ(Texts(name.top_values),
            (std::vector<std::string>{"apple=3", "=1", "zebra: longer than twelve bytes=1"}));
  EXPECT_FALSE(name.mean);
  EXPECT_TRUE(name.quantiles.empty());
  EXPECT_TRUE(name.histogram.empty());
  EXPECT_EQ(name.inferred_type, TypeId::kVarchar);
  EXPECT_EQ(name.type_failure_fraction, 0);
  EXPECT_EQ(name.signature.hashes, TextHashes({"apple", "Äpfel", "日本語", "",
                                               "zebra: longer than twelve bytes", "émile"}));
  EXPECT_EQ(name.sample.size(), 8u);
}

TEST_F(HandMadeBatchTest, InfersBigintForAStringColumnOfNumbersWithBadValues) {
  const ColumnProfile& code = Column(2);
  EXPECT_EQ(code.non_null, 9);
  EXPECT_EQ(code.inferred_type, TypeId::kBigint);
  // x1, 4.5 and n/a are not integers.
  EXPECT_DOUBLE_EQ(code.type_failure_fraction, 3.0 / 9);
  EXPECT_EQ(code.min_length, 1);
  EXPECT_EQ(code.max_length, 4);
}

TEST_F(HandMadeBatchTest, ProfilesDatesAsDays) {
  const ColumnProfile& day = Column(3);
  EXPECT_EQ(day.non_null, 9);
  EXPECT_EQ(day.min, "2024-02-28");
  EXPECT_EQ(day.max, "2024-03-07");  // 2024 is a leap year
  EXPECT_FALSE(day.mean);
  int32_t first = *core::ParseDate("2024-02-28");
  ASSERT_EQ(day.quantiles.size(), 9u);
  EXPECT_EQ(day.quantiles.front().second, first);
  EXPECT_EQ(day.quantiles[4].second, first + 4);
  EXPECT_EQ(day.quantiles.back().second, first + 8);
  ASSERT_EQ(day.histogram.size(), 3u);
  EXPECT_EQ(day.histogram[0].count + day.histogram[1].count + day.histogram[2].count, 9);
  EXPECT_EQ(day.inferred_type, TypeId::kDate);
  EXPECT_TRUE(day.signature.hashes.empty());
}

TEST_F(HandMadeBatchTest, ProfilesBooleansDoublesAndAllNullColumns) {
  const ColumnProfile& flag = Column(4);
  EXPECT_EQ(flag.distinct, 2);
  EXPECT_EQ(flag.min, "false");
  EXPECT_EQ(flag.max, "true");
  EXPECT_EQ(Texts(flag.top_values), (std::vector<std::string>{"false=6", "true=4"}));
  EXPECT_FALSE(flag.mean);
  EXPECT_TRUE(flag.quantiles.empty());

  const ColumnProfile& score = Column(5);
  EXPECT_EQ(score.non_null, 8);
  EXPECT_EQ(score.min, "0");  // as Sluice prints doubles
  EXPECT_EQ(score.max, "3.5");
  EXPECT_DOUBLE_EQ(*score.mean, 1.75);
  EXPECT_EQ(score.quantiles[4], (std::pair<double, double>{0.5, 1.5}));

  const ColumnProfile& empty = Column(6);
  EXPECT_EQ(empty.rows, 10);
  EXPECT_EQ(empty.non_null, 0);
  EXPECT_EQ(empty.null_fraction, 1);
  EXPECT_EQ(empty.distinct, 0);
  EXPECT_FALSE(empty.min);
  EXPECT_FALSE(empty.mean);
  EXPECT_TRUE(empty.top_values.empty());
  EXPECT_TRUE(empty.sample.empty());
  EXPECT_EQ(empty.inferred_type, TypeId::kInteger);
}

TEST(ColumnProfilerTest, HonoursTheSelectionVector) {
  auto schema = MakeSchema({{"x", TypeId::kInteger}, {"s", TypeId::kVarchar}});
  std::vector<std::vector<Value>> rows;
  for (int i = 0; i < 6; ++i)
    rows.push_back({Value::Integer(i * 10), Value::Varchar("v" + std::to_string(i))});
  core::Batch batch = MakeBatch(schema, rows);
  batch.SetSelection({1, 4, 5});
  TableProfiler profiler(*schema);
  profiler.AddBatch(batch);
  TableProfile profile = profiler.Finish();
  EXPECT_EQ(profile.rows, 3);
  EXPECT_EQ(profile.columns[0].rows, 3);
  EXPECT_EQ(profile.columns[0].min, "10");
  EXPECT_EQ(profile.columns[0].max, "50");
  EXPECT_EQ(profile.columns[1].min, "v1");
  EXPECT_EQ(profile.columns[1].max, "v5");
  EXPECT_EQ(profile.columns[1].distinct, 3);
}

TEST(ColumnProfilerTest, IntegersAndTheirTextHashAlike) {
  core::Vector numbers(TypeId::kInteger);
  core::Vector texts(TypeId::kVarchar);
  for (int i = 0; i < 100; ++i) {
    numbers.SetValue(i, Value::Integer(i - 50));
    texts.SetValue(i, Value::Varchar(std::to_string(i - 50)));
  }
  numbers.set_size(100);
  texts.set_size(100);
  ColumnProfiler a("a", TypeId::kInteger);
  ColumnProfiler b("b", TypeId::kVarchar);
  a.Add(numbers, 100);
  b.Add(texts, 100);
  ColumnProfile pa = a.Finish();
  ColumnProfile pb = b.Finish();
  EXPECT_EQ(pa.signature.hashes, pb.signature.hashes);
  EXPECT_EQ(EstimateContainment(pa.signature, pa.distinct, pb.signature, pb.distinct), 1.0);
  EXPECT_EQ(pb.inferred_type, TypeId::kBigint);
}

void ExpectSameDeterministicFields(const ColumnProfile& a, const ColumnProfile& b) {
  SCOPED_TRACE(a.name);
  EXPECT_EQ(a.rows, b.rows);
  EXPECT_EQ(a.non_null, b.non_null);
  EXPECT_EQ(a.null_fraction, b.null_fraction);
  EXPECT_EQ(a.distinct, b.distinct);
  EXPECT_EQ(a.min, b.min);
  EXPECT_EQ(a.max, b.max);
  EXPECT_EQ(a.mean.has_value(), b.mean.has_value());
  if (a.mean) {
    EXPECT_NEAR(*a.mean, *b.mean, 1e-9 * std::max(1.0, std::abs(*a.mean)));
  }
  if (a.stddev) {
    EXPECT_NEAR(*a.stddev, *b.stddev, 1e-9 * std::max(1.0, *a.stddev));
  }
  EXPECT_EQ(a.min_length, b.min_length);
  EXPECT_EQ(a.max_length, b.max_length);
  EXPECT_EQ(a.mean_length, b.mean_length);
  EXPECT_EQ(a.inferred_type, b.inferred_type);
  EXPECT_EQ(a.type_failure_fraction, b.type_failure_fraction);
  EXPECT_EQ(a.signature.hashes, b.signature.hashes);
  EXPECT_EQ(a.sample.size(), b.sample.size());
  EXPECT_EQ(a.quantiles.size(), b.quantiles.size());
  EXPECT_EQ(a.histogram.size(), b.histogram.size());
}

// Returns a vector of `type` holding `values` (as Values) from position 0.
core::Vector MakeVector(TypeId type, const std::vector<Value>& values) {
  core::Vector vector(type, std::max<size_t>(values.size(), 1));
  for (size_t i = 0; i < values.size(); ++i) vector.SetValue(i, values[i]);
  vector.set_size(values.size());
  return vector;
}

TEST(ColumnProfilerTest, HashesExtremeIntegersAsTheirText) {
  std::vector<int64_t> numbers = {0,           -1,           7,          -99'999'999, 99'999'999,
                                  100'000'000, -100'000'000, 12'345'678, INT64_MAX,   INT64_MIN};
  std::vector<Value> as_numbers;
  std::vector<Value> as_texts;
  std::vector<std::string> texts;
  for (int64_t number : numbers) {
    as_numbers.push_back(Value::Bigint(number));
    as_texts.push_back(Value::Varchar(std::to_string(number)));
    texts.push_back(std::to_string(number));
  }
  ColumnProfiler a("a", TypeId::kBigint);
  ColumnProfiler b("b", TypeId::kVarchar);
  a.Add(MakeVector(TypeId::kBigint, as_numbers), numbers.size());
  b.Add(MakeVector(TypeId::kVarchar, as_texts), numbers.size());
  ColumnProfile pa = a.Finish();
  EXPECT_EQ(pa.signature.hashes, TextHashes(texts));
  EXPECT_EQ(pa.signature.hashes, b.Finish().signature.hashes);
  EXPECT_EQ(pa.min, "-9223372036854775808");
  EXPECT_EQ(pa.max, "9223372036854775807");
  EXPECT_EQ(pa.distinct, 10);
}

// The profiler's inline hashes of texts and of integers' texts are XXH3's, bit for bit.
TEST(ColumnProfilerTest, InlineTextHashesEqualHashString) {
  std::mt19937_64 random(11);
  for (size_t size = 0; size <= 40; ++size) {
    for (int trial = 0; trial < 50; ++trial) {
      std::string text(size, '\0');
      for (char& c : text) c = static_cast<char>(random());
      ASSERT_EQ(TextHash(text), HashString(text)) << size;
      if (size > 16) continue;
      uint64_t words[2] = {0, 0};
      std::memcpy(words, text.data(), size);
      ASSERT_EQ(ShortTextHash(words[0], words[1], size), HashString(text)) << size;
    }
  }
  std::vector<int64_t> numbers = {INT64_MIN, INT64_MAX, 0, -1};
  for (int64_t i = -100'000; i <= 100'000; ++i) numbers.push_back(i);
  for (int64_t power = 10; power <= 1'000'000'000; power *= 10) {
    for (int64_t near : {power - 1, power, power + 1}) {
      numbers.push_back(near);
      numbers.push_back(-near);
    }
  }
  for (int i = 0; i < 100'000; ++i) {
    numbers.push_back(static_cast<int64_t>(random() % 200'000'000) - 100'000'000);
    numbers.push_back(static_cast<int64_t>(random()));
  }
  for (int64_t number : numbers) {
    ASSERT_EQ(IntegerTextHash(number), HashString(std::to_string(number))) << number;
  }
}

// Samples held by a HeavyBatch reach the summary in their order: the same summary as adding
// them one by one, whether flushed (1024 at a time) or added to a copy for a profile.
TEST(ColumnProfilerTest, HeldHeavySamplesGiveTheSameSummary) {
  std::mt19937_64 random(13);
  HeavyHitters direct(128);
  HeavyHitters batched(128);
  profiler::HeavyBatch pending;
  for (int i = 0; i < 5000; ++i) {
    uint64_t key = random() % 7 == 0 ? 7 : random() % 3000;
    std::string value =
        i % 3 == 0 ? std::to_string(key) : std::string(reinterpret_cast<char*>(&key), 8);
    uint64_t hash = HashString(value);
    direct.Add(hash, value, 32);
    pending.Add(hash, value, 32, batched);
  }
  HeavyHitters copy = batched;
  pending.AddTo(copy);
  pending.Flush(batched);
  for (const HeavyHitters* summary : {&copy, &batched}) {
    EXPECT_EQ(summary->total(), direct.total());
    EXPECT_EQ(summary->error_bound(), direct.error_bound());
    std::vector<HeavyHitter> expected = direct.Top(20);
    std::vector<HeavyHitter> top = summary->Top(20);
    ASSERT_EQ(top.size(), expected.size());
    for (size_t i = 0; i < top.size(); ++i) {
      EXPECT_EQ(top[i].value, expected[i].value);
      EXPECT_EQ(top[i].count, expected[i].count);
    }
  }
}

// Adds `values` to a profiler of `type` in vectors of 2048 and returns the profile.
ColumnProfile ProfileOf(TypeId type, const std::vector<Value>& values) {
  ColumnProfiler profiler("c", type);
  for (size_t start = 0; start < values.size(); start += core::kVectorSize) {
    size_t end = std::min(values.size(), start + core::kVectorSize);
    std::vector<Value> part(values.begin() + static_cast<ptrdiff_t>(start),
                            values.begin() + static_cast<ptrdiff_t>(end));
    profiler.Add(MakeVector(type, part), part.size());
  }
  return profiler.Finish();
}

// Integers are counted in a direct-indexed array while their range allows: a range that
// widens downwards, upwards, then too far for the array must keep every count.
TEST(ColumnProfilerTest, CountsIntegersExactlyAsTheirRangeWidens) {
  std::vector<Value> values;
  for (int64_t v = 4000; v >= -3996; v -= 4) values.push_back(Value::Bigint(v));  // 2000 values
  values.push_back(Value::Bigint(4000));
  values.push_back(Value::Bigint(4000));
  ColumnProfile direct = ProfileOf(TypeId::kBigint, values);
  EXPECT_EQ(direct.distinct, 2000);
  EXPECT_EQ(direct.min, "-3996");
  EXPECT_EQ(direct.max, "4000");
  ASSERT_FALSE(direct.top_values.empty());
  EXPECT_EQ(direct.top_values[0].value, "4000");
  EXPECT_EQ(direct.top_values[0].count, 3);
  values.push_back(Value::Bigint(1'000'000));  // past the array's range: hashed from here on
  values.push_back(Value::Bigint(-3996));
  ColumnProfile hashed = ProfileOf(TypeId::kBigint, values);
  EXPECT_EQ(hashed.distinct, 2001);
  EXPECT_EQ(hashed.max, "1000000");
  EXPECT_EQ(Texts(hashed.top_values)[0], "4000=3");
  EXPECT_EQ(Texts(hashed.top_values)[1], "-3996=2");
  EXPECT_EQ(hashed.quantiles.back(), (std::pair<double, double>{1, 1'000'000}));
  EXPECT_EQ(hashed.histogram.size(), 20u);
  EXPECT_EQ(hashed.histogram.front().count, 2003);
  EXPECT_EQ(hashed.histogram.back().count, 1);
}

// Sorted input takes the path for runs of equal values; shuffled input does not. Both must
// give the same deterministic fields, and the right ones.
TEST(ColumnProfilerTest, SortedAndShuffledInputsGiveTheSameProfile) {
  std::mt19937_64 random(5);
  struct Case {
    TypeId type;
    std::function<Value(int64_t)> make;
  };
  std::vector<Case> cases = {
      {TypeId::kBigint, [](int64_t i) { return Value::Bigint(i * 1000 - 2'000'000); }},
      {TypeId::kTimestamp, [](int64_t i) { return Value::Timestamp(i * 60'000'000); }},
      {TypeId::kDouble, [](int64_t i) { return Value::Double(static_cast<double>(i) / 8); }},
      {TypeId::kVarchar, [](int64_t i) { return Value::Varchar("k" + std::to_string(i)); }},
      {TypeId::kInteger, [](int64_t i) { return Value::Integer(static_cast<int32_t>(i % 50)); }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(core::TypeName(c.type)));
    // 5000 distinct values (past the exact table but for the last case), 1 to 20 times each.
    std::vector<Value> sorted;
    std::vector<double> numbers;
    for (int64_t i = 0; i < 5000; ++i) {
      int64_t times = 1 + static_cast<int64_t>(random() % 20);
      for (int64_t t = 0; t < times; ++t) {
        sorted.push_back(c.make(i));
        numbers.push_back(static_cast<double>(i));
      }
    }
    std::vector<Value> shuffled = sorted;
    std::shuffle(shuffled.begin(), shuffled.end(), random);
    ColumnProfile a = ProfileOf(c.type, sorted);
    ColumnProfile b = ProfileOf(c.type, shuffled);
    ExpectSameDeterministicFields(a, b);
    EXPECT_EQ(a.rows, static_cast<int64_t>(sorted.size()));
    EXPECT_EQ(a.min, sorted.front().ToString());
    if (c.type != TypeId::kVarchar) {
      EXPECT_EQ(a.max, sorted.back().ToString());
    }
    if (c.type == TypeId::kInteger) {
      EXPECT_EQ(a.distinct, 50);
      EXPECT_EQ(Texts(a.top_values), Texts(b.top_values));
      EXPECT_EQ(a.quantiles, b.quantiles);
      continue;
    }
    EXPECT_NEAR(a.distinct, 5000, 0.02 * 5000);
    if (c.type == TypeId::kVarchar) {
      EXPECT_EQ(a.max, "k999");
      EXPECT_EQ(a.min_length, 2);
      EXPECT_EQ(a.max_length, 5);
      continue;
    }
    // The quantiles, of the value's index i, are within the rank error bound either way.
    for (const ColumnProfile* profile : {&a, &b}) {
      for (const auto& [rank, value] : profile->quantiles) {
        double index = c.type == TypeId::kBigint      ? (value + 2'000'000) / 1000
                       : c.type == TypeId::kTimestamp ? value / 60'000'000
                                                      : value * 8;
        auto low = std::lower_bound(numbers.begin(), numbers.end(), index) - numbers.begin();
        auto high = std::upper_bound(numbers.begin(), numbers.end(), index) - numbers.begin();
        double target = rank * static_cast<double>(numbers.size());
        double error =
            std::max({static_cast<double>(low) - target, target - static_cast<double>(high), 0.0}) /
            static_cast<double>(numbers.size());
        EXPECT_LE(error, 0.0135) << rank;
      }
    }
  }
}

TEST(ColumnProfilerTest, SketchedStringsKeepTheirRangeAndLengths) {
  std::vector<std::string> tricky = {
      "",     "a",      std::string("a\0", 2), "ab", "abcdefghijkl", "abcdefghijklm", "abd",
      "\xff", "Zürich", "zzzzzzzzzzzzzzzz"};
  std::vector<Value> values;
  std::vector<std::string> all;
  for (int i = 0; i < 3000; ++i) all.push_back("m" + std::to_string(i * 7919 % 100'000));
  all.insert(all.end(), tricky.begin(), tricky.end());
  std::mt19937_64 random(3);
  std::shuffle(all.begin(), all.end(), random);
  for (const auto& text : all) values.push_back(Value::Varchar(text));
  ColumnProfile profile = ProfileOf(TypeId::kVarchar, values);
  EXPECT_EQ(profile.min, *std::min_element(all.begin(), all.end()));
  EXPECT_EQ(profile.max, *std::max_element(all.begin(), all.end()));
  EXPECT_EQ(profile.min_length, 0);
  EXPECT_EQ(profile.max_length, 16);
  int64_t characters = 0;
  for (const auto& text : all) characters += static_cast<int64_t>(text.size());
  characters -= 1;  // ü is two bytes, one character
  EXPECT_DOUBLE_EQ(*profile.mean_length,
                   static_cast<double>(characters) / static_cast<double>(all.size()));
}

// The profiler's type inference must agree with the CSV reader's on single values.
TEST(ColumnProfilerTest, InfersTypesAsTheCsvReaderDoes) {
  std::vector<TypeId> seen;
  for (std::string text : {"+5",
                           "007",
                           "0",
                           "-0",
                           "1e5",
                           ".5",
                           "5.",
                           "-.5e-3",
                           "TRUE",
                           "fAlse",
                           "yes",
                           "2024-02-29",
                           "2023-02-29",
                           "2024/01/02",
                           "2024-01-02 10:11",
                           "2024-01-02T10:11:12.5Z",
                           "2024-1-2",
                           "9223372036854775807",
                           "9223372036854775808",
                           "1,5",
                           "inf",
                           "NaN",
                           "0x10",
                           "--1",
                           "12:30",
                           "1.2.3",
                           "-",
                           "+",
                           "."}) {
    std::string csv = "h\n" + text + "\n";
    io::CsvOptions options;
    options.header = true;
    options.delimiter = '|';
    auto reader = io::OpenCsvBuffer(csv, "test.csv", options);
    TypeId expected = reader->schema()->field(0).type;
    core::Vector vector(TypeId::kVarchar);
    vector.SetValue(0, Value::Varchar(text));
    vector.set_size(1);
    ColumnProfiler profiler("h", TypeId::kVarchar);
    profiler.Add(vector, 1);
    EXPECT_EQ(profiler.Finish().inferred_type, expected) << text;
    seen.push_back(expected);
  }
  std::sort(seen.begin(), seen.end());
  seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
  EXPECT_EQ(seen.size(), 6u);  // every type the reader infers
}

// Returns a batch of `rows` rows: a BIGINT of many distinct values (so that its profile is
// sketched), a low-cardinality VARCHAR, a DOUBLE with NULLs and a TIMESTAMP.
core::Batch GeneratedBatch(const core::SchemaPtr& schema, size_t rows, std::mt19937_64& random) {
  core::Batch batch(schema);
  batch.SetNumRows(rows);
  auto* ids = batch.column(0).data<int64_t>();
  auto* amounts = batch.column(2).data<double>();
  auto* times = batch.column(3).data<int64_t>();
  static const std::vector<std::string> kLabels = {"SFO", "LAX", "JFK", "ORD",
                                                   "Zürich — long label"};
  for (size_t i = 0; i < rows; ++i) {
    // One id in ten is the same: a heavy hitter among many distinct values.
    ids[i] = random() % 10 == 0 ? 123'456 : static_cast<int64_t>(random() % 20'000);
    batch.column(1).SetString(i, kLabels[random() % 7 % kLabels.size()]);
    if (random() % 10 == 0) {
      batch.column(2).SetNull(i);
    } else {
      amounts[i] = static_cast<double>(random() % 1000) / 4;
    }
    times[i] = 1'700'000'000'000'000 + static_cast<int64_t>(random() % 86'400'000'000);
  }
  return batch;
}

// Is a reader over batches held in memory, concurrent or not, for ProfileReader.
class MemoryReader : public io::BatchReader {
 public:
  MemoryReader(core::SchemaPtr schema, std::vector<core::Batch> batches, bool concurrent)
      : schema_(std::move(schema)), concurrent_(concurrent) {
    for (auto& batch : batches) batches_.push_back(std::move(batch));
  }
  const core::SchemaPtr& schema() const override { return schema_; }
  std::optional<core::Batch> Next() override {
    if (batches_.empty()) return std::nullopt;
    core::Batch batch = std::move(batches_.front());
    batches_.pop_front();
    return batch;
  }
  bool concurrent() const override { return concurrent_; }
  std::optional<io::SequencedBatch> NextConcurrent() override {
    std::lock_guard lock(mutex_);
    auto batch = Next();
    if (!batch) return std::nullopt;
    return io::SequencedBatch{std::move(*batch), sequence_++, {}};
  }

 private:
  core::SchemaPtr schema_;
  bool concurrent_;
  std::mutex mutex_;
  std::deque<core::Batch> batches_;
  uint64_t sequence_ = 0;
};

TEST(ProfileReaderTest, ParallelProfilesEqualAOneThreadProfile) {
  auto schema = MakeSchema({{"id", TypeId::kBigint},
                            {"label", TypeId::kVarchar},
                            {"amount", TypeId::kDouble},
                            {"at", TypeId::kTimestamp}});
  auto make_batches = [&] {
    std::mt19937_64 random(42);
    std::vector<core::Batch> batches;
    for (int i = 0; i < 60; ++i) batches.push_back(GeneratedBatch(schema, 2048 - i, random));
    return batches;
  };
  TableProfiler single(*schema);
  for (const auto& batch : make_batches()) single.AddBatch(batch);
  TableProfile expected = single.Finish();
  for (bool concurrent : {true, false}) {
    for (size_t threads : {1, 2, 4}) {
      SCOPED_TRACE(std::to_string(threads) + (concurrent ? " threads, concurrent" : " threads"));
      SetThreadCount(threads);
      MemoryReader reader(schema, make_batches(), concurrent);
      TableProfile profile = ProfileReader(reader);
      EXPECT_EQ(profile.rows, expected.rows);
      ASSERT_EQ(profile.columns.size(), expected.columns.size());
      for (size_t i = 0; i < profile.columns.size(); ++i) {
        ExpectSameDeterministicFields(profile.columns[i], expected.columns[i]);
      }
      // The label column has few distinct values: its counts are exact, whatever the split.
      EXPECT_EQ(Texts(profile.columns[1].top_values), Texts(expected.columns[1].top_values));
      EXPECT_EQ(profile.columns[2].quantiles, expected.columns[2].quantiles);
    }
  }
  SetThreadCount(0);
}

TEST(ProfileReaderTest, SketchedColumnsStayClose) {
  auto schema = MakeSchema({{"id", TypeId::kBigint},
                            {"label", TypeId::kVarchar},
                            {"amount", TypeId::kDouble},
                            {"at", TypeId::kTimestamp}});
  std::mt19937_64 random(7);
  std::vector<core::Batch> batches;
  std::vector<double> ids;
  std::vector<int64_t> counts(123'457, 0);
  for (int i = 0; i < 100; ++i) {
    batches.push_back(GeneratedBatch(schema, 2048, random));
    const auto* data = batches.back().column(0).data<int64_t>();
    for (size_t row = 0; row < 2048; ++row) {
      ids.push_back(static_cast<double>(data[row]));
      ++counts[data[row]];
    }
  }
  SetThreadCount(2);
  MemoryReader reader(schema, std::move(batches), true);
  TableProfile profile = ProfileReader(reader);
  SetThreadCount(0);
  const ColumnProfile& id = profile.columns[0];
  int64_t distinct = std::count_if(counts.begin(), counts.end(), [](int64_t c) { return c > 0; });
  EXPECT_NEAR(id.distinct, static_cast<double>(distinct), 0.03 * static_cast<double>(distinct));
  std::sort(ids.begin(), ids.end());
  ASSERT_EQ(id.quantiles.size(), 9u);
  // The quantile's true rank range must come within the rank error bound of the rank asked.
  for (const auto& [rank, value] : id.quantiles) {
    double low = static_cast<double>(std::lower_bound(ids.begin(), ids.end(), value) - ids.begin());
    double high =
        static_cast<double>(std::upper_bound(ids.begin(), ids.end(), value) - ids.begin());
    double target = rank * static_cast<double>(ids.size());
    double error = std::max({low - target, target - high, 0.0}) / static_cast<double>(ids.size());
    EXPECT_LE(error, 0.0135) << rank;  // the rank error bound for k = 300
  }
  int64_t histogram_total = 0;
  for (const auto& bin : id.histogram) histogram_total += bin.count;
  EXPECT_EQ(histogram_total, 204'800);
  EXPECT_EQ(id.signature.hashes.size(), 256u);
  ASSERT_FALSE(id.top_values.empty());
  EXPECT_EQ(id.top_values[0].value, "123456");
  // Misra-Gries undercounts by at most 2 n / (capacity + 2) (capacity 128); one value in 32 is
  // sampled at weight 32, which adds a noise of sqrt(32 count) (bounded here at 4 times that).
  int64_t truth = counts[123'456];
  auto noise = static_cast<int64_t>(4 * std::sqrt(32.0 * static_cast<double>(truth)));
  EXPECT_LE(id.top_values[0].count, truth + noise);
  EXPECT_GE(id.top_values[0].count, truth - 2 * 204'800 / 130 - noise);
  // The others are not frequent enough to be told apart.
  EXPECT_LE(id.top_values.size(), 2u);
  EXPECT_EQ(id.sample.size(), 64u);
}

// Is a vector as a reader decodes it from a dictionary, with the codes it hands out beside it.
struct CodedVector {
  core::Vector vector;
  std::shared_ptr<std::vector<uint32_t>> code_values;
  io::DictionaryCodes codes;
};

// Makes `rows` values drawn from `entries` (dictionary number `dictionary`), the first entries
// more often than the last, one in `null_every` NULL (0: none).
CodedVector MakeCoded(TypeId type, const std::vector<Value>& entries, uint64_t dictionary,
                      size_t rows, size_t null_every, std::mt19937_64& random) {
  auto code_values = std::make_shared<std::vector<uint32_t>>(rows, 0);
  CodedVector coded{core::Vector(type, rows), code_values, {}};
  coded.codes.dictionary = dictionary;
  coded.codes.entries = std::make_shared<core::Vector>(MakeVector(type, entries));
  coded.codes.codes = code_values->data();
  coded.codes.keep = code_values;
  for (size_t i = 0; i < rows; ++i) {
    if (null_every != 0 && random() % null_every == 0) {
      coded.vector.SetNull(i);
      continue;
    }
    auto code =
        static_cast<uint32_t>(std::min(random() % entries.size(), random() % entries.size()));
    coded.vector.SetValue(i, entries[code]);
    (*code_values)[i] = code;
  }
  coded.vector.set_size(rows);
  return coded;
}

// Returns `count` values of `type` numbered from `first`: 7 * n for numbers, days for DATE,
// text for VARCHAR (short and long strings).
std::vector<Value> Entries(TypeId type, int64_t first, size_t count) {
  std::vector<Value> entries;
  for (auto n = first; n < first + static_cast<int64_t>(count); ++n) {
    switch (type) {
      case TypeId::kVarchar:
        entries.push_back(Value::Varchar(n % 3 == 0
                                             ? "a long enough value number " + std::to_string(n)
                                             : "v" + std::to_string(n)));
        break;
      case TypeId::kDouble:
        entries.push_back(Value::Double(static_cast<double>(n) / 4));
        break;
      case TypeId::kDate:
        entries.push_back(Value::Date(static_cast<int32_t>(19'000 + n)));
        break;
      default:
        entries.push_back(Value::Bigint(7 * n));
        break;
    }
  }
  return entries;
}

void ExpectSameExactProfile(const ColumnProfile& coded, const ColumnProfile& plain) {
  ExpectSameDeterministicFields(coded, plain);
  EXPECT_EQ(Texts(coded.top_values), Texts(plain.top_values));
  EXPECT_EQ(coded.quantiles, plain.quantiles);
  ASSERT_EQ(coded.histogram.size(), plain.histogram.size());
  for (size_t i = 0; i < coded.histogram.size(); ++i) {
    EXPECT_EQ(coded.histogram[i].count, plain.histogram[i].count) << i;
  }
}

TEST(DictionaryCodesTest, CountingByCodesGivesTheSameProfile) {
  for (TypeId type : {TypeId::kVarchar, TypeId::kBigint, TypeId::kDouble, TypeId::kDate}) {
    SCOPED_TRACE(std::string(core::TypeName(type)));
    std::mt19937_64 random(11);
    // Dictionaries 1 and 2 share 20 values; 3 holds 1's values again; 4 many values, so that
    // the table grows (and moves its slots) while codes are held.
    std::vector<Value> first = Entries(type, 0, 40);
    std::vector<Value> second = Entries(type, 20, 60);
    std::vector<Value> many = Entries(type, 1000, 900);
    ColumnProfiler coded("c", type);
    ColumnProfiler plain("c", type);
    std::set<std::string> seen;
    auto add = [&](const CodedVector& vector, bool with_codes) {
      const io::DictionaryCodes* codes = with_codes ? &vector.codes : nullptr;
      coded.Add(vector.vector, vector.vector.size(), codes);
      plain.Add(vector.vector, vector.vector.size());
      for (size_t i = 0; i < vector.vector.size(); ++i) {
        if (!vector.vector.IsNull(i)) seen.insert(vector.vector.GetValue(i).ToString());
      }
    };
    for (int i = 0; i < 3; ++i) add(MakeCoded(type, first, 1, 1000, 0, random), true);
    add(MakeCoded(type, second, 2, 1500, 7, random), true);
    add(MakeCoded(type, second, 2, 500, 0, random), false);  // a page not from the dictionary
    add(MakeCoded(type, second, 2, 800, 3, random), true);
    add(MakeCoded(type, first, 3, 1000, 0, random), true);
    add(MakeCoded(type, many, 4, 3000, 0, random), true);
    // Rows picked by a selection.
    CodedVector picked = MakeCoded(type, first, 1, 1000, 5, random);
    std::vector<uint32_t> rows;
    for (uint32_t row = 0; row < 1000; row += 3) rows.push_back(row);
    coded.Add(picked.vector, rows, &picked.codes);
    plain.Add(picked.vector, rows);
    ColumnProfile from_codes = coded.Finish();
    ColumnProfile from_values = plain.Finish();
    EXPECT_EQ(from_codes.distinct, static_cast<double>(seen.size()));
    EXPECT_GT(seen.size(), 500u);  // the table grew while counts were held
    ExpectSameExactProfile(from_codes, from_values);
  }
}

TEST(DictionaryCodesTest, MergedProfilersFlushTheirHeldCounts) {
  std::mt19937_64 random(5);
  std::vector<Value> entries = Entries(TypeId::kVarchar, 0, 30);
  ColumnProfiler left("c", TypeId::kVarchar);
  ColumnProfiler right("c", TypeId::kVarchar);
  ColumnProfiler plain("c", TypeId::kVarchar);
  for (int i = 0; i < 4; ++i) {
    CodedVector vector = MakeCoded(TypeId::kVarchar, entries, 9, 700, 4, random);
    (i % 2 == 0 ? left : right).Add(vector.vector, 700, &vector.codes);
    plain.Add(vector.vector, 700);
  }
  left.Merge(std::move(right));
  ExpectSameExactProfile(left.Finish(), plain.Finish());
}

TEST(DictionaryCodesTest, CountsFollowTheCodes) {
  // The codes are trusted: each value is counted as the dictionary entry its code names.
  std::mt19937_64 random(3);
  std::vector<Value> entries = Entries(TypeId::kVarchar, 0, 10);
  CodedVector vector = MakeCoded(TypeId::kVarchar, entries, 21, 100, 0, random);
  std::fill(vector.code_values->begin(), vector.code_values->end(), 4);
  ColumnProfiler profiler("c", TypeId::kVarchar);
  profiler.Add(vector.vector, 100, &vector.codes);
  ColumnProfile profile = profiler.Finish();
  EXPECT_EQ(profile.distinct, 1);
  ASSERT_EQ(profile.top_values.size(), 1u);
  EXPECT_EQ(profile.top_values[0].value, entries[4].ToString());
  EXPECT_EQ(profile.top_values[0].count, 100);
}

TEST(DictionaryCodesTest, DictionariesBeyondTheExactTableAreSketched) {
  for (TypeId type : {TypeId::kVarchar, TypeId::kBigint}) {
    SCOPED_TRACE(std::string(core::TypeName(type)));
    std::mt19937_64 random(8);
    ColumnProfiler coded("c", type);
    ColumnProfiler plain("c", type);
    // Two dictionaries of 1500 values each: the second one's new values would fill the
    // table; then one larger than the table. The coded profiler gets vectors whose values
    // were left out (here: overwritten), so it must fill them from the codes when it reads them.
    auto add = [&](CodedVector& vector) {
      plain.Add(vector.vector, 6000);
      for (size_t i = 0; i < 6000; ++i) vector.vector.SetValue(i, Entries(type, 99'999, 1)[0]);
      vector.codes.values_left_out = true;
      coded.Add(vector.vector, 6000, &vector.codes);
    };
    for (int64_t first : {0, 5000}) {
      CodedVector vector = MakeCoded(type, Entries(type, first, 1500), 30 + first, 6000, 0, random);
      add(vector);
    }
    CodedVector big = MakeCoded(type, Entries(type, 20'000, 3000), 40, 6000, 0, random);
    add(big);
    ExpectSameDeterministicFields(coded.Finish(), plain.Finish());
  }
}

TEST(DictionaryCodesTest, ParquetProfilesMatchTheirValues) {
  auto schema = MakeSchema({{"city", TypeId::kVarchar},
                            {"n", TypeId::kBigint},
                            {"x", TypeId::kDouble},
                            {"day", TypeId::kDate}});
  auto path = std::filesystem::temp_directory_path() / "sluice_profile_codes_test.parquet";
  std::mt19937_64 random(17);
  {
    io::ParquetWriteOptions options;
    options.row_group_rows = 5000;
    auto writer = io::CreateParquetWriter(path.string(), schema, options);
    for (int b = 0; b < 12; ++b) {
      core::Batch batch(schema);
      for (int64_t i = 0; i < 2000; ++i) {
        batch.AppendRow({random() % 9 == 0
                             ? Value::Null(TypeId::kVarchar)
                             : Value::Varchar("city " + std::to_string(random() % 40)),
                         Value::Bigint(static_cast<int64_t>(random() % 300)),
                         Value::Double(static_cast<double>(random())),
                         Value::Date(static_cast<int32_t>(18'000 + random() % 50))});
      }
      writer->Write(batch);
    }
    writer->Finish();
  }
  SetThreadCount(2);
  auto reader = io::OpenParquet(path.string());
  TableProfile profile = ProfileReader(*reader);
  SetThreadCount(0);
  TableProfiler plain(*schema);
  auto values = io::OpenParquet(path.string());
  std::string sample;
  while (auto batch = values->Next()) {
    if (sample.empty()) sample = SampleRowsJson({&*batch, 1}, *schema, 5);
    plain.AddBatch(*batch);
  }
  TableProfile expected = plain.Finish();
  EXPECT_EQ(profile.sample_json, sample);
  std::filesystem::remove(path);
  EXPECT_EQ(profile.rows, 24'000);
  ASSERT_EQ(profile.columns.size(), expected.columns.size());
  for (size_t c : {0, 1, 3}) ExpectSameExactProfile(profile.columns[c], expected.columns[c]);
  ExpectSameDeterministicFields(profile.columns[2], expected.columns[2]);
}

}  // namespace
}  // namespace sluice::catalog
