#include "exec/group_table.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/value.h"
#include "exec/aggregate_function.h"
#include "exec/group_merger.h"
#include "exec/testing/test_expressions.h"

namespace sluice::exec {
namespace {

using core::TypeId;
using core::Value;

const std::vector<TypeId> kKeyTypes{TypeId::kVarchar, TypeId::kInteger, TypeId::kDouble};

const AggregateFunction& Resolve(std::string_view name, std::vector<std::optional<TypeId>> types) {
  const AggregateFunction* function = AggregateFunctionRegistry::BuiltIn().Resolve(name, types);
  EXPECT_NE(function, nullptr) << name;
  return *function;
}

// Returns the text of a key as it groups: -0.0 with 0.0, every NaN together.
std::string KeyText(const Value& value) {
  if (value.is_null()) return "NULL";
  if (value.type() != TypeId::kDouble) return value.ToString();
  if (value.GetDouble() == 0) return "0";
  if (std::isnan(value.GetDouble())) return "NaN";
  return value.ToString();
}

std::string RowKey(const std::vector<Value>& row) {
  std::string key;
  for (size_t k = 0; k < kKeyTypes.size(); ++k) key += KeyText(row[k]) + "|";
  return key;
}

// Returns `count` rows of keys (VARCHAR, INTEGER, DOUBLE) drawn from small sets, so that keys
// repeat within and across batches, and a VARCHAR argument. Strings straddle the 12-byte
// inline limit; every key is sometimes NULL.
std::vector<std::vector<Value>> RandomRows(size_t count, std::mt19937_64& random) {
  const std::vector<Value> strings{Value::Varchar(""),
                                   Value::Varchar("a"),
                                   Value::Varchar("twelve bytes"),
                                   Value::Varchar("thirteen byte"),
                                   Value::Varchar("a string much longer than twelve bytes"),
                                   Value::Null(TypeId::kVarchar)};
  const std::vector<Value> integers{Value::Integer(0), Value::Integer(-1), Value::Integer(7),
                                    Value::Null(TypeId::kInteger)};
  const std::vector<Value> doubles{Value::Double(0.0),
                                   Value::Double(-0.0),
                                   Value::Double(std::numeric_limits<double>::quiet_NaN()),
                                   Value::Double(-std::numeric_limits<double>::quiet_NaN()),
                                   Value::Double(2.5),
                                   Value::Null(TypeId::kDouble)};
  std::vector<std::vector<Value>> rows;
  for (size_t i = 0; i < count; ++i) {
    std::string argument = "value number " + std::to_string(random() % 1000);
    rows.push_back({strings[random() % strings.size()], integers[random() % integers.size()],
                    doubles[random() % doubles.size()], Value::Varchar(argument)});
  }
  return rows;
}

// Is what one group should hold: its row count and its smallest argument.
struct Expected {
  int64_t count = 0;
  std::string min;
};

class GroupTableTest : public ::testing::Test {
 protected:
  std::unique_ptr<GroupTable> MakeTable() const {
    return std::make_unique<GroupTable>(kKeyTypes, std::vector{&count_, &min_}, 2);
  }

  // Adds `rows` to `table` in batches, finding each row's group or (with `append`) adding a
  // group per row, and records them in expected_. The batches are gone afterwards, so the
  // table must keep its own copies of long strings.
  void Feed(GroupTable& table, const std::vector<std::vector<Value>>& rows, bool append) {
    core::Batch batch = testing::MakeBatch(
        {TypeId::kVarchar, TypeId::kInteger, TypeId::kDouble, TypeId::kVarchar}, rows);
    size_t count = batch.num_rows();
    std::vector<const core::Vector*> keys{&batch.column(0), &batch.column(1), &batch.column(2)};
    std::vector<uint64_t> hashes(count);
    std::vector<std::byte*> groups(count);
    HashRows(keys, count, hashes.data());
    if (append) {
      table.AppendGroups(keys, hashes.data(), count, groups.data());
    } else {
      table.FindOrAdd(keys, hashes.data(), count, groups.data());
    }
    const core::Vector* argument = &batch.column(3);
    count_.update({}, count, groups.data(), table.state_offset(0));
    min_.update({&argument, 1}, count, groups.data(), table.state_offset(1));
    for (const auto& row : rows) {
      Expected& expected = expected_[RowKey(row)];
      if (expected.count == 0 || row[3].GetString() < expected.min)
        expected.min = row[3].GetString();
      ++expected.count;
    }
  }

  // Merges `tables` a partition at a time as HashAggregate does, releasing each partition
  // once written, and checks every group against expected_, and that none is missing or
  // written twice.
  void CheckMerged(const std::vector<GroupTable*>& tables) {
    auto schema =
        std::make_shared<const core::Schema>(std::vector<core::Field>{{"s", TypeId::kVarchar},
                                                                      {"i", TypeId::kInteger},
                                                                      {"d", TypeId::kDouble},
                                                                      {"count", TypeId::kBigint},
                                                                      {"min", TypeId::kVarchar}});
    std::map<std::string, Expected> seen;
    GroupMerger merger;
    for (size_t p = 0; p < tables[0]->num_partitions(); ++p) {
      std::span<const std::byte* const> groups = merger.Merge(tables, p);
      for (size_t from = 0; from < groups.size(); from += core::kVectorSize) {
        size_t count = std::min(core::kVectorSize, groups.size() - from);
        core::Batch out(schema, count);
        tables[0]->layout().Scan(groups.subspan(from, count), out);
        for (size_t i = 0; i < count; ++i) {
          std::string key = RowKey({out.GetValue(0, i), out.GetValue(1, i), out.GetValue(2, i)});
          Expected group{out.GetValue(3, i).GetInt64(), out.GetValue(4, i).GetString()};
          EXPECT_TRUE(seen.emplace(key, group).second) << "group written twice: " << key;
        }
      }
      for (GroupTable* table : tables) table->ReleasePartition(p);
    }
    ASSERT_EQ(seen.size(), expected_.size());
    for (const auto& [key, expected] : expected_) {
      ASSERT_TRUE(seen.contains(key)) << "missing group " << key;
      EXPECT_EQ(seen[key].count, expected.count) << key;
      EXPECT_EQ(seen[key].min, expected.min) << key;
    }
  }

  const AggregateFunction& count_ = Resolve("count_star", {});
  const AggregateFunction& min_ = Resolve("min", {TypeId::kVarchar});
  std::map<std::string, Expected> expected_;
  std::mt19937_64 random_{42};
};

TEST_F(GroupTableTest, FindsEqualKeysWithNullsSignedZerosNaNsAndLongStrings) {
  auto table = MakeTable();
  for (int batch = 0; batch < 3; ++batch) Feed(*table, RandomRows(1000, random_), false);
  EXPECT_FALSE(table->has_duplicates());
  // Six strings, four integers and four doubles (0 and -0, and the NaNs, group together).
  EXPECT_LE(table->num_groups(), 6u * 4 * 4);
  EXPECT_EQ(table->num_groups(), expected_.size());
  CheckMerged({table.get()});
}

TEST_F(GroupTableTest, MergesAppendedDuplicatesWithinOneTable) {
  auto table = MakeTable();
  for (int batch = 0; batch < 3; ++batch) Feed(*table, RandomRows(1000, random_), true);
  EXPECT_TRUE(table->has_duplicates());
  EXPECT_EQ(table->num_groups(), 3000u);
  CheckMerged({table.get()});
}

TEST_F(GroupTableTest, MergesFoundAndAppendedGroupsAcrossTables) {
  auto found = MakeTable(), appended = MakeTable(), switched = MakeTable();
  for (int batch = 0; batch < 3; ++batch) {
    Feed(*found, RandomRows(1000, random_), false);
    Feed(*appended, RandomRows(1000, random_), true);
    Feed(*switched, RandomRows(1000, random_), batch > 0);
  }
  CheckMerged({found.get(), appended.get(), switched.get()});
}

TEST_F(GroupTableTest, MergesTablesWithEmptyPartitions) {
  auto empty = MakeTable(), small = MakeTable();
  Feed(*small, RandomRows(3, random_), true);
  CheckMerged({empty.get(), small.get()});
}

}  // namespace
}  // namespace sluice::exec
