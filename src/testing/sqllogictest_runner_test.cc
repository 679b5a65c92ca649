#include "testing/sqllogictest_runner.h"

#include <sstream>

#include <gtest/gtest.h>

namespace sluice::testing {
namespace {

class SqlLogicTestRunnerTest : public ::testing::Test {
 protected:
  FileSummary Run(std::string_view text, RunnerOptions options = {}) {
    SqlLogicTestRunner runner(options, output_);
    return runner.RunText("t.test", text);
  }

  std::ostringstream output_;
};

TEST_F(SqlLogicTestRunnerTest, PassesMatchingRecords) {
  FileSummary summary =
      Run("statement ok\nCREATE TABLE t (a INTEGER, b VARCHAR)\n\n"
          "statement ok\nINSERT INTO t VALUES (2, 'y'), (1, 'x'), (NULL, '')\n\n"
          "query IT rowsort\nSELECT a, b FROM t\n----\n1\tx\n2\ty\nNULL\t(empty)\n\n"
          "query I nosort\nSELECT a FROM t WHERE a IS NOT NULL ORDER BY a\n----\n1\n2\n\n"
          "statement error\nSELECT nope FROM t\n\n"
          "statement error\nSELECT * FROM missing_table\n----\nmissing_table\n");
  EXPECT_EQ(summary.passed, 6u) << output_.str();
  EXPECT_EQ(summary.failed, 0u) << output_.str();
  EXPECT_EQ(output_.str(), "");
}

TEST_F(SqlLogicTestRunnerTest, ReportsFailuresWithLineSqlAndValues) {
  FileSummary summary =
      Run("query I\nSELECT 1 + 1\n----\n3\n\n"
          "statement ok\nSELEC 1\n\n"
          "statement error\nSELECT 1\n\n"
          "query II\nSELECT 1\n----\n1\n");
  EXPECT_EQ(summary.passed, 0u);
  EXPECT_EQ(summary.failed, 4u);
  std::string text = output_.str();
  EXPECT_NE(text.find("t.test:1: wrong result: value 1: expected [3], got [2]"), std::string::npos)
      << text;
  EXPECT_NE(text.find("    SELECT 1 + 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("t.test:6: statement failed"), std::string::npos) << text;
  EXPECT_NE(text.find("t.test:9: statement succeeded, expected an error"), std::string::npos);
  EXPECT_NE(text.find("t.test:12: wrong number of columns"), std::string::npos);
}

TEST_F(SqlLogicTestRunnerTest, ChecksErrorMessages) {
  FileSummary summary =
      Run("statement error\nSELECT * FROM missing_table\n----\nsomething else\n\n"
          "statement error\nSELECT * FROM missing_table\n----\n<REGEX>:miss.*table\n");
  EXPECT_EQ(summary.failed, 1u);
  EXPECT_EQ(summary.passed, 1u);
  EXPECT_NE(output_.str().find("wrong error message"), std::string::npos);
}

TEST_F(SqlLogicTestRunnerTest, SkipsOtherEnginesAndStopsAtHaltAndRequire) {
  FileSummary summary =
      Run("onlyif mysql\nstatement ok\nSELEC 1\n\n"
          "skipif sluice\nstatement ok\nSELEC 1\n\n"
          "onlyif sluice\nstatement ok\nSELECT 1\n\n"
          "halt\n\n"
          "statement ok\nSELEC 1\n");
  EXPECT_EQ(summary.passed, 1u);
  EXPECT_EQ(summary.failed, 0u);
  EXPECT_EQ(summary.skipped, 2u);
  summary = Run("statement ok\nSELECT 1\n\nrequire parquet\n\nstatement ok\nSELEC 1\n");
  EXPECT_EQ(summary.passed, 1u);
  EXPECT_EQ(summary.skipped, 1u);
}

TEST_F(SqlLogicTestRunnerTest, ChecksHashesAndLabels) {
  FileSummary summary =
      Run("hash-threshold 1\n\n"
          "query I nosort label-a\nVALUES (1), (2)\n----\n"
          "2 values hashing to 6ddb4095eb719e2a9f0a3f95677d24e0\n\n"
          "query I nosort label-a\nSELECT 1\n----\n1\n");
  EXPECT_EQ(summary.failed, 1u) << output_.str();
  EXPECT_NE(output_.str().find("labeled result label-a does not agree"), std::string::npos);
}

TEST_F(SqlLogicTestRunnerTest, StopsOnFailureWhenAsked) {
  FileSummary summary = Run("statement ok\nSELEC 1\n\nstatement ok\nSELEC 2\n",
                            {.verbose = false, .stop_on_failure = true});
  EXPECT_EQ(summary.failed, 1u);
}

TEST(SummaryLineTest, MentionsSkippedOnlyWhenThereAreSome) {
  EXPECT_EQ(SummaryLine("a.test", {.passed = 3, .failed = 1, .skipped = 0}),
            "a.test: 3 passed, 1 failed");
  EXPECT_EQ(SummaryLine("a.test", {.passed = 3, .failed = 0, .skipped = 2}),
            "a.test: 3 passed, 0 failed, 2 skipped");
}

}  // namespace
}  // namespace sluice::testing
