#pragma once
/// \file
/// dataopt::Error, the one exception type the library throws for user errors
/// and broken invariants. Checks that throw it are in check.h.

#include <stdexcept>
#include <string>

namespace dataopt {

/// Thrown by DATAOPT_CHECK (bad user input) and DATAOPT_ASSERT (internal
/// invariant). what() is the message a user reads; file() and line() say
/// where it was raised.
///
/// Example:
///   try { data::load_idx_images(path); }
///   catch (const dataopt::Error& e) { std::cerr << e.what() << "\n"; }
class Error : public std::runtime_error {
 public:
  Error(const std::string& message, const char* file, int line)
      : std::runtime_error(message), file_(file), line_(line) {}

  const char* file() const noexcept { return file_; }
  int line() const noexcept { return line_; }

 private:
  const char* file_;
  int line_;
};

}  // namespace dataopt
