#pragma once

// The body of `POST /v1/models/{name}/predict` as a model's input rows, and its predictions
// as the response body.
//
//   {"instances": [{"weight": 3504, "origin": "USA"}, ...], "threshold": 0.6}
//   {"predictions": [{"predicted_mpg": 18.2}, ...], "model": "mpg", "model_version": 2}

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "ml/model.h"
#include "planner/catalog.h"
#include "session/model_registry.h"

namespace sluice::serve {

/// Is the most instances one predict request may hold.
inline constexpr size_t kMaxInstances = 10'000;

/// Is a checked predict request: the instances as rows, and the decision threshold.
struct PredictRequest {
  std::shared_ptr<const planner::TableEntry> input;  // batches of at most core::kVectorSize rows
  size_t num_instances = 0;
  double threshold = 0.5;  // of the positive class; binary classifiers only
};

/// Returns `body` as rows for model `version`. Without TRANSFORM the columns are the model's
/// input columns with their trained types: a JSON number for INTEGER, BIGINT (integral) and
/// DOUBLE, a string for VARCHAR, true/false for BOOLEAN, a 'YYYY-MM-DD' string for DATE and a
/// timestamp string for TIMESTAMP; a missing key or null is NULL (imputed as at training). With
/// TRANSFORM the columns are the instances' keys (in order of first appearance) typed by their
/// values: number DOUBLE, string VARCHAR, boolean BOOLEAN (DOUBLE when only null); each key
/// must be named in the TRANSFORM. Throws HttpError 400, naming the parameter at fault
/// ("body", "instances", "instances[3].origin", "threshold"), for a body that is not a JSON
/// object, an unknown top-level key, no `instances` array, more than kMaxInstances instances,
/// an instance that is not an object, an unknown key, a value of the wrong JSON type or out of
/// its type's range, and a threshold that is not a number in [0, 1] or is given to a model
/// that is not a binary classifier.
PredictRequest ParsePredictRequest(std::string_view body, const session::ModelVersion& version);

/// Returns the response body of `predicted` (ML.PREDICT's columns for the request's rows) by
/// model `version`: one object per row with predicted_<label> (typed as the label) and, for a
/// classifier, predicted_<label>_probs as an object of class → probability; centroid_id and
/// nearest_centroids_distance (centroid id → distance) for k-means. NaN and infinities are
/// null.
std::string PredictResponseJson(const ml::PredictionColumns& predicted,
                                const session::ModelVersion& version);

}  // namespace sluice::serve
