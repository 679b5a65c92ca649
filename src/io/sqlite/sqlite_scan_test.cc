#include <unistd.h>

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "base/error.h"
#include "io/scan_sql.h"
#include "io/sqlite/sqlite_scan_reader.h"
#include "io/sqlite/sqlite_table_writer.h"
#include "io/sqlite/sqlite_types.h"

namespace sluice::io::sqlite {
namespace {

using core::TypeId;
using Op = ScanPredicate::Op;

class SqliteScanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sluice_sqlite_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "test.db").string();
    auto database = SqliteDatabase::Open(path_, true);
    database->Execute(
        "CREATE TABLE items (id INTEGER PRIMARY KEY, name VARCHAR(20), price DECIMAL(10,2), "
        "ok BOOLEAN, day DATE, at DATETIME, raw BLOB, loose);"
        "INSERT INTO items VALUES (1, 'apple', 1.5, 1, '2024-01-02', '2024-01-02 03:04:05', "
        "x'00ff', 7), (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL),"
        "(3, 'cherry', 3, 'false', '1999-12-31', '2000-01-01T00:00:00.5', x'', 2.5)",
        "setting up");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  SqliteTable Describe(const std::string& table,
                       UnsupportedTypes unsupported = UnsupportedTypes::kText) {
    auto database = SqliteDatabase::Open(path_, false);
    return DescribeSqliteTable(*database, table, unsupported);
  }
  std::string ReadAllText(SqliteScanReader& reader) {
    std::string text;
    while (auto batch = reader.Next()) text += batch->ToString();
    return text;
  }

  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(SqliteScanTest, MapsDeclaredTypesByAffinity) {
  SqliteTable table = Describe("items");
  EXPECT_EQ(SchemaOf(table.columns)->ToString(),
            "id BIGINT, name VARCHAR, price DOUBLE, ok BOOLEAN, day DATE, at TIMESTAMP, "
            "raw VARCHAR, loose DOUBLE");
  EXPECT_TRUE(table.columns[6].as_hex);
  EXPECT_EQ(TypeOfDeclared("UNSIGNED BIG INT"), TypeId::kBigint);
  EXPECT_EQ(TypeOfDeclared("NVARCHAR(10)"), TypeId::kVarchar);
  EXPECT_EQ(TypeOfDeclared("FLOAT"), TypeId::kDouble);
  EXPECT_EQ(TypeOfDeclared("TIMESTAMP"), TypeId::kTimestamp);
  EXPECT_EQ(TypeOfDeclared("BLOB"), std::nullopt);
}

TEST_F(SqliteScanTest, ReadsEveryTypeWithNulls) {
  SqliteScanReader reader(path_, Describe("items"), {}, {}, TypeMismatch::kError);
  EXPECT_EQ(ReadAllText(reader),
            "1|apple|1.5|true|2024-01-02|2024-01-02 03:04:05|00FF|7\n"
            "2|NULL|NULL|NULL|NULL|NULL|NULL|NULL\n"
            "3|cherry|3|false|1999-12-31|2000-01-01 00:00:00.5||2.5\n");
}

TEST_F(SqliteScanTest, RejectsBlobsUnlessAskedForText) {
  try {
    Describe("items", UnsupportedTypes::kError);
    FAIL() << "no error";
  } catch (const UserError& error) {
    EXPECT_STREQ(error.what(),
                 "column \"raw\" of SQLite table \"items\" is declared BLOB, which Sluice cannot "
                 "read; use the option unsupported = 'text' to read it as hexadecimal text");
  }
}

TEST_F(SqliteScanTest, PushesProjectionAndFilters) {
  std::vector<ScanPredicate> predicates = {
      {"id", Op::kGe, core::Value::Bigint(2)},
      {"name", Op::kLt, core::Value::Varchar("d'x")},
      {"ok", Op::kEq, core::Value::Boolean(false)},  // not pushed: 'false' is text to SQLite
      {"price", Op::kIsNotNull},
  };
  SqliteScanReader reader(path_, Describe("items"), {"id", "name"}, predicates,
                          TypeMismatch::kError);
  EXPECT_EQ(reader.query(),
            "SELECT \"id\", \"name\" FROM \"items\" WHERE \"id\" >= 2 AND \"name\" COLLATE "
            "BINARY < 'd''x' AND \"price\" IS NOT NULL");
  EXPECT_EQ(ReadAllText(reader), "3|cherry\n");
}

TEST_F(SqliteScanTest, ReportsOrNullsMismatchedValues) {
  auto database = SqliteDatabase::Open(path_, true);
  database->Execute("CREATE TABLE odd (n INTEGER); INSERT INTO odd VALUES (1), ('abc'), (2.5)",
                    "setup");
  SqliteScanReader strict(path_, Describe("odd"), {}, {}, TypeMismatch::kError);
  try {
    ReadAllText(strict);
    FAIL() << "no error";
  } catch (const DataError& error) {
    EXPECT_STREQ(error.what(),
                 "column \"n\" of SQLite table \"odd\" (declared INTEGER, read as BIGINT) holds "
                 "the TEXT value 'abc' in row 2; use the option type_mismatch = 'null' to read "
                 "such values as NULL");
  }
  SqliteScanReader lenient(path_, Describe("odd"), {}, {{"n", Op::kIsNull}}, TypeMismatch::kNull);
  EXPECT_EQ(lenient.query(), "SELECT \"n\" FROM \"odd\"");
  EXPECT_EQ(ReadAllText(lenient), "1\nNULL\nNULL\n");
}

TEST_F(SqliteScanTest, ReportsMissingFilesAndTables) {
  EXPECT_THROW(SqliteDatabase::Open((dir_ / "missing.db").string(), false), IoError);
  try {
    Describe("nope");
    FAIL() << "no error";
  } catch (const UserError& error) {
    EXPECT_EQ(std::string(error.what()), "SQLite table \"nope\" does not exist in '" + path_ + "'");
  }
}

core::Batch Rows(const core::SchemaPtr& schema, const std::vector<std::vector<core::Value>>& rows) {
  core::Batch batch(schema);
  for (const auto& row : rows) batch.AppendRow(row);
  return batch;
}

TEST_F(SqliteScanTest, WritesInOneTransactionInEveryMode) {
  auto schema = std::make_shared<core::Schema>(std::vector<core::Field>{
      {"k", TypeId::kInteger}, {"v", TypeId::kVarchar}, {"d", TypeId::kDate}});
  using core::Value;
  auto write = [&](WriteMode mode, const std::vector<std::vector<Value>>& rows) {
    SqliteTableWriter writer(path_, schema, {"out", mode, {"k"}});
    writer.Append(Rows(schema, rows));
    return writer.Commit();
  };
  EXPECT_EQ(write(WriteMode::kReplace,
                  {{Value::Integer(1), Value::Varchar("a"), Value::Date(0)},
                   {Value::Integer(2), Value::Varchar("b"), Value::Null(TypeId::kDate)}}),
            2u);
  write(WriteMode::kUpsert, {{Value::Integer(2), Value::Varchar("B"), Value::Date(1)},
                             {Value::Integer(3), Value::Varchar("c"), Value::Date(2)}});
  auto read = [&] {
    SqliteScanReader reader(path_, Describe("out"), {}, {}, TypeMismatch::kError);
    return ReadAllText(reader);
  };
  EXPECT_EQ(read(), "1|a|1970-01-01\n2|B|1970-01-02\n3|c|1970-01-03\n");
  // A duplicate key fails the append midway: nothing of it stays.
  EXPECT_THROW(
      write(WriteMode::kAppend, {{Value::Integer(4), Value::Varchar("d"), Value::Date(3)},
                                 {Value::Integer(1), Value::Varchar("x"), Value::Date(3)}}),
      UserError);
  EXPECT_EQ(read(), "1|a|1970-01-01\n2|B|1970-01-02\n3|c|1970-01-03\n");
  write(WriteMode::kReplace, {{Value::Integer(9), Value::Varchar("z"), Value::Date(9)}});
  EXPECT_EQ(read(), "9|z|1970-01-10\n");
}

}  // namespace
}  // namespace sluice::io::sqlite
