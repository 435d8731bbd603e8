#pragma once
/// \file
/// A progress display on stderr. On a terminal it redraws one bar in place
/// (at most ~10 times a second); otherwise (logs, CI) it prints one plain line
/// per reported step, thinned to about `max_plain_lines` lines per bar.
///
///   Progress bar("epoch 1/10", n_batches);
///   for (...) { ...; bar.update(1, "loss 0.53"); }
///   bar.finish("acc 91.2%");

#include <chrono>
#include <cstdint>
#include <string>

namespace dataopt {

class Progress {
 public:
  /// `total` steps; 0 means unknown (a counter instead of a bar).
  Progress(std::string label, int64_t total, int64_t max_plain_lines = 10);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  /// Advances by `n` steps; `status` is shown after the bar.
  void update(int64_t n = 1, const std::string& status = "");
  /// Completes the bar and ends its line; called by the destructor if needed.
  void finish(const std::string& status = "");

  int64_t done() const { return done_; }
  /// Whether stderr is a terminal (cached); tests may force plain output.
  static bool stderr_is_tty();
  static void force_plain(bool plain);

 private:
  void draw(bool final_line);

  std::string label_;
  std::string status_;
  int64_t total_;
  int64_t done_ = 0;
  int64_t plain_every_ = 1;
  int64_t last_plain_ = 0;
  bool finished_ = false;
  bool tty_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace dataopt
