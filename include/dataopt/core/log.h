#pragma once
/// \file
/// Minimal leveled logging to stderr.
///
///   dataopt::log::info("epoch ", e, " accuracy ", acc);
///   dataopt::log::set_level(dataopt::log::Level::kWarning);  // quieter

#include <string>

#include "dataopt/core/check.h"

namespace dataopt::log {

enum class Level { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3, kOff = 4 };

void set_level(Level level);
Level level();
/// Writes one line "[dataopt] <message>" to stderr if `lvl` is enabled.
void write(Level lvl, const std::string& message);

template <typename... Args>
void debug(const Args&... args) {
  if (level() <= Level::kDebug) write(Level::kDebug, detail::str_cat(args...));
}
template <typename... Args>
void info(const Args&... args) {
  if (level() <= Level::kInfo) write(Level::kInfo, detail::str_cat(args...));
}
template <typename... Args>
void warn(const Args&... args) {
  if (level() <= Level::kWarning) {
    write(Level::kWarning, detail::str_cat(args...));
  }
}

}  // namespace dataopt::log
