#include "exec/memory_tracker.h"

#include <unistd.h>

#include <cctype>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "base/error.h"

namespace sluice::exec {

void MemoryTracker::Add(int64_t bytes, std::string_view holder) {
  uint64_t now = used_.fetch_add(static_cast<uint64_t>(bytes), std::memory_order_relaxed) + bytes;
  if (bytes > 0 && now > limit_) {
    used_.fetch_sub(static_cast<uint64_t>(bytes), std::memory_order_relaxed);
    Throw<UserError>(
        "out of memory: {} needs more than the query's memory limit of {} (SET memory_limit = "
        "'...' to change it)",
        holder, FormatBytes(limit_));
  }
}

uint64_t PhysicalMemory() {
  return static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) *
         static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

uint64_t ParseMemorySize(std::string_view text) {
  std::string lower;
  for (char c : text) {
    if (!std::isspace(static_cast<unsigned char>(c))) lower += static_cast<char>(std::tolower(c));
  }
  double number = 0;
  auto [end, error] = std::from_chars(lower.data(), lower.data() + lower.size(), number);
  std::string unit(end, static_cast<const char*>(lower.data() + lower.size()));
  static const std::pair<const char*, double> kUnits[] = {{"", 1},
                                                          {"b", 1},
                                                          {"kb", 1e3},
                                                          {"mb", 1e6},
                                                          {"gb", 1e9},
                                                          {"tb", 1e12},
                                                          {"kib", 1024.0},
                                                          {"mib", 1048576.0},
                                                          {"gib", 1073741824.0},
                                                          {"tib", 1099511627776.0},
                                                          {"%", -1}};
  if (error == std::errc() && number >= 0) {
    for (const auto& [name, scale] : kUnits) {
      if (unit != name) continue;
      double bytes =
          scale < 0 ? number / 100 * static_cast<double>(PhysicalMemory()) : number * scale;
      return static_cast<uint64_t>(std::llround(bytes));
    }
  }
  Throw<UserError>(
      "invalid memory size '{}': expected a number with a unit such as '4GB', "
      "'512MiB' or '80%'",
      text);
}

std::string FormatBytes(uint64_t bytes) {
  double value = static_cast<double>(bytes);
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  return unit == 0 ? fmt::format("{} bytes", bytes) : fmt::format("{:.1f} {}", value, units[unit]);
}

}  // namespace sluice::exec
