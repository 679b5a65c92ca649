#pragma once

#include <string_view>

#include <spdlog/spdlog.h>

namespace sluice {

/// Sets up the process-wide logger: messages go to stderr at `level` ("info", "debug", "warn"...).
void InitLogging(std::string_view level);

}  // namespace sluice
