#pragma once

#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace sluice {

/// Is the root of every error that ends an operation (a query, a request, a run).
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Reports a problem the user can fix: bad SQL, bad input data, a missing file, a bad request.
class UserError : public Error {
 public:
  using Error::Error;
};

/// Reports input that does not parse or convert; the message names file, line and column.
class DataError : public UserError {
 public:
  using UserError::UserError;
};

/// Reports a failing file or system call (missing file, permission, full disk).
class IoError : public UserError {
 public:
  using UserError::UserError;
};

/// Reports a bug in Sluice: a broken invariant, an unexpected state.
class InternalError : public Error {
 public:
  using Error::Error;
};

/// Throws a UserError-family exception `E` with a fmt-formatted message.
template <typename E = UserError, typename... Args>
[[noreturn]] void Throw(fmt::format_string<Args...> format, Args&&... args) {
  throw E(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace sluice

/// Checks an internal invariant in debug builds; never use it on user input.
#ifdef NDEBUG
#define SLUICE_DCHECK(condition) \
  do {                           \
  } while (false)
#else
#define SLUICE_DCHECK(condition)                                                                 \
  do {                                                                                           \
    if (!(condition)) {                                                                          \
      throw ::sluice::InternalError(std::string("check failed: " #condition " at ") + __FILE__ + \
                                    ":" + std::to_string(__LINE__));                             \
    }                                                                                            \
  } while (false)
#endif

/// Checks an internal invariant in every build; a failure is a bug in Sluice.
#define SLUICE_CHECK(condition)                                                                  \
  do {                                                                                           \
    if (!(condition)) {                                                                          \
      throw ::sluice::InternalError(std::string("check failed: " #condition " at ") + __FILE__ + \
                                    ":" + std::to_string(__LINE__));                             \
    }                                                                                            \
  } while (false)
