#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/column_profile.h"
#include "catalog/semantics.h"

namespace sluice::catalog {

/// Are the kinds of values a column holds, as bits of a set: its storage type's kind, plus the
/// kind its text parses as when it is VARCHAR.
inline constexpr uint8_t kKindText = 1;
inline constexpr uint8_t kKindInteger = 2;
inline constexpr uint8_t kKindDecimal = 4;
inline constexpr uint8_t kKindTemporal = 8;
inline constexpr uint8_t kKindBoolean = 16;
inline constexpr uint8_t kKindNumeric = kKindInteger | kKindDecimal;

/// Is what the rules look at in one column: its profile, its name split into lower-case words
/// (`zip_code` and `zipCode` → zip, code), its kinds and the values to test (the sample, else
/// the top values).
struct ColumnFacts {
  const ColumnProfile& profile;
  std::vector<std::string> words = {};
  uint8_t kinds = 0;
  std::vector<std::string_view> values = {};
  double unique_share = 0;  // distinct / non_null, at most 1
  // Lengths of the values' text: the profile's, else measured on `values` (in bytes).
  int64_t min_length = 0;
  int64_t max_length = 0;
  double mean_length = 0;
};

/// Says whether a name hint is enough on its own or only adds to what the values say.
enum class NameUse : uint8_t {
  kBonus,     // values alone decide; a matching name raises the confidence
  kRequired,  // the rule applies only to columns whose name matches
};

/// Is an inclusive range of numbers.
struct NumberRange {
  double low;
  double high;
};

inline constexpr NumberRange kAnyNumber{-std::numeric_limits<double>::infinity(),
                                        std::numeric_limits<double>::infinity()};

using ValueCheck = bool (*)(std::string_view text);
using ColumnCheck = bool (*)(const ColumnFacts& facts);

/// Is one row of the rule table. A rule applies when the column has one of `kinds`, no word of
/// `avoid_words`, a name matching `name_hints` if `name_use` requires it, passes `column_check`,
/// and at least `min_share` of its values pass `value_check` (and, when `range` is not
/// kAnyNumber, are numbers in it, as are the column's min and max).
/// `name_hints` lists alternatives separated by spaces; words joined by '+' must all occur
/// ("first+name" matches `name_first`).
struct SemanticRule {
  SemanticType type = SemanticType::kUnknown;
  uint8_t kinds = 0;
  std::string_view name_hints = {};
  NameUse name_use = NameUse::kBonus;
  std::string_view avoid_words = {};
  ValueCheck value_check = nullptr;  // null: no test on single values
  NumberRange range = kAnyNumber;
  double min_share = 0.9;
  ColumnCheck column_check = nullptr;  // null: no test on the whole column
  double confidence = 0;               // when the values (and a required name) agree
  std::string_view pii = {};           // why the type is personal data; empty when it is not
};

/// Returns the rule table, most specific rules first (on equal confidence the earlier wins).
std::span<const SemanticRule> SemanticRules();

/// Is a PII flag given by the column name alone, for a column whose type is not already PII.
struct PiiNameRule {
  std::string_view name_hints;
  std::string_view avoid_words;
  uint8_t kinds;
  std::string_view reason;
};

/// Returns the PII rules that look at names only (street addresses).
std::span<const PiiNameRule> PiiNameRules();

/// Returns true when `words` match one alternative of `hints` (syntax of SemanticRule).
bool MatchesHints(const std::vector<std::string>& words, std::string_view hints);

/// Returns the number a whole text spells (plain decimal or scientific notation), if finite.
std::optional<double> ParseNumber(std::string_view text);

// Value checks, exposed for tests; each tests one value's whole text.
bool IsEmail(std::string_view text);
bool IsUrl(std::string_view text);
bool IsUuid(std::string_view text);
bool IsIpv4(std::string_view text);
bool IsIpv6(std::string_view text);
bool IsFormattedPhone(std::string_view text);
bool IsPostalCode(std::string_view text);
bool IsCountryCode(std::string_view text);
bool IsCurrencyCode(std::string_view text);
bool IsDateTimeText(std::string_view text);
bool IsMoneyText(std::string_view text);
bool IsPersonNameText(std::string_view text);

}  // namespace sluice::catalog
