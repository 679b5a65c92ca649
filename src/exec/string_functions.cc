#include <algorithm>
#include <string>

#include "base/error.h"
#include "exec/builtin_functions.h"
#include "exec/kernel_loops.h"
#include "exec/utf8.h"

namespace sluice::exec {
namespace {

using core::TypeId;
using core::Vector;

constexpr TypeId kText = TypeId::kVarchar;
constexpr TypeId kBigint = TypeId::kBigint;
// Longest string a padding or repeat may build; PostgreSQL's limit is 1 GB.
constexpr int64_t kMaxBuiltLength = int64_t{1} << 28;

int64_t IntegerAt(const Vector& vector, size_t i) { return vector.data<int64_t>()[i]; }

template <bool kUpper>
void ChangeCaseKernel(KernelArguments arguments, size_t count, Vector& result) {
  std::string buffer;
  ForEachValidRow(result, count, [&](size_t i) {
    buffer.assign(StringAt(*arguments[0], i));
    for (char& c : buffer) {
      if (kUpper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      if (!kUpper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    result.SetString(i, buffer);
  });
}

void LengthKernel(KernelArguments arguments, size_t count, Vector& result) {
  int64_t* output = result.data<int64_t>();
  ForEachValidRow(result, count, [&](size_t i) {
    output[i] = static_cast<int64_t>(CountCodePoints(StringAt(*arguments[0], i)));
  });
}

void OctetLengthKernel(KernelArguments arguments, size_t count, Vector& result) {
  const core::StringRef* input = arguments[0]->data<core::StringRef>();
  int64_t* output = result.data<int64_t>();
  for (size_t i = 0; i < count; ++i) output[i] = input[i].size();
}

// Returns the code points [begin, end) of `text` (0-based, clamped).
std::string_view CodePointRange(std::string_view text, int64_t begin, int64_t end) {
  if (end <= begin || end <= 0) return {};
  size_t from = CodePointOffset(text, static_cast<size_t>(std::max<int64_t>(begin, 0)));
  std::string_view rest = text.substr(from);
  return rest.substr(0,
                     CodePointOffset(rest, static_cast<size_t>(end - std::max<int64_t>(begin, 0))));
}

// substr(text, start [, length]): 1-based code points; a start below 1 eats into the length.
void SubstrKernel(KernelArguments arguments, size_t count, Vector& result) {
  bool has_length = arguments.size() == 3;
  ForEachValidRow(result, count, [&](size_t i) {
    std::string_view text = StringAt(*arguments[0], i);
    int64_t start = IntegerAt(*arguments[1], i) - 1;
    int64_t end = INT64_MAX;
    if (has_length) {
      int64_t length = IntegerAt(*arguments[2], i);
      if (length < 0) Throw<DataError>("negative substring length not allowed: {}", length);
      if (__builtin_add_overflow(start, length, &end)) end = INT64_MAX;
    }
    result.SetString(i, CodePointRange(text, start, end));
  });
}

template <bool kLeft>
void LeftRightKernel(KernelArguments arguments, size_t count, Vector& result) {
  ForEachValidRow(result, count, [&](size_t i) {
    std::string_view text = StringAt(*arguments[0], i);
    int64_t n = IntegerAt(*arguments[1], i);
    int64_t total = static_cast<int64_t>(CountCodePoints(text));
    int64_t keep = n >= 0 ? std::min(n, total) : std::max<int64_t>(total + n, 0);
    result.SetString(
        i, kLeft ? CodePointRange(text, 0, keep) : CodePointRange(text, total - keep, total));
  });
}

// Returns true when the code point at the start of `text` is one of `characters`'s.
size_t MatchingCodePoint(std::string_view text, std::string_view characters) {
  size_t length = CodePointLength(text, 0);
  std::string_view point = text.substr(0, length);
  for (size_t at = 0; at < characters.size();) {
    size_t other = CodePointLength(characters, at);
    if (characters.substr(at, other) == point) return length;
    at += other;
  }
  return 0;
}

template <bool kLeading, bool kTrailing>
void TrimKernel(KernelArguments arguments, size_t count, Vector& result) {
  ForEachValidRow(result, count, [&](size_t i) {
    std::string_view text = StringAt(*arguments[0], i);
    std::string_view characters = arguments.size() > 1 ? StringAt(*arguments[1], i) : " ";
    while (kLeading && !text.empty()) {
      size_t length = MatchingCodePoint(text, characters);
      if (length == 0) break;
      text.remove_prefix(length);
    }
    while (kTrailing && !text.empty()) {
      size_t last = text.size() - 1;
      while (last > 0 && !IsCodePointStart(text[last])) --last;
      if (MatchingCodePoint(text.substr(last), characters) == 0) break;
      text.remove_suffix(text.size() - last);
    }
    result.SetString(i, text);
  });
}

// lpad/rpad(text, length [, fill]): pads with `fill` (a space by default) or truncates.
template <bool kLeft>
void PadKernel(KernelArguments arguments, size_t count, Vector& result) {
  std::string buffer;
  ForEachValidRow(result, count, [&](size_t i) {
    std::string_view text = StringAt(*arguments[0], i);
    int64_t length = IntegerAt(*arguments[1], i);
    std::string_view fill = arguments.size() > 2 ? StringAt(*arguments[2], i) : " ";
    if (length > kMaxBuiltLength) Throw<DataError>("requested length too large: {}", length);
    int64_t have = static_cast<int64_t>(CountCodePoints(text));
    if (length <= have || fill.empty()) {
      result.SetString(i, CodePointRange(text, 0, length));
      return;
    }
    buffer.clear();
    size_t fill_points = CountCodePoints(fill);
    for (int64_t missing = length - have; missing > 0;) {
      int64_t take = std::min<int64_t>(missing, static_cast<int64_t>(fill_points));
      buffer.append(CodePointRange(fill, 0, take));
      missing -= take;
    }
    buffer.insert(kLeft ? buffer.size() : 0, text);
    result.SetString(i, buffer);
  });
}

void RepeatKernel(KernelArguments arguments, size_t count, Vector& result) {
  std::string buffer;
  ForEachValidRow(result, count, [&](size_t i) {
    std::string_view text = StringAt(*arguments[0], i);
    int64_t times = std::max<int64_t>(IntegerAt(*arguments[1], i), 0);
    if (!text.empty() && times > kMaxBuiltLength / static_cast<int64_t>(text.size())) {
      Throw<DataError>("requested length too large: repeat {} times", times);
    }
    buffer.clear();
    for (int64_t k = 0; k < times; ++k) buffer.append(text);
    result.SetString(i, buffer);
  });
}

void ReverseKernel(KernelArguments arguments, size_t count, Vector& result) {
  std::string buffer;
  ForEachValidRow(result, count, [&](size_t i) {
    std::string_view text = StringAt(*arguments[0], i);
    buffer.clear();
    for (size_t end = text.size(); end > 0;) {
      size_t start = end - 1;
      while (start > 0 && !IsCodePointStart(text[start])) --start;
      buffer.append(text.substr(start, end - start));
      end = start;
    }
    result.SetString(i, buffer);
  });
}

void Add(ScalarFunctionRegistry& registry, const char* name, std::vector<TypeId> arguments,
         TypeId result, ScalarKernel kernel) {
  registry.Add({name, std::move(arguments), result, kernel});
}

}  // namespace

void AddStringFunctions(ScalarFunctionRegistry& registry) {
  Add(registry, "lower", {kText}, kText, &ChangeCaseKernel<false>);
  Add(registry, "upper", {kText}, kText, &ChangeCaseKernel<true>);
  for (const char* name : {"length", "char_length", "character_length"}) {
    Add(registry, name, {kText}, kBigint, &LengthKernel);
  }
  Add(registry, "octet_length", {kText}, kBigint, &OctetLengthKernel);
  for (const char* name : {"substr", "substring"}) {
    Add(registry, name, {kText, kBigint}, kText, &SubstrKernel);
    Add(registry, name, {kText, kBigint, kBigint}, kText, &SubstrKernel);
  }
  Add(registry, "left", {kText, kBigint}, kText, &LeftRightKernel<true>);
  Add(registry, "right", {kText, kBigint}, kText, &LeftRightKernel<false>);
  for (auto arguments : {std::vector<TypeId>{kText}, std::vector<TypeId>{kText, kText}}) {
    Add(registry, "trim", arguments, kText, &TrimKernel<true, true>);
    Add(registry, "btrim", arguments, kText, &TrimKernel<true, true>);
    Add(registry, "ltrim", arguments, kText, &TrimKernel<true, false>);
    Add(registry, "rtrim", arguments, kText, &TrimKernel<false, true>);
  }
  for (auto arguments :
       {std::vector<TypeId>{kText, kBigint}, std::vector<TypeId>{kText, kBigint, kText}}) {
    Add(registry, "lpad", arguments, kText, &PadKernel<true>);
    Add(registry, "rpad", arguments, kText, &PadKernel<false>);
  }
  Add(registry, "repeat", {kText, kBigint}, kText, &RepeatKernel);
  Add(registry, "reverse", {kText}, kText, &ReverseKernel);
  AddStringSearchFunctions(registry);
}

}  // namespace sluice::exec
