#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace sluice::core {

/// Is a PostgreSQL interval: months, days and microseconds kept apart, because a month and a
/// day have no fixed length ('2024-01-31' + 1 month is '2024-02-29').
struct Interval {
  int64_t months = 0;
  int64_t days = 0;
  int64_t micros = 0;
};

/// Parses interval text such as '1 day', '2 hours 30 minutes', '-3 months', '1 year 2 mons',
/// '01:30:00' or '90' with a `unit` ("day", "hour"... as in INTERVAL '90' MINUTE; may be
/// empty). Returns nothing for text it cannot read.
std::optional<Interval> ParseInterval(std::string_view text, std::string_view unit = {});

/// Returns `micros` (a timestamp) plus `interval`: months first (clamped to the month's last
/// day), then days, then microseconds.
int64_t AddInterval(int64_t micros, const Interval& interval);

}  // namespace sluice::core
