#include "base/hash.h"

#include <set>

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(HashTest, EqualInputsHashEqual) {
  EXPECT_EQ(HashString("flights"), HashString(std::string("flights")));
  EXPECT_NE(HashString("flights"), HashString("flight"));
  EXPECT_NE(HashString("a", 1), HashString("a", 2));
}

TEST(HashTest, IntegerMixSpreadsLowBits) {
  std::set<uint64_t> buckets;
  for (uint64_t i = 0; i < 1024; ++i) buckets.insert(HashInteger(i) & 1023);
  // A good mixer fills most of 1024 buckets from 1024 consecutive keys (~632 expected).
  EXPECT_GT(buckets.size(), 550u);
}

TEST(HashTest, CombineIsOrderSensitive) { EXPECT_NE(CombineHashes(1, 2), CombineHashes(2, 1)); }

}  // namespace
}  // namespace sluice
