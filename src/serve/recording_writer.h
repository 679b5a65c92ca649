#pragma once

// A ResponseWriter for tests of the serve module: keeps what a handler answered.

#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "serve/http.h"

namespace sluice::serve {

/// Keeps the status, headers and body a handler answered (sent whole or streamed).
class RecordingWriter final : public ResponseWriter {
 public:
  void Send(int status, const Fields& headers, std::string body) override {
    status_ = status;
    headers_ = headers;
    body_ = std::move(body);
  }
  void Start(int status, const Fields& headers) override {
    status_ = status;
    headers_ = headers;
  }
  void Write(std::string_view data) override { body_ += data; }
  void Finish() override {}
  bool started() const override { return status_ != 0; }

  int status() const { return status_; }
  const std::string& body() const { return body_; }
  /// Returns the body parsed as JSON. Throws when it is not JSON.
  boost::json::value Json() const { return boost::json::parse(body_); }
  /// Returns the value of header `name`, or "" when there is none.
  std::string Header(std::string_view name) const {
    for (const auto& [key, value] : headers_) {
      if (key == name) return value;
    }
    return "";
  }

 private:
  int status_ = 0;
  Fields headers_;
  std::string body_;
};

}  // namespace sluice::serve
