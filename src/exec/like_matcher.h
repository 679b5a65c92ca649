#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sluice::exec {

/// Is a compiled SQL LIKE pattern: `%` matches any run of characters, `_` exactly one UTF-8
/// code point, and the escape character (default `\`, none when 0) makes the next character
/// literal. Case-insensitive matching (ILIKE) folds ASCII letters only. Not thread-safe: it
/// keeps a scratch buffer.
class LikeMatcher {
 public:
  /// Compiles `pattern`; throws DataError when it ends with the escape character.
  LikeMatcher(std::string_view pattern, char escape, bool case_insensitive);

  /// Returns true when the whole of `text` matches the pattern.
  bool Matches(std::string_view text) const;

 private:
  // A run of the pattern between two `%`: literal bytes, with `any` marking `_` positions.
  struct Segment {
    std::string bytes;
    std::vector<bool> any;
    bool has_any = false;
  };

  // Returns the end of `segment` matched at text[at], or npos.
  static size_t MatchAt(const Segment& segment, std::string_view text, size_t at);
  // Returns the end of the leftmost match of `segment` at or after text[from], or npos.
  static size_t Find(const Segment& segment, std::string_view text, size_t from);
  bool MatchesFolded(std::string_view text) const;

  std::vector<Segment> segments_;
  bool has_percent_ = false;
  bool case_insensitive_;
  mutable std::string folded_;
};

}  // namespace sluice::exec
