#pragma once
/// \file
/// DATAOPT_CHECK for user input, DATAOPT_ASSERT for internal invariants.
/// Both throw dataopt::Error (never abort), so tests can catch them and the
/// CLI can report them. Messages are the streamed arguments:
///
///   DATAOPT_CHECK(x.dim() == 2, "score: features must be [N, D], got ",
///                 x.sizes());

#include <sstream>
#include <string>

#include "dataopt/core/error.h"

namespace dataopt::detail {

template <typename... Args>
std::string str_cat(const Args&... args) {
  std::ostringstream out;
  (out << ... << args);
  return out.str();
}

[[noreturn]] void throw_check_failure(const char* file, int line,
                                      const std::string& message);
[[noreturn]] void throw_assert_failure(const char* file, int line,
                                       const char* condition,
                                       const std::string& message);

}  // namespace dataopt::detail

/// Validates user input: throws dataopt::Error with the given message.
#define DATAOPT_CHECK(cond, ...)                                      \
  do {                                                                \
    if (!(cond)) {                                                    \
      ::dataopt::detail::throw_check_failure(                         \
          __FILE__, __LINE__, ::dataopt::detail::str_cat(__VA_ARGS__)); \
    }                                                                 \
  } while (false)

/// Checks an internal invariant: throws dataopt::Error naming the condition.
#define DATAOPT_ASSERT(cond, ...)                                     \
  do {                                                                \
    if (!(cond)) {                                                    \
      ::dataopt::detail::throw_assert_failure(                        \
          __FILE__, __LINE__, #cond,                                  \
          ::dataopt::detail::str_cat("" __VA_OPT__(, ) __VA_ARGS__)); \
    }                                                                 \
  } while (false)
