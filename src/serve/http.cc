#include "serve/http.h"

#include <algorithm>
#include <cctype>

#include "base/json_text.h"

namespace sluice::serve {

std::string HttpRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

std::string ErrorJson(int status, std::string_view message, std::string_view parameter) {
  std::string out = "{\"error\":";
  AppendJsonString(out, message);
  out += ",\"status\":";
  out += std::to_string(status);
  if (!parameter.empty()) {
    out += ",\"parameter\":";
    AppendJsonString(out, parameter);
  }
  out += '}';
  return out;
}

}  // namespace sluice::serve
