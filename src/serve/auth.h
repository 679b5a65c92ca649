#pragma once

// Who sends a request (a bearer token of sluice.yaml) and what it may do (its scopes).

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "serve/http.h"
#include "serve/serve_config.h"

namespace sluice::serve {

/// Is the value of the `WWW-Authenticate` header that goes with a 401 from Authenticate.
inline constexpr char kBearerChallenge[] = "Bearer realm=\"sluice\"";

/// Is the sender of a request: a configured token, or everyone when no token is configured.
struct Principal {
  std::string name;                 // the token's name; "anonymous" without authentication
  std::vector<std::string> scopes;  // as configured; {"*"} without authentication
};

/// Returns the lower-case hex SHA-256 of `data` (64 digits).
std::string Sha256Hex(std::string_view data);

/// Authenticates requests by `Authorization: Bearer <secret>` against the tokens of a
/// ServeConfig (SHA-256 of the secret compared in constant time with every token's hash) and
/// checks scopes. Immutable after construction, so thread-safe.
class Authorizer {
 public:
  /// Makes an authorizer for `config.tokens`, reading and hashing the secrets of `env` tokens
  /// now. Throws UserError naming the token and variable when such a variable is unset or
  /// empty.
  explicit Authorizer(const ServeConfig& config);

  /// Returns true when requests must carry a token (some token is configured).
  bool enabled() const { return !tokens_.empty(); }
  /// Returns the principal that sent `request`: the token whose secret it carries, or, when
  /// no token is configured, "anonymous" with every scope. Throws HttpError 401 (to be sent
  /// with `WWW-Authenticate: ` kBearerChallenge) when the header is missing, is not a bearer
  /// token, or names no configured token.
  Principal Authenticate(const HttpRequest& request) const;
  /// Returns true when `principal` holds `scope` itself, a wildcard over it (`read:*` covers
  /// `read:x`, `predict:*` covers `predict:x`) or `*` (which covers every scope, `pii` too).
  static bool Allows(const Principal& principal, std::string_view scope);
  /// Throws HttpError 403 naming `scope` and the principal unless Allows.
  static void Require(const Principal& principal, std::string_view scope);

 private:
  using Digest = std::array<uint8_t, 32>;
  struct Token {
    std::string name;
    Digest digest;
    std::vector<std::string> scopes;
  };

  std::vector<Token> tokens_;
};

}  // namespace sluice::serve
