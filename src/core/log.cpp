#include "dataopt/core/log.h"

#include <atomic>
#include <cstdio>
#include <mutex>

namespace dataopt::log {
namespace {
std::atomic<Level> g_level{Level::kInfo};
std::mutex g_mutex;
const char* tag(Level lvl) {
  switch (lvl) {
    case Level::kDebug: return "debug: ";
    case Level::kWarning: return "warning: ";
    case Level::kError: return "error: ";
    default: return "";
  }
}
}  // namespace

void set_level(Level lvl) { g_level = lvl; }
Level level() { return g_level; }

void write(Level lvl, const std::string& message) {
  if (lvl < g_level.load()) return;
  std::lock_guard<std::mutex> lock(g_mutex);
  std::fprintf(stderr, "[dataopt] %s%s\n", tag(lvl), message.c_str());
  std::fflush(stderr);
}

}  // namespace dataopt::log
