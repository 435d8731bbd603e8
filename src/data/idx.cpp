#include "dataopt/data/idx.h"

#include <zlib.h>

#include <cstring>

#include "dataopt/core/atomic_file.h"
#include "dataopt/core/check.h"
#include "dataopt/core/tensor_check.h"

namespace dataopt::data {
namespace fs = std::filesystem;

namespace {

// gzopen reads gzip-compressed and plain files alike.
class GzReader {
 public:
  explicit GzReader(const fs::path& path) : path_(path) {
    DATAOPT_CHECK(fs::exists(path), "cannot open ", path, ": no such file");
    file_ = gzopen(path.c_str(), "rb");
    DATAOPT_CHECK(file_ != nullptr, "cannot open ", path, ": ",
                  std::strerror(errno));
    gzbuffer(file_, 1 << 17);
  }
  ~GzReader() {
    if (file_) gzclose(file_);
  }
  // Reads up to n bytes; returns how many were read.
  size_t read(void* dst, size_t n) {
    size_t total = 0;
    auto* out = static_cast<char*>(dst);
    while (total < n) {
      const unsigned chunk =
          static_cast<unsigned>(std::min<size_t>(n - total, 1u << 30));
      const int got = gzread(file_, out + total, chunk);
      if (got < 0) {
        int err = 0;
        const char* msg = gzerror(file_, &err);
        DATAOPT_CHECK(false, path_.string(), ": corrupt or truncated file (",
                      msg, ")");
      }
      if (got == 0) break;
      total += static_cast<size_t>(got);
    }
    return total;
  }
  bool at_end() {
    char c;
    return read(&c, 1) == 0;
  }

 private:
  fs::path path_;
  gzFile file_ = nullptr;
};

}  // namespace

at::Tensor read_idx(const fs::path& path) {
  GzReader in(path);
  unsigned char magic[4];
  DATAOPT_CHECK(in.read(magic, 4) == 4, path.string(),
                ": not an IDX file (shorter than 4 bytes)");
  DATAOPT_CHECK(magic[0] == 0 && magic[1] == 0, path.string(),
                ": not an IDX file (wrong magic 0x", std::hex,
                (int(magic[0]) << 24 | int(magic[1]) << 16 | int(magic[2]) << 8 |
                 int(magic[3])),
                ", expected 0x000008NN)");
  DATAOPT_CHECK(magic[2] == 0x08, path.string(),
                ": unsupported IDX element type 0x", std::hex, int(magic[2]),
                " (only unsigned byte, 0x08, is supported)");
  const int rank = magic[3];
  DATAOPT_CHECK(rank >= 1 && rank <= 4, path.string(), ": IDX rank ", rank,
                " not supported (1 to 4)");
  std::vector<int64_t> shape;
  for (int i = 0; i < rank; ++i) {
    unsigned char b[4];
    DATAOPT_CHECK(in.read(b, 4) == 4, path.string(),
                  ": truncated IDX header");
    shape.push_back((int64_t(b[0]) << 24) | (int64_t(b[1]) << 16) |
                    (int64_t(b[2]) << 8) | int64_t(b[3]));
  }
  int64_t count = 1;
  for (auto d : shape) count *= d;
  DATAOPT_CHECK(count < (int64_t(1) << 34), path.string(),
                ": implausible IDX dimensions ", at::IntArrayRef(shape));
  at::Tensor out = torch::empty(shape, torch::kUInt8);
  const size_t got = in.read(out.data_ptr(), static_cast<size_t>(count));
  DATAOPT_CHECK(got == static_cast<size_t>(count), path.string(),
                ": truncated IDX data: header says ", at::IntArrayRef(shape),
                " = ", count, " bytes, file has ", got);
  DATAOPT_CHECK(in.at_end(), path.string(),
                ": trailing bytes after the IDX data for shape ",
                at::IntArrayRef(shape));
  return out;
}

at::Tensor read_idx_images(const fs::path& path) {
  at::Tensor raw = read_idx(path);
  DATAOPT_CHECK(raw.dim() == 3, path.string(),
                ": expected an image file [N, H, W], got IDX shape ",
                shape_str(raw));
  return raw.unsqueeze(1).to(torch::kFloat).div_(255.0);
}

at::Tensor read_idx_labels(const fs::path& path) {
  at::Tensor raw = read_idx(path);
  DATAOPT_CHECK(raw.dim() == 1, path.string(),
                ": expected a label file [N], got IDX shape ", shape_str(raw));
  return raw.to(torch::kLong);
}

void write_idx(const fs::path& path, const at::Tensor& data) {
  check_dtype(data, at::kByte, "write_idx data");
  DATAOPT_CHECK(data.dim() >= 1 && data.dim() <= 4,
                "write_idx: rank must be 1 to 4, got ", data.dim());
  const at::Tensor t = data.contiguous();
  std::string bytes;
  bytes.push_back(0);
  bytes.push_back(0);
  bytes.push_back(0x08);
  bytes.push_back(static_cast<char>(t.dim()));
  for (int64_t i = 0; i < t.dim(); ++i) {
    const auto d = static_cast<uint32_t>(t.size(i));
    for (int s = 24; s >= 0; s -= 8) bytes.push_back(static_cast<char>((d >> s) & 0xff));
  }
  bytes.append(static_cast<const char*>(t.data_ptr()), t.nbytes());
  const bool gz = path.extension() == ".gz";
  if (!gz) {
    write_text_atomic(path, bytes);
    return;
  }
  AtomicFile file(path);
  file.stream().close();
  gzFile out = gzopen(file.temp_path().c_str(), "wb");
  DATAOPT_CHECK(out != nullptr, "cannot write ", file.temp_path());
  const int n = gzwrite(out, bytes.data(), static_cast<unsigned>(bytes.size()));
  const int rc = gzclose(out);
  DATAOPT_CHECK(n == static_cast<int>(bytes.size()) && rc == Z_OK,
                "write error on ", path);
  file.commit();
}

}  // namespace dataopt::data
