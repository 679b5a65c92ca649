#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/batch.h"
#include "io/csv/csv_field.h"
#include "io/csv/csv_tokenizer.h"

namespace sluice::io::csv {

/// Says how one output column is made: from which field of a record, as which type, and whether
/// a value that does not fit may widen the column (inferred types) or not (forced types).
struct ColumnPlan {
  size_t field;
  core::TypeId type;
  bool may_widen;
};

/// Collects what converting a range found besides values. Widening needs are merged over all
/// ranges of a window before the reader decides to widen and start over.
struct ConvertIssues {
  std::vector<bool> misfit;              // per output column: some value did not fit
  std::vector<uint8_t> widen_masks;      // per output column: types every misfit value fits
  std::optional<RowIssue> first_misfit;  // where widening was needed first
  std::optional<RowIssue> error;         // a value that cannot be read and must fail the read
  std::vector<RowIssue> rejects;         // rows left out (collect_rejects)
};

/// Converts the fields of a FieldTable into the typed vectors of a batch, only for the planned
/// (projected) columns. Reuses its scratch space: one converter per thread.
class CsvConverter {
 public:
  CsvConverter(const CsvDialect& dialect, const NullMatcher& nulls, bool collect_rejects,
               std::vector<ColumnPlan> plans, core::SchemaPtr schema);

  /// Returns the rows of `table` as a batch; rows with bad values are left out when collecting
  /// rejects. Misfits and errors go to `issues`.
  core::Batch Convert(const FieldTable& table, ConvertIssues* issues);

 private:
  template <typename T, typename Parse>
  void ConvertFixed(const FieldTable& table, size_t column, core::Vector* vector, Parse parse,
                    ConvertIssues* issues);
  void ConvertStrings(const FieldTable& table, size_t column, core::Vector* vector,
                      ConvertIssues* issues);
  void ConvertColumn(const FieldTable& table, size_t column, core::Vector* vector,
                     ConvertIssues* issues);
  void Misfit(const FieldTable& table, size_t row, size_t column, std::string_view text,
              std::string_view problem, ConvertIssues* issues);
  void RemoveRejected(core::Batch* batch, size_t num_rows);
  std::string_view Unquoted(std::string_view raw);

  CsvDialect dialect_;
  NullMatcher nulls_;
  bool collect_rejects_;
  std::vector<ColumnPlan> plans_;
  core::SchemaPtr schema_;
  std::string scratch_;
  std::vector<bool> rejected_;  // per row of the current table
  bool any_rejected_ = false;
};

}  // namespace sluice::io::csv
