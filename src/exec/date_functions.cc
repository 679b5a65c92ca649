#include <cmath>

#include "base/error.h"
#include "core/datetime.h"
#include "exec/builtin_functions.h"
#include "exec/date_parts.h"
#include "exec/kernel_loops.h"

namespace sluice::exec {
namespace {

using core::TypeId;
using core::Vector;

constexpr TypeId kDate = TypeId::kDate;
constexpr TypeId kTimestamp = TypeId::kTimestamp;

// Returns value i of a DATE or TIMESTAMP vector as microseconds since the epoch.
int64_t MicrosAt(const Vector& vector, size_t i) {
  if (vector.type() == kDate) return int64_t{vector.data<int32_t>()[i]} * core::kMicrosPerDay;
  return vector.data<int64_t>()[i];
}

// year(x), month(x)...: one part as BIGINT (epoch as DOUBLE).
template <DatePart kPart, typename Out>
void PartKernel(KernelArguments arguments, size_t count, Vector& result) {
  Out* output = result.data<Out>();
  ForEachValidRow(result, count, [&](size_t i) {
    output[i] = static_cast<Out>(ExtractPart(kPart, MicrosAt(*arguments[0], i)));
  });
}

// Parses the part name once per run of equal names: once per batch for a constant.
class PartCursor {
 public:
  explicit PartCursor(const Vector& names) : names_(names.data<core::StringRef>()) {}
  DatePart At(size_t i) {
    if (!parsed_ || !(names_[i] == name_)) {
      std::optional<DatePart> part = DatePartFromName(names_[i].view());
      if (!part) Throw<DataError>("unknown date part: '{}'", names_[i].view());
      part_ = *part;
      name_ = names_[i];
      parsed_ = true;
    }
    return part_;
  }

 private:
  const core::StringRef* names_;
  core::StringRef name_;
  DatePart part_ = DatePart::kYear;
  bool parsed_ = false;
};

void DatePartKernel(KernelArguments arguments, size_t count, Vector& result) {
  PartCursor parts(*arguments[0]);
  double* output = result.data<double>();
  ForEachValidRow(result, count, [&](size_t i) {
    output[i] = ExtractPart(parts.At(i), MicrosAt(*arguments[1], i));
  });
}

void DateTruncKernel(KernelArguments arguments, size_t count, Vector& result) {
  PartCursor parts(*arguments[0]);
  int64_t* output = result.data<int64_t>();
  ForEachValidRow(result, count, [&](size_t i) {
    DatePart part = parts.At(i);
    std::optional<int64_t> truncated = TruncateTo(part, MicrosAt(*arguments[1], i));
    if (!truncated) {
      Throw<DataError>("date_trunc does not support the part '{}'",
                       arguments[0]->data<core::StringRef>()[i].view());
    }
    output[i] = *truncated;
  });
}

int32_t MakeDays(int64_t year, int64_t month, int64_t day) {
  if (year < -200000 || year > 200000 || month < 1 || month > 12 || day < 1 || day > 31 ||
      !core::IsValidDate(static_cast<int32_t>(year), static_cast<int32_t>(month),
                         static_cast<int32_t>(day))) {
    Throw<DataError>("date field value out of range: {}-{}-{}", year, month, day);
  }
  return core::DaysFromCivil(
      {static_cast<int32_t>(year), static_cast<int32_t>(month), static_cast<int32_t>(day)});
}

int64_t IntegerAt(KernelArguments arguments, size_t argument, size_t i) {
  return arguments[argument]->data<int64_t>()[i];
}

void MakeDateKernel(KernelArguments arguments, size_t count, Vector& result) {
  int32_t* output = result.data<int32_t>();
  ForEachValidRow(result, count, [&](size_t i) {
    output[i] = MakeDays(IntegerAt(arguments, 0, i), IntegerAt(arguments, 1, i),
                         IntegerAt(arguments, 2, i));
  });
}

// make_timestamp(year, month, day, hour, minute, seconds with fraction).
void MakeTimestampKernel(KernelArguments arguments, size_t count, Vector& result) {
  int64_t* output = result.data<int64_t>();
  ForEachValidRow(result, count, [&](size_t i) {
    int32_t days = MakeDays(IntegerAt(arguments, 0, i), IntegerAt(arguments, 1, i),
                            IntegerAt(arguments, 2, i));
    int64_t hour = IntegerAt(arguments, 3, i);
    int64_t minute = IntegerAt(arguments, 4, i);
    double seconds = arguments[5]->data<double>()[i];
    if (hour < 0 || hour > 24 || minute < 0 || minute > 59 || !(seconds >= 0 && seconds <= 60)) {
      Throw<DataError>("time field value out of range: {}:{}:{}", hour, minute, seconds);
    }
    int64_t time = (hour * 3600 + minute * 60) * core::kMicrosPerSecond +
                   static_cast<int64_t>(std::llround(seconds * core::kMicrosPerSecond));
    output[i] = int64_t{days} * core::kMicrosPerDay + time;
  });
}

void ToTimestampKernel(KernelArguments arguments, size_t count, Vector& result) {
  int64_t* output = result.data<int64_t>();
  const double* seconds = arguments[0]->data<double>();
  ForEachValidRow(result, count, [&](size_t i) {
    double micros = std::nearbyint(seconds[i] * core::kMicrosPerSecond);
    if (!(std::fabs(micros) < 9.2e18)) {
      Throw<DataError>("timestamp out of range: {} seconds", seconds[i]);
    }
    output[i] = static_cast<int64_t>(micros);
  });
}

void NowKernel(KernelArguments, size_t count, Vector& result) {
  std::fill_n(result.data<int64_t>(), count, core::NowMicros());
}

void CurrentDateKernel(KernelArguments, size_t count, Vector& result) {
  std::fill_n(result.data<int32_t>(), count,
              static_cast<int32_t>(SplitTimestamp(core::NowMicros()).days));
}

template <DatePart kPart, typename Out>
void AddPart(ScalarFunctionRegistry& registry, const char* name, TypeId result) {
  registry.Add({name, {kDate}, result, &PartKernel<kPart, Out>});
  registry.Add({name, {kTimestamp}, result, &PartKernel<kPart, Out>});
}

void AddParts(ScalarFunctionRegistry& registry) {
  constexpr TypeId kBigint = TypeId::kBigint;
  AddPart<DatePart::kYear, int64_t>(registry, "year", kBigint);
  AddPart<DatePart::kQuarter, int64_t>(registry, "quarter", kBigint);
  AddPart<DatePart::kMonth, int64_t>(registry, "month", kBigint);
  AddPart<DatePart::kWeek, int64_t>(registry, "week", kBigint);
  AddPart<DatePart::kWeek, int64_t>(registry, "weekofyear", kBigint);
  AddPart<DatePart::kDay, int64_t>(registry, "day", kBigint);
  AddPart<DatePart::kDay, int64_t>(registry, "dayofmonth", kBigint);
  AddPart<DatePart::kHour, int64_t>(registry, "hour", kBigint);
  AddPart<DatePart::kMinute, int64_t>(registry, "minute", kBigint);
  AddPart<DatePart::kSecond, int64_t>(registry, "second", kBigint);
  AddPart<DatePart::kDayOfWeek, int64_t>(registry, "dayofweek", kBigint);
  AddPart<DatePart::kIsoDayOfWeek, int64_t>(registry, "isodow", kBigint);
  AddPart<DatePart::kDayOfYear, int64_t>(registry, "dayofyear", kBigint);
  AddPart<DatePart::kEpoch, double>(registry, "epoch", TypeId::kDouble);
}

}  // namespace

void AddDateFunctions(ScalarFunctionRegistry& registry) {
  constexpr TypeId kText = TypeId::kVarchar;
  constexpr TypeId kBigint = TypeId::kBigint;
  AddParts(registry);
  for (TypeId type : {kDate, kTimestamp}) {
    registry.Add({"date_part", {kText, type}, TypeId::kDouble, &DatePartKernel});
    registry.Add({"extract", {kText, type}, TypeId::kDouble, &DatePartKernel});
    registry.Add({"date_trunc", {kText, type}, kTimestamp, &DateTruncKernel});
  }
  registry.Add({"make_date", {kBigint, kBigint, kBigint}, kDate, &MakeDateKernel});
  registry.Add({"make_timestamp",
                {kBigint, kBigint, kBigint, kBigint, kBigint, TypeId::kDouble},
                kTimestamp,
                &MakeTimestampKernel});
  registry.Add({"to_timestamp", {TypeId::kDouble}, kTimestamp, &ToTimestampKernel});
  for (const char* name : {"now", "current_timestamp"}) {
    registry.Add({name, {}, kTimestamp, &NowKernel, NullHandling::kPropagate, false, false});
  }
  registry.Add(
      {"current_date", {}, kDate, &CurrentDateKernel, NullHandling::kPropagate, false, false});
}

}  // namespace sluice::exec
