#include "serve/auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cctype>
#include <cstdlib>

#include "base/error.h"
#include "base/strings.h"

namespace sluice::serve {
namespace {

// Returns the secret of an "Authorization: Bearer <secret>" header; throws HttpError 401.
std::string BearerSecret(const HttpRequest& request) {
  std::string value = request.Header("authorization");
  std::string_view header = TrimSpace(value);
  if (header.empty()) {
    throw HttpError(401,
                    "authentication required: send the header 'Authorization: Bearer <token>'");
  }
  constexpr std::string_view kScheme = "bearer";
  bool bearer = header.size() > kScheme.size() &&
                EqualsIgnoreCase(header.substr(0, kScheme.size()), kScheme) &&
                std::isspace(static_cast<unsigned char>(header[kScheme.size()]));
  std::string_view secret = bearer ? TrimSpace(header.substr(kScheme.size())) : std::string_view();
  if (secret.empty()) {
    throw HttpError(401, "the Authorization header must be 'Bearer <token>'");
  }
  return std::string(secret);
}

std::array<uint8_t, 32> Sha256(std::string_view data) {
  std::array<uint8_t, 32> digest{};
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1 ||
      size != digest.size()) {
    throw InternalError("OpenSSL could not compute a SHA-256 digest");
  }
  return digest;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  return std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
}

// REQUIRES: `hex` is 64 hex digits (ParseServeConfig checks it).
std::array<uint8_t, 32> FromHex(std::string_view hex) {
  SLUICE_CHECK(hex.size() == 64);
  std::array<uint8_t, 32> digest{};
  for (size_t i = 0; i < digest.size(); ++i) {
    digest[i] = static_cast<uint8_t>(HexDigit(hex[2 * i]) * 16 + HexDigit(hex[2 * i + 1]));
  }
  return digest;
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (uint8_t byte : Sha256(data)) {
    hex += kDigits[byte >> 4];
    hex += kDigits[byte & 15];
  }
  return hex;
}

Authorizer::Authorizer(const ServeConfig& config) {
  for (const TokenConfig& token : config.tokens) {
    Digest digest{};
    if (token.env.empty()) {
      digest = FromHex(token.sha256);
    } else {
      const char* secret = std::getenv(token.env.c_str());
      if (secret == nullptr || *secret == '\0') {
        Throw<UserError>(
            "sluice.yaml:{}: token '{}' takes its secret from the environment variable {}, "
            "which is not set",
            token.line, token.name, token.env);
      }
      digest = Sha256(secret);
    }
    tokens_.push_back({token.name, digest, token.scopes});
  }
}

Principal Authorizer::Authenticate(const HttpRequest& request) const {
  if (tokens_.empty()) return {"anonymous", {"*"}};
  Digest digest = Sha256(BearerSecret(request));
  // Every token is compared, each in constant time, so the time taken says nothing about
  // which token (if any) matched or how much of a hash did.
  const Token* match = nullptr;
  for (const Token& token : tokens_) {
    bool equal = CRYPTO_memcmp(digest.data(), token.digest.data(), digest.size()) == 0;
    if (equal && match == nullptr) match = &token;
  }
  if (match == nullptr) throw HttpError(401, "unknown bearer token");
  return {match->name, match->scopes};
}

bool Authorizer::Allows(const Principal& principal, std::string_view scope) {
  for (std::string_view granted : principal.scopes) {
    if (granted == scope || granted == "*") return true;
    if (granted.ends_with(":*")) {
      std::string_view prefix = granted.substr(0, granted.size() - 1);  // "read:"
      if (scope.size() > prefix.size() && scope.starts_with(prefix)) return true;
    }
  }
  return false;
}

void Authorizer::Require(const Principal& principal, std::string_view scope) {
  if (Allows(principal, scope)) return;
  throw HttpError(403,
                  fmt::format("token '{}' does not have the scope '{}'", principal.name, scope));
}

}  // namespace sluice::serve
