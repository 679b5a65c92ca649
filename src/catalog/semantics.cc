#include "catalog/semantics.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "catalog/semantic_rules.h"

namespace sluice::catalog {
namespace {

// A name hint with no values to test, or with values that only partly agree.
constexpr double kNameOnlyConfidence = 0.3;
constexpr double kPartialShareWeight = 0.3;
// A name hint agreeing with values that match on their own.
constexpr double kNameBonus = 0.05;
// Below this share of matching values, the values contradict a name hint.
constexpr double kContradictingShare = 0.5;
// A VARCHAR column also counts as the type its text parses as when few values fail to.
constexpr double kMaxTypeFailure = 0.1;

constexpr std::string_view kPostalWithBirthDate = "postal code with birth date (quasi-identifier)";
constexpr std::string_view kBirthDateWithPostal = "birth date with postal code (quasi-identifier)";

uint8_t KindOf(core::TypeId type) {
  switch (type) {
    case core::TypeId::kBoolean:
      return kKindBoolean;
    case core::TypeId::kInteger:
    case core::TypeId::kBigint:
      return kKindInteger;
    case core::TypeId::kDouble:
      return kKindDecimal;
    case core::TypeId::kVarchar:
      return kKindText;
    case core::TypeId::kDate:
    case core::TypeId::kTimestamp:
      return kKindTemporal;
  }
  return 0;
}

bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsWordChar(char c) {
  return IsUpper(c) || IsLower(c) || IsDigit(c) || static_cast<unsigned char>(c) >= 0x80;
}

// Splits a column name into lower-case words at other characters and at case changes
// ("zip_code", "zipCode", "ZIPCode" → zip, code); a word ending in digits also counts without
// them ("address1" → address1, address).
std::vector<std::string> SplitNameWords(std::string_view name) {
  std::vector<std::string> words;
  std::string word;
  auto flush = [&] {
    if (word.empty()) return;
    size_t letters = word.find_last_not_of("0123456789");
    words.push_back(word);
    if (letters != std::string::npos && letters + 1 < word.size()) {
      words.push_back(word.substr(0, letters + 1));
    }
    word.clear();
  };
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (!IsWordChar(c)) {
      flush();
      continue;
    }
    if (IsUpper(c) && !word.empty()) {
      char previous = name[i - 1];
      bool next_lower = i + 1 < name.size() && IsLower(name[i + 1]);
      if (IsLower(previous) || IsDigit(previous) || (IsUpper(previous) && next_lower)) flush();
    }
    word += IsUpper(c) ? static_cast<char>(c - 'A' + 'a') : c;
  }
  flush();
  return words;
}

ColumnFacts MakeFacts(const ColumnProfile& profile) {
  ColumnFacts facts{.profile = profile};
  facts.words = SplitNameWords(profile.name);
  facts.kinds = KindOf(profile.type);
  if (profile.type == core::TypeId::kVarchar && profile.type_failure_fraction <= kMaxTypeFailure) {
    facts.kinds |= KindOf(profile.inferred_type);
  }
  for (const std::string& value : profile.sample) facts.values.push_back(value);
  if (facts.values.empty()) {
    for (const ValueCount& top : profile.top_values) facts.values.push_back(top.value);
  }
  if (profile.non_null > 0) {
    facts.unique_share = std::min(1.0, profile.distinct / static_cast<double>(profile.non_null));
  }
  if (profile.min_length && profile.max_length && profile.mean_length) {
    facts.min_length = *profile.min_length;
    facts.max_length = *profile.max_length;
    facts.mean_length = *profile.mean_length;
  } else if (!facts.values.empty()) {
    auto by_size = [](std::string_view a, std::string_view b) { return a.size() < b.size(); };
    auto [shortest, longest] =
        std::minmax_element(facts.values.begin(), facts.values.end(), by_size);
    facts.min_length = static_cast<int64_t>(shortest->size());
    facts.max_length = static_cast<int64_t>(longest->size());
    double total = 0;
    for (std::string_view value : facts.values) total += static_cast<double>(value.size());
    facts.mean_length = total / static_cast<double>(facts.values.size());
  }
  return facts;
}

bool HasRange(const SemanticRule& rule) {
  return std::isfinite(rule.range.low) || std::isfinite(rule.range.high);
}

bool InRange(const SemanticRule& rule, std::string_view text) {
  std::optional<double> number = ParseNumber(text);
  return number && *number >= rule.range.low && *number <= rule.range.high;
}

bool PassesValue(const SemanticRule& rule, std::string_view value) {
  return rule.value_check(value) && (!HasRange(rule) || InRange(rule, value));
}

// Checks the column's min and max too: they cover values that the sample may have missed.
bool ExtremesInRange(const SemanticRule& rule, const ColumnProfile& profile) {
  if (!HasRange(rule)) return true;
  return (!profile.min || InRange(rule, *profile.min)) &&
         (!profile.max || InRange(rule, *profile.max));
}

// Returns how sure `rule` is of the column, or nothing when it does not apply.
std::optional<double> Score(const SemanticRule& rule, const ColumnFacts& facts) {
  if ((rule.kinds & facts.kinds) == 0 || MatchesHints(facts.words, rule.avoid_words)) {
    return std::nullopt;
  }
  bool named = MatchesHints(facts.words, rule.name_hints);
  if (rule.name_use == NameUse::kRequired && !named) return std::nullopt;
  if (!ExtremesInRange(rule, facts.profile)) return std::nullopt;
  if (rule.column_check && !rule.column_check(facts)) return std::nullopt;
  double bonus = named && rule.name_use == NameUse::kBonus ? kNameBonus : 0;
  if (!rule.value_check) return std::min(1.0, rule.confidence + bonus);
  if (facts.values.empty()) {
    if (named) return kNameOnlyConfidence;
    return std::nullopt;
  }
  auto passes = [&](std::string_view value) { return PassesValue(rule, value); };
  double matches =
      static_cast<double>(std::count_if(facts.values.begin(), facts.values.end(), passes));
  double share = matches / static_cast<double>(facts.values.size());
  if (share >= rule.min_share) return std::min(1.0, rule.confidence * share + bonus);
  if (named && share >= kContradictingShare) {
    return kNameOnlyConfidence + kPartialShareWeight * share;
  }
  return std::nullopt;
}

// Returns the reason when the column's name alone marks it as personal data.
std::optional<std::string_view> PiiByName(const ColumnFacts& facts) {
  for (const PiiNameRule& rule : PiiNameRules()) {
    if ((rule.kinds & facts.kinds) != 0 && MatchesHints(facts.words, rule.name_hints) &&
        !MatchesHints(facts.words, rule.avoid_words)) {
      return rule.reason;
    }
  }
  return std::nullopt;
}

ColumnSemantics InferColumn(const ColumnProfile& profile) {
  ColumnFacts facts = MakeFacts(profile);
  ColumnSemantics semantics;
  const SemanticRule* best = nullptr;
  for (const SemanticRule& rule : SemanticRules()) {
    std::optional<double> score = Score(rule, facts);
    if (score && *score > semantics.confidence) {
      semantics.type = rule.type;
      semantics.confidence = *score;
      best = &rule;
    }
  }
  std::optional<std::string_view> pii_reason;
  if (best != nullptr && !best->pii.empty()) {
    pii_reason = best->pii;
  } else {
    pii_reason = PiiByName(facts);
  }
  if (pii_reason) {
    semantics.pii = true;
    semantics.pii_reason = *pii_reason;
  }
  return semantics;
}

// A postal code with a birth date singles out most people (Sweeney), though neither alone does.
void FlagQuasiIdentifiers(std::vector<ColumnSemantics>& columns) {
  auto has = [&](SemanticType type) {
    return std::any_of(columns.begin(), columns.end(),
                       [&](const ColumnSemantics& column) { return column.type == type; });
  };
  if (!has(SemanticType::kBirthDate) || !has(SemanticType::kPostalCode)) return;
  for (ColumnSemantics& column : columns) {
    if (column.type == SemanticType::kPostalCode) {
      column.pii = true;
      column.pii_reason = kPostalWithBirthDate;
    } else if (column.type == SemanticType::kBirthDate) {
      column.pii_reason = kBirthDateWithPostal;
    }
  }
}

}  // namespace

std::string_view SemanticTypeName(SemanticType type) {
  switch (type) {
    case SemanticType::kUnknown:
      return "unknown";
    case SemanticType::kEmail:
      return "email";
    case SemanticType::kUrl:
      return "url";
    case SemanticType::kUuid:
      return "uuid";
    case SemanticType::kIpv4:
      return "ipv4";
    case SemanticType::kIpv6:
      return "ipv6";
    case SemanticType::kPhone:
      return "phone";
    case SemanticType::kPostalCode:
      return "postal_code";
    case SemanticType::kCountryCode:
      return "country_code";
    case SemanticType::kCurrencyCode:
      return "currency_code";
    case SemanticType::kLatitude:
      return "latitude";
    case SemanticType::kLongitude:
      return "longitude";
    case SemanticType::kDateTimeText:
      return "datetime_text";
    case SemanticType::kIdentifier:
      return "identifier";
    case SemanticType::kForeignKeyCode:
      return "foreign_key";
    case SemanticType::kCategorical:
      return "categorical";
    case SemanticType::kFreeText:
      return "free_text";
    case SemanticType::kBooleanLike:
      return "boolean_like";
    case SemanticType::kMeasure:
      return "measure";
    case SemanticType::kMoney:
      return "money";
    case SemanticType::kPersonName:
      return "person_name";
    case SemanticType::kBirthDate:
      return "birth_date";
  }
  return "unknown";
}

std::vector<ColumnSemantics> InferSemantics(const std::vector<ColumnProfile>& columns) {
  std::vector<ColumnSemantics> semantics;
  semantics.reserve(columns.size());
  for (const ColumnProfile& column : columns) semantics.push_back(InferColumn(column));
  FlagQuasiIdentifiers(semantics);
  return semantics;
}

}  // namespace sluice::catalog
