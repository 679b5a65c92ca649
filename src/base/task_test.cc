#include "base/task.h"

#include <atomic>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(ParallelForTest, VisitsEveryIndexOnce) {
  std::vector<std::atomic<int>> visits(1000);
  ParallelFor(visits.size(), [&](size_t i) { visits[i]++; });
  for (const auto& count : visits) EXPECT_EQ(count.load(), 1);
}

TEST(ParallelForTest, RethrowsAnError) {
  EXPECT_THROW(ParallelFor(100,
                           [](size_t i) {
                             if (i == 42) throw std::runtime_error("boom");
                           }),
               std::runtime_error);
}

TEST(TaskGroupTest, WaitsForNestedTasks) {
  std::atomic<int> done = 0;
  TaskGroup group;
  for (int i = 0; i < 8; ++i) {
    group.Run([&] {
      group.Run([&] { done++; });
      done++;
    });
  }
  group.Wait();
  EXPECT_EQ(done.load(), 16);
}

TEST(ThreadCountTest, LimitsAndRestores) {
  size_t all = ThreadCount();
  SetThreadCount(1);
  EXPECT_EQ(ThreadCount(), 1u);
  SetThreadCount(0);
  EXPECT_EQ(ThreadCount(), all);
}

}  // namespace
}  // namespace sluice
