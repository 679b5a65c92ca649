#include "exec/transform_operators.h"

#include "exec/expression_evaluator.h"

namespace sluice::exec {
namespace {

class EvaluatorState final : public LocalState {
 public:
  ExpressionEvaluator evaluator;
};

}  // namespace

FilterOperator::FilterOperator(core::SchemaPtr schema, std::unique_ptr<Expression> predicate)
    : TransformOperator(std::move(schema)), predicate_(std::move(predicate)) {}

std::unique_ptr<LocalState> FilterOperator::MakeLocalState() const {
  return std::make_unique<EvaluatorState>();
}

core::Batch FilterOperator::Execute(core::Batch input, LocalState* state) const {
  core::SelectionVector rows =
      static_cast<EvaluatorState*>(state)->evaluator.Select(*predicate_, input);
  input.SetSelection(std::move(rows));
  return input;
}

ProjectionOperator::ProjectionOperator(core::SchemaPtr schema,
                                       std::vector<std::unique_ptr<Expression>> expressions)
    : TransformOperator(std::move(schema)), expressions_(std::move(expressions)) {}

std::string ProjectionOperator::details() const {
  std::string text;
  for (const auto& expression : expressions_) {
    if (!text.empty()) text += ", ";
    text += expression->ToString();
  }
  return text;
}

std::unique_ptr<LocalState> ProjectionOperator::MakeLocalState() const {
  return std::make_unique<EvaluatorState>();
}

core::Batch ProjectionOperator::Execute(core::Batch input, LocalState* state) const {
  auto& evaluator = static_cast<EvaluatorState*>(state)->evaluator;
  core::Batch output(schema(), 0);
  for (size_t i = 0; i < expressions_.size(); ++i) {
    evaluator.Evaluate(*expressions_[i], input, output.column(i));
  }
  output.SetNumRows(input.num_rows());
  return output;
}

}  // namespace sluice::exec
