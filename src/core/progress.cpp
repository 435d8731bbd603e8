#include "dataopt/core/progress.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>

namespace dataopt {
namespace {
std::atomic<bool> g_force_plain{false};

std::string format_seconds(double s) {
  char buf[32];
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%.0fs", s);
  } else if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%dm%02ds", static_cast<int>(s) / 60,
                  static_cast<int>(s) % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%dh%02dm", static_cast<int>(s) / 3600,
                  (static_cast<int>(s) % 3600) / 60);
  }
  return buf;
}
}  // namespace

bool Progress::stderr_is_tty() {
  static const bool tty = isatty(STDERR_FILENO) != 0;
  return tty && !g_force_plain.load();
}

void Progress::force_plain(bool plain) { g_force_plain = plain; }

Progress::Progress(std::string label, int64_t total, int64_t max_plain_lines)
    : label_(std::move(label)),
      total_(total),
      tty_(stderr_is_tty()),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {
  if (total_ > 0 && max_plain_lines > 0) {
    plain_every_ = std::max<int64_t>(1, (total_ + max_plain_lines - 1) /
                                            max_plain_lines);
  }
  if (tty_) draw(false);
}

Progress::~Progress() {
  if (!finished_) finish();
}

void Progress::update(int64_t n, const std::string& status) {
  done_ += n;
  if (!status.empty()) status_ = status;
  if (tty_) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_draw_ > std::chrono::milliseconds(100)) {
      last_draw_ = now;
      draw(false);
    }
  } else if (done_ - last_plain_ >= plain_every_ &&
             (total_ <= 0 || done_ < total_)) {
    last_plain_ = done_;
    draw(false);
  }
}

void Progress::finish(const std::string& status) {
  if (finished_) return;
  finished_ = true;
  if (!status.empty()) status_ = status;
  draw(true);
}

void Progress::draw(bool final_line) {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_)
          .count();
  std::string line = label_;
  if (total_ > 0) {
    const double frac =
        std::min(1.0, static_cast<double>(done_) / static_cast<double>(total_));
    if (tty_) {
      const int width = 24;
      const int fill = static_cast<int>(frac * width);
      line += " [" + std::string(fill, '#') + std::string(width - fill, '.') +
              "]";
    }
    char buf[96];
    std::snprintf(buf, sizeof buf, " %lld/%lld (%3.0f%%) %s",
                  static_cast<long long>(done_),
                  static_cast<long long>(total_), 100.0 * frac,
                  format_seconds(elapsed).c_str());
    line += buf;
    if (!final_line && done_ > 0 && done_ < total_) {
      const double eta = elapsed / done_ * (total_ - done_);
      line += " eta " + format_seconds(eta);
    }
  } else {
    line += " " + std::to_string(done_) + " " + format_seconds(elapsed);
  }
  if (!status_.empty()) line += "  " + status_;
  if (tty_) {
    std::fprintf(stderr, "\r\033[K%s%s", line.c_str(), final_line ? "\n" : "");
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::fflush(stderr);
}

}  // namespace dataopt
