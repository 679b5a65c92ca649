#pragma once

#include <boost/json/value.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "ml/model.h"

namespace sluice::ml {

/// Returns `value` as bytes that JsonFromBytes reads back equal: doubles bit for bit (NaN and
/// infinities included), where JSON text through Boost.JSON 1.81's parser may move a double by
/// one ulp.
std::string JsonToBytes(const boost::json::value& value);

/// Returns the value JsonToBytes wrote. Throws DataError for malformed bytes.
boost::json::value JsonFromBytes(std::string_view bytes);

/// Returns `model` as bytes (type, parameters, preprocessing, label and the estimator's own
/// Save state) for ModelFromBytes in another rank: the model predicts the same bit for bit.
std::string ModelToBytes(const Model& model);

/// Returns the model ModelToBytes wrote. Throws DataError for malformed bytes.
std::unique_ptr<Model> ModelFromBytes(std::string_view bytes);

}  // namespace sluice::ml
