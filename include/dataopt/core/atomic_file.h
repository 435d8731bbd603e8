#pragma once
/// \file
/// Atomic file output: write to a temporary file beside the target, then
/// rename over it. An interrupted run never leaves a half-written output; the
/// temporary file is removed if the writer is destroyed without commit().
///
///   AtomicFile f("out/metrics.json");
///   f.stream() << text;
///   f.commit();  // now out/metrics.json exists, complete

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

namespace dataopt {

class AtomicFile {
 public:
  explicit AtomicFile(std::filesystem::path target);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  std::ofstream& stream() { return out_; }
  const std::filesystem::path& temp_path() const { return temp_; }
  /// Flushes, checks for write errors, fsyncs and renames onto the target.
  void commit();

 private:
  std::filesystem::path target_;
  std::filesystem::path temp_;
  std::ofstream out_;
  bool committed_ = false;
};

/// Writes `path` atomically with `writer`, creating parent directories.
void write_file_atomic(const std::filesystem::path& path,
                       const std::function<void(std::ostream&)>& writer);

/// Writes a string to `path` atomically.
void write_text_atomic(const std::filesystem::path& path,
                       const std::string& text);

/// Reads a whole file; throws dataopt::Error naming the file if it cannot.
std::string read_file(const std::filesystem::path& path);

}  // namespace dataopt
