#include "dataopt/core/check.h"

namespace dataopt::detail {

void throw_check_failure(const char* file, int line,
                         const std::string& message) {
  throw Error(message, file, line);
}

void throw_assert_failure(const char* file, int line, const char* condition,
                          const std::string& message) {
  std::ostringstream out;
  out << "internal error: " << condition << " failed at " << file << ":"
      << line;
  if (!message.empty()) out << ": " << message;
  throw Error(out.str(), file, line);
}

}  // namespace dataopt::detail
