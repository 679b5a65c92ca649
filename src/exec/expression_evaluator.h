#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/batch.h"
#include "core/vector.h"
#include "exec/expression.h"

namespace sluice::exec {

/// Evaluates expressions over batches, a vector at a time. Holds scratch vectors it reuses
/// between calls; not thread-safe: one evaluator per thread.
///
/// CASE evaluates each THEN/ELSE branch only on the rows that take it, and AND/OR evaluate each
/// operand only on the rows the previous operands left undecided, so `CASE WHEN x = 0 THEN 0
/// ELSE 1 / x END` and `x <> 0 AND 1 / x > 0` never divide by zero.
class ExpressionEvaluator {
 public:
  ExpressionEvaluator() = default;
  ExpressionEvaluator(const ExpressionEvaluator&) = delete;
  ExpressionEvaluator& operator=(const ExpressionEvaluator&) = delete;

  /// Evaluates `expression` over the logical rows of `input` (honouring its selection vector):
  /// `result` (any state on entry) becomes a flat vector of input.num_rows() values of
  /// expression.type. A bare column of a batch without selection shares the column's buffer.
  /// Throws DataError for bad values (overflow, division by zero, a failing cast).
  void Evaluate(const Expression& expression, const core::Batch& input, core::Vector& result);

  /// Returns the physical positions (ready for Batch::SetSelection) of the logical rows of
  /// `input` where `predicate` is true, in order; NULL and false drop the row.
  core::SelectionVector Select(const Expression& predicate, const core::Batch& input);

 private:
  // The rows under evaluation: physical positions in the input, or 0..count-1 when null.
  struct Rows {
    const core::Batch* input;
    const uint32_t* positions;
    size_t count;
  };

  // Returns the positions in `rows.input` of the rows of `rows` for which `predicate` is true.
  core::SelectionVector Select(const Expression& predicate, const Rows& rows);
  // Evaluates into `out` (a writable vector of the expression's type from Take); returns true
  // when `out` now shares another vector's buffer and must not go back to the pool.
  bool Eval(const Expression& expression, const Rows& rows, core::Vector& out);
  bool EvalColumn(const Expression& expression, const Rows& rows, core::Vector& out);
  void EvalCall(const Expression& expression, const Rows& rows, core::Vector& out);
  void EvalCase(const Expression& expression, const Rows& rows, core::Vector& out);
  void EvalLogical(const Expression& expression, const Rows& rows, core::Vector& out);
  void EvalNot(const Expression& expression, const Rows& rows, core::Vector& out);
  void EvalIsNull(const Expression& expression, const Rows& rows, core::Vector& out);
  void EvalCast(const Expression& expression, const Rows& rows, core::Vector& out);
  void EvalRow(const Expression& expression, const Rows& rows, core::Vector& out);
  // Evaluates `expression` on the subset `local` of `rows` and writes the values to those
  // positions of `out`.
  void EvalInto(const Expression& expression, const Rows& rows, const std::vector<uint32_t>& local,
                core::Vector& out);

  // Returns a writable vector of `type` with `count` values, all valid.
  core::Vector Take(core::TypeId type, size_t count);
  // Returns `vector` to the pool unless it shares its buffer or holds strings.
  void Give(core::Vector vector, bool shared);

  std::vector<core::Vector> pool_;
};

}  // namespace sluice::exec
