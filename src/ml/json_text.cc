#include "ml/json_text.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <cmath>

#include "base/json_text.h"

namespace sluice::ml {
namespace {

void Append(std::string& out, const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::null:
      out += "null";
      return;
    case boost::json::kind::bool_:
      out += value.get_bool() ? "true" : "false";
      return;
    case boost::json::kind::int64:
      out += std::to_string(value.get_int64());
      return;
    case boost::json::kind::uint64:
      out += std::to_string(value.get_uint64());
      return;
    case boost::json::kind::double_:
      out += std::isfinite(value.get_double()) ? fmt::format("{}", value.get_double()) : "null";
      return;
    case boost::json::kind::string:
      AppendJsonString(out, value.get_string());
      return;
    case boost::json::kind::array: {
      out += '[';
      for (const boost::json::value& item : value.get_array()) {
        if (out.back() != '[') out += ',';
        Append(out, item);
      }
      out += ']';
      return;
    }
    case boost::json::kind::object: {
      out += '{';
      for (const auto& [key, item] : value.get_object()) {
        if (out.back() != '{') out += ',';
        AppendJsonString(out, key);
        out += ':';
        Append(out, item);
      }
      out += '}';
      return;
    }
  }
}

}  // namespace

std::string JsonText(const boost::json::value& value) {
  std::string out;
  Append(out, value);
  return out;
}

}  // namespace sluice::ml
