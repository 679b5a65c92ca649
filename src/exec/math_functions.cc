#include <cmath>
#include <limits>
#include <numbers>
#include <random>

#include "base/error.h"
#include "core/value.h"
#include "exec/builtin_functions.h"
#include "exec/kernel_loops.h"

namespace sluice::exec {
namespace {

using core::TypeId;

// Wraps a double function that cannot fail.
template <double (*F)(double)>
struct Plain {
  static double Apply(double value, bool&) { return F(value); }
  static void Fail(double) {}
};

double Round(double value) { return std::round(value); }  // half away from zero
double Floor(double value) { return std::floor(value); }
double Ceil(double value) { return std::ceil(value); }
double Trunc(double value) { return std::trunc(value); }
double Exp(double value) { return std::exp(value); }
double Sin(double value) { return std::sin(value); }
double Cos(double value) { return std::cos(value); }
double Tan(double value) { return std::tan(value); }
double Atan(double value) { return std::atan(value); }
double Cbrt(double value) { return std::cbrt(value); }
double Degrees(double value) { return value * 180.0 / std::numbers::pi; }
double Radians(double value) { return value * std::numbers::pi / 180.0; }
double Sign(double value) { return value > 0 ? 1.0 : (value < 0 ? -1.0 : 0.0); }

template <typename T>
struct Identity {
  static T Apply(T value, bool&) { return value; }
  static void Fail(T) {}
};

template <typename T>
struct IntegerSign {
  static T Apply(T value, bool&) { return (value > 0) - (value < 0); }
  static void Fail(T) {}
};

template <typename T>
struct Abs {
  static T Apply(T value, bool& bad) {
    if constexpr (std::is_floating_point_v<T>) {
      return std::fabs(value);
    } else {
      bad |= value == std::numeric_limits<T>::min();
      return value < 0 ? T(-static_cast<std::make_unsigned_t<T>>(value)) : value;
    }
  }
  static void Fail(T value) { Throw<DataError>("integer overflow in abs: {}", value); }
};

struct Sqrt {
  static double Apply(double value, bool& bad) {
    bad |= value < 0;
    return std::sqrt(value);
  }
  static void Fail(double) { Throw<DataError>("cannot take square root of a negative number"); }
};

template <double (*F)(double)>
struct Logarithm {
  static double Apply(double value, bool& bad) {
    bad |= value <= 0;
    return F(value);
  }
  static void Fail(double value) {
    if (value == 0) Throw<DataError>("cannot take logarithm of zero");
    Throw<DataError>("cannot take logarithm of a negative number");
  }
};
double Ln(double value) { return std::log(value); }
double Log10(double value) { return std::log10(value); }

struct LogBase {
  static double Apply(double base, double value, bool& bad) {
    bad |= base <= 0 || value <= 0 || base == 1;
    return std::log(value) / std::log(base);
  }
  static void Fail(double base, double value) {
    if (base == 1) Throw<DataError>("division by zero");
    Logarithm<Ln>::Fail(base <= 0 ? base : value);
  }
};

struct Power {
  static double Apply(double base, double exponent, bool& bad) {
    bad |= (base == 0 && exponent < 0) || (base < 0 && std::trunc(exponent) != exponent);
    return std::pow(base, exponent);
  }
  static void Fail(double base, double) {
    if (base == 0) Throw<DataError>("zero raised to a negative power is undefined");
    Throw<DataError>("a negative number raised to a non-integer power yields a complex result");
  }
};

struct Atan2 {
  static double Apply(double y, double x, bool&) { return std::atan2(y, x); }
  static void Fail(double, double) {}
};

// Rounds to `digits` decimal places (negative: to tens, hundreds...), half away from zero.
struct RoundDigits {
  static double Apply(double value, int32_t digits, bool&) {
    double scale = std::pow(10.0, digits);
    double scaled = value * scale;
    if (!std::isfinite(scaled) || scale == 0) return digits > 0 ? value : 0.0 * value;
    return std::round(scaled) / scale;
  }
  static void Fail(double, int32_t) {}
};

// NaN sorts above every number, as in PostgreSQL.
template <typename T>
bool Before(const T& left, const T& right) {
  if constexpr (std::is_same_v<T, double>) {
    return left < right || (std::isnan(right) && !std::isnan(left));
  } else {
    return left < right;
  }
}

// greatest/least: NULL arguments are ignored; the result is NULL only when all are.
template <typename T, bool kGreatest>
void ExtremeKernel(KernelArguments arguments, size_t count, core::Vector& result) {
  T* output = result.data<T>();
  for (size_t i = 0; i < count; ++i) {
    bool found = false;
    for (const core::Vector* argument : arguments) {
      if (argument->IsNull(i)) continue;
      const T& value = argument->data<T>()[i];
      if (!found || (kGreatest ? Before(output[i], value) : Before(value, output[i]))) {
        output[i] = value;
      }
      found = true;
    }
    if (!found) result.SetNull(i);
  }
  if (result.type() != TypeId::kVarchar) return;
  for (const core::Vector* argument : arguments) {
    if (argument->heap_ptr() != nullptr) result.heap().KeepAlive(argument->heap_ptr());
  }
}

void RandomKernel(KernelArguments, size_t count, core::Vector& result) {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  std::uniform_real_distribution<double> distribution(0.0, 1.0);
  double* output = result.data<double>();
  for (size_t i = 0; i < count; ++i) output[i] = distribution(generator);
}

void PiKernel(KernelArguments, size_t count, core::Vector& result) {
  std::fill_n(result.data<double>(), count, std::numbers::pi);
}

void AddDouble(ScalarFunctionRegistry& registry, const char* name, ScalarKernel kernel) {
  registry.Add({name, {TypeId::kDouble}, TypeId::kDouble, kernel});
}

template <template <typename> class Op>
void AddIntegerOverloads(ScalarFunctionRegistry& registry, const char* name) {
  registry.Add(
      {name, {TypeId::kInteger}, TypeId::kInteger, &UnaryKernel<int32_t, int32_t, Op<int32_t>>});
  registry.Add(
      {name, {TypeId::kBigint}, TypeId::kBigint, &UnaryKernel<int64_t, int64_t, Op<int64_t>>});
}

template <typename T>
void AddExtremes(ScalarFunctionRegistry& registry, TypeId type) {
  registry.Add(
      {"greatest", {type, type}, type, &ExtremeKernel<T, true>, NullHandling::kKernel, true});
  registry.Add(
      {"least", {type, type}, type, &ExtremeKernel<T, false>, NullHandling::kKernel, true});
}

void AddRounding(ScalarFunctionRegistry& registry) {
  for (const char* name : {"round", "floor", "ceil", "ceiling", "trunc"}) {
    AddIntegerOverloads<Identity>(registry, name);
  }
  AddDouble(registry, "round", &UnaryKernel<double, double, Plain<Round>>);
  AddDouble(registry, "floor", &UnaryKernel<double, double, Plain<Floor>>);
  AddDouble(registry, "ceil", &UnaryKernel<double, double, Plain<Ceil>>);
  AddDouble(registry, "ceiling", &UnaryKernel<double, double, Plain<Ceil>>);
  AddDouble(registry, "trunc", &UnaryKernel<double, double, Plain<Trunc>>);
  registry.Add({"round",
                {TypeId::kDouble, TypeId::kInteger},
                TypeId::kDouble,
                &BinaryKernel<double, int32_t, double, RoundDigits>});
}

}  // namespace

void AddMathFunctions(ScalarFunctionRegistry& registry) {
  AddIntegerOverloads<Abs>(registry, "abs");
  AddDouble(registry, "abs", &UnaryKernel<double, double, Abs<double>>);
  AddIntegerOverloads<IntegerSign>(registry, "sign");
  AddDouble(registry, "sign", &UnaryKernel<double, double, Plain<Sign>>);
  AddRounding(registry);
  AddDouble(registry, "sqrt", &UnaryKernel<double, double, Sqrt>);
  AddDouble(registry, "cbrt", &UnaryKernel<double, double, Plain<Cbrt>>);
  AddDouble(registry, "exp", &UnaryKernel<double, double, Plain<Exp>>);
  AddDouble(registry, "ln", &UnaryKernel<double, double, Logarithm<Ln>>);
  AddDouble(registry, "log10", &UnaryKernel<double, double, Logarithm<Log10>>);
  AddDouble(registry, "log", &UnaryKernel<double, double, Logarithm<Log10>>);
  registry.Add({"log",
                {TypeId::kDouble, TypeId::kDouble},
                TypeId::kDouble,
                &BinaryKernel<double, double, double, LogBase>});
  for (const char* name : {"pow", "power"}) {
    registry.Add({name,
                  {TypeId::kDouble, TypeId::kDouble},
                  TypeId::kDouble,
                  &BinaryKernel<double, double, double, Power>});
  }
  AddDouble(registry, "sin", &UnaryKernel<double, double, Plain<Sin>>);
  AddDouble(registry, "cos", &UnaryKernel<double, double, Plain<Cos>>);
  AddDouble(registry, "tan", &UnaryKernel<double, double, Plain<Tan>>);
  AddDouble(registry, "atan", &UnaryKernel<double, double, Plain<Atan>>);
  registry.Add({"atan2",
                {TypeId::kDouble, TypeId::kDouble},
                TypeId::kDouble,
                &BinaryKernel<double, double, double, Atan2>});
  AddDouble(registry, "degrees", &UnaryKernel<double, double, Plain<Degrees>>);
  AddDouble(registry, "radians", &UnaryKernel<double, double, Plain<Radians>>);
  AddExtremes<uint8_t>(registry, TypeId::kBoolean);
  AddExtremes<int32_t>(registry, TypeId::kInteger);
  AddExtremes<int64_t>(registry, TypeId::kBigint);
  AddExtremes<double>(registry, TypeId::kDouble);
  AddExtremes<core::StringRef>(registry, TypeId::kVarchar);
  AddExtremes<int32_t>(registry, TypeId::kDate);
  AddExtremes<int64_t>(registry, TypeId::kTimestamp);
  registry.Add(
      {"random", {}, TypeId::kDouble, &RandomKernel, NullHandling::kPropagate, false, false});
  registry.Add({"pi", {}, TypeId::kDouble, &PiKernel});
}

}  // namespace sluice::exec
