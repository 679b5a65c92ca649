#include "serve/http.h"

#include <algorithm>
#include <cctype>

#include "base/json_text.h"
#include "base/strings.h"

namespace sluice::serve {
namespace {

// Returns the first of the comma-separated values of a header (proxies append theirs).
std::string_view FirstValue(std::string_view value) {
  return TrimSpace(value.substr(0, value.find(',')));
}

bool IsAlphanumeric(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

bool IsHost(std::string_view host) {
  return !host.empty() && host.size() <= 255 && std::all_of(host.begin(), host.end(), [](char c) {
    return IsAlphanumeric(c) || std::string_view("-._~:[]").find(c) != std::string::npos;
  });
}

bool IsPathPrefix(std::string_view prefix) {
  if (prefix.empty() || prefix.front() != '/') return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = prefix[i];
    if (IsAlphanumeric(c) || std::string_view("-._~/").find(c) != std::string::npos) continue;
    bool escape = c == '%' && i + 2 < prefix.size() &&
                  std::isxdigit(static_cast<unsigned char>(prefix[i + 1])) &&
                  std::isxdigit(static_cast<unsigned char>(prefix[i + 2]));
    if (!escape) return false;
  }
  return true;
}

}  // namespace

std::string HttpRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

std::string ForwardedBaseUrl(const HttpRequest& request, std::string_view own_base_url) {
  std::string proto_header = request.Header("x-forwarded-proto");
  std::string host_header = request.Header("x-forwarded-host");
  std::string prefix_header = request.Header("x-forwarded-prefix");
  if (proto_header.empty() && host_header.empty() && prefix_header.empty()) {
    return std::string(own_base_url);
  }
  size_t scheme_end = own_base_url.find("://");
  std::string_view own_scheme = "http", own_host;
  if (scheme_end != std::string_view::npos) {
    own_scheme = own_base_url.substr(0, scheme_end);
    own_host = own_base_url.substr(scheme_end + 3);
    own_host = own_host.substr(0, own_host.find('/'));
  }
  std::string scheme =
      AsciiLower(std::string(proto_header.empty() ? own_scheme : FirstValue(proto_header)));
  std::string request_host = request.Header("host");
  std::string_view host = !host_header.empty()    ? FirstValue(host_header)
                          : !request_host.empty() ? TrimSpace(request_host)
                                                  : own_host;
  std::string_view prefix = FirstValue(prefix_header);
  while (prefix.size() > 1 && prefix.back() == '/') prefix.remove_suffix(1);
  bool valid = (scheme == "http" || scheme == "https") && IsHost(host) &&
               (prefix.empty() || IsPathPrefix(prefix));
  if (!valid) return std::string(own_base_url);
  if (prefix == "/") prefix = "";
  return scheme + "://" + std::string(host) + std::string(prefix);
}

std::string ErrorJson(int status, std::string_view message, std::string_view parameter) {
  std::string out = "{\"error\":";
  AppendJsonString(out, message);
  out += ",\"status\":";
  out += std::to_string(status);
  if (!parameter.empty()) {
    out += ",\"parameter\":";
    AppendJsonString(out, parameter);
  }
  out += '}';
  return out;
}

}  // namespace sluice::serve
