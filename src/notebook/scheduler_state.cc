#include "notebook/scheduler_state.h"

#include <filesystem>

#include <boost/json.hpp>

#include "base/error.h"
#include "base/text_file.h"
#include "io/file_writer.h"

namespace sluice::notebook {
namespace {

namespace fs = std::filesystem;
using std::chrono::microseconds;
using std::chrono::system_clock;

// Returns the member `key` of `object` when it has the kind `kind`, else nullptr.
const boost::json::value* Member(const boost::json::object& object, std::string_view key,
                                 boost::json::kind kind) {
  const boost::json::value* value = object.if_contains(key);
  return value != nullptr && value->kind() == kind ? value : nullptr;
}

[[noreturn]] void Invalid(const std::string& path, std::string_view message) {
  Throw<DataError>("'{}' is not a scheduler state file: {}", path, message);
}

void ReadNotebooks(const boost::json::object& notebooks, const std::string& path,
                   SchedulerState& state) {
  for (const auto& [notebook, item] : notebooks) {
    const boost::json::object* fields = item.if_object();
    const boost::json::value* cron =
        fields ? Member(*fields, "cron", boost::json::kind::string) : nullptr;
    const boost::json::value* micros =
        fields ? Member(*fields, "cron_handled_micros", boost::json::kind::int64) : nullptr;
    if (cron == nullptr || micros == nullptr) {
      Invalid(path, fmt::format("notebook '{}' needs \"cron\" and \"cron_handled_micros\"",
                                std::string_view(notebook)));
    }
    state.notebooks[std::string(notebook)] = {
        std::string(cron->get_string()),
        system_clock::time_point(microseconds(micros->get_int64()))};
  }
}

SchedulerState StateFromJson(std::string_view text, const std::string& path) {
  boost::json::error_code error;
  boost::json::value document = boost::json::parse(text, error);
  if (error) Invalid(path, error.message());
  const boost::json::object* root = document.if_object();
  if (root == nullptr) Invalid(path, "expected an object");
  SchedulerState state;
  if (const auto* notebooks = Member(*root, "notebooks", boost::json::kind::object)) {
    ReadNotebooks(notebooks->get_object(), path, state);
  }
  if (const auto* upstreams = Member(*root, "upstreams", boost::json::kind::object)) {
    for (const auto& [name, token] : upstreams->get_object()) {
      if (!token.is_string())
        Invalid(path, fmt::format("the token of '{}' is not a string", std::string_view(name)));
      state.upstreams[std::string(name)] = std::string(token.get_string());
    }
  }
  return state;
}

std::string StateJson(const SchedulerState& state) {
  boost::json::object notebooks;
  for (const auto& [notebook, cron] : state.notebooks) {
    auto micros = std::chrono::duration_cast<microseconds>(cron.handled_through.time_since_epoch());
    notebooks[notebook] =
        boost::json::object{{"cron", cron.cron}, {"cron_handled_micros", micros.count()}};
  }
  boost::json::object upstreams;
  for (const auto& [name, token] : state.upstreams) upstreams[name] = token;
  boost::json::object root{{"notebooks", std::move(notebooks)},
                           {"upstreams", std::move(upstreams)}};
  return boost::json::serialize(root) + "\n";
}

}  // namespace

std::string SchedulerStatePath(const std::string& workspace) {
  return (fs::path(workspace) / ".sluice" / "state" / "scheduler.json").string();
}

SchedulerState ReadSchedulerState(const std::string& path) {
  std::error_code error;
  if (!fs::exists(path, error)) return {};
  return StateFromJson(ReadTextFile(path), path);
}

void WriteSchedulerState(const SchedulerState& state, const std::string& path) {
  std::error_code error;
  fs::create_directories(fs::path(path).parent_path(), error);
  if (error) Throw<IoError>("cannot create the folder of '{}': {}", path, error.message());
  std::string temporary = io::TemporaryPathBeside(path);
  auto writer = io::FileWriter::Create(temporary);
  writer->Append(StateJson(state));
  writer->Finish(/*sync=*/true);
  try {
    io::RenameFile(temporary, path);
  } catch (const IoError&) {
    fs::remove(temporary, error);
    throw;
  }
}

}  // namespace sluice::notebook
