#include "ml/params.h"

#include <boost/json.hpp>
#include <cmath>

#include "base/error.h"

namespace sluice::ml {
namespace {

template <typename T>
const T* Get(const std::map<std::string, ParamValue, std::less<>>& values, std::string_view name) {
  auto it = values.find(name);
  if (it == values.end()) return nullptr;
  const T* value = std::get_if<T>(&it->second);
  if (value == nullptr)
    throw InternalError("model parameter " + std::string(name) + " has another type");
  return value;
}

}  // namespace

double Params::Number(std::string_view name, double fallback) const {
  const double* value = Get<double>(values_, name);
  return value != nullptr ? *value : fallback;
}

int64_t Params::Integer(std::string_view name, int64_t fallback) const {
  const double* value = Get<double>(values_, name);
  return value != nullptr ? static_cast<int64_t>(std::llround(*value)) : fallback;
}

bool Params::Flag(std::string_view name, bool fallback) const {
  const bool* value = Get<bool>(values_, name);
  return value != nullptr ? *value : fallback;
}

std::string Params::Text(std::string_view name, std::string_view fallback) const {
  const std::string* value = Get<std::string>(values_, name);
  return value != nullptr ? *value : std::string(fallback);
}

boost::json::object ParamsToJson(const Params& params) {
  boost::json::object object;
  for (const auto& [name, value] : params.values()) {
    if (const double* number = std::get_if<double>(&value);
        number != nullptr && *number == std::trunc(*number) && std::abs(*number) < 9.0e15) {
      object[name] = static_cast<int64_t>(*number);
    } else {
      std::visit([&](const auto& v) { object[name] = v; }, value);
    }
  }
  return object;
}

Params ParamsFromJson(const boost::json::object& object) {
  Params params;
  for (const auto& [name, value] : object) {
    if (value.is_bool()) {
      params.Set(name, value.as_bool());
    } else if (value.is_string()) {
      params.Set(name, std::string(value.as_string()));
    } else {
      params.Set(name, value.to_number<double>());
    }
  }
  return params;
}

}  // namespace sluice::ml
