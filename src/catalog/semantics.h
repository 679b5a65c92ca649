#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "catalog/column_profile.h"

namespace sluice::catalog {

/// Is what a column's values mean, beyond their storage type.
enum class SemanticType {
  kUnknown,
  kEmail,
  kUrl,
  kUuid,
  kIpv4,
  kIpv6,
  kPhone,
  kPostalCode,
  kCountryCode,
  kCurrencyCode,
  kLatitude,
  kLongitude,
  kDateTimeText,    // dates or timestamps stored as text
  kIdentifier,      // unique key
  kForeignKeyCode,  // short repeated codes that look like keys of another dataset
  kCategorical,
  kFreeText,
  kBooleanLike,
  kMeasure,
  kMoney,
  kPersonName,
  kBirthDate,
};

/// Returns the name used in the catalog and in SQL ("email", "postal_code", "foreign_key", ...).
std::string_view SemanticTypeName(SemanticType type);

/// Is the semantic type of one column, how sure the rules are (0..1), and whether the column
/// holds personal data (PII) with the reason ("email address", "postal code with birth date").
struct ColumnSemantics {
  SemanticType type = SemanticType::kUnknown;
  double confidence = 0;
  bool pii = false;
  std::string pii_reason;
};

/// Infers the semantics of every column of one dataset from names and profiles; PII that
/// only identifies in combination (postal code with a birth date) is flagged here.
std::vector<ColumnSemantics> InferSemantics(const std::vector<ColumnProfile>& columns);

}  // namespace sluice::catalog
