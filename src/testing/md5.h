#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::testing {

/// Computes an MD5 digest incrementally (RFC 1321), as sqllogictest hashes query results.
/// MD5 is used here only to compare result sets with published test files, never for security.
class Md5 {
 public:
  Md5();

  /// Adds `bytes` to the message.
  void Update(std::string_view bytes);
  /// Returns the digest as 32 lowercase hex digits. REQUIRES: called at most once.
  std::string FinishHex();

 private:
  void Transform(const uint8_t* block);

  std::array<uint32_t, 4> state_;
  std::array<uint8_t, 64> buffer_{};
  uint64_t num_bytes_ = 0;
};

/// Returns the MD5 digest of `bytes` as 32 lowercase hex digits.
std::string Md5Hex(std::string_view bytes);

}  // namespace sluice::testing
