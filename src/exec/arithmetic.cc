#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "base/error.h"
#include "exec/builtin_functions.h"
#include "exec/kernel_loops.h"

namespace sluice::exec {
namespace {

using core::TypeId;

[[noreturn]] void FailOverflow(std::string_view op, auto left, auto right) {
  Throw<DataError>("integer overflow in {}: {} {} {}", op, left, op, right);
}

[[noreturn]] void FailDivisionByZero() { Throw<DataError>("division by zero"); }

template <typename T>
struct Add {
  static T Apply(T left, T right, bool& bad) {
    if constexpr (std::is_floating_point_v<T>) {
      return left + right;
    } else {
      // Wrapping add plus a sign test instead of __builtin_add_overflow: this form vectorizes.
      T result = static_cast<T>(static_cast<std::make_unsigned_t<T>>(left) +
                                static_cast<std::make_unsigned_t<T>>(right));
      bad |= ((left ^ result) & (right ^ result)) < 0;
      return result;
    }
  }
  static void Fail(T left, T right) { FailOverflow("+", left, right); }
};

template <typename T>
struct Subtract {
  static T Apply(T left, T right, bool& bad) {
    if constexpr (std::is_floating_point_v<T>) {
      return left - right;
    } else {
      T result = static_cast<T>(static_cast<std::make_unsigned_t<T>>(left) -
                                static_cast<std::make_unsigned_t<T>>(right));
      bad |= ((left ^ right) & (left ^ result)) < 0;
      return result;
    }
  }
  static void Fail(T left, T right) { FailOverflow("-", left, right); }
};

template <typename T>
struct Multiply {
  static T Apply(T left, T right, bool& bad) {
    if constexpr (std::is_floating_point_v<T>) {
      return left * right;
    } else {
      T result;
      bad |= __builtin_mul_overflow(left, right, &result);
      return result;
    }
  }
  static void Fail(T left, T right) { FailOverflow("*", left, right); }
};

// Integer division truncates toward zero (PostgreSQL); MIN / -1 overflows.
template <typename T>
struct Divide {
  static T Apply(T left, T right, bool& bad) {
    if constexpr (std::is_floating_point_v<T>) {
      bad |= right == 0;
      return left / right;
    } else {
      bool overflow = left == std::numeric_limits<T>::min() && right == -1;
      bool invalid = right == 0 || overflow;
      bad |= invalid;
      return left / (invalid ? T{1} : right);
    }
  }
  static void Fail(T left, T right) {
    if (right == 0) FailDivisionByZero();
    FailOverflow("/", left, right);
  }
};

// The remainder takes the sign of the dividend; x % -1 is 0 even for MIN.
template <typename T>
struct Modulo {
  static T Apply(T left, T right, bool& bad) {
    bad |= right == 0;
    if constexpr (std::is_floating_point_v<T>) {
      return std::fmod(left, right);
    } else {
      return left % (right == 0 || right == -1 ? T{1} : right);
    }
  }
  static void Fail(T, T) { FailDivisionByZero(); }
};

template <typename T>
struct Negate {
  static T Apply(T value, bool& bad) {
    if constexpr (std::is_floating_point_v<T>) {
      return -value;
    } else {
      T result;
      bad |= __builtin_sub_overflow(T{0}, value, &result);
      return result;
    }
  }
  static void Fail(T value) { Throw<DataError>("integer overflow in negate: -{}", value); }
};

// Adds (or subtracts) a number of days to a date; the result must fit a DATE.
template <typename Days, bool kSubtract>
struct ShiftDate {
  static int32_t Apply(int32_t date, Days days, bool& bad) {
    int64_t shifted;
    bool overflow = kSubtract ? __builtin_sub_overflow(int64_t{date}, int64_t{days}, &shifted)
                              : __builtin_add_overflow(int64_t{date}, int64_t{days}, &shifted);
    bad |= overflow || shifted < std::numeric_limits<int32_t>::min() ||
           shifted > std::numeric_limits<int32_t>::max();
    return static_cast<int32_t>(shifted);
  }
  static void Fail(int32_t, Days days) { Throw<DataError>("date out of range: {} days", days); }
};

template <typename Days>
struct ShiftDateSwapped {
  static int32_t Apply(Days days, int32_t date, bool& bad) {
    return ShiftDate<Days, false>::Apply(date, days, bad);
  }
  static void Fail(Days days, int32_t date) { ShiftDate<Days, false>::Fail(date, days); }
};

void AddOverloads(ScalarFunctionRegistry& registry, const char* name, ScalarKernel integer,
                  ScalarKernel bigint, ScalarKernel real) {
  registry.Add({name, {TypeId::kInteger, TypeId::kInteger}, TypeId::kInteger, integer});
  registry.Add({name, {TypeId::kBigint, TypeId::kBigint}, TypeId::kBigint, bigint});
  registry.Add({name, {TypeId::kDouble, TypeId::kDouble}, TypeId::kDouble, real});
}

template <template <typename> class Op>
void AddNumericOperator(ScalarFunctionRegistry& registry, const char* name) {
  AddOverloads(registry, name, &BinaryKernel<int32_t, int32_t, int32_t, Op<int32_t>>,
               &BinaryKernel<int64_t, int64_t, int64_t, Op<int64_t>>,
               &BinaryKernel<double, double, double, Op<double>>);
}

void AddDateArithmetic(ScalarFunctionRegistry& registry) {
  const TypeId kDate = TypeId::kDate;
  registry.Add({"+",
                {kDate, TypeId::kInteger},
                kDate,
                &BinaryKernel<int32_t, int32_t, int32_t, ShiftDate<int32_t, false>>});
  registry.Add({"+",
                {kDate, TypeId::kBigint},
                kDate,
                &BinaryKernel<int32_t, int64_t, int32_t, ShiftDate<int64_t, false>>});
  registry.Add({"+",
                {TypeId::kInteger, kDate},
                kDate,
                &BinaryKernel<int32_t, int32_t, int32_t, ShiftDateSwapped<int32_t>>});
  registry.Add({"+",
                {TypeId::kBigint, kDate},
                kDate,
                &BinaryKernel<int64_t, int32_t, int32_t, ShiftDateSwapped<int64_t>>});
  registry.Add({"-",
                {kDate, TypeId::kInteger},
                kDate,
                &BinaryKernel<int32_t, int32_t, int32_t, ShiftDate<int32_t, true>>});
  registry.Add({"-",
                {kDate, TypeId::kBigint},
                kDate,
                &BinaryKernel<int32_t, int64_t, int32_t, ShiftDate<int64_t, true>>});
  registry.Add({"-",
                {kDate, kDate},
                TypeId::kBigint,
                [](KernelArguments arguments, size_t count, core::Vector& result) {
                  const int32_t* left = arguments[0]->data<int32_t>();
                  const int32_t* right = arguments[1]->data<int32_t>();
                  int64_t* output = result.data<int64_t>();
                  for (size_t i = 0; i < count; ++i) output[i] = int64_t{left[i]} - right[i];
                }});
  registry.Add({"-",
                {TypeId::kTimestamp, TypeId::kTimestamp},
                TypeId::kBigint,
                &BinaryKernel<int64_t, int64_t, int64_t, Subtract<int64_t>>});
}

}  // namespace

void AddArithmeticFunctions(ScalarFunctionRegistry& registry) {
  AddNumericOperator<Add>(registry, "+");
  AddNumericOperator<Subtract>(registry, "-");
  AddNumericOperator<Multiply>(registry, "*");
  AddNumericOperator<Divide>(registry, "/");
  AddNumericOperator<Modulo>(registry, "%");
  AddNumericOperator<Modulo>(registry, "mod");
  registry.Add({"negate",
                {TypeId::kInteger},
                TypeId::kInteger,
                &UnaryKernel<int32_t, int32_t, Negate<int32_t>>});
  registry.Add({"negate",
                {TypeId::kBigint},
                TypeId::kBigint,
                &UnaryKernel<int64_t, int64_t, Negate<int64_t>>});
  registry.Add(
      {"negate", {TypeId::kDouble}, TypeId::kDouble, &UnaryKernel<double, double, Negate<double>>});
  AddDateArithmetic(registry);
}

}  // namespace sluice::exec
