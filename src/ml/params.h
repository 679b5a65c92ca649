#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>

namespace sluice::ml {

/// Is one training parameter's value (after tuning chose it): a number, a text or a flag.
using ParamValue = std::variant<double, std::string, bool>;

/// Is the training parameters of one model, by BigQuery ML option name (lower case):
/// `learn_rate`, `max_iterations`, `l2_reg`, ... Options were checked against the model type's
/// table when they were parsed, so a getter only meets a wrong type through a programming error
/// (InternalError). An absent name gives the getter's default.
class Params {
 public:
  void Set(std::string name, ParamValue value) { values_[std::move(name)] = std::move(value); }
  bool Has(std::string_view name) const { return values_.find(name) != values_.end(); }
  double Number(std::string_view name, double fallback) const;
  int64_t Integer(std::string_view name, int64_t fallback) const;
  bool Flag(std::string_view name, bool fallback) const;
  std::string Text(std::string_view name, std::string_view fallback) const;
  const std::map<std::string, ParamValue, std::less<>>& values() const { return values_; }

 private:
  std::map<std::string, ParamValue, std::less<>> values_;
};

/// Returns `params` as a JSON object (whole numbers as integers), and back.
boost::json::object ParamsToJson(const Params& params);
Params ParamsFromJson(const boost::json::object& object);

}  // namespace sluice::ml
