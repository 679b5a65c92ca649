#include "base/text_file.h"

#include <gtest/gtest.h>

#include "base/error.h"
#include "base/test_folder.h"

namespace sluice {
namespace {

TEST(TextFileTest, ReadsEveryByte) {
  TestFolder folder;
  folder.Write("a.txt", std::string("line 1\r\nline\0 2", 15));
  EXPECT_EQ(ReadTextFile(folder.Path("a.txt")), std::string("line 1\r\nline\0 2", 15));
  folder.Write("empty.txt", "");
  EXPECT_EQ(ReadTextFile(folder.Path("empty.txt")), "");
}

TEST(TextFileTest, AMissingFileIsAnErrorNamingIt) {
  try {
    ReadTextFile("/no/such/file.sql", "notebook");
    FAIL() << "no error";
  } catch (const IoError& error) {
    EXPECT_EQ(std::string(error.what()),
              "cannot read notebook '/no/such/file.sql': No such file or directory");
  }
  EXPECT_THROW(ReadTextFile("/no/such/file"), IoError);
}

}  // namespace
}  // namespace sluice
