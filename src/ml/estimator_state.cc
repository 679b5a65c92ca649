#include "ml/estimator_state.h"

#include <cstdint>
#include <exception>
#include <limits>
#include <optional>

#include <boost/json.hpp>

#include "base/error.h"

namespace sluice::ml {
namespace {

namespace json = boost::json;

/// Returns a JSON number as a double; null (how Boost.JSON may write NaN) becomes NaN.
double NumberFromJson(const json::value& value) {
  return value.is_null() ? std::numeric_limits<double>::quiet_NaN() : value.to_number<double>();
}

}  // namespace

json::object MatrixToJson(const Matrix& m) {
  return {{"rows", m.rows},
          {"cols", m.cols},
          {"values", json::array(m.values.begin(), m.values.end())}};
}

Matrix MatrixFromJson(const json::value& value) {
  const json::object& object = value.as_object();
  Matrix m(object.at("rows").to_number<size_t>(), object.at("cols").to_number<size_t>());
  const json::array& values = object.at("values").as_array();
  if (values.size() != m.values.size()) Throw<InternalError>("matrix has {} values", values.size());
  for (size_t i = 0; i < values.size(); ++i) m.values[i] = NumberFromJson(values[i]);
  return m;
}

json::array TrainingInfoToJson(const std::vector<TrainingIteration>& info) {
  json::array out;
  for (const TrainingIteration& it : info) {
    json::value eval_loss = it.eval_loss ? json::value(*it.eval_loss) : json::value(nullptr);
    out.push_back(json::object{{"iteration", it.iteration},
                               {"loss", it.loss},
                               {"eval_loss", eval_loss},
                               {"duration_ms", it.duration_ms}});
  }
  return out;
}

std::vector<TrainingIteration> TrainingInfoFromJson(const json::value& value) {
  std::vector<TrainingIteration> info;
  for (const json::value& item : value.as_array()) {
    const json::object& object = item.as_object();
    TrainingIteration it{object.at("iteration").to_number<int64_t>(),
                         NumberFromJson(object.at("loss")), std::nullopt,
                         NumberFromJson(object.at("duration_ms"))};
    if (!object.at("eval_loss").is_null()) it.eval_loss = NumberFromJson(object.at("eval_loss"));
    info.push_back(it);
  }
  return info;
}

void ReadEstimatorState(std::string_view model, const std::function<void()>& read) {
  try {
    read();
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    Throw<InternalError>("corrupt {} model state: {}", model, e.what());
  }
}

}  // namespace sluice::ml
