#include <array>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "base/error.h"
#include "exec/builtin_functions.h"
#include "exec/kernel_loops.h"
#include "exec/utf8.h"

namespace sluice::exec {
namespace {

using core::TypeId;
using core::Vector;

constexpr TypeId kText = TypeId::kVarchar;

void ReplaceKernel(KernelArguments arguments, size_t count, Vector& result) {
  std::string buffer;
  ForEachValidRow(result, count, [&](size_t i) {
    std::string_view text = StringAt(*arguments[0], i);
    std::string_view from = StringAt(*arguments[1], i);
    std::string_view to = StringAt(*arguments[2], i);
    if (from.empty()) {
      result.SetString(i, text);
      return;
    }
    buffer.clear();
    size_t at = 0;
    for (size_t found; (found = text.find(from, at)) != std::string_view::npos;) {
      buffer.append(text.substr(at, found - at)).append(to);
      at = found + from.size();
    }
    buffer.append(text.substr(at));
    result.SetString(i, buffer);
  });
}

// Returns the fields of `text` split at `delimiter` (the whole text when it is empty).
void SplitFields(std::string_view text, std::string_view delimiter,
                 std::vector<std::string_view>& fields) {
  fields.clear();
  if (delimiter.empty()) {
    fields.push_back(text);
    return;
  }
  size_t at = 0;
  for (size_t found; (found = text.find(delimiter, at)) != std::string_view::npos;) {
    fields.push_back(text.substr(at, found - at));
    at = found + delimiter.size();
  }
  fields.push_back(text.substr(at));
}

// split_part(text, delimiter, n): field n (1-based; negative counts from the end), or ''.
void SplitPartKernel(KernelArguments arguments, size_t count, Vector& result) {
  std::vector<std::string_view> fields;
  ForEachValidRow(result, count, [&](size_t i) {
    int64_t n = arguments[2]->data<int64_t>()[i];
    if (n == 0) Throw<DataError>("field position must not be zero");
    std::string_view text = StringAt(*arguments[0], i);
    SplitFields(text, StringAt(*arguments[1], i), fields);
    if (text.empty()) fields.clear();
    int64_t size = static_cast<int64_t>(fields.size());
    int64_t index = n > 0 ? n - 1 : size + n;
    result.SetString(i, index >= 0 && index < size ? fields[index] : std::string_view());
  });
}

template <typename Test>
void TextTestKernel(KernelArguments arguments, size_t count, Vector& result) {
  uint8_t* output = result.data<uint8_t>();
  ForEachValidRow(result, count, [&](size_t i) {
    output[i] = Test::Apply(StringAt(*arguments[0], i), StringAt(*arguments[1], i));
  });
}

struct StartsWith {
  static bool Apply(std::string_view text, std::string_view part) { return text.starts_with(part); }
};
struct EndsWith {
  static bool Apply(std::string_view text, std::string_view part) { return text.ends_with(part); }
};
struct Contains {
  static bool Apply(std::string_view text, std::string_view part) {
    return text.find(part) != std::string_view::npos;
  }
};

// strpos(text, part): 1-based code point position of the first occurrence, 0 when absent.
void StrposKernel(KernelArguments arguments, size_t count, Vector& result) {
  int64_t* output = result.data<int64_t>();
  ForEachValidRow(result, count, [&](size_t i) {
    std::string_view text = StringAt(*arguments[0], i);
    size_t found = text.find(StringAt(*arguments[1], i));
    output[i] = found == std::string_view::npos
                    ? 0
                    : static_cast<int64_t>(CountCodePoints(text.substr(0, found))) + 1;
  });
}

void ConcatOperatorKernel(KernelArguments arguments, size_t count, Vector& result) {
  std::string buffer;
  ForEachValidRow(result, count, [&](size_t i) {
    buffer.assign(StringAt(*arguments[0], i)).append(StringAt(*arguments[1], i));
    result.SetString(i, buffer);
  });
}

// concat(...): NULL arguments count as empty strings; the result is never NULL.
void ConcatKernel(KernelArguments arguments, size_t count, Vector& result) {
  std::string buffer;
  for (size_t i = 0; i < count; ++i) {
    buffer.clear();
    for (const Vector* argument : arguments) {
      if (!argument->IsNull(i)) buffer.append(StringAt(*argument, i));
    }
    result.SetString(i, buffer);
  }
}

// MD5 as in RFC 1321.
std::array<uint8_t, 16> Md5(std::string_view text) {
  static constexpr uint32_t kShift[64] = {
      7,  12, 17, 22, 7,  12, 17, 22, 7,  12, 17, 22, 7,  12, 17, 22, 5,  9,  14, 20, 5,  9,
      14, 20, 5,  9,  14, 20, 5,  9,  14, 20, 4,  11, 16, 23, 4,  11, 16, 23, 4,  11, 16, 23,
      4,  11, 16, 23, 6,  10, 15, 21, 6,  10, 15, 21, 6,  10, 15, 21, 6,  10, 15, 21};
  static const std::array<uint32_t, 64> kSine = [] {
    std::array<uint32_t, 64> table{};
    for (int k = 0; k < 64; ++k)
      table[k] = static_cast<uint32_t>(std::fabs(std::sin(k + 1.0)) * 4294967296.0);
    return table;
  }();
  std::string message(text);
  uint64_t bits = uint64_t{text.size()} * 8;
  message += static_cast<char>(0x80);
  while (message.size() % 64 != 56) message += '\0';
  for (int k = 0; k < 8; ++k) message += static_cast<char>(bits >> (8 * k));
  uint32_t state[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
  for (size_t block = 0; block < message.size(); block += 64) {
    uint32_t words[16];
    for (int k = 0; k < 16; ++k) {
      const auto* bytes = reinterpret_cast<const uint8_t*>(message.data() + block + 4 * k);
      words[k] = bytes[0] | bytes[1] << 8 | bytes[2] << 16 | uint32_t{bytes[3]} << 24;
    }
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    for (int k = 0; k < 64; ++k) {
      uint32_t f;
      int g;
      if (k < 16)
        f = (b & c) | (~b & d), g = k;
      else if (k < 32)
        f = (d & b) | (~d & c), g = (5 * k + 1) % 16;
      else if (k < 48)
        f = b ^ c ^ d, g = (3 * k + 5) % 16;
      else
        f = c ^ (b | ~d), g = (7 * k) % 16;
      uint32_t rotated = a + f + kSine[k] + words[g];
      a = d;
      d = c;
      c = b;
      b += (rotated << kShift[k]) | (rotated >> (32 - kShift[k]));
    }
    state[0] += a, state[1] += b, state[2] += c, state[3] += d;
  }
  std::array<uint8_t, 16> digest;
  for (int k = 0; k < 16; ++k) digest[k] = static_cast<uint8_t>(state[k / 4] >> (8 * (k % 4)));
  return digest;
}

void Md5Kernel(KernelArguments arguments, size_t count, Vector& result) {
  ForEachValidRow(result, count, [&](size_t i) {
    std::array<uint8_t, 16> digest = Md5(StringAt(*arguments[0], i));
    char hex[32];
    for (int k = 0; k < 16; ++k) {
      hex[2 * k] = "0123456789abcdef"[digest[k] >> 4];
      hex[2 * k + 1] = "0123456789abcdef"[digest[k] & 15];
    }
    result.SetString(i, std::string_view(hex, 32));
  });
}

}  // namespace

void AddStringSearchFunctions(ScalarFunctionRegistry& registry) {
  registry.Add({"replace", {kText, kText, kText}, kText, &ReplaceKernel});
  registry.Add({"split_part", {kText, kText, TypeId::kBigint}, kText, &SplitPartKernel});
  registry.Add({"starts_with", {kText, kText}, TypeId::kBoolean, &TextTestKernel<StartsWith>});
  registry.Add({"ends_with", {kText, kText}, TypeId::kBoolean, &TextTestKernel<EndsWith>});
  registry.Add({"contains", {kText, kText}, TypeId::kBoolean, &TextTestKernel<Contains>});
  registry.Add({"strpos", {kText, kText}, TypeId::kBigint, &StrposKernel});
  registry.Add({"position", {kText, kText}, TypeId::kBigint, &StrposKernel});
  registry.Add({"||", {kText, kText}, kText, &ConcatOperatorKernel});
  registry.Add({"concat", {kText, kText}, kText, &ConcatKernel, NullHandling::kKernel, true});
  registry.Add({"md5", {kText}, kText, &Md5Kernel});
}

}  // namespace sluice::exec
