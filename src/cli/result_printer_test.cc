#include "cli/result_printer.h"

#include <sstream>

#include <gtest/gtest.h>

namespace sluice::cli {
namespace {

using core::TypeId;
using core::Value;

class ResultPrinterTest : public ::testing::Test {
 protected:
  ResultPrinterTest()
      : schema_(std::make_shared<core::Schema>(
            std::vector<core::Field>{{"origin", TypeId::kVarchar}, {"delay", TypeId::kBigint}})) {
    batches_.emplace_back(schema_, 4);
    batches_.back().AppendRow({Value::Varchar("LAX"), Value::Bigint(-19)});
    batches_.back().AppendRow({Value::Varchar("a,\"b\""), Value::Null(TypeId::kBigint)});
  }

  std::string Print(OutputFormat format) {
    std::ostringstream out;
    PrintRows(out, {*schema_, batches_}, format);
    return out.str();
  }

  core::SchemaPtr schema_;
  std::vector<core::Batch> batches_;
};

TEST_F(ResultPrinterTest, Table) {
  EXPECT_EQ(Print(OutputFormat::kTable),
            " origin | delay\n"
            "--------+-------\n"
            " LAX    |   -19\n"
            " a,\"b\"  |  NULL\n");
}

TEST_F(ResultPrinterTest, Markdown) {
  EXPECT_EQ(Print(OutputFormat::kMarkdown),
            "| origin | delay |\n"
            "|--------|------:|\n"
            "| LAX    |   -19 |\n"
            "| a,\"b\"  |  NULL |\n");
}

TEST_F(ResultPrinterTest, Csv) {
  EXPECT_EQ(Print(OutputFormat::kCsv), "origin,delay\nLAX,-19\n\"a,\"\"b\"\"\",\n");
}

TEST_F(ResultPrinterTest, Json) {
  EXPECT_EQ(Print(OutputFormat::kJson),
            "[\n  {\"origin\": \"LAX\", \"delay\": -19},\n"
            "  {\"origin\": \"a,\\\"b\\\"\", \"delay\": null}\n]\n");
}

TEST(OutputFormatTest, Names) {
  EXPECT_EQ(OutputFormatFromName("markdown"), OutputFormat::kMarkdown);
  EXPECT_FALSE(OutputFormatFromName("xml").has_value());
}

}  // namespace
}  // namespace sluice::cli
