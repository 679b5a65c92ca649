#include "exec/expression_evaluator.h"

#include <algorithm>
#include <bit>
#include <numeric>

#include "base/error.h"
#include "exec/vector_cast.h"

namespace sluice::exec {
namespace {

using core::TypeId;
using core::Vector;

constexpr size_t kMaxPooledVectors = 32;

// Calls `body.template operator()<T>()` with T an unsigned type as wide as a value of `type`.
template <typename Body>
void WithStorage(TypeId type, Body&& body) {
  switch (core::TypeWidth(type)) {
    case 1:
      return body.template operator()<uint8_t>();
    case 4:
      return body.template operator()<uint32_t>();
    case 8:
      return body.template operator()<uint64_t>();
    default:
      return body.template operator()<core::StringRef>();
  }
}

// Marks NULL in `to` every row below `count` that is NULL in `from`.
void PropagateNulls(const Vector& from, size_t count, Vector& to) {
  if (from.validity().all_valid()) return;
  const std::vector<uint64_t>& words = from.validity().words();
  for (size_t word = 0; word * 64 < count; ++word) {
    uint64_t invalid = ~words[word];
    if (count - word * 64 < 64) invalid &= (uint64_t{1} << (count - word * 64)) - 1;
    while (invalid != 0) {
      to.SetNull(word * 64 + std::countr_zero(invalid));
      invalid &= invalid - 1;
    }
  }
}

void KeepStringsAlive(const Vector& from, Vector& to) {
  if (from.type() == TypeId::kVarchar && from.heap_ptr() != nullptr) {
    to.heap().KeepAlive(from.heap_ptr());
  }
}

// Copies source[positions[k]] to out[k].
void Gather(const Vector& source, const uint32_t* positions, size_t count, Vector& out) {
  WithStorage(source.type(), [&]<typename T>() {
    const T* input = source.data<T>();
    T* output = out.data<T>();
    for (size_t k = 0; k < count; ++k) output[k] = input[positions[k]];
  });
  if (!source.validity().all_valid()) {
    for (size_t k = 0; k < count; ++k) {
      if (source.IsNull(positions[k])) out.SetNull(k);
    }
  }
  KeepStringsAlive(source, out);
}

// Copies source[k] to out[local[k]].
void Scatter(const Vector& source, const std::vector<uint32_t>& local, Vector& out) {
  WithStorage(source.type(), [&]<typename T>() {
    const T* input = source.data<T>();
    T* output = out.data<T>();
    for (size_t k = 0; k < local.size(); ++k) output[local[k]] = input[k];
  });
  if (!source.validity().all_valid()) {
    for (size_t k = 0; k < local.size(); ++k) {
      if (source.IsNull(k)) out.SetNull(local[k]);
    }
  }
  KeepStringsAlive(source, out);
}

void FillConstant(const core::Value& constant, size_t count, Vector& out) {
  if (constant.is_null()) {
    for (size_t i = 0; i < count; ++i) out.SetNull(i);
    return;
  }
  core::Value value = constant.type() == out.type() ? constant : constant.CastTo(out.type());
  switch (out.type()) {
    case TypeId::kBoolean:
      std::fill_n(out.data<uint8_t>(), count, value.GetBoolean());
      break;
    case TypeId::kInteger:
    case TypeId::kDate:
      std::fill_n(out.data<int32_t>(), count, static_cast<int32_t>(value.GetInt64()));
      break;
    case TypeId::kBigint:
    case TypeId::kTimestamp:
      std::fill_n(out.data<int64_t>(), count, value.GetInt64());
      break;
    case TypeId::kDouble:
      std::fill_n(out.data<double>(), count, value.GetDouble());
      break;
    case TypeId::kVarchar:
      std::fill_n(out.data<core::StringRef>(), count, out.heap().Add(value.GetString()));
      break;
  }
}

// Returns the physical positions of the rows `local` (indices into `positions`, or rows).
std::vector<uint32_t> Compose(const uint32_t* positions, const std::vector<uint32_t>& local) {
  if (positions == nullptr) return local;
  std::vector<uint32_t> composed(local.size());
  for (size_t k = 0; k < local.size(); ++k) composed[k] = positions[local[k]];
  return composed;
}

}  // namespace

void ExpressionEvaluator::Evaluate(const Expression& expression, const core::Batch& input,
                                   core::Vector& result) {
  const auto& selection = input.selection();
  Rows rows{&input, selection ? selection->data() : nullptr, input.num_rows()};
  result = Take(expression.type, rows.count);
  Eval(expression, rows, result);
}

core::SelectionVector ExpressionEvaluator::Select(const Expression& predicate,
                                                  const core::Batch& input) {
  SLUICE_CHECK(predicate.type == TypeId::kBoolean);
  const auto& selection = input.selection();
  return Select(predicate, Rows{&input, selection ? selection->data() : nullptr, input.num_rows()});
}

core::SelectionVector ExpressionEvaluator::Select(const Expression& predicate, const Rows& rows) {
  if (predicate.kind == ExpressionKind::kAnd) {
    // Each conjunct sees only the rows the ones before it kept: a row stays when all are true.
    core::SelectionVector kept;
    Rows remaining = rows;
    for (const auto& child : predicate.children) {
      kept = Select(*child, remaining);
      remaining = Rows{rows.input, kept.data(), kept.size()};
      if (kept.empty()) break;
    }
    return kept;
  }
  Vector truth = Take(TypeId::kBoolean, rows.count);
  bool shared = Eval(predicate, rows, truth);
  const uint8_t* values = truth.data<uint8_t>();
  bool all_valid = truth.validity().all_valid();
  core::SelectionVector selected(rows.count);
  size_t kept = 0;
  for (size_t k = 0; k < rows.count; ++k) {
    selected[kept] = rows.positions ? rows.positions[k] : static_cast<uint32_t>(k);
    kept += values[k] != 0 && (all_valid || !truth.IsNull(k));
  }
  selected.resize(kept);
  Give(std::move(truth), shared);
  return selected;
}

bool ExpressionEvaluator::Eval(const Expression& expression, const Rows& rows, Vector& out) {
  SLUICE_DCHECK(out.type() == expression.type);
  switch (expression.kind) {
    case ExpressionKind::kConstant:
      FillConstant(expression.constant, rows.count, out);
      break;
    case ExpressionKind::kColumn:
      return EvalColumn(expression, rows, out);
    case ExpressionKind::kCall:
      EvalCall(expression, rows, out);
      break;
    case ExpressionKind::kCast:
      EvalCast(expression, rows, out);
      break;
    case ExpressionKind::kCase:
      EvalCase(expression, rows, out);
      break;
    case ExpressionKind::kAnd:
    case ExpressionKind::kOr:
      EvalLogical(expression, rows, out);
      break;
    case ExpressionKind::kNot:
      EvalNot(expression, rows, out);
      break;
    case ExpressionKind::kIsNull:
      EvalIsNull(expression, rows, out);
      break;
    case ExpressionKind::kRow:
      EvalRow(expression, rows, out);
      break;
  }
  return false;
}

void ExpressionEvaluator::EvalRow(const Expression& expression, const Rows& rows, Vector& out) {
  std::vector<Vector> arguments;
  for (const auto& child : expression.children) {
    arguments.push_back(Take(child->type, rows.count));
    // Row functions are rare and slow anyway: keep argument buffers out of the pool.
    Eval(*child, rows, arguments.back());
  }
  std::vector<core::Value> values(arguments.size(), core::Value::Null(TypeId::kInteger));
  for (size_t k = 0; k < rows.count; ++k) {
    for (size_t i = 0; i < arguments.size(); ++i) values[i] = arguments[i].GetValue(k);
    core::Value result = expression.row_function->Evaluate(values);
    if (result.is_null()) {
      out.SetNull(k);
    } else {
      out.SetValue(k, result);
    }
  }
}

bool ExpressionEvaluator::EvalColumn(const Expression& expression, const Rows& rows, Vector& out) {
  const Vector& column = rows.input->column(expression.column);
  SLUICE_CHECK(column.type() == expression.type);
  if (rows.positions == nullptr) {
    out.Reference(column);
    out.set_size(rows.count);
    return true;
  }
  Gather(column, rows.positions, rows.count, out);
  return false;
}

void ExpressionEvaluator::EvalCall(const Expression& expression, const Rows& rows, Vector& out) {
  const ScalarFunction& function = *expression.function;
  size_t num_arguments = expression.children.size();
  std::vector<Vector> arguments;
  arguments.reserve(num_arguments);
  std::vector<uint8_t> shared(num_arguments);
  for (size_t i = 0; i < num_arguments; ++i) {
    arguments.push_back(Take(expression.children[i]->type, rows.count));
    shared[i] = Eval(*expression.children[i], rows, arguments.back());
  }
  std::vector<const Vector*> pointers(num_arguments);
  for (size_t i = 0; i < num_arguments; ++i) pointers[i] = &arguments[i];
  bool run = rows.count > 0;
  if (function.nulls == NullHandling::kPropagate) {
    for (const Vector& argument : arguments) PropagateNulls(argument, rows.count, out);
    // All-NULL input (a NULL literal argument) skips the kernel and any error it could raise.
    run = run && (out.validity().all_valid() || out.validity().CountValid(rows.count) > 0);
  }
  if (run) function.kernel(pointers, rows.count, out);
  for (size_t i = 0; i < num_arguments; ++i) Give(std::move(arguments[i]), shared[i]);
}

void ExpressionEvaluator::EvalCast(const Expression& expression, const Rows& rows, Vector& out) {
  const Expression& child = *expression.children[0];
  Vector source = Take(child.type, rows.count);
  bool shared = Eval(child, rows, source);
  CastVector(source, rows.count, out);
  Give(std::move(source), shared);
}

void ExpressionEvaluator::EvalInto(const Expression& expression, const Rows& rows,
                                   const std::vector<uint32_t>& local, Vector& out) {
  std::vector<uint32_t> positions = Compose(rows.positions, local);
  Rows subset{rows.input, positions.data(), local.size()};
  Vector values = Take(expression.type, local.size());
  bool shared = Eval(expression, subset, values);
  Scatter(values, local, out);
  Give(std::move(values), shared);
}

void ExpressionEvaluator::EvalCase(const Expression& expression, const Rows& rows, Vector& out) {
  const auto& children = expression.children;
  size_t num_branches = (children.size() - expression.has_else) / 2;
  std::vector<uint32_t> remaining(rows.count);
  std::iota(remaining.begin(), remaining.end(), 0);
  std::vector<uint32_t> taken;
  std::vector<uint32_t> rest;
  for (size_t branch = 0; branch < num_branches && !remaining.empty(); ++branch) {
    std::vector<uint32_t> positions = Compose(rows.positions, remaining);
    Rows subset{rows.input, positions.data(), remaining.size()};
    Vector condition = Take(TypeId::kBoolean, remaining.size());
    bool shared = Eval(*children[2 * branch], subset, condition);
    taken.clear();
    rest.clear();
    const uint8_t* truth = condition.data<uint8_t>();
    for (size_t k = 0; k < remaining.size(); ++k) {
      bool takes = truth[k] != 0 && !condition.IsNull(k);
      (takes ? taken : rest).push_back(remaining[k]);
    }
    Give(std::move(condition), shared);
    if (!taken.empty()) EvalInto(*children[2 * branch + 1], rows, taken, out);
    remaining.swap(rest);
  }
  if (remaining.empty()) return;
  if (expression.has_else) {
    EvalInto(*children.back(), rows, remaining, out);
    return;
  }
  for (uint32_t row : remaining) out.SetNull(row);
}

void ExpressionEvaluator::EvalLogical(const Expression& expression, const Rows& rows, Vector& out) {
  // AND starts true and a false operand decides a row; OR starts false and true decides.
  const uint8_t identity = expression.kind == ExpressionKind::kAnd ? 1 : 0;
  uint8_t* result = out.data<uint8_t>();
  std::fill_n(result, rows.count, identity);
  std::vector<uint32_t> undecided;
  bool all_undecided = true;
  for (const auto& child : expression.children) {
    size_t count = all_undecided ? rows.count : undecided.size();
    if (count == 0) break;
    std::vector<uint32_t> positions;
    Rows subset = rows;
    if (!all_undecided) {
      positions = Compose(rows.positions, undecided);
      subset = Rows{rows.input, positions.data(), count};
    }
    Vector operand = Take(TypeId::kBoolean, count);
    bool shared = Eval(*child, subset, operand);
    const uint8_t* values = operand.data<uint8_t>();
    bool decided_any = false;
    for (size_t k = 0; k < count; ++k) {
      size_t row = all_undecided ? k : undecided[k];
      if (operand.IsNull(k)) {
        out.SetNull(row);
      } else if ((values[k] != 0) != identity) {
        result[row] = !identity;
        out.validity().SetValid(row);
        decided_any = true;
      }
    }
    Give(std::move(operand), shared);
    if (!decided_any) continue;
    std::vector<uint32_t> still;
    for (size_t k = 0; k < count; ++k) {
      uint32_t row = all_undecided ? static_cast<uint32_t>(k) : undecided[k];
      if (result[row] == identity || out.IsNull(row)) still.push_back(row);
    }
    undecided.swap(still);
    all_undecided = false;
  }
}

void ExpressionEvaluator::EvalNot(const Expression& expression, const Rows& rows, Vector& out) {
  Vector operand = Take(TypeId::kBoolean, rows.count);
  bool shared = Eval(*expression.children[0], rows, operand);
  const uint8_t* values = operand.data<uint8_t>();
  uint8_t* result = out.data<uint8_t>();
  for (size_t i = 0; i < rows.count; ++i) result[i] = values[i] == 0;
  PropagateNulls(operand, rows.count, out);
  Give(std::move(operand), shared);
}

void ExpressionEvaluator::EvalIsNull(const Expression& expression, const Rows& rows, Vector& out) {
  const Expression& child = *expression.children[0];
  Vector operand = Take(child.type, rows.count);
  bool shared = Eval(child, rows, operand);
  uint8_t* result = out.data<uint8_t>();
  if (operand.validity().all_valid()) {
    std::fill_n(result, rows.count, 0);
  } else {
    for (size_t i = 0; i < rows.count; ++i) result[i] = operand.IsNull(i);
  }
  Give(std::move(operand), shared);
}

Vector ExpressionEvaluator::Take(TypeId type, size_t count) {
  for (size_t k = pool_.size(); k-- > 0;) {
    if (pool_[k].type() != type || pool_[k].capacity() < count) continue;
    std::swap(pool_[k], pool_.back());
    Vector vector = std::move(pool_.back());
    pool_.pop_back();
    vector.validity().Reset();
    vector.set_size(count);
    return vector;
  }
  Vector vector(type, std::max(count, core::kVectorSize));
  vector.set_size(count);
  return vector;
}

void ExpressionEvaluator::Give(Vector vector, bool shared) {
  // String vectors keep their heap growing, and others may still point into it: never reuse.
  if (shared || vector.type() == TypeId::kVarchar || pool_.size() >= kMaxPooledVectors) return;
  pool_.push_back(std::move(vector));
}

}  // namespace sluice::exec
