#pragma once

#include <memory>
#include <vector>

#include "exec/expression.h"
#include "exec/operator.h"

namespace sluice::exec {

/// Keeps the rows where a predicate is true, by narrowing the batch's selection vector.
class FilterOperator final : public TransformOperator {
 public:
  FilterOperator(core::SchemaPtr schema, std::unique_ptr<Expression> predicate);
  std::string name() const override { return "FILTER"; }
  std::string details() const override { return predicate_->ToString(); }
  std::unique_ptr<LocalState> MakeLocalState() const override;
  core::Batch Execute(core::Batch input, LocalState* state) const override;

 private:
  std::unique_ptr<Expression> predicate_;
};

/// Computes one output column per expression; the output batch has no selection.
class ProjectionOperator final : public TransformOperator {
 public:
  ProjectionOperator(core::SchemaPtr schema, std::vector<std::unique_ptr<Expression>> expressions);
  std::string name() const override { return "PROJECTION"; }
  std::string details() const override;
  std::unique_ptr<LocalState> MakeLocalState() const override;
  core::Batch Execute(core::Batch input, LocalState* state) const override;

 private:
  std::vector<std::unique_ptr<Expression>> expressions_;
};

}  // namespace sluice::exec
