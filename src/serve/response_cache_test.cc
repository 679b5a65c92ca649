#include "serve/response_cache.h"

#include <string>

#include <gtest/gtest.h>

namespace sluice::serve {
namespace {

TEST(ResponseCacheTest, KeysTellParametersFormatsAndMaskingApart) {
  EXPECT_EQ(ResponseCache::Key({{"a", "eq.1"}}, 0, false),
            ResponseCache::Key({{"a", "eq.1"}}, 0, false));
  EXPECT_NE(ResponseCache::Key({{"a", "eq.1"}}, 0, false),
            ResponseCache::Key({{"a", "eq.1"}}, 1, false));
  EXPECT_NE(ResponseCache::Key({{"a", "eq.1"}}, 0, false),
            ResponseCache::Key({{"a", "eq.1"}}, 0, true));
  EXPECT_NE(ResponseCache::Key({{"a", "b"}, {"c", "d"}}, 0, false),
            ResponseCache::Key({{"a", "b:1:c"}, {"", "d"}}, 0, false));
  EXPECT_NE(ResponseCache::Key({{"ab", ""}}, 0, false), ResponseCache::Key({{"a", "b"}}, 0, false));
}

TEST(ResponseCacheTest, KeepsAnswersAndDropsTheOldestBeyondItsSize) {
  ResponseCache cache;
  EXPECT_EQ(cache.Find("a"), nullptr);
  cache.Add("a", {{{"x-result-version", "3"}}, "[1]"});
  ASSERT_NE(cache.Find("a"), nullptr);
  EXPECT_EQ(cache.Find("a")->body, "[1]");
  EXPECT_EQ(cache.Find("a")->headers, (Fields{{"x-result-version", "3"}}));
  std::string large(ResponseCache::kMaxBytes / 5, 'x');
  for (int i = 0; i < 5; ++i) cache.Add("large" + std::to_string(i), {{}, large});
  EXPECT_EQ(cache.Find("a"), nullptr);  // the oldest went first
  EXPECT_EQ(cache.Find("large0"), nullptr);
  EXPECT_NE(cache.Find("large4"), nullptr);
  cache.Add("huge", {{}, std::string(ResponseCache::kMaxBytes / 3, 'x')});
  EXPECT_EQ(cache.Find("huge"), nullptr);  // too large to keep
}

}  // namespace
}  // namespace sluice::serve
