#include "cluster/batch_wire.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/error.h"

namespace sluice::cluster {
namespace {

using core::Batch;
using core::Field;
using core::Schema;
using core::SchemaPtr;
using core::TypeId;
using core::Value;
using ::testing::HasSubstr;

SchemaPtr AllTypes() {
  return std::make_shared<const Schema>(std::vector<Field>{
      {"b", TypeId::kBoolean},
      {"i", TypeId::kInteger},
      {"l", TypeId::kBigint},
      {"d", TypeId::kDouble},
      {"s", TypeId::kVarchar},
      {"day", TypeId::kDate},
      {"at", TypeId::kTimestamp},
  });
}

// Returns row `row` of a batch over AllTypes(): extremes, empty, inline and long strings, and
// NULLs in a different pattern per column.
std::vector<Value> Row(int row) {
  auto null_every = [&](int every, TypeId type, Value value) {
    return row % every == every - 1 ? Value::Null(type) : std::move(value);
  };
  const int64_t kInt64Min = std::numeric_limits<int64_t>::min();
  const int32_t kInt32Max = std::numeric_limits<int32_t>::max();
  std::string text = row % 4 == 0   ? ""
                     : row % 4 == 1 ? "twelve bytes"
                     : row % 4 == 2 ? "thirteen byte"
                                    : std::string(300 + row, static_cast<char>('a' + row % 26));
  double number = row % 5 == 0 ? -0.0 : (row % 5 == 1 ? 1e308 : row * 0.25);
  return {
      null_every(3, TypeId::kBoolean, Value::Boolean(row % 2 == 0)),
      null_every(4, TypeId::kInteger, Value::Integer(row % 2 ? kInt32Max - row : -row)),
      null_every(5, TypeId::kBigint, Value::Bigint(row % 3 ? kInt64Min + row : row * 1000003LL)),
      null_every(6, TypeId::kDouble, Value::Double(number)),
      null_every(7, TypeId::kVarchar, Value::Varchar(text)),
      null_every(8, TypeId::kDate, Value::Date(-719162 + row)),
      null_every(9, TypeId::kTimestamp, Value::Timestamp(row * 86400000000LL - 1)),
  };
}

Batch MakeBatch(int rows, SchemaPtr schema = AllTypes()) {
  Batch batch(std::move(schema), rows);
  for (int row = 0; row < rows; ++row) batch.AppendRow(Row(row));
  return batch;
}

std::string Encode(const Batch& batch) {
  std::string bytes;
  EncodeBatch(batch, bytes);
  return bytes;
}

// Expects `got` to hold exactly the values of `want`'s logical rows.
void ExpectSameRows(const Batch& got, const Batch& want) {
  ASSERT_EQ(got.schema(), want.schema());
  ASSERT_EQ(got.num_rows(), want.num_rows());
  EXPECT_FALSE(got.selection().has_value());
  for (size_t c = 0; c < want.num_columns(); ++c) {
    for (size_t row = 0; row < want.num_rows(); ++row) {
      Value got_value = got.GetValue(c, row);
      Value want_value = want.GetValue(c, row);
      EXPECT_EQ(got_value, want_value) << "column " << c << " row " << row << ": "
                                       << got_value.ToString() << " vs " << want_value.ToString();
      if (want_value.type() == TypeId::kDouble && !want_value.is_null()) {
        EXPECT_EQ(std::signbit(got_value.GetDouble()), std::signbit(want_value.GetDouble()));
      }
    }
  }
}

TEST(BatchWireTest, RoundTripsEveryTypeWithNulls) {
  Batch batch = MakeBatch(1000);
  Batch decoded = DecodeBatch(Encode(batch));
  ExpectSameRows(decoded, batch);
  EXPECT_EQ(decoded.ToString(), batch.ToString());
}

TEST(BatchWireTest, RoundTripsColumnsWithoutNulls) {
  Batch batch(AllTypes(), 3);
  batch.AppendRow({Value::Boolean(true), Value::Integer(1), Value::Bigint(2), Value::Double(3.5),
                   Value::Varchar("a string longer than twelve"), Value::Date(4),
                   Value::Timestamp(5)});
  batch.AppendRow({Value::Boolean(false), Value::Integer(-1), Value::Bigint(-2),
                   Value::Double(std::numeric_limits<double>::infinity()), Value::Varchar(""),
                   Value::Date(-4), Value::Timestamp(-5)});
  ExpectSameRows(DecodeBatch(Encode(batch)), batch);
}

TEST(BatchWireTest, KeepsNanAndNegativeZero) {
  auto schema = std::make_shared<const Schema>(std::vector<Field>{{"d", TypeId::kDouble}});
  Batch batch(schema, 2);
  batch.AppendRow({Value::Double(std::nan(""))});
  batch.AppendRow({Value::Double(-0.0)});
  Batch decoded = DecodeBatch(Encode(batch));
  EXPECT_TRUE(std::isnan(decoded.GetValue(0, 0).GetDouble()));
  EXPECT_TRUE(std::signbit(decoded.GetValue(0, 1).GetDouble()));
}

TEST(BatchWireTest, EncodesOnlySelectedRowsInSelectionOrder) {
  Batch batch = MakeBatch(50);
  batch.SetSelection({49, 3, 3, 17, 0, 22});
  Batch decoded = DecodeBatch(Encode(batch));
  ExpectSameRows(decoded, batch);
  EXPECT_EQ(decoded.num_physical_rows(), 6u);
}

TEST(BatchWireTest, SelectionMakesTheEncodingSmaller) {
  Batch batch = MakeBatch(500);
  size_t all = Encode(batch).size();
  batch.SetSelection({1, 2});
  EXPECT_LT(Encode(batch).size() * 50, all);
}

TEST(BatchWireTest, RoundTripsEmptyBatches) {
  Batch none = MakeBatch(0);
  ExpectSameRows(DecodeBatch(Encode(none)), none);
  Batch selected_none = MakeBatch(10);
  selected_none.SetSelection({});
  ExpectSameRows(DecodeBatch(Encode(selected_none)), selected_none);
  Batch no_columns(std::make_shared<const Schema>(), 0);
  no_columns.SetNumRows(7);
  Batch decoded = DecodeBatch(Encode(no_columns));
  EXPECT_EQ(decoded.num_columns(), 0u);
  EXPECT_EQ(decoded.num_rows(), 7u);
}

TEST(BatchWireTest, RoundTripsAllNullColumns) {
  SchemaPtr schema = AllTypes();
  Batch batch(schema, 100);
  for (int row = 0; row < 100; ++row) {
    std::vector<Value> nulls;
    for (const Field& field : schema->fields()) nulls.push_back(Value::Null(field.type));
    batch.AppendRow(nulls);
  }
  ExpectSameRows(DecodeBatch(Encode(batch)), batch);
}

TEST(BatchWireTest, DecodesConcatenatedBatchesSharingOneSchema) {
  std::string bytes;
  Batch first = MakeBatch(30);
  Batch second = MakeBatch(5);
  EncodeBatch(first, bytes);
  EncodeBatch(second, bytes);
  std::vector<Batch> batches = DecodeBatches(bytes);
  ASSERT_EQ(batches.size(), 2u);
  ExpectSameRows(batches[0], first);
  ExpectSameRows(batches[1], second);
  EXPECT_EQ(batches[0].schema_ptr(), batches[1].schema_ptr());
  EXPECT_TRUE(DecodeBatches("").empty());
}

TEST(BatchWireTest, SharesOrChecksTheExpectedSchema) {
  SchemaPtr schema = AllTypes();
  Batch batch = MakeBatch(3, schema);
  std::string bytes = Encode(batch);
  EXPECT_EQ(DecodeBatch(bytes, schema).schema_ptr(), schema);
  auto other = std::make_shared<const Schema>(std::vector<Field>{{"b", TypeId::kBoolean}});
  EXPECT_THAT([&] { DecodeBatch(bytes, other); },
              ::testing::ThrowsMessage<DataError>(HasSubstr("were expected")));
}

TEST(BatchWireTest, RejectsWhatIsNotABatch) {
  auto message = [](std::string_view bytes) {
    try {
      DecodeBatch(bytes);
    } catch (const DataError& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  std::string good = Encode(MakeBatch(4));
  EXPECT_THAT(message(""), HasSubstr("truncated header"));
  EXPECT_THAT(message("PAR1 and more bytes"), HasSubstr("bad magic"));
  std::string version = good;
  version[3] = 2;
  EXPECT_THAT(message(version), HasSubstr("unsupported format version 2"));
  EXPECT_THAT(message(good + "x"), HasSubstr("1 bytes follow the batch"));
  std::string longer_body = good;
  longer_body[4] = static_cast<char>(longer_body[4] + 1);
  EXPECT_THAT(message(longer_body), HasSubstr("truncated body"));
  std::string shorter_body = good + "x";
  uint64_t body_size = good.size() - 12 + 1;
  std::memcpy(shorter_body.data() + 4, &body_size, 8);
  EXPECT_THAT(message(shorter_body), HasSubstr("1 bytes left over"));
}

TEST(BatchWireTest, RejectsBadTypesAndLengths) {
  auto schema = std::make_shared<const Schema>(std::vector<Field>{{"s", TypeId::kVarchar}});
  Batch batch(schema, 1);
  batch.AppendRow({Value::Varchar("abc")});
  std::string good = Encode(batch);
  // Body: columns 1, name length 1, "s", type, rows 1, flags, length 3, "abc".
  ASSERT_EQ(good.substr(12), std::string("\x01\x01s\x04\x01\x00\x03"
                                         "abc",
                                         10));
  std::string bad_type = good;
  bad_type[15] = 7;
  EXPECT_THAT([&] { DecodeBatch(bad_type); },
              ::testing::ThrowsMessage<DataError>(HasSubstr("unknown type id 7")));
  std::string bad_flags = good;
  bad_flags[17] = 4;
  EXPECT_THAT([&] { DecodeBatch(bad_flags); },
              ::testing::ThrowsMessage<DataError>(HasSubstr("unknown column flags")));
  std::string long_string = good;
  long_string[18] = 4;
  EXPECT_THAT([&] { DecodeBatch(long_string); },
              ::testing::ThrowsMessage<DataError>(HasSubstr("truncated string bytes")));
  std::string many_rows = good;
  many_rows[16] = 0x7f;
  EXPECT_THAT([&] { DecodeBatch(many_rows); },
              ::testing::ThrowsMessage<DataError>(HasSubstr("truncated")));
  std::string endless_varint = good.substr(0, 12) + std::string(11, '\xff');
  uint64_t body_size = 11;
  std::memcpy(endless_varint.data() + 4, &body_size, 8);
  EXPECT_THAT([&] { DecodeBatch(endless_varint); },
              ::testing::ThrowsMessage<DataError>(HasSubstr("not a valid varint")));
}

TEST(BatchWireTest, RejectsEveryTruncation) {
  std::string good = Encode(MakeBatch(20));
  for (size_t size = 0; size < good.size(); ++size) {
    EXPECT_THROW(DecodeBatch(std::string_view(good).substr(0, size)), DataError) << size;
  }
}

// Flipping, zeroing or maxing any byte either still decodes or throws DataError; never a
// crash or another exception (the asan preset checks the reads).
TEST(BatchWireTest, SurvivesEveryCorruptedByte) {
  std::string good = Encode(MakeBatch(40));
  for (size_t at = 0; at < good.size(); ++at) {
    for (char value : {static_cast<char>(~good[at]), '\0', '\x7f', '\xff'}) {
      std::string bad = good;
      bad[at] = value;
      try {
        DecodeBatches(bad);
      } catch (const DataError&) {
      }
    }
  }
}

TEST(BatchWireTest, SurvivesRandomBytes) {
  std::mt19937 random(42);
  std::string header = Encode(MakeBatch(1)).substr(0, 4);
  for (int attempt = 0; attempt < 3000; ++attempt) {
    std::string bytes(random() % 64, '\0');
    for (char& byte : bytes) byte = static_cast<char>(random());
    // Most inputs get a valid header and body length, so that the body decoder is reached.
    if (attempt % 4 != 0) {
      uint64_t body_size = bytes.size();
      bytes = header + std::string(reinterpret_cast<const char*>(&body_size), 8) + bytes;
    }
    try {
      DecodeBatches(bytes);
    } catch (const DataError&) {
    }
  }
}

}  // namespace
}  // namespace sluice::cluster
