#include "ml/xgboost_collective.h"

#include <algorithm>
#include <cctype>
#include <exception>
#include <string>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <xgboost/c_api.h>
#include <boost/json.hpp>

#include "base/error.h"
#include "ml/xgboost_error.h"

namespace sluice::ml {
namespace {

// XGBoost's C API codes for the data type and operation of XGCommunicatorAllreduce.
constexpr int kDoubleType = 7;
constexpr int kSumOperation = 2;
// Rabit reads each setting as "name=value" into 256-byte buffers, and stops at spaces.
constexpr size_t kMaxSettingSize = 200;

/// Returns XGCommunicatorInit's configuration for rabit 1.7 (whose keys are case-sensitive).
std::string Configuration(int rank, int world_size, const std::string& tracker_host,
                          int tracker_port, std::chrono::seconds link_timeout) {
  boost::json::object config{
      {"xgboost_communicator", "rabit"},   {"DMLC_TRACKER_URI", tracker_host},
      {"DMLC_TRACKER_PORT", tracker_port}, {"DMLC_TASK_ID", std::to_string(rank)},
      {"rabit_world_size", world_size},    {"rabit_timeout_sec", link_timeout.count()}};
  return boost::json::serialize(config);
}

/// Throws UserError unless the arguments make a member of a collective.
void CheckArguments(int rank, int world_size, const std::string& tracker_host, int tracker_port) {
  if (world_size < 1 || rank < 0 || rank >= world_size) {
    Throw<UserError>("XGBoost's collective has no rank {} of {}", rank, world_size);
  }
  if (tracker_port < 1 || tracker_port > 65535) {
    Throw<UserError>("the XGBoost tracker's port {} is not a TCP port", tracker_port);
  }
  bool has_space = std::any_of(tracker_host.begin(), tracker_host.end(),
                               [](unsigned char c) { return std::isspace(c) != 0; });
  if (tracker_host.empty() || tracker_host.size() > kMaxSettingSize || has_space) {
    Throw<UserError>("the XGBoost tracker's host '{}' is not a host name", tracker_host);
  }
}

}  // namespace

XGBoostCollective::XGBoostCollective(int rank, int world_size, const std::string& tracker_host,
                                     int tracker_port, std::chrono::seconds link_timeout)
    : rank_(rank), world_size_(world_size), thread_(std::this_thread::get_id()) {
  CheckArguments(rank, world_size, tracker_host, tracker_port);
  std::string config = Configuration(rank, world_size, tracker_host, tracker_port, link_timeout);
  CheckXGBoost<IoError>(XGCommunicatorInit(config.c_str()),
                        fmt::format("to join the collective as rank {} of {} through {}:{}", rank,
                                    world_size, tracker_host, tracker_port));
  const int joined_rank = XGCommunicatorGetRank();
  const int joined_size = XGCommunicatorGetWorldSize();
  if (joined_rank != rank || joined_size != world_size) {
    XGCommunicatorFinalize();
    Throw<InternalError>("XGBoost's collective made rank {} of {} rank {} of {}", rank, world_size,
                         joined_rank, joined_size);
  }
}

XGBoostCollective::~XGBoostCollective() {
  if (std::this_thread::get_id() != thread_) {
    spdlog::error("XGBoost's collective rank {} is left on another thread than it joined", rank_);
  }
  if (XGCommunicatorFinalize() != 0) {
    spdlog::warn("XGBoost failed to leave the collective as rank {}: {}", rank_,
                 XGBoostLastError());
  }
}

void XGBoostCollective::SumAll(std::span<double> values) const {
  SLUICE_CHECK(std::this_thread::get_id() == thread_);
  CheckXGBoost<IoError>(
      XGCommunicatorAllreduce(values.data(), values.size(), kDoubleType, kSumOperation),
      "to sum over the collective");
}

void WithXGBoostCollective(int rank, int world_size, const std::string& tracker_host,
                           int tracker_port,
                           const std::function<void(const XGBoostCollective&)>& body) {
  std::exception_ptr failure;
  std::thread thread([&] {
    try {
      XGBoostCollective collective(rank, world_size, tracker_host, tracker_port);
      body(collective);
    } catch (...) {
      failure = std::current_exception();
    }
  });
  thread.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace sluice::ml
