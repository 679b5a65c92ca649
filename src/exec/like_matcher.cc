#include "exec/like_matcher.h"

#include "base/error.h"
#include "exec/utf8.h"

namespace sluice::exec {
namespace {

char FoldAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

LikeMatcher::LikeMatcher(std::string_view pattern, char escape, bool case_insensitive)
    : case_insensitive_(case_insensitive) {
  segments_.emplace_back();
  for (size_t at = 0; at < pattern.size(); ++at) {
    char c = pattern[at];
    Segment& segment = segments_.back();
    if (escape != 0 && c == escape) {
      if (++at == pattern.size()) {
        Throw<DataError>("LIKE pattern must not end with escape character: '{}'", pattern);
      }
      segment.bytes += case_insensitive ? FoldAscii(pattern[at]) : pattern[at];
      segment.any.push_back(false);
    } else if (c == '%') {
      // The first segment stays the anchored prefix even when empty; `%%` is one `%`.
      if (!has_percent_ || !segment.bytes.empty()) segments_.emplace_back();
      has_percent_ = true;
    } else {
      segment.bytes += case_insensitive ? FoldAscii(c) : c;
      segment.any.push_back(c == '_');
      segment.has_any |= c == '_';
    }
  }
  // A trailing `%` leaves an empty last segment, which anchors trivially at the end.
}

size_t LikeMatcher::MatchAt(const Segment& segment, std::string_view text, size_t at) {
  if (!segment.has_any) {
    return text.substr(at).starts_with(segment.bytes) ? at + segment.bytes.size()
                                                      : std::string_view::npos;
  }
  for (size_t k = 0; k < segment.bytes.size(); ++k) {
    if (at >= text.size()) return std::string_view::npos;
    if (segment.any[k]) {
      at += CodePointLength(text, at);
    } else if (text[at++] != segment.bytes[k]) {
      return std::string_view::npos;
    }
  }
  return at;
}

size_t LikeMatcher::Find(const Segment& segment, std::string_view text, size_t from) {
  if (!segment.has_any) {
    size_t found = text.find(segment.bytes, from);
    return found == std::string_view::npos ? found : found + segment.bytes.size();
  }
  for (size_t at = from; at <= text.size(); ++at) {
    size_t end = MatchAt(segment, text, at);
    if (end != std::string_view::npos) return end;
  }
  return std::string_view::npos;
}

bool LikeMatcher::Matches(std::string_view text) const {
  if (!case_insensitive_) return MatchesFolded(text);
  folded_.assign(text);
  for (char& c : folded_) c = FoldAscii(c);
  return MatchesFolded(folded_);
}

bool LikeMatcher::MatchesFolded(std::string_view text) const {
  const size_t npos = std::string_view::npos;
  if (!has_percent_) return MatchAt(segments_[0], text, 0) == text.size();
  // The first segment is anchored at the start, the last at the end; the ones between are
  // matched leftmost-first, which is optimal because each consumes a fixed number of points.
  size_t at = MatchAt(segments_.front(), text, 0);
  if (at == npos) return false;
  size_t last = segments_.size() - 1;
  for (size_t k = 1; k < last; ++k) {
    at = Find(segments_[k], text, at);
    if (at == npos) return false;
  }
  const Segment& tail = segments_.back();
  if (last == 0 || tail.bytes.empty()) return true;
  // Try the tail at each start that ends exactly at the text's end (once, if no `_`).
  if (!tail.has_any) {
    return text.size() >= at + tail.bytes.size() && text.ends_with(tail.bytes);
  }
  for (size_t start = at; start <= text.size(); ++start) {
    if (MatchAt(tail, text, start) == text.size()) return true;
  }
  return false;
}

}  // namespace sluice::exec
