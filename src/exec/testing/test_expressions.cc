#include "exec/testing/test_expressions.h"

#include <gtest/gtest.h>

#include "base/error.h"
#include "exec/expression_evaluator.h"
#include "exec/scalar_function.h"

namespace sluice::exec::testing {

core::Batch MakeBatch(const std::vector<core::TypeId>& types,
                      const std::vector<std::vector<core::Value>>& rows) {
  std::vector<core::Field> fields;
  for (size_t i = 0; i < types.size(); ++i) fields.push_back({"c" + std::to_string(i), types[i]});
  auto schema = std::make_shared<const core::Schema>(std::move(fields));
  core::Batch batch(schema, std::max(rows.size(), core::kVectorSize));
  for (const auto& row : rows) batch.AppendRow(row);
  return batch;
}

std::vector<core::Value> Values(const core::Vector& vector) {
  std::vector<core::Value> values;
  for (size_t i = 0; i < vector.size(); ++i) values.push_back(vector.GetValue(i));
  return values;
}

ExpressionPtr Col(size_t column, core::TypeId type) { return Expression::Column(column, type); }

ExpressionPtr Lit(core::Value value) { return Expression::Constant(std::move(value)); }

ExpressionPtr Fn(std::string_view name, std::vector<ExpressionPtr> children) {
  std::vector<std::optional<core::TypeId>> types;
  for (const auto& child : children) types.push_back(child->type);
  const ScalarFunction* function = ScalarFunctionRegistry::BuiltIn().Resolve(name, types);
  if (function == nullptr) {
    ADD_FAILURE() << "no overload of " << name;
    throw InternalError("no overload");
  }
  for (size_t i = 0; i < children.size(); ++i) {
    core::TypeId wanted = function->arguments[std::min(i, function->arguments.size() - 1)];
    if (children[i]->type != wanted) children[i] = Expression::Cast(std::move(children[i]), wanted);
  }
  return Expression::Call(*function, std::move(children));
}

ExpressionPtr Fn(std::string_view name, ExpressionPtr a) {
  std::vector<ExpressionPtr> children;
  children.push_back(std::move(a));
  return Fn(name, std::move(children));
}

ExpressionPtr Fn(std::string_view name, ExpressionPtr a, ExpressionPtr b) {
  std::vector<ExpressionPtr> children;
  children.push_back(std::move(a));
  children.push_back(std::move(b));
  return Fn(name, std::move(children));
}

ExpressionPtr Fn(std::string_view name, ExpressionPtr a, ExpressionPtr b, ExpressionPtr c) {
  std::vector<ExpressionPtr> children;
  children.push_back(std::move(a));
  children.push_back(std::move(b));
  children.push_back(std::move(c));
  return Fn(name, std::move(children));
}

ExpressionPtr Node(ExpressionKind kind, std::vector<ExpressionPtr> children, core::TypeId type) {
  return Expression::Make(kind, type, std::move(children));
}

std::vector<core::Value> Evaluate(const Expression& expression, const core::Batch& input) {
  ExpressionEvaluator evaluator;
  core::Vector result(core::TypeId::kBoolean);
  evaluator.Evaluate(expression, input, result);
  EXPECT_EQ(result.size(), input.num_rows());
  EXPECT_EQ(result.type(), expression.type);
  return Values(result);
}

core::Value Call(std::string_view name, const std::vector<core::Value>& arguments) {
  std::vector<core::TypeId> types;
  std::vector<ExpressionPtr> columns;
  std::vector<ExpressionPtr> constants;
  for (size_t i = 0; i < arguments.size(); ++i) {
    types.push_back(arguments[i].type());
    columns.push_back(Col(i, arguments[i].type()));
    constants.push_back(Lit(arguments[i]));
  }
  core::Batch batch = MakeBatch(types, {arguments});
  ExpressionPtr over_columns = Fn(name, std::move(columns));
  core::Value value = Evaluate(*over_columns, batch)[0];
  if (over_columns->function->deterministic) {
    ExpressionPtr over_constants = Fn(name, std::move(constants));
    EXPECT_EQ(Evaluate(*over_constants, batch)[0], value) << "constant arguments of " << name;
  }
  return value;
}

}  // namespace sluice::exec::testing
