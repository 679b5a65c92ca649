#include "ml/xgboost_error.h"

#include <algorithm>

#include <xgboost/c_api.h>

#include "base/strings.h"

namespace sluice::ml {

std::string XGBoostLastError() {
  std::string_view text = XGBGetLastError();
  text = text.substr(0, text.find("Stack trace:"));
  // A failed check reads "[13:20:19] ./src/data/data.cc:461: Check failed: ...".
  size_t position = text.starts_with('[') ? text.find(": ") : std::string_view::npos;
  if (position != std::string_view::npos) text.remove_prefix(position + 2);
  std::string message(TrimSpace(text));
  std::replace(message.begin(), message.end(), '\n', ' ');
  return message;
}

}  // namespace sluice::ml
