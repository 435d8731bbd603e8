#include "dataopt/core/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

#include "dataopt/core/check.h"

namespace dataopt {
namespace fs = std::filesystem;

namespace {
std::atomic<uint64_t> g_counter{0};
}

AtomicFile::AtomicFile(fs::path target) : target_(std::move(target)) {
  DATAOPT_CHECK(!target_.empty(), "output path is empty");
  const fs::path dir = target_.has_parent_path() ? target_.parent_path() : ".";
  std::error_code ec;
  fs::create_directories(dir, ec);
  DATAOPT_CHECK(!ec, "cannot create directory ", dir, " for ", target_, ": ",
                ec.message());
  temp_ = dir / ("." + target_.filename().string() + ".tmp." +
                 std::to_string(getpid()) + "." +
                 std::to_string(g_counter.fetch_add(1)));
  out_.open(temp_, std::ios::binary | std::ios::trunc);
  DATAOPT_CHECK(out_.is_open(), "cannot open ", temp_, " for writing: ",
                std::strerror(errno));
}

AtomicFile::~AtomicFile() {
  if (!committed_) {
    out_.close();
    std::error_code ec;
    fs::remove(temp_, ec);
  }
}

void AtomicFile::commit() {
  DATAOPT_ASSERT(!committed_, "commit() called twice for ", target_);
  // The stream may already be closed by a writer that used temp_path().
  if (out_.is_open()) {
    out_.flush();
    DATAOPT_CHECK(out_.good(), "write error on ", temp_, " (disk full?)");
    out_.close();
    DATAOPT_CHECK(!out_.fail(), "write error on ", temp_, " (disk full?)");
  }
  // fsync so that a crash after the rename cannot expose an empty file.
  const int fd = ::open(temp_.c_str(), O_RDONLY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
  std::error_code ec;
  fs::rename(temp_, target_, ec);
  DATAOPT_CHECK(!ec, "cannot rename ", temp_, " to ", target_, ": ",
                ec.message());
  committed_ = true;
}

void write_file_atomic(const fs::path& path,
                       const std::function<void(std::ostream&)>& writer) {
  AtomicFile file(path);
  writer(file.stream());
  file.commit();
}

void write_text_atomic(const fs::path& path, const std::string& text) {
  write_file_atomic(path, [&](std::ostream& out) { out << text; });
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  DATAOPT_CHECK(in.is_open(), "cannot open ", path, ": ",
                fs::exists(path) ? std::strerror(errno) : "no such file");
  std::ostringstream buf;
  buf << in.rdbuf();
  DATAOPT_CHECK(!in.bad(), "read error on ", path);
  return buf.str();
}

}  // namespace dataopt
