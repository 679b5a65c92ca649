#include "ml/xgboost_tracker.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/error.h"
#include "ml/xgboost_collective.h"
#include "ml/xgboost_test_ranks.h"

namespace sluice::ml {
namespace {

using std::chrono::milliseconds;
using testing::HasSubstr;

constexpr int32_t kMagic = 0xff99;

/// Is a raw TCP client of the tracker, for speaking the protocol wrongly on purpose.
class RawClient {
 public:
  explicit RawClient(int port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    EXPECT_EQ(connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  }
  ~RawClient() { close(fd_); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  void SendInt(int32_t value) { ASSERT_EQ(send(fd_, &value, sizeof(value), MSG_NOSIGNAL), 4); }
  void SendString(const std::string& text) {
    SendInt(static_cast<int32_t>(text.size()));
    ASSERT_EQ(send(fd_, text.data(), text.size(), MSG_NOSIGNAL), static_cast<ssize_t>(text.size()));
  }
  /// Returns the next integer, or nullopt when the tracker closed the connection.
  std::optional<int32_t> RecvInt() {
    int32_t value = 0;
    if (recv(fd_, &value, sizeof(value), MSG_WAITALL) != sizeof(value)) return std::nullopt;
    return value;
  }

 private:
  int fd_;
};

/// Waits until the tracker has recorded `count` errors (or a few seconds have passed).
std::vector<std::string> WaitForErrors(const XGBoostTracker& tracker, size_t count) {
  for (int i = 0; i < 500 && tracker.errors().size() < count; ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  return tracker.errors();
}

class XGBoostTrackerRanks : public testing::TestWithParam<int> {};

TEST_P(XGBoostTrackerRanks, MembersGetTheirRanksAndSumTogether) {
  const int num_ranks = GetParam();
  std::vector<double> sums(static_cast<size_t>(num_ranks));
  RunXGBoostRanks(num_ranks, [&](const XGBoostCollective& collective) {
    EXPECT_EQ(collective.world_size(), num_ranks);
    std::vector<double> values = {1.0 + collective.rank(), 0.5};
    collective.SumAll(values);
    EXPECT_EQ(values[1], 0.5 * num_ranks);
    sums[static_cast<size_t>(collective.rank())] = values[0];
  });
  EXPECT_THAT(sums, testing::Each(num_ranks * (num_ranks + 1) / 2.0));
}

INSTANTIATE_TEST_SUITE_P(Sizes, XGBoostTrackerRanks, testing::Values(1, 2, 3, 4, 7));

TEST(XGBoostTracker, PicksAFreePortAndStopsPromptlyWithoutWorkers) {
  const auto start = std::chrono::steady_clock::now();
  {
    XGBoostTracker tracker("127.0.0.1", 0, 3);
    EXPECT_GT(tracker.port(), 0);
    EXPECT_FALSE(tracker.done());
    EXPECT_FALSE(tracker.WaitUntilDone(milliseconds(50)));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(XGBoostTracker, StopsPromptlyWhileAWorkerIsHalfwayThrough) {
  const auto start = std::chrono::steady_clock::now();
  {
    XGBoostTracker tracker("127.0.0.1", 0, 2);
    RawClient client(tracker.port());
    client.SendInt(kMagic);
    EXPECT_EQ(client.RecvInt(), kMagic);  // the tracker now waits for the rest of the hello
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(XGBoostTracker, RejectsABadMagicNumberAndKeepsServing) {
  XGBoostTracker tracker("127.0.0.1", 0, 2);
  {
    RawClient client(tracker.port());
    client.SendInt(0x1234);
    EXPECT_EQ(client.RecvInt(), std::nullopt);  // dropped without an answer
  }
  std::vector<std::string> errors = WaitForErrors(tracker, 1);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("127.0.0.1:"));
  EXPECT_THAT(errors[0], HasSubstr("magic number 0x1234"));

  std::vector<std::thread> threads;
  for (int rank = 0; rank < 2; ++rank) {
    threads.emplace_back([&, rank] {
      XGBoostCollective collective(rank, 2, tracker.host(), tracker.port());
      std::vector<double> value = {1};
      collective.SumAll(value);
      EXPECT_EQ(value[0], 2);
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_TRUE(tracker.WaitUntilDone(std::chrono::seconds(10)));
  EXPECT_EQ(tracker.errors().size(), 1u);
}

TEST(XGBoostTracker, RejectsGarbageAfterTheMagicNumber) {
  XGBoostTracker tracker("127.0.0.1", 0, 2);
  RawClient client(tracker.port());
  client.SendInt(kMagic);
  EXPECT_EQ(client.RecvInt(), kMagic);
  client.SendInt(-1);       // rank
  client.SendInt(2);        // world size
  client.SendInt(1 << 30);  // a task id of a gigabyte
  EXPECT_EQ(client.RecvInt(), std::nullopt);
  std::vector<std::string> errors = WaitForErrors(tracker, 1);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("sent a string of 1073741824 bytes"));
}

TEST(XGBoostTracker, RejectsUnknownCommandsAndWrongWorldSizes) {
  XGBoostTracker tracker("127.0.0.1", 0, 2);
  for (auto [world_size, command] : {std::pair{2, "dance"}, std::pair{5, "start"}}) {
    RawClient client(tracker.port());
    client.SendInt(kMagic);
    EXPECT_EQ(client.RecvInt(), kMagic);
    client.SendInt(-1);
    client.SendInt(world_size);
    client.SendString("NULL");
    client.SendString(command);
    EXPECT_EQ(client.RecvInt(), std::nullopt);
  }
  std::vector<std::string> errors = WaitForErrors(tracker, 2);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_THAT(errors[0], HasSubstr("unknown command 'dance'"));
  EXPECT_THAT(errors[1], HasSubstr("expects 5 workers, the tracker 2"));
}

TEST(XGBoostTracker, DropsASilentClientAfterTheTimeout) {
  XGBoostTracker tracker("127.0.0.1", 0, 1, milliseconds(100));
  RawClient silent(tracker.port());
  std::vector<std::string> errors = WaitForErrors(tracker, 1);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("sent nothing for 100 ms"));
}

TEST(XGBoostTracker, AssignsRanksByTaskIdToWorkersWithoutOne) {
  XGBoostTracker tracker("127.0.0.1", 0, 2);
  // Two single-rank "workers" with task ids that are not ranks: the tracker waits for both and
  // then gives ranks in task id order.
  std::vector<std::unique_ptr<RawClient>> clients;
  for (const char* task_id : {"b", "a"}) {
    clients.push_back(std::make_unique<RawClient>(tracker.port()));
    clients.back()->SendInt(kMagic);
    EXPECT_EQ(clients.back()->RecvInt(), kMagic);
    clients.back()->SendInt(-1);
    clients.back()->SendInt(2);
    clients.back()->SendString(task_id);
    clients.back()->SendString("start");
  }
  for (int client = 1; client >= 0; --client) {
    EXPECT_EQ(clients[client]->RecvInt(), 1 - client);            // rank: "a" gets 0
    EXPECT_EQ(clients[client]->RecvInt(), client == 1 ? -1 : 0);  // parent
    EXPECT_EQ(clients[client]->RecvInt(), 2);                     // world size
    EXPECT_EQ(clients[client]->RecvInt(), 1);                     // one tree neighbour
    EXPECT_EQ(clients[client]->RecvInt(), client);                // the other rank
    EXPECT_EQ(clients[client]->RecvInt(), client);                // ring: previous
    EXPECT_EQ(clients[client]->RecvInt(), client);                // ring: next
    clients[client]->SendInt(0);                                  // no good links yet
    EXPECT_EQ(clients[client]->RecvInt(), client == 1 ? 0 : 1);   // to connect
    EXPECT_EQ(clients[client]->RecvInt(), client == 1 ? 1 : 0);   // to accept
    if (client == 0) {
      EXPECT_EQ(clients[client]->RecvInt(), 9);  // the host "127.0.0.1", then port and rank
      break;
    }
    clients[client]->SendInt(0);     // no errors
    clients[client]->SendInt(4242);  // listening port
  }
  EXPECT_TRUE(tracker.errors().empty());
}

TEST(XGBoostTracker, FailsClearlyWhenThePortIsTaken) {
  XGBoostTracker first("127.0.0.1", 0, 1);
  EXPECT_THROW(
      {
        try {
          XGBoostTracker second("127.0.0.1", first.port(), 1);
        } catch (const IoError& error) {
          EXPECT_THAT(error.what(), HasSubstr("cannot listen on 127.0.0.1:"));
          throw;
        }
      },
      IoError);
  EXPECT_THROW(XGBoostTracker("127.0.0.1", 0, 0), UserError);
}

TEST(XGBoostCollective, RejectsBadArgumentsBeforeConnecting) {
  EXPECT_THROW(XGBoostCollective(2, 2, "127.0.0.1", 9000), UserError);
  EXPECT_THROW(XGBoostCollective(0, 1, "127.0.0.1", 0), UserError);
  EXPECT_THROW(XGBoostCollective(0, 1, "bad host", 9000), UserError);
}

TEST(XGBoostCollective, JoiningFailsClearlyWhenTheTrackerRejectsTheMember) {
  XGBoostTracker tracker("127.0.0.1", 0, 2);
  std::thread([&] {
    try {
      XGBoostCollective collective(0, 3, tracker.host(), tracker.port());
      ADD_FAILURE() << "joined a tracker for 2 as one of 3";
    } catch (const IoError& error) {
      EXPECT_THAT(error.what(), HasSubstr("to join the collective as rank 0 of 3 through"));
    }
  }).join();
  std::vector<std::string> errors = WaitForErrors(tracker, 1);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("expects 3 workers, the tracker 2"));
}

TEST(XGBoostCollective, WithCollectiveRunsOnAThreadOfItsOwnAndRethrows) {
  // XGBoost 1.7 leaves a failed join's engine on its thread; a thread per join keeps the
  // caller's thread clean, so joining again from it works.
  XGBoostTracker rejecting("127.0.0.1", 0, 2);
  EXPECT_THROW(WithXGBoostCollective(0, 3, rejecting.host(), rejecting.port(),
                                     [](const XGBoostCollective&) {}),
               IoError);
  XGBoostTracker tracker("127.0.0.1", 0, 1);
  double sum = 0;
  WithXGBoostCollective(0, 1, tracker.host(), tracker.port(),
                        [&](const XGBoostCollective& collective) {
                          std::vector<double> values = {2.5};
                          collective.SumAll(values);
                          sum = values[0];
                        });
  EXPECT_EQ(sum, 2.5);
  EXPECT_TRUE(tracker.WaitUntilDone(std::chrono::seconds(10)));
  XGBoostTracker another("127.0.0.1", 0, 1);  // a tracker serves one training
  EXPECT_THROW(WithXGBoostCollective(0, 1, another.host(), another.port(),
                                     [](const XGBoostCollective&) { Throw("no luck"); }),
               UserError);
}

}  // namespace
}  // namespace sluice::ml
