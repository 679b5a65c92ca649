#include "store/version_scan.h"

#include <atomic>

#include <fmt/format.h>

#include "base/error.h"
#include "base/task.h"
#include "io/parquet/parquet_reader.h"

namespace sluice::store {
namespace {

/// Is the part a worker is reading and where it is in it.
class PartCursor final : public exec::LocalState {
 public:
  std::unique_ptr<io::BatchReader> reader;
  uint64_t part = 0;
  uint64_t batch = 0;
};

core::SchemaPtr Project(const core::Schema& schema, const std::vector<std::string>& columns) {
  if (columns.empty()) return std::make_shared<core::Schema>(schema);
  std::vector<core::Field> fields;
  for (const core::Field& field : schema.fields()) {
    if (std::find(columns.begin(), columns.end(), field.name) != columns.end()) {
      fields.push_back(field);
    }
  }
  return std::make_shared<core::Schema>(std::move(fields));
}

/// Scans the parts of one version, a part per worker at a time.
class VersionScan final : public exec::SourceOperator {
 public:
  VersionScan(std::shared_ptr<const PinnedVersion> version, const std::vector<std::string>& columns,
              const std::vector<io::ScanPredicate>& predicates)
      : SourceOperator(Project(*version->info().schema, columns)), version_(std::move(version)) {
    options_.columns = columns;
    options_.predicates = predicates;
    // Many parts keep every worker busy; few parts decode their row groups in parallel.
    options_.threads = version_->info().parts.size() >= ThreadCount() ? 1 : 0;
  }

  std::string name() const override { return "SCAN_RESULT"; }
  std::string details() const override {
    const catalog::VersionInfo& info = version_->info();
    return fmt::format("{} version {} ({} parts)", info.result, info.version, info.parts.size());
  }
  std::unique_ptr<exec::LocalState> MakeLocalState() override {
    return std::make_unique<PartCursor>();
  }

  std::optional<exec::Morsel> Next(exec::LocalState* state) override {
    auto& cursor = static_cast<PartCursor&>(*state);
    while (true) {
      if (cursor.reader) {
        std::optional<core::Batch> batch = cursor.reader->Next();
        if (batch) {
          uint64_t sequence = cursor.part << 32 | cursor.batch++;
          if (batch->schema_ptr() != schema())
            return exec::Morsel{batch->Share(schema()), sequence};
          return exec::Morsel{std::move(*batch), sequence};
        }
        cursor.reader.reset();
      }
      size_t part = next_part_++;
      if (part >= version_->info().parts.size()) return std::nullopt;
      cursor.reader = io::OpenParquet(version_->PartPath(part), options_);
      cursor.part = part;
      cursor.batch = 0;
    }
  }

 private:
  std::shared_ptr<const PinnedVersion> version_;
  io::ParquetOptions options_;
  std::atomic<size_t> next_part_ = 0;
};

}  // namespace

std::unique_ptr<exec::SourceOperator> OpenVersionScan(
    std::shared_ptr<const PinnedVersion> version, const std::vector<std::string>& columns,
    const std::vector<io::ScanPredicate>& predicates) {
  return std::make_unique<VersionScan>(std::move(version), columns, predicates);
}

std::vector<core::Batch> ReadVersion(const PinnedVersion& version) {
  std::vector<core::Batch> batches;
  for (size_t p = 0; p < version.info().parts.size(); ++p) {
    auto reader = io::OpenParquet(version.PartPath(p));
    while (auto batch = reader->Next()) batches.push_back(std::move(*batch));
  }
  return batches;
}

}  // namespace sluice::store
