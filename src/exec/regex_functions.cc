#include <memory>
#include <string>
#include <unordered_map>

#include <re2/re2.h>

#include "base/error.h"
#include "exec/builtin_functions.h"
#include "exec/kernel_loops.h"

namespace sluice::exec {
namespace {

using core::TypeId;

constexpr size_t kMaxCachedPatterns = 256;

struct RegexFlags {
  bool case_insensitive = false;
  bool global = false;
};

RegexFlags ParseFlags(std::string_view text, bool allow_global) {
  RegexFlags flags;
  for (char flag : text) {
    if (flag == 'i')
      flags.case_insensitive = true;
    else if (flag == 'c')
      flags.case_insensitive = false;
    else if (flag == 'g' && allow_global)
      flags.global = true;
    else
      Throw<DataError>("invalid regular expression option: '{}'", flag);
  }
  return flags;
}

// Returns the compiled pattern, compiling each distinct pattern once per thread.
const RE2& Compile(std::string_view pattern, bool case_insensitive) {
  thread_local std::unordered_map<std::string, std::unique_ptr<RE2>> cache;
  std::string key(1, case_insensitive ? 'i' : 'c');
  key.append(pattern);
  auto found = cache.find(key);
  if (found != cache.end()) return *found->second;
  RE2::Options options;
  options.set_log_errors(false);
  options.set_case_sensitive(!case_insensitive);
  auto regex = std::make_unique<RE2>(re2::StringPiece(pattern.data(), pattern.size()), options);
  if (!regex->ok()) {
    Throw<DataError>("invalid regular expression '{}': {}", pattern, regex->error());
  }
  if (cache.size() >= kMaxCachedPatterns) cache.clear();
  return *cache.emplace(std::move(key), std::move(regex)).first->second;
}

// Remembers the last pattern a kernel used, so that a constant costs one lookup per batch.
class PatternCursor {
 public:
  PatternCursor(KernelArguments arguments, size_t flags_argument, bool allow_global)
      : arguments_(arguments), flags_argument_(flags_argument), allow_global_(allow_global) {}

  const RE2& At(size_t i) {
    const core::StringRef& pattern = arguments_[1]->data<core::StringRef>()[i];
    core::StringRef flags_text;
    if (arguments_.size() > flags_argument_) {
      flags_text = arguments_[flags_argument_]->data<core::StringRef>()[i];
    }
    if (regex_ == nullptr || !(pattern == pattern_) || !(flags_text == flags_text_)) {
      flags_ = ParseFlags(flags_text.view(), allow_global_);
      regex_ = &Compile(pattern.view(), flags_.case_insensitive);
      pattern_ = pattern;
      flags_text_ = flags_text;
    }
    return *regex_;
  }
  const RegexFlags& flags() const { return flags_; }

 private:
  KernelArguments arguments_;
  size_t flags_argument_;
  bool allow_global_;
  const RE2* regex_ = nullptr;
  core::StringRef pattern_;
  core::StringRef flags_text_;
  RegexFlags flags_;
};

re2::StringPiece Piece(std::string_view text) { return {text.data(), text.size()}; }

// regexp_matches(text, pattern [, flags]): true when the pattern matches anywhere in text.
void MatchesKernel(KernelArguments arguments, size_t count, core::Vector& result) {
  PatternCursor cursor(arguments, 2, false);
  uint8_t* output = result.data<uint8_t>();
  ForEachValidRow(result, count, [&](size_t i) {
    output[i] = RE2::PartialMatch(Piece(StringAt(*arguments[0], i)), cursor.At(i));
  });
}

// Turns a PostgreSQL replacement (\1..\9, \& for the whole match) into RE2's (\0..\9).
std::string Rewrite(std::string_view replacement) {
  std::string rewrite;
  for (size_t k = 0; k < replacement.size(); ++k) {
    if (replacement[k] == '\\' && k + 1 < replacement.size()) {
      char next = replacement[++k];
      if (next == '&')
        rewrite += "\\0";
      else if (next >= '0' && next <= '9')
        rewrite += {'\\', next};
      else
        rewrite += next == '\\' ? std::string("\\\\") : std::string(1, next);
    } else {
      rewrite += replacement[k] == '\\' ? std::string("\\\\") : std::string(1, replacement[k]);
    }
  }
  return rewrite;
}

// regexp_replace(text, pattern, replacement [, flags]): the first match, or all with 'g'.
void ReplaceKernel(KernelArguments arguments, size_t count, core::Vector& result) {
  PatternCursor cursor(arguments, 3, true);
  std::string buffer;
  std::string rewrite;
  core::StringRef rewrite_for;
  bool have_rewrite = false;
  ForEachValidRow(result, count, [&](size_t i) {
    const RE2& regex = cursor.At(i);
    const core::StringRef& replacement = arguments[2]->data<core::StringRef>()[i];
    if (!have_rewrite || !(replacement == rewrite_for)) {
      rewrite = Rewrite(replacement.view());
      rewrite_for = replacement;
      have_rewrite = true;
    }
    buffer.assign(StringAt(*arguments[0], i));
    if (cursor.flags().global) {
      RE2::GlobalReplace(&buffer, regex, Piece(rewrite));
    } else {
      RE2::Replace(&buffer, regex, Piece(rewrite));
    }
    result.SetString(i, buffer);
  });
}

// regexp_extract(text, pattern [, group]): the group (0 = whole match) of the first match, or ''.
void ExtractKernel(KernelArguments arguments, size_t count, core::Vector& result) {
  PatternCursor cursor(arguments, 3, false);
  std::vector<re2::StringPiece> groups;
  ForEachValidRow(result, count, [&](size_t i) {
    const RE2& regex = cursor.At(i);
    int64_t group = arguments.size() > 2 ? arguments[2]->data<int64_t>()[i] : 0;
    if (group < 0 || group > regex.NumberOfCapturingGroups()) {
      Throw<DataError>("regexp_extract group {} out of range for pattern '{}'", group,
                       regex.pattern());
    }
    std::string_view text = StringAt(*arguments[0], i);
    groups.resize(group + 1);
    bool found = regex.Match(Piece(text), 0, text.size(), RE2::UNANCHORED, groups.data(),
                             static_cast<int>(group + 1));
    const re2::StringPiece& piece = groups[group];
    result.SetString(i, found && piece.data() != nullptr
                            ? std::string_view(piece.data(), piece.size())
                            : std::string_view());
  });
}

}  // namespace

void AddRegexFunctions(ScalarFunctionRegistry& registry) {
  constexpr TypeId kText = TypeId::kVarchar;
  registry.Add({"regexp_matches", {kText, kText}, TypeId::kBoolean, &MatchesKernel});
  registry.Add({"regexp_matches", {kText, kText, kText}, TypeId::kBoolean, &MatchesKernel});
  registry.Add({"regexp_replace", {kText, kText, kText}, kText, &ReplaceKernel});
  registry.Add({"regexp_replace", {kText, kText, kText, kText}, kText, &ReplaceKernel});
  registry.Add({"regexp_extract", {kText, kText}, kText, &ExtractKernel});
  registry.Add({"regexp_extract", {kText, kText, TypeId::kBigint}, kText, &ExtractKernel});
}

}  // namespace sluice::exec
