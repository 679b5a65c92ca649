#pragma once

// The `serve:` section of a workspace's sluice.yaml: where and how `sluice serve` listens, and
// who may read what.
//
//   serve:
//     listen: 127.0.0.1:7070          # default; a non-loopback address needs tokens
//     max_body: 1MB                   # B, KB, MB, GB (powers of 1024)
//     request_timeout: 30s            # ms, s, m, h
//     max_rows: 10000                 # cap on limit= per request
//     cors_origins: ["https://app.example.com"]   # default none; "*" allowed
//     tls: {cert: certs/server.pem, key: certs/server.key}   # HTTPS; relative to the workspace
//     trust_forwarded_headers: false  # true: links follow X-Forwarded-Proto/-Host/-Prefix
//     tokens:                         # none: no auth (only allowed on loopback)
//       - name: dashboard
//         sha256: 9f86d0...0a08       # of the secret (`sluice token hash`)
//         scopes: [read:delays_by_state]
//       - name: ci
//         env: SLUICE_TOKEN_CI        # the secret itself, from this environment variable
//         scopes: ["read:*", "predict:*", pii]
//
// Scopes: `read:<result>`, `read:*`, `predict:<model>`, `predict:*`, `pii` (see PII columns
// unmasked) and `*` (everything).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::serve {

/// Is one entry of `serve.tokens`: exactly one of `sha256` and `env` is set.
struct TokenConfig {
  std::string name;
  std::string sha256;  // lower-case hex SHA-256 of the secret
  std::string env;     // the environment variable that holds the secret
  std::vector<std::string> scopes;
  int line = 0;  // of the entry in sluice.yaml
};

/// Is `serve.tls`: PEM files, made absolute against the folder of sluice.yaml.
struct TlsConfig {
  std::string cert;
  std::string key;
};

/// Is the `serve:` section of sluice.yaml.
struct ServeConfig {
  std::string listen = "127.0.0.1:7070";  // host:port; IPv6 hosts in brackets
  size_t max_body_bytes = size_t{1} << 20;
  std::chrono::milliseconds request_timeout{30'000};
  int64_t max_rows = 10'000;
  std::vector<std::string> cors_origins;  // "*" or scheme://host[:port]
  std::optional<TlsConfig> tls;
  /// Whether the base URL of links and of the OpenAPI document follows a request's
  /// X-Forwarded-Proto, -Host and -Prefix headers (see ForwardedBaseUrl): only behind a proxy
  /// that sets or removes them, since clients can send them too.
  bool trust_forwarded_headers = false;
  std::vector<TokenConfig> tokens;  // empty: no authentication

  /// Returns true when requests must carry a bearer token.
  bool auth_enabled() const { return !tokens.empty(); }
};

/// Parses a size: a whole number with unit B, KB, MB or GB (powers of 1024; "1MB", "512KB",
/// "4096B"), from 1 byte to 1GB. Throws UserError naming the text.
size_t ParseByteSize(std::string_view text);

/// Returns true when `listen` ("host:port") names a loopback host: localhost, 127.0.0.0/8 or
/// [::1].
bool IsLoopbackListen(std::string_view listen);

/// Returns the `serve:` section of sluice.yaml text `yaml_text` (the defaults when it has
/// none); other top-level keys are ignored. Throws UserError naming `path` and the line for
/// YAML that does not parse, an unknown key, a bad value, address, size, duration, boolean,
/// hash or scope, a token named twice or with neither or both of `sha256` and `env`, and a
/// non-loopback `listen` without tokens.
ServeConfig ParseServeConfig(std::string_view yaml_text, const std::string& path);

/// Returns the serving settings of the workspace in folder `workspace` from its sluice.yaml
/// (the defaults when there is no such file). Throws IoError when it cannot be read,
/// UserError as ParseServeConfig does.
ServeConfig ReadServeConfig(const std::string& workspace);

}  // namespace sluice::serve
