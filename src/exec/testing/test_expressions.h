#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "core/batch.h"
#include "core/value.h"
#include "core/vector.h"
#include "exec/expression.h"

namespace sluice::exec::testing {

using ExpressionPtr = std::unique_ptr<Expression>;

/// Makes a batch whose columns have `types` and hold `rows`.
core::Batch MakeBatch(const std::vector<core::TypeId>& types,
                      const std::vector<std::vector<core::Value>>& rows);
/// Returns the first `vector.size()` values of `vector`.
std::vector<core::Value> Values(const core::Vector& vector);

/// Returns a reference to column `column` of type `type`.
ExpressionPtr Col(size_t column, core::TypeId type);
/// Returns a constant.
ExpressionPtr Lit(core::Value value);
/// Returns a call of the built-in `name` on `children`, with implicit casts inserted.
/// Fails the test (and throws) when no overload fits.
ExpressionPtr Fn(std::string_view name, std::vector<ExpressionPtr> children);
ExpressionPtr Fn(std::string_view name, ExpressionPtr a);
ExpressionPtr Fn(std::string_view name, ExpressionPtr a, ExpressionPtr b);
ExpressionPtr Fn(std::string_view name, ExpressionPtr a, ExpressionPtr b, ExpressionPtr c);
/// Returns an AND, OR, NOT, IS NULL or CASE node.
ExpressionPtr Node(ExpressionKind kind, std::vector<ExpressionPtr> children,
                   core::TypeId type = core::TypeId::kBoolean);

/// Evaluates `expression` over `input` with a fresh evaluator and returns the values.
std::vector<core::Value> Evaluate(const Expression& expression, const core::Batch& input);

/// Evaluates the built-in `name` on `arguments`, given as the columns of a one-row batch, and
/// checks that passing them as constants gives the same answer. Returns the value.
core::Value Call(std::string_view name, const std::vector<core::Value>& arguments);

}  // namespace sluice::exec::testing
