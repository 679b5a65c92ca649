#include "serve/serve_config.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <type_traits>

#include <yaml-cpp/yaml.h>

#include "base/error.h"
#include "base/strings.h"
#include "base/yaml_section.h"
#include "notebook/schedule_config.h"

namespace sluice::serve {
namespace {

namespace fs = std::filesystem;

constexpr char kServeKeys[] =
    "listen, max_body, request_timeout, max_rows, cors_origins, tls, trust_forwarded_headers "
    "or tokens";

bool AllDigits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
}

// Splits "host:port" or "[v6]:port" into the host (brackets kept) and the port text.
bool SplitListen(std::string_view listen, std::string_view& host, std::string_view& port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  host = listen.substr(0, colon);
  port = listen.substr(colon + 1);
  if (host.front() == '[') return host.back() == ']' && host.size() > 2;
  return host.find(':') == std::string_view::npos;
}

bool IsLoopbackIpv4(std::string_view host) {
  if (!host.starts_with("127.")) return false;
  int parts = 0;
  for (size_t start = 0; start <= host.size(); ++parts) {
    size_t dot = std::min(host.find('.', start), host.size());
    std::string_view part = host.substr(start, dot - start);
    if (!AllDigits(part) || part.size() > 3 || std::stoi(std::string(part)) > 255) return false;
    start = dot + 1;
  }
  return parts == 4;
}

// Returns true for the scopes Authorizer understands.
bool IsKnownScope(std::string_view scope) {
  if (scope == "*" || scope == "pii") return true;
  for (std::string_view prefix : {"read:", "predict:"}) {
    if (!scope.starts_with(prefix) || scope.size() == prefix.size()) continue;
    std::string_view name = scope.substr(prefix.size());
    return std::none_of(name.begin(), name.end(),
                        [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
  }
  return false;
}

bool IsEnvironmentName(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// Reads one YAML document's `serve:` section, naming the file and line in every error.
class ServeReader {
 public:
  explicit ServeReader(const std::string& path) : path_(path) {}

  ServeConfig Read(const YAML::Node& serve) {
    if (!serve.IsMap()) Fail(serve, "'serve' must be a mapping");
    ServeConfig config;
    int listen_line = serve.Mark().line + 1;
    for (const auto& item : serve) {
      std::string key = Text(item.first, "a key");
      if (key == "listen") listen_line = item.second.Mark().line + 1;
      ReadKey(key, item.first, item.second, config);
    }
    if (!config.auth_enabled() && !IsLoopbackListen(config.listen)) {
      Throw<UserError>(
          "{}:{}: serve.listen is {}, which is not a loopback address, but serve.tokens is "
          "empty: every result would be open to anyone who can reach it. Add tokens (make a "
          "hash with `sluice token hash`) or listen on 127.0.0.1",
          path_, listen_line, config.listen);
    }
    return config;
  }

 private:
  void ReadKey(const std::string& key, const YAML::Node& key_node, const YAML::Node& value,
               ServeConfig& config) {
    if (key == "listen") {
      config.listen = Listen(value);
    } else if (key == "max_body") {
      config.max_body_bytes = Converted(value, key, ParseByteSize);
    } else if (key == "request_timeout") {
      config.request_timeout = Converted(value, key, notebook::ParseDuration);
      if (config.request_timeout.count() == 0) Fail(value, "'request_timeout' must be above 0");
    } else if (key == "max_rows") {
      config.max_rows = Integer(value, key, 1);
    } else if (key == "cors_origins") {
      config.cors_origins = Origins(value);
    } else if (key == "tls") {
      config.tls = Tls(value);
    } else if (key == "trust_forwarded_headers") {
      config.trust_forwarded_headers = Boolean(value, key);
    } else if (key == "tokens") {
      config.tokens = Tokens(value);
    } else {
      Fail(key_node, fmt::format("unknown key '{}' in serve (expected {})", key, kServeKeys));
    }
  }

  [[noreturn]] void Fail(const YAML::Node& node, std::string_view message) const {
    Throw<UserError>("{}:{}: {}", path_, node.Mark().line + 1, message);
  }

  std::string Text(const YAML::Node& node, std::string_view what) const {
    if (!node.IsScalar()) Fail(node, fmt::format("expected {} as text", what));
    return node.Scalar();
  }

  int64_t Integer(const YAML::Node& node, std::string_view key, int64_t min) const {
    std::string text = node.IsScalar() ? node.Scalar() : std::string();
    int64_t value = 0;
    try {
      value = node.as<int64_t>();
    } catch (const YAML::Exception&) {
      Fail(node, fmt::format("'{}' must be a whole number, not '{}'", key, text));
    }
    if (value < min) Fail(node, fmt::format("'{}' must be at least {}, not {}", key, min, value));
    return value;
  }

  bool Boolean(const YAML::Node& node, std::string_view key) const {
    std::string text = node.IsScalar() ? node.Scalar() : std::string();
    if (EqualsIgnoreCase(text, "true")) return true;
    if (EqualsIgnoreCase(text, "false")) return false;
    Fail(node, fmt::format("'{}' must be true or false, not '{}'", key, text));
  }

  // Returns `parse` of the node's text, its UserError naming the line and the key.
  template <typename Parse>
  std::invoke_result_t<Parse, std::string_view> Converted(const YAML::Node& node,
                                                          std::string_view key, Parse parse) const {
    std::string text = Text(node, fmt::format("'{}'", key));
    try {
      return parse(text);
    } catch (const UserError& error) {
      Fail(node, fmt::format("'{}': {}", key, error.what()));
    }
  }

  std::string Listen(const YAML::Node& node) const {
    std::string listen = Text(node, "'listen' (host:port)");
    std::string_view host, port;
    if (!SplitListen(listen, host, port) || !AllDigits(port) || port.size() > 5 ||
        std::stoi(std::string(port)) > 65535) {
      Fail(node, fmt::format("'listen' must be host:port (127.0.0.1:7070, [::1]:7070, "
                             "0.0.0.0:8080), not '{}'",
                             listen));
    }
    return listen;
  }

  std::vector<std::string> Origins(const YAML::Node& node) const {
    std::vector<std::string> origins;
    if (node.IsNull()) return origins;
    if (node.IsScalar()) origins.push_back(node.Scalar());
    if (node.IsSequence()) {
      for (const auto& origin : node) origins.push_back(Text(origin, "an origin"));
    }
    if (!node.IsScalar() && !node.IsSequence()) Fail(node, "'cors_origins' must be a list");
    for (const std::string& origin : origins) {
      bool web = origin.starts_with("http://") || origin.starts_with("https://");
      size_t host = origin.find("//") + 2;
      if (origin == "*") continue;
      if (!web || origin.size() == host || origin.find('/', host) != std::string::npos) {
        Fail(node, fmt::format("bad origin '{}' in cors_origins (expected \"*\" or "
                               "scheme://host[:port] without a path, like "
                               "https://app.example.com)",
                               origin));
      }
    }
    return origins;
  }

  TlsConfig Tls(const YAML::Node& node) const {
    if (!node.IsMap()) Fail(node, "'tls' must be a mapping {cert: FILE, key: FILE}");
    TlsConfig tls;
    for (const auto& item : node) {
      std::string key = Text(item.first, "a key");
      std::string* file = key == "cert" ? &tls.cert : key == "key" ? &tls.key : nullptr;
      if (file == nullptr) Fail(item.first, fmt::format("unknown key '{}' in tls", key));
      *file = Resolve(Text(item.second, fmt::format("'tls.{}'", key)));
    }
    if (tls.cert.empty() || tls.key.empty()) Fail(node, "'tls' needs both 'cert' and 'key'");
    return tls;
  }

  std::string Resolve(const std::string& file) const {
    fs::path relative(file);
    if (relative.is_absolute()) return file;
    return (fs::path(path_).parent_path() / relative).lexically_normal().string();
  }

  std::vector<TokenConfig> Tokens(const YAML::Node& node) const {
    std::vector<TokenConfig> tokens;
    if (node.IsNull()) return tokens;
    if (!node.IsSequence()) Fail(node, "'tokens' must be a list of token entries");
    std::map<std::string, int> names;   // name -> line
    std::map<std::string, int> hashes;  // sha256 -> line
    for (const auto& entry : node) {
      TokenConfig token = Token(entry);
      if (auto [it, added] = names.emplace(token.name, token.line); !added) {
        Fail(entry,
             fmt::format("token '{}' is listed twice (first at line {})", token.name, it->second));
      }
      if (!token.sha256.empty()) {
        if (auto [it, added] = hashes.emplace(token.sha256, token.line); !added) {
          Fail(entry, fmt::format("token '{}' has the same sha256 as the token at line {}",
                                  token.name, it->second));
        }
      }
      tokens.push_back(std::move(token));
    }
    return tokens;
  }

  TokenConfig Token(const YAML::Node& entry) const {
    if (!entry.IsMap()) Fail(entry, "a token entry must be a mapping with 'name:'");
    TokenConfig token;
    token.line = entry.Mark().line + 1;
    for (const auto& item : entry) {
      std::string key = Text(item.first, "a key");
      ReadTokenKey(key, item.first, item.second, token);
    }
    if (token.name.empty()) Fail(entry, "a token entry needs 'name: NAME'");
    if (token.sha256.empty() == token.env.empty()) {
      Fail(entry, fmt::format("token '{}' needs exactly one of 'sha256' (the hash of its "
                              "secret) and 'env' (a variable holding the secret)",
                              token.name));
    }
    if (token.scopes.empty()) {
      Fail(entry, fmt::format("token '{}' needs 'scopes' (read:<result>, read:*, "
                              "predict:<model>, predict:*, pii or *)",
                              token.name));
    }
    return token;
  }

  void ReadTokenKey(const std::string& key, const YAML::Node& key_node, const YAML::Node& value,
                    TokenConfig& token) const {
    if (key == "name") {
      token.name = Text(value, "'name'");
    } else if (key == "sha256") {
      token.sha256 = Sha256(value);
    } else if (key == "env") {
      token.env = Text(value, "'env'");
      if (!IsEnvironmentName(token.env)) {
        Fail(value, fmt::format("'env' must name an environment variable, not '{}'", token.env));
      }
    } else if (key == "scopes") {
      token.scopes = Scopes(value);
    } else {
      Fail(key_node, fmt::format("unknown key '{}' in a token entry (expected name, sha256, "
                                 "env or scopes)",
                                 key));
    }
  }

  std::string Sha256(const YAML::Node& node) const {
    std::string hash = Text(node, "'sha256'");
    std::transform(hash.begin(), hash.end(), hash.begin(),
                   [](char c) { return static_cast<char>(std::tolower(c)); });
    bool hex = std::all_of(hash.begin(), hash.end(),
                           [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
    if (hash.size() != 64 || !hex) {
      Fail(node,
           "'sha256' must be 64 hex digits: the SHA-256 of the secret, as `sluice token "
           "hash` prints it (never the secret itself)");
    }
    return hash;
  }

  std::vector<std::string> Scopes(const YAML::Node& node) const {
    std::vector<std::string> scopes;
    if (node.IsScalar()) scopes.push_back(node.Scalar());
    if (node.IsSequence()) {
      for (const auto& scope : node) scopes.push_back(Text(scope, "a scope"));
    }
    if (!node.IsScalar() && !node.IsSequence()) Fail(node, "'scopes' must be a list of scopes");
    for (const std::string& scope : scopes) {
      if (IsKnownScope(scope)) continue;
      Fail(node, fmt::format("unknown scope '{}' (expected read:<result>, read:*, "
                             "predict:<model>, predict:*, pii or *)",
                             scope));
    }
    return scopes;
  }

  const std::string& path_;
};

}  // namespace

size_t ParseByteSize(std::string_view text) {
  constexpr size_t kMax = size_t{1} << 30;
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  std::string_view unit = text.substr(digits);
  size_t scale = unit == "B"    ? 1
                 : unit == "KB" ? size_t{1} << 10
                 : unit == "MB" ? size_t{1} << 20
                 : unit == "GB" ? size_t{1} << 30
                                : 0;
  if (digits == 0 || digits > 10 || scale == 0) {
    Throw<UserError>("bad size '{}' (expected a whole number with B, KB, MB or GB: 512KB, 1MB)",
                     text);
  }
  size_t size = std::stoull(std::string(text.substr(0, digits))) * scale;
  if (size == 0 || size > kMax) Throw<UserError>("bad size '{}' (from 1B to 1GB)", text);
  return size;
}

bool IsLoopbackListen(std::string_view listen) {
  std::string_view host, port;
  if (!SplitListen(listen, host, port)) return false;
  return host == "localhost" || host == "[::1]" || IsLoopbackIpv4(host);
}

ServeConfig ParseServeConfig(std::string_view yaml_text, const std::string& path) {
  YAML::Node section = YamlSection(yaml_text, path, "serve");
  if (section.IsNull()) return {};
  return ServeReader(path).Read(section);
}

ServeConfig ReadServeConfig(const std::string& workspace) {
  std::string path;
  YAML::Node section = WorkspaceYamlSection(workspace, "serve", path);
  if (section.IsNull()) return {};
  return ServeReader(path).Read(section);
}

}  // namespace sluice::serve
