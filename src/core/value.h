#pragma once

#include <cstdint>
#include <string>

#include "core/types.h"

namespace sluice::core {

/// Is one typed scalar that may be NULL: constants, test data, printing. Not for hot loops.
class Value {
 public:
  static Value Null(TypeId type);
  static Value Boolean(bool value);
  static Value Integer(int32_t value);
  static Value Bigint(int64_t value);
  static Value Double(double value);
  static Value Varchar(std::string value);
  static Value Date(int32_t days);
  static Value Timestamp(int64_t micros);

  TypeId type() const { return type_; }
  bool is_null() const { return is_null_; }

  /// Returns the payload. REQUIRES: not NULL and of a matching type.
  bool GetBoolean() const { return integer_ != 0; }
  int64_t GetInt64() const { return integer_; }
  double GetDouble() const { return double_; }
  const std::string& GetString() const { return string_; }

  /// Returns the value cast to `target` (PostgreSQL rules); throws DataError when it cannot.
  Value CastTo(TypeId target) const;
  /// Returns the text form: NULL as "NULL", dates ISO, doubles in shortest round-trip form.
  std::string ToString() const;

  /// Compares type, nullness and payload exactly (NULL equals NULL here).
  friend bool operator==(const Value& left, const Value& right);

 private:
  Value(TypeId type, bool is_null) : type_(type), is_null_(is_null) {}

  TypeId type_;
  bool is_null_;
  int64_t integer_ = 0;
  double double_ = 0;
  std::string string_;
};

/// Formats a double the way Sluice prints it everywhere: shortest text that round-trips.
std::string FormatDouble(double value);

}  // namespace sluice::core
