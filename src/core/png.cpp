#include "dataopt/core/png.h"

#include <zlib.h>

#include "dataopt/core/atomic_file.h"
#include "dataopt/core/check.h"
#include "dataopt/core/tensor_check.h"

namespace dataopt {
namespace {

void put32(std::string& out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<char>((v >> s) & 0xff));
}

// A PNG chunk: length, type, data, CRC over type + data.
void chunk(std::string& out, const char* type, const std::string& data) {
  put32(out, static_cast<uint32_t>(data.size()));
  const size_t start = out.size();
  out.append(type, 4);
  out += data;
  const uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(out.data() + start),
                          static_cast<uInt>(out.size() - start));
  put32(out, static_cast<uint32_t>(crc));
}

}  // namespace

std::string encode_png(const at::Tensor& image) {
  check_dtype(image, at::kByte, "PNG image");
  DATAOPT_CHECK(image.dim() == 2 || (image.dim() == 3 && image.size(2) == 3),
                "PNG image must be [H, W] or [H, W, 3], got ", shape_str(image));
  const at::Tensor img = image.cpu().contiguous();
  const int64_t h = img.size(0), w = img.size(1);
  const int64_t channels = img.dim() == 3 ? 3 : 1;
  DATAOPT_CHECK(h > 0 && w > 0, "PNG image is empty: ", shape_str(image));
  // Raw scanlines, each prefixed by filter type 0 (none).
  std::string raw;
  raw.reserve(static_cast<size_t>(h * (w * channels + 1)));
  const auto* px = img.data_ptr<uint8_t>();
  for (int64_t y = 0; y < h; ++y) {
    raw.push_back(0);
    raw.append(reinterpret_cast<const char*>(px + y * w * channels),
               static_cast<size_t>(w * channels));
  }
  uLongf zlen = compressBound(static_cast<uLong>(raw.size()));
  std::string z(zlen, '\0');
  const int rc = compress2(reinterpret_cast<Bytef*>(z.data()), &zlen,
                           reinterpret_cast<const Bytef*>(raw.data()),
                           static_cast<uLong>(raw.size()), 6);
  DATAOPT_ASSERT(rc == Z_OK, "zlib compress2 failed with ", rc);
  z.resize(zlen);

  std::string out("\x89PNG\r\n\x1a\n", 8);
  std::string ihdr;
  put32(ihdr, static_cast<uint32_t>(w));
  put32(ihdr, static_cast<uint32_t>(h));
  ihdr.push_back(8);                         // bit depth
  ihdr.push_back(channels == 3 ? 2 : 0);     // colour type: RGB or grey
  ihdr.append(std::string("\0\0\0", 3));     // compression, filter, interlace
  chunk(out, "IHDR", ihdr);
  chunk(out, "IDAT", z);
  chunk(out, "IEND", "");
  return out;
}

void write_png(const std::filesystem::path& path, const at::Tensor& image) {
  write_text_atomic(path, encode_png(image));
}

}  // namespace dataopt
