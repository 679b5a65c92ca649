#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ml/table.h"
#include "planner/catalog.h"
#include "session/model_registry.h"
#include "sql/ast.h"

namespace sluice::session {

/// Returns the TRANSFORM items of CREATE MODEL as SQL (empty when there are none).
std::string TransformSql(const std::vector<sql::SelectItem>& transform);

/// Returns `input`'s rows as a model's input: through the TRANSFORM items `transform` when set
/// (resolved in `catalog`; items that only give `drop` are left out), else as they are.
ml::Table ModelInput(const planner::TableEntry& input, const std::string& transform,
                     const planner::Catalog& catalog, const std::string& drop = {});

/// Returns ML.PREDICT's added columns for `input`'s rows (through the model's TRANSFORM).
ml::PredictionColumns PredictColumns(const ModelVersion& version, const planner::TableEntry& input,
                                     const planner::Catalog& catalog, double threshold = 0.5);

/// Returns the rows of ML.<function>(MODEL m [, input]) for model version `version`.
std::shared_ptr<const planner::TableEntry> ModelFunctionRows(const sql::ModelFunctionRef& ref,
                                                             const ModelVersion& version,
                                                             const planner::TableEntry* input,
                                                             const planner::Catalog& catalog);

}  // namespace sluice::session
