#pragma once

#include <cstdint>

namespace sluice::io::postgres {

// Type OIDs of PostgreSQL's built-in types (fixed since PostgreSQL 7; see pg_type.dat).
inline constexpr uint32_t kBoolOid = 16;
inline constexpr uint32_t kCharOid = 18;
inline constexpr uint32_t kNameOid = 19;
inline constexpr uint32_t kInt8Oid = 20;
inline constexpr uint32_t kInt2Oid = 21;
inline constexpr uint32_t kInt4Oid = 23;
inline constexpr uint32_t kTextOid = 25;
inline constexpr uint32_t kOidOid = 26;
inline constexpr uint32_t kJsonOid = 114;
inline constexpr uint32_t kXmlOid = 142;
inline constexpr uint32_t kFloat4Oid = 700;
inline constexpr uint32_t kFloat8Oid = 701;
inline constexpr uint32_t kBpcharOid = 1042;
inline constexpr uint32_t kVarcharOid = 1043;
inline constexpr uint32_t kDateOid = 1082;
inline constexpr uint32_t kTimestampOid = 1114;
inline constexpr uint32_t kTimestampTzOid = 1184;
inline constexpr uint32_t kNumericOid = 1700;
inline constexpr uint32_t kUuidOid = 2950;
inline constexpr uint32_t kJsonbOid = 3802;

}  // namespace sluice::io::postgres
