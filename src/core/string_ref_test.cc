#include "core/string_ref.h"

#include <string>

#include <gtest/gtest.h>

#include "core/string_heap.h"

namespace sluice::core {
namespace {

TEST(StringRefTest, ShortStringsAreInlined) {
  std::string text = "id0000000001";  // 12 bytes: the longest inline string
  StringRef ref(text);
  EXPECT_TRUE(ref.is_inlined());
  text[0] = 'X';  // the view does not depend on the source any more
  EXPECT_EQ(ref.view(), "id0000000001");
}

TEST(StringRefTest, LongStringsPointIntoTheHeap) {
  StringHeap heap;
  StringRef ref = heap.Add("a string longer than twelve bytes");
  EXPECT_FALSE(ref.is_inlined());
  EXPECT_EQ(ref.view(), "a string longer than twelve bytes");
  EXPECT_EQ(heap.allocated_bytes(), ref.size());
}

TEST(StringRefTest, EqualityLooksAtAllBytes) {
  StringHeap heap;
  EXPECT_EQ(StringRef("abc"), StringRef("abc"));
  EXPECT_NE(StringRef("abc"), StringRef("abd"));
  EXPECT_NE(StringRef("abc"), StringRef("abcd"));
  EXPECT_EQ(StringRef(""), StringRef());
  EXPECT_EQ(heap.Add("prefix-shared-long-1"), heap.Add("prefix-shared-long-1"));
  EXPECT_NE(heap.Add("prefix-shared-long-1"), heap.Add("prefix-shared-long-2"));
}

TEST(StringRefTest, OrderIsBytewise) {
  StringHeap heap;
  EXPECT_LT(StringRef::Compare(StringRef("ab"), StringRef("abc")), 0);
  EXPECT_GT(StringRef::Compare(StringRef("b"), StringRef("abc")), 0);
  EXPECT_EQ(StringRef::Compare(StringRef("same"), StringRef("same")), 0);
  EXPECT_LT(StringRef::Compare(heap.Add("zzzz-long-string-a"), heap.Add("zzzz-long-string-b")), 0);
  EXPECT_LT(StringRef::Compare(StringRef("zzzz"), heap.Add("zzzz-long-string-b")), 0);
  EXPECT_TRUE(StringRef("a") < StringRef("b"));
}

TEST(StringHeapTest, LargeStringsGetTheirOwnChunk) {
  StringHeap heap;
  std::string big(200000, 'x');
  StringRef ref = heap.Add(big);
  EXPECT_EQ(ref.view(), big);
}

}  // namespace
}  // namespace sluice::core
