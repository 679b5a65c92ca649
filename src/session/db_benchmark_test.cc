// The db-benchmark questions (h2oai/duckdblabs): the 10 groupby questions and the 5 join
// questions, run through SQL on small generated data and checked against answers computed here
// directly over the generated rows, at 1 and 2 threads and at 3 ranks. The data follows the column
// semantics of
// ../shared/bench/gen/groupby_gen.cpp and bench/join_gen.cc at a small scale.

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <gtest/gtest.h>

#include "base/task.h"
#include "cluster/thread_ranks.h"
#include "session/database.h"

namespace sluice::session {
namespace {

constexpr double kRelativeTolerance = 1e-9;

bool Near(double actual, double expected) {
  double scale = std::max({1.0, std::fabs(actual), std::fabs(expected)});
  return std::fabs(actual - expected) <= kRelativeTolerance * scale;
}

// Is a deterministic random stream (splitmix64), independent of the generators' streams.
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Returns a uniform integer in [1, n].
  uint32_t OneTo(uint32_t n) { return static_cast<uint32_t>(Next() % n) + 1; }
  // Returns round(runif(0, 100), 6) in millionths.
  int64_t Millionths() { return static_cast<int64_t>(Next() % 100000001); }
  void Shuffle(std::vector<uint32_t>& values) {
    for (size_t i = values.size(); i > 1; --i) std::swap(values[i - 1], values[Next() % i]);
  }

 private:
  uint64_t state_;
};

// Returns millionths as the decimal text fwrite would write ("7", "23.5749").
std::string MillionthsText(int64_t millionths) {
  std::string text = std::to_string(millionths / 1000000);
  int64_t fraction = millionths % 1000000;
  if (fraction == 0) return text;
  char digits[8];
  std::snprintf(digits, sizeof digits, "%06lld", static_cast<long long>(fraction));
  std::string tail = digits;
  tail.erase(tail.find_last_not_of('0') + 1);
  return text + "." + tail;
}

std::string Padded(const char* format, uint32_t value) {
  char text[32];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

// Is a query's answer by column name; values are read with Value (fine for 20,000 rows).
class Answer {
 public:
  explicit Answer(const QueryResult& result) : schema_(result.schema) {
    columns_.resize(schema_->fields().size());
    for (const core::Batch& batch : result.batches) {
      for (size_t row = 0; row < batch.num_rows(); ++row) {
        for (size_t column = 0; column < columns_.size(); ++column) {
          columns_[column].push_back(batch.GetValue(column, row));
        }
      }
    }
  }
  size_t num_rows() const { return columns_.empty() ? 0 : columns_[0].size(); }
  std::vector<std::string> ColumnNames() const {
    std::vector<std::string> names;
    for (const core::Field& field : schema_->fields()) names.push_back(field.name);
    return names;
  }
  const core::Value& Get(const std::string& name, size_t row) const {
    return columns_.at(*schema_->FindField(name)).at(row);
  }
  // Returns the value as a double, or nullopt for NULL.
  std::optional<double> Number(const std::string& name, size_t row) const {
    const core::Value& value = Get(name, row);
    if (value.is_null()) return std::nullopt;
    if (value.type() == core::TypeId::kDouble) return value.GetDouble();
    return static_cast<double>(value.GetInt64());
  }
  // Returns the values of `names` as text joined by '|', the group key of a row.
  std::string Key(const std::vector<std::string>& names, size_t row) const {
    std::string key;
    for (const std::string& name : names)
      key += (key.empty() ? "" : "|") + Get(name, row).ToString();
    return key;
  }
  double Sum(const std::string& name) const {
    double sum = 0;
    for (size_t row = 0; row < num_rows(); ++row) sum += Number(name, row).value_or(0.0);
    return sum;
  }

 private:
  core::SchemaPtr schema_;
  std::vector<std::vector<core::Value>> columns_;
};

// Is what db-benchmark compares between solutions: row count and sums of the chk columns.
struct Checksum {
  size_t rows = 0;
  std::vector<double> sums;
};

Checksum ChecksumOf(const Answer& answer, const std::vector<std::string>& chk) {
  Checksum checksum{answer.num_rows(), {}};
  for (const std::string& column : chk) checksum.sums.push_back(answer.Sum(column));
  return checksum;
}

void ExpectSameChecksum(const Checksum& actual, const Checksum& expected) {
  EXPECT_EQ(actual.rows, expected.rows);
  ASSERT_EQ(actual.sums.size(), expected.sums.size());
  for (size_t i = 0; i < actual.sums.size(); ++i) {
    EXPECT_TRUE(Near(actual.sums[i], expected.sums[i]))
        << "chk column " << i << ": " << actual.sums[i] << " vs " << expected.sums[i];
  }
}

std::filesystem::path TempCsv(const std::string& name) {
  return std::filesystem::temp_directory_path() /
         ("sluice_db_benchmark_" + std::to_string(::getpid()) + "_" + name + ".csv");
}

// Writes `text` to a temp CSV and loads it as table `name` the way the benchmark does.
void LoadCsv(Connection& connection, const std::string& name, const std::string& text) {
  std::filesystem::path path = TempCsv(name);
  std::ofstream(path) << text;
  connection.Execute("CREATE TABLE " + name + " AS SELECT * FROM '" + path.string() + "'");
  std::filesystem::remove(path);
}

// Is a fixture that runs each question at 1 and 2 threads and at 3 ranks (threads of this
// process, see cluster/thread_ranks.h) and checks the answers agree.
class BenchmarkTest : public ::testing::Test {
 protected:
  static void TearDownTestSuite() { SetThreadCount(0); }

  // Runs `sql` at 1 and at 2 threads and at 3 ranks, calls `check` on every answer and
  // compares their checksums over `chk`.
  template <typename Check>
  static void RunAtThreadsAndRanks(Database& database, const std::string& sql,
                                   const std::vector<std::string>& chk, Check check) {
    std::vector<Checksum> checksums;
    Connection connection(database);
    for (size_t threads : {1, 2}) {
      SCOPED_TRACE("threads=" + std::to_string(threads));
      SetThreadCount(threads);
      Answer answer(connection.Execute(sql));
      check(answer);
      checksums.push_back(ChecksumOf(answer, chk));
    }
    SetThreadCount(0);
    constexpr int kRanks = 3;
    std::vector<std::optional<QueryResult>> results(kRanks);
    cluster::RunRanks(kRanks, [&](cluster::Communicator& ranks) {
      Connection rank_connection(database);
      rank_connection.set_ranks(&ranks);
      results[ranks.rank()] = rank_connection.Execute(sql);
    });
    for (int rank = 0; rank < kRanks; ++rank) {
      SCOPED_TRACE("rank " + std::to_string(rank) + " of " + std::to_string(kRanks));
      Answer answer(std::move(*results[rank]));
      check(answer);
      checksums.push_back(ChecksumOf(answer, chk));
    }
    for (size_t i = 1; i < checksums.size(); ++i) {
      SCOPED_TRACE("run " + std::to_string(i) + " vs 1 thread");
      ExpectSameChecksum(checksums[i], checksums[0]);
    }
  }
};

// ---------------------------------------------------------------------------------------------
// groupby: G1_<N>_<K>_0_0 with N = 20,000 and K = 10.

constexpr uint32_t kGroupbyRows = 20000;
constexpr uint32_t kGroupbyK = 10;

struct GroupbyRow {
  uint32_t id1, id2, id3, id4, id5, id6, v1, v2;
  double v3;
};

std::vector<GroupbyRow> MakeGroupbyRows() {
  Random random(42);
  std::vector<GroupbyRow> rows;
  for (uint32_t i = 0; i < kGroupbyRows; ++i) {
    GroupbyRow row;
    row.id1 = random.OneTo(kGroupbyK);
    row.id2 = random.OneTo(kGroupbyK);
    row.id3 = random.OneTo(kGroupbyRows / kGroupbyK);
    row.id4 = random.OneTo(kGroupbyK);
    row.id5 = random.OneTo(kGroupbyK);
    row.id6 = random.OneTo(kGroupbyRows / kGroupbyK);
    row.v1 = random.OneTo(5);
    row.v2 = random.OneTo(15);
    row.v3 = static_cast<double>(random.Millionths()) / 1e6;
    rows.push_back(row);
  }
  return rows;
}

std::string GroupbyCsv(const std::vector<GroupbyRow>& rows) {
  std::string text = "id1,id2,id3,id4,id5,id6,v1,v2,v3\n";
  for (const GroupbyRow& r : rows) {
    text += Padded("id%03u", r.id1) + "," + Padded("id%03u", r.id2) + "," +
            Padded("id%010u", r.id3) + "," + std::to_string(r.id4) + "," + std::to_string(r.id5) +
            "," + std::to_string(r.id6) + "," + std::to_string(r.v1) + "," + std::to_string(r.v2) +
            "," + MillionthsText(static_cast<int64_t>(std::llround(r.v3 * 1e6))) + "\n";
  }
  return text;
}

// Returns a row's key columns as the answer prints them ("id001|7").
std::string GroupKey(const GroupbyRow& r, const std::vector<std::string>& names) {
  std::string key;
  for (const std::string& name : names) {
    std::string part = name == "id1"   ? Padded("id%03u", r.id1)
                       : name == "id2" ? Padded("id%03u", r.id2)
                       : name == "id3" ? Padded("id%010u", r.id3)
                       : name == "id4" ? std::to_string(r.id4)
                       : name == "id5" ? std::to_string(r.id5)
                                       : std::to_string(r.id6);
    key += (key.empty() ? "" : "|") + part;
  }
  return key;
}

using Groups = std::map<std::string, std::vector<const GroupbyRow*>>;

// Is one groupby question with the per-group values it must give.
struct GroupbyQuestion {
  std::string sql;
  std::vector<std::string> keys;
  std::vector<std::string> chk;
  // Returns the expected chk column values for the rows of one group.
  std::vector<double> (*expected)(const std::vector<const GroupbyRow*>& rows);
};

long double Mean(const std::vector<double>& values) {
  long double sum = 0;
  for (double value : values) sum += value;
  return sum / values.size();
}

double Median(std::vector<double> values) {
  size_t half = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + half, values.end());
  double upper = values[half];
  if (values.size() % 2 == 1) return upper;
  double lower = *std::max_element(values.begin(), values.begin() + half);
  return (lower + upper) / 2;
}

double SampleStddev(const std::vector<double>& values) {
  long double mean = Mean(values), squares = 0;
  for (double value : values) squares += (value - mean) * (value - mean);
  return static_cast<double>(std::sqrt(squares / (values.size() - 1)));
}

double Correlation(const std::vector<double>& x, const std::vector<double>& y) {
  long double mean_x = Mean(x), mean_y = Mean(y), xy = 0, xx = 0, yy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    xy += (x[i] - mean_x) * (y[i] - mean_y);
    xx += (x[i] - mean_x) * (x[i] - mean_x);
    yy += (y[i] - mean_y) * (y[i] - mean_y);
  }
  return static_cast<double>(xy / std::sqrt(xx * yy));
}

template <typename Field>
std::vector<double> Column(const std::vector<const GroupbyRow*>& rows, Field field) {
  std::vector<double> values;
  for (const GroupbyRow* row : rows) values.push_back(static_cast<double>(row->*field));
  return values;
}

double Sum(const std::vector<double>& values) {
  return static_cast<double>(Mean(values) * values.size());
}

// The SQL is ../shared/bench/groupby-questions.json's, verbatim.
std::vector<GroupbyQuestion> GroupbyQuestions() {
  using Rows = const std::vector<const GroupbyRow*>&;
  return {
      {"SELECT id1, sum(v1) AS v1 FROM x GROUP BY id1",
       {"id1"},
       {"v1"},
       [](Rows r) { return std::vector<double>{Sum(Column(r, &GroupbyRow::v1))}; }},
      {"SELECT id1, id2, sum(v1) AS v1 FROM x GROUP BY id1, id2",
       {"id1", "id2"},
       {"v1"},
       [](Rows r) { return std::vector<double>{Sum(Column(r, &GroupbyRow::v1))}; }},
      {"SELECT id3, sum(v1) AS v1, avg(v3) AS v3 FROM x GROUP BY id3",
       {"id3"},
       {"v1", "v3"},
       [](Rows r) {
         return std::vector<double>{Sum(Column(r, &GroupbyRow::v1)),
                                    static_cast<double>(Mean(Column(r, &GroupbyRow::v3)))};
       }},
      {"SELECT id4, avg(v1) AS v1, avg(v2) AS v2, avg(v3) AS v3 FROM x GROUP BY id4",
       {"id4"},
       {"v1", "v2", "v3"},
       [](Rows r) {
         return std::vector<double>{static_cast<double>(Mean(Column(r, &GroupbyRow::v1))),
                                    static_cast<double>(Mean(Column(r, &GroupbyRow::v2))),
                                    static_cast<double>(Mean(Column(r, &GroupbyRow::v3)))};
       }},
      {"SELECT id6, sum(v1) AS v1, sum(v2) AS v2, sum(v3) AS v3 FROM x GROUP BY id6",
       {"id6"},
       {"v1", "v2", "v3"},
       [](Rows r) {
         return std::vector<double>{Sum(Column(r, &GroupbyRow::v1)),
                                    Sum(Column(r, &GroupbyRow::v2)),
                                    Sum(Column(r, &GroupbyRow::v3))};
       }},
      {"SELECT id4, id5, median(v3) AS median_v3, stddev(v3) AS sd_v3 FROM x GROUP BY id4, id5",
       {"id4", "id5"},
       {"median_v3", "sd_v3"},
       [](Rows r) {
         std::vector<double> v3 = Column(r, &GroupbyRow::v3);
         return std::vector<double>{Median(v3), SampleStddev(v3)};
       }},
      {"SELECT id3, max(v1) - min(v2) AS range_v1_v2 FROM x GROUP BY id3",
       {"id3"},
       {"range_v1_v2"},
       [](Rows r) {
         std::vector<double> v1 = Column(r, &GroupbyRow::v1), v2 = Column(r, &GroupbyRow::v2);
         return std::vector<double>{*std::max_element(v1.begin(), v1.end()) -
                                    *std::min_element(v2.begin(), v2.end())};
       }},
      {"SELECT id6, v3 AS largest2_v3 FROM (SELECT id6, v3, row_number() OVER (PARTITION BY id6 "
       "ORDER BY v3 DESC) AS order_v3 FROM x WHERE v3 IS NOT NULL) sub_query WHERE order_v3 <= 2",
       {"id6"},
       {"largest2_v3"},
       [](Rows r) {
         std::vector<double> v3 = Column(r, &GroupbyRow::v3);
         std::sort(v3.begin(), v3.end(), std::greater<>());
         v3.resize(std::min<size_t>(v3.size(), 2));
         return v3;  // one answer row per value, largest first
       }},
      {"SELECT id2, id4, pow(corr(v1, v2), 2) AS r2 FROM x GROUP BY id2, id4",
       {"id2", "id4"},
       {"r2"},
       [](Rows r) {
         double corr = Correlation(Column(r, &GroupbyRow::v1), Column(r, &GroupbyRow::v2));
         return std::vector<double>{corr * corr};
       }},
      {"SELECT id1, id2, id3, id4, id5, id6, sum(v3) AS v3, count(*) AS count FROM x GROUP BY "
       "id1, id2, id3, id4, id5, id6",
       {"id1", "id2", "id3", "id4", "id5", "id6"},
       {"v3", "count"},
       [](Rows r) {
         return std::vector<double>{Sum(Column(r, &GroupbyRow::v3)), static_cast<double>(r.size())};
       }},
  };
}

class GroupbyTest : public BenchmarkTest {
 protected:
  static void SetUpTestSuite() {
    rows_ = new std::vector<GroupbyRow>(MakeGroupbyRows());
    database_ = new Database;
    Connection connection(*database_);
    LoadCsv(connection, "x", GroupbyCsv(*rows_));
  }
  static void TearDownTestSuite() {
    delete database_;
    delete rows_;
    BenchmarkTest::TearDownTestSuite();
  }

  // Runs question `number` (1-based) and checks every group's values and the checksum.
  void RunQuestion(size_t number) {
    const GroupbyQuestion question = GroupbyQuestions().at(number - 1);
    SCOPED_TRACE("groupby q" + std::to_string(number) + ": " + question.sql);
    Groups groups;
    for (const GroupbyRow& row : *rows_) groups[GroupKey(row, question.keys)].push_back(&row);
    std::map<std::string, std::vector<double>> expected;
    Checksum expected_checksum{0, std::vector<double>(question.chk.size(), 0.0)};
    for (const auto& [key, members] : groups) {
      std::vector<double> values = question.expected(members);
      expected[key] = values;
      // q8 gives one row per value of its single chk column; the others one row per group.
      size_t answer_rows = question.chk.size() == 1 ? values.size() : 1;
      expected_checksum.rows += answer_rows;
      for (size_t i = 0; i < values.size(); ++i) {
        expected_checksum.sums[question.chk.size() == 1 ? 0 : i] += values[i];
      }
    }
    RunAtThreadsAndRanks(*database_, question.sql, question.chk, [&](const Answer& answer) {
      ExpectSameChecksum(ChecksumOf(answer, question.chk), expected_checksum);
      ExpectGroupValues(answer, question, expected);
    });
  }

  // Checks each answer row against its group's expected values (rows of one group in q8 may
  // come in any order, so values are compared as sorted lists).
  static void ExpectGroupValues(const Answer& answer, const GroupbyQuestion& question,
                                const std::map<std::string, std::vector<double>>& expected) {
    std::map<std::string, std::vector<double>> actual;
    for (size_t row = 0; row < answer.num_rows(); ++row) {
      std::vector<double>& values = actual[answer.Key(question.keys, row)];
      for (const std::string& column : question.chk) {
        values.push_back(answer.Number(column, row).value_or(NAN));
      }
    }
    size_t mismatches = 0;
    for (auto& [key, values] : actual) {
      auto it = expected.find(key);
      std::vector<double> want = it == expected.end() ? std::vector<double>{} : it->second;
      if (question.chk.size() == 1) {
        std::sort(values.begin(), values.end());
        std::sort(want.begin(), want.end());
      }
      bool same = values.size() == want.size() &&
                  std::equal(values.begin(), values.end(), want.begin(), Near);
      if (!same && ++mismatches <= 3) ADD_FAILURE() << "group " << key << " differs";
    }
    EXPECT_EQ(mismatches, 0u) << "groups with wrong values";
    EXPECT_EQ(actual.size(), expected.size()) << "number of groups";
  }

  static std::vector<GroupbyRow>* rows_;
  static Database* database_;
};

std::vector<GroupbyRow>* GroupbyTest::rows_ = nullptr;
Database* GroupbyTest::database_ = nullptr;

TEST_F(GroupbyTest, Q1SumV1ById1) { RunQuestion(1); }
TEST_F(GroupbyTest, Q2SumV1ById1Id2) { RunQuestion(2); }
TEST_F(GroupbyTest, Q3SumV1MeanV3ById3) { RunQuestion(3); }
TEST_F(GroupbyTest, Q4MeanV1V2V3ById4) { RunQuestion(4); }
TEST_F(GroupbyTest, Q5SumV1V2V3ById6) { RunQuestion(5); }
TEST_F(GroupbyTest, Q6MedianSdV3ById4Id5) { RunQuestion(6); }
TEST_F(GroupbyTest, Q7RangeV1V2ById3) { RunQuestion(7); }
TEST_F(GroupbyTest, Q8LargestTwoV3ById6) { RunQuestion(8); }
TEST_F(GroupbyTest, Q9RegressionV1V2ById2Id4) { RunQuestion(9); }
TEST_F(GroupbyTest, Q10SumV3CountById1ToId6) { RunQuestion(10); }

// ---------------------------------------------------------------------------------------------
// join: J1_<N>_NA_0_0 and its small, medium and big tables, with N = 20,000 and key counts
// scaled so that every table has rows: 10 id1 keys (small), 200 id2 keys (medium), N id3 keys.

constexpr uint32_t kJoinRows = 20000;
constexpr uint32_t kJoinKeys1 = 10;
constexpr uint32_t kJoinKeys2 = 200;

// Is one row of a join table; id4, id5, id6 are "id" + id1, id2, id3, and v is v1 or v2.
struct JoinRow {
  uint32_t id1 = 0, id2 = 0, id3 = 0;
  int64_t millionths = 0;
  double v() const { return static_cast<double>(millionths) / 1e6; }
};

// Is the key pools of one key column, as in join_gen: x draws from `left`, y from `right`.
struct KeySplit {
  std::vector<uint32_t> left, right;
};

KeySplit SplitKeys(uint32_t n, Random& random) {
  uint32_t extra = n / 10, common = n - extra;
  std::vector<uint32_t> keys(n + extra);
  for (uint32_t i = 0; i < keys.size(); ++i) keys[i] = i + 1;
  random.Shuffle(keys);
  KeySplit split;
  split.left.assign(keys.begin(), keys.begin() + n);
  split.right.assign(keys.begin(), keys.begin() + common);
  split.right.insert(split.right.end(), keys.begin() + n, keys.end());
  return split;
}

std::vector<uint32_t> SampleAll(const std::vector<uint32_t>& pool, uint32_t size, Random& random) {
  std::vector<uint32_t> values(pool);
  while (values.size() < size) values.push_back(pool[random.Next() % pool.size()]);
  random.Shuffle(values);
  return values;
}

struct JoinData {
  std::vector<JoinRow> x, small, medium, big;
};

// Returns `size` rows whose id1/id2/id3 come from the given pools (nullptr: column absent).
std::vector<JoinRow> MakeJoinRows(uint32_t size, const std::vector<uint32_t>* id1,
                                  const std::vector<uint32_t>* id2,
                                  const std::vector<uint32_t>* id3, Random& random) {
  std::vector<uint32_t> a, b, c;
  if (id1 != nullptr) a = SampleAll(*id1, size, random);
  if (id2 != nullptr) b = SampleAll(*id2, size, random);
  if (id3 != nullptr) c = SampleAll(*id3, size, random);
  std::vector<JoinRow> rows(size);
  for (uint32_t i = 0; i < size; ++i) {
    rows[i].id1 = a.empty() ? 0 : a[i];
    rows[i].id2 = b.empty() ? 0 : b[i];
    rows[i].id3 = c.empty() ? 0 : c[i];
    rows[i].millionths = random.Millionths();
  }
  return rows;
}

JoinData MakeJoinData() {
  Random random(108);
  KeySplit key1 = SplitKeys(kJoinKeys1, random);
  KeySplit key2 = SplitKeys(kJoinKeys2, random);
  KeySplit key3 = SplitKeys(kJoinRows, random);
  JoinData data;
  data.x = MakeJoinRows(kJoinRows, &key1.left, &key2.left, &key3.left, random);
  data.small = MakeJoinRows(kJoinKeys1, &key1.right, nullptr, nullptr, random);
  data.medium = MakeJoinRows(kJoinKeys2, &key1.right, &key2.right, nullptr, random);
  data.big = MakeJoinRows(kJoinRows, &key1.right, &key2.right, &key3.right, random);
  return data;
}

// Returns the text of column `name` (id1..id6) of a join row, as the answer prints it.
std::string JoinText(const JoinRow& row, const std::string& name) {
  uint32_t ids[] = {row.id1, row.id2, row.id3};
  size_t index = static_cast<size_t>(name[2] - '1');
  return (index >= 3 ? "id" : "") + std::to_string(ids[index % 3]);
}

std::string JoinCsv(const std::vector<JoinRow>& rows, const std::vector<std::string>& columns) {
  std::string text;
  for (const std::string& column : columns) text += (text.empty() ? "" : ",") + column;
  text += "\n";
  for (const JoinRow& row : rows) {
    for (size_t i = 0; i < columns.size(); ++i) {
      text += i == 0 ? "" : ",";
      text += columns[i][0] == 'v' ? MillionthsText(row.millionths) : JoinText(row, columns[i]);
    }
    text += "\n";
  }
  return text;
}

// Is one join question: x joined with `table` on `key`, and the y columns it outputs.
struct JoinQuestion {
  std::string sql;
  std::string table;
  std::string key;  // id1, id2, id3 or id5
  bool left_outer;
  std::vector<std::pair<std::string, std::string>> y_columns;  // output name, y column
};

// The SQL is bench/join-questions.json's, verbatim.
std::vector<JoinQuestion> JoinQuestions() {
  std::string medium_columns =
      "medium.id1 AS medium_id1, medium.id4 AS medium_id4, medium.id5 AS medium_id5, v2";
  return {
      {"SELECT x.*, small.id4 AS small_id4, v2 FROM x JOIN small USING (id1)",
       "small",
       "id1",
       false,
       {{"small_id4", "id4"}, {"v2", "v2"}}},
      {"SELECT x.*, " + medium_columns + " FROM x JOIN medium USING (id2)",
       "medium",
       "id2",
       false,
       {{"medium_id1", "id1"}, {"medium_id4", "id4"}, {"medium_id5", "id5"}, {"v2", "v2"}}},
      {"SELECT x.*, " + medium_columns + " FROM x LEFT JOIN medium USING (id2)",
       "medium",
       "id2",
       true,
       {{"medium_id1", "id1"}, {"medium_id4", "id4"}, {"medium_id5", "id5"}, {"v2", "v2"}}},
      {"SELECT x.*, medium.id1 AS medium_id1, medium.id2 AS medium_id2, medium.id4 AS medium_id4, "
       "v2 FROM x JOIN medium USING (id5)",
       "medium",
       "id5",
       false,
       {{"medium_id1", "id1"}, {"medium_id2", "id2"}, {"medium_id4", "id4"}, {"v2", "v2"}}},
      {"SELECT x.*, big.id1 AS big_id1, big.id2 AS big_id2, big.id4 AS big_id4, big.id5 AS "
       "big_id5, big.id6 AS big_id6, v2 FROM x JOIN big USING (id3)",
       "big",
       "id3",
       false,
       {{"big_id1", "id1"},
        {"big_id2", "id2"},
        {"big_id4", "id4"},
        {"big_id5", "id5"},
        {"big_id6", "id6"},
        {"v2", "v2"}}},
  };
}

// Returns the integer behind join key `key` of a row (id5 is "id" + id2).
uint32_t JoinKeyOf(const JoinRow& row, const std::string& key) {
  return key == "id1" ? row.id1 : key == "id3" ? row.id3 : row.id2;
}

class JoinTest : public BenchmarkTest {
 protected:
  static void SetUpTestSuite() {
    data_ = new JoinData(MakeJoinData());
    database_ = new Database;
    Connection connection(*database_);
    std::vector<std::string> x_columns = {"id1", "id2", "id3", "id4", "id5", "id6", "v1"};
    LoadCsv(connection, "x", JoinCsv(data_->x, x_columns));
    LoadCsv(connection, "small", JoinCsv(data_->small, {"id1", "id4", "v2"}));
    LoadCsv(connection, "medium", JoinCsv(data_->medium, {"id1", "id2", "id4", "id5", "v2"}));
    x_columns.back() = "v2";
    LoadCsv(connection, "big", JoinCsv(data_->big, x_columns));
  }
  static void TearDownTestSuite() {
    delete database_;
    delete data_;
    BenchmarkTest::TearDownTestSuite();
  }

  static const std::vector<JoinRow>& Table(const std::string& name) {
    return name == "small" ? data_->small : name == "medium" ? data_->medium : data_->big;
  }

  // Runs join question `number` (1-based) and checks every answer row against x and y.
  void RunQuestion(size_t number) {
    const JoinQuestion question = JoinQuestions().at(number - 1);
    SCOPED_TRACE("join q" + std::to_string(number) + ": " + question.sql);
    // The generated y tables hold each join key once, as db-benchmark's do.
    std::unordered_map<uint32_t, const JoinRow*> y_by_key;
    for (const JoinRow& row : Table(question.table)) {
      ASSERT_TRUE(y_by_key.emplace(JoinKeyOf(row, question.key), &row).second);
    }
    Checksum expected{0, {0.0, 0.0}};
    size_t unmatched = 0;
    for (const JoinRow& row : data_->x) {
      auto match = y_by_key.find(JoinKeyOf(row, question.key));
      if (match == y_by_key.end()) ++unmatched;
      if (match == y_by_key.end() && !question.left_outer) continue;
      expected.rows += 1;
      expected.sums[0] += row.v();
      expected.sums[1] += match == y_by_key.end() ? 0.0 : match->second->v();
    }
    ASSERT_GT(unmatched, 0u) << "the data should have x rows without a match";
    ASSERT_GT(expected.rows, 0u);
    RunAtThreadsAndRanks(*database_, question.sql, {"v1", "v2"}, [&](const Answer& answer) {
      ExpectSameChecksum(ChecksumOf(answer, {"v1", "v2"}), expected);
      ExpectJoinedRows(answer, question, y_by_key);
    });
  }

  // Checks the answer's columns, and that each row is an x row (found by its unique id3) with
  // the y row of its key, or NULLs for an unmatched row of a left join.
  static void ExpectJoinedRows(const Answer& answer, const JoinQuestion& question,
                               const std::unordered_map<uint32_t, const JoinRow*>& y_by_key) {
    std::vector<std::string> columns = {"id1", "id2", "id3", "id4", "id5", "id6", "v1"};
    for (const auto& [output, y_column] : question.y_columns) columns.push_back(output);
    ASSERT_EQ(answer.ColumnNames(), columns);
    std::unordered_map<std::string, const JoinRow*> x_by_id3;
    for (const JoinRow& row : data_->x) x_by_id3[std::to_string(row.id3)] = &row;
    std::unordered_map<std::string, int> seen;
    size_t mismatches = 0;
    for (size_t row = 0; row < answer.num_rows(); ++row) {
      std::string id3 = answer.Get("id3", row).ToString();
      auto x = x_by_id3.find(id3);
      bool same = x != x_by_id3.end() && ++seen[id3] == 1 &&
                  SameJoinedRow(answer, row, question, *x->second, y_by_key);
      if (!same && ++mismatches <= 3)
        ADD_FAILURE() << "answer row " << row << " (id3 " << id3 << ")";
    }
    EXPECT_EQ(mismatches, 0u) << "wrong answer rows";
  }

  static bool SameJoinedRow(const Answer& answer, size_t row, const JoinQuestion& question,
                            const JoinRow& x,
                            const std::unordered_map<uint32_t, const JoinRow*>& y_by_key) {
    for (const char* column : {"id1", "id2", "id4", "id5", "id6"}) {
      if (answer.Get(column, row).ToString() != JoinText(x, column)) return false;
    }
    std::optional<double> v1 = answer.Number("v1", row);
    if (!v1 || !Near(*v1, x.v())) return false;
    auto y = y_by_key.find(JoinKeyOf(x, question.key));
    for (const auto& [output, y_column] : question.y_columns) {
      const core::Value& value = answer.Get(output, row);
      if (y == y_by_key.end()) {
        if (!value.is_null()) return false;
      } else if (y_column == "v2") {
        if (value.is_null() || !Near(*answer.Number(output, row), y->second->v())) return false;
      } else if (value.ToString() != JoinText(*y->second, y_column)) {
        return false;
      }
    }
    return true;
  }

  static JoinData* data_;
  static Database* database_;
};

JoinData* JoinTest::data_ = nullptr;
Database* JoinTest::database_ = nullptr;

TEST_F(JoinTest, Q1SmallInnerOnInt) { RunQuestion(1); }
TEST_F(JoinTest, Q2MediumInnerOnInt) { RunQuestion(2); }
TEST_F(JoinTest, Q3MediumOuterOnInt) { RunQuestion(3); }
TEST_F(JoinTest, Q4MediumInnerOnFactor) { RunQuestion(4); }
TEST_F(JoinTest, Q5BigInnerOnInt) { RunQuestion(5); }

}  // namespace
}  // namespace sluice::session
