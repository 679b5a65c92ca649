#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "ml/estimator.h"
#include "ml/matrix.h"

namespace sluice::ml {

/// Returns `m` as the JSON object {"rows", "cols", "values"} of an estimator's saved state.
boost::json::object MatrixToJson(const Matrix& m);

/// Returns the matrix MatrixToJson wrote (a null value reads as NaN). Throws InternalError when
/// the values do not fill the shape, and Boost.JSON's errors when a field is missing or mistyped.
Matrix MatrixFromJson(const boost::json::value& value);

/// Returns the training info as a JSON array of {"iteration", "loss", "eval_loss" (null when
/// absent), "duration_ms"}.
boost::json::array TrainingInfoToJson(const std::vector<TrainingIteration>& info);

/// Returns the training info TrainingInfoToJson wrote (a null loss reads as NaN). Throws
/// Boost.JSON's errors when a field is missing or mistyped.
std::vector<TrainingIteration> TrainingInfoFromJson(const boost::json::value& value);

/// Runs `read`, which restores `model`'s saved state, reporting a malformed state (an exception
/// not of sluice::Error's hierarchy, e.g. Boost.JSON's) as InternalError; Errors pass unchanged.
void ReadEstimatorState(std::string_view model, const std::function<void()>& read);

}  // namespace sluice::ml
