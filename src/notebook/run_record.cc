#include "notebook/run_record.h"

#include <filesystem>
#include <random>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "core/datetime.h"
#include "store/file_lock.h"
#include "store/result_store.h"

namespace sluice::notebook {
namespace {

boost::json::object TokensObject(const std::map<std::string, std::string>& tokens) {
  boost::json::object object;
  for (const auto& [name, token] : tokens) object[name] = token;
  return object;
}

std::map<std::string, std::string> TokensOf(const boost::json::value* value) {
  std::map<std::string, std::string> tokens;
  if (value == nullptr || !value->is_object()) return tokens;
  for (const auto& [name, token] : value->as_object()) {
    if (token.is_string()) tokens[std::string(name)] = std::string(token.as_string());
  }
  return tokens;
}

std::string TextOf(const boost::json::object& object, const char* key) {
  const boost::json::value* value = object.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : "";
}

int64_t IntegerOf(const boost::json::object& object, const char* key) {
  const boost::json::value* value = object.if_contains(key);
  return value != nullptr && value->is_int64() ? value->as_int64() : 0;
}

CellStatus StatusNamed(const std::string& name) {
  for (CellStatus status : {CellStatus::kPending, CellStatus::kRunning, CellStatus::kSucceeded,
                            CellStatus::kSkipped, CellStatus::kFailed, CellStatus::kNotRun}) {
    if (name == CellStatusName(status)) return status;
  }
  return CellStatus::kPending;
}

}  // namespace

std::string RunDetailsJson(const RunReport& report, const std::string& lock) {
  boost::json::array cells;
  for (const CellReport& cell : report.cells) {
    cells.push_back(boost::json::object{{"name", cell.name},
                                        {"line", cell.line},
                                        {"status", CellStatusName(cell.status)},
                                        {"reason", cell.reason},
                                        {"started_micros", cell.started_micros},
                                        {"elapsed_micros", cell.elapsed_micros},
                                        {"rows_in", cell.rows_in},
                                        {"rows_out", cell.rows_out},
                                        {"inputs", TokensObject(cell.inputs)},
                                        {"outputs", TokensObject(cell.outputs)},
                                        {"error", cell.error}});
  }
  return boost::json::serialize(boost::json::object{{"trigger", report.trigger},
                                                    {"log", report.log_path},
                                                    {"lock", lock},
                                                    {"cells", std::move(cells)}});
}

std::string TriggerFromDetailsJson(const std::string& json) {
  boost::system::error_code error;
  boost::json::value value = boost::json::parse(json, error);
  return error || !value.is_object() ? "" : TextOf(value.as_object(), "trigger");
}

std::vector<CellReport> CellsFromDetailsJson(const std::string& json) {
  std::vector<CellReport> cells;
  boost::system::error_code error;
  boost::json::value value = boost::json::parse(json, error);
  if (error || !value.is_object()) return cells;
  const boost::json::value* list = value.as_object().if_contains("cells");
  if (list == nullptr || !list->is_array()) return cells;
  for (const boost::json::value& item : list->as_array()) {
    if (!item.is_object()) continue;
    const boost::json::object& object = item.as_object();
    CellReport cell;
    cell.name = TextOf(object, "name");
    cell.line = static_cast<int>(IntegerOf(object, "line"));
    cell.status = StatusNamed(TextOf(object, "status"));
    cell.reason = TextOf(object, "reason");
    cell.started_micros = IntegerOf(object, "started_micros");
    cell.elapsed_micros = IntegerOf(object, "elapsed_micros");
    cell.rows_in = IntegerOf(object, "rows_in");
    cell.rows_out = IntegerOf(object, "rows_out");
    cell.inputs = TokensOf(object.if_contains("inputs"));
    cell.outputs = TokensOf(object.if_contains("outputs"));
    cell.error = TextOf(object, "error");
    cells.push_back(std::move(cell));
  }
  return cells;
}

RunLog::RunLog(const std::string& path) {
  if (path.empty()) return;
  std::error_code ignored;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ignored);
  out_.open(path, std::ios::app);
}

void RunLog::Write(const std::string& line) {
  std::lock_guard lock(mutex_);
  if (!out_.is_open()) return;
  out_ << core::FormatTimestamp(core::NowMicros()) << ' ' << line << '\n';
  out_.flush();
}

RunLiveness::RunLiveness(const std::string& state_dir) {
  std::random_device random;
  uint64_t token = (static_cast<uint64_t>(random()) << 32) ^ random() ^ core::NowMicros();
  file_name_ = fmt::format("run-{:016x}.lock", token);
  path_ = state_dir + "/locks/" + file_name_;
  lock_ = store::FileLock::Acquire(path_, std::chrono::milliseconds(0), "the run's lock");
}

RunLiveness::~RunLiveness() = default;

void RunLiveness::Finished() {
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);
}

std::vector<int64_t> CloseAbandonedRuns(store::ResultStore& store) {
  std::vector<int64_t> closed;
  for (catalog::RunRecord& run : store.catalog().Runs()) {
    if (run.status != "running") continue;
    boost::system::error_code error;
    boost::json::value details = boost::json::parse(run.details_json, error);
    if (error || !details.is_object()) continue;
    std::string lock = TextOf(details.as_object(), "lock");
    if (lock.empty()) continue;
    std::string path = store.state_dir() + "/locks/" + lock;
    std::error_code missing;
    if (!std::filesystem::exists(path, missing)) continue;  // not taken in this workspace
    auto free = store::FileLock::TryAcquire(path);
    if (free == nullptr) continue;  // its process still runs it
    run.status = "failed";
    run.error = "the run ended without finishing: its process, or a rank of it, was killed";
    run.finished_micros = 0;
    store.catalog().FinishRun(run);
    std::filesystem::remove(path, missing);
    closed.push_back(run.id);
  }
  return closed;
}

}  // namespace sluice::notebook
