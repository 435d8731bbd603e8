#include "dataopt/core/npy.h"

#include <cstring>

#include "dataopt/core/atomic_file.h"
#include "dataopt/core/check.h"

namespace dataopt {
namespace fs = std::filesystem;

namespace {

const char kMagic[] = "\x93NUMPY";

struct NpyType {
  const char* descr;
  at::ScalarType dtype;
};

// Little-endian descriptors; '|' marks byte-sized types without byte order.
const NpyType kTypes[] = {
    {"<f4", at::kFloat}, {"<f8", at::kDouble}, {"<f2", at::kHalf},
    {"<i8", at::kLong},  {"<i4", at::kInt},    {"<i2", at::kShort},
    {"|i1", at::kChar},  {"|u1", at::kByte},   {"|b1", at::kBool},
};

std::string descr_for(at::ScalarType dtype) {
  for (const auto& t : kTypes) {
    if (t.dtype == dtype) return t.descr;
  }
  DATAOPT_CHECK(false, "write_npy: unsupported dtype ", c10::toString(dtype));
  return {};
}

// Value of `key` in the header dict, e.g. 'descr': '<f4' -> <f4.
std::string dict_value(const std::string& header, const std::string& key,
                       const fs::path& path) {
  const std::string needle = "'" + key + "'";
  auto pos = header.find(needle);
  DATAOPT_CHECK(pos != std::string::npos, path.string(),
                ": corrupt .npy header, no '", key, "' in ", header);
  pos = header.find(':', pos + needle.size());
  DATAOPT_CHECK(pos != std::string::npos, path.string(),
                ": corrupt .npy header near '", key, "'");
  ++pos;
  while (pos < header.size() && header[pos] == ' ') ++pos;
  DATAOPT_CHECK(pos < header.size(), path.string(), ": corrupt .npy header");
  const char open = header[pos];
  if (open == '\'' || open == '"') {
    const auto end = header.find(open, pos + 1);
    DATAOPT_CHECK(end != std::string::npos, path.string(),
                  ": corrupt .npy header");
    return header.substr(pos + 1, end - pos - 1);
  }
  if (open == '(') {
    const auto end = header.find(')', pos);
    DATAOPT_CHECK(end != std::string::npos, path.string(),
                  ": corrupt .npy header");
    return header.substr(pos + 1, end - pos - 1);
  }
  auto end = header.find_first_of(",}", pos);
  return header.substr(pos, end - pos);
}

std::vector<int64_t> parse_shape(const std::string& text,
                                 const fs::path& path) {
  std::vector<int64_t> shape;
  std::string item;
  std::istringstream in(text);
  while (std::getline(in, item, ',')) {
    const auto b = item.find_first_not_of(" L");
    if (b == std::string::npos) continue;
    const auto e = item.find_last_not_of(" L");
    const std::string num = item.substr(b, e - b + 1);
    DATAOPT_CHECK(!num.empty() && num.find_first_not_of("0123456789") ==
                                      std::string::npos,
                  path.string(), ": corrupt .npy shape '", text, "'");
    shape.push_back(std::stoll(num));
  }
  return shape;
}

}  // namespace

at::Tensor read_npy(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  DATAOPT_CHECK(in.is_open(), "cannot open ", path, ": ",
                fs::exists(path) ? std::strerror(errno) : "no such file");
  char magic[8] = {};
  in.read(magic, 8);
  DATAOPT_CHECK(in.gcount() == 8 && std::memcmp(magic, kMagic, 6) == 0,
                path.string(), ": not a .npy file (bad magic)");
  const int major = static_cast<unsigned char>(magic[6]);
  DATAOPT_CHECK(major >= 1 && major <= 3, path.string(),
                ": unsupported .npy version ", major);
  uint32_t header_len = 0;
  if (major == 1) {
    unsigned char b[2];
    in.read(reinterpret_cast<char*>(b), 2);
    header_len = b[0] | (b[1] << 8);
  } else {
    unsigned char b[4];
    in.read(reinterpret_cast<char*>(b), 4);
    header_len = b[0] | (b[1] << 8) | (b[2] << 16) | (uint32_t(b[3]) << 24);
  }
  DATAOPT_CHECK(in.good() && header_len < (1u << 24), path.string(),
                ": truncated .npy header");
  std::string header(header_len, '\0');
  in.read(header.data(), header_len);
  DATAOPT_CHECK(static_cast<uint32_t>(in.gcount()) == header_len,
                path.string(), ": truncated .npy header");

  std::string descr = dict_value(header, "descr", path);
  if (descr.size() == 3 && descr[0] == '=') descr[0] = '<';
  if (descr == "<b1" || descr == "<u1" || descr == "<i1") descr[0] = '|';
  at::ScalarType dtype = at::kFloat;
  bool known = false;
  for (const auto& t : kTypes) {
    if (descr == t.descr) {
      dtype = t.dtype;
      known = true;
    }
  }
  DATAOPT_CHECK(known, path.string(), ": unsupported .npy dtype '", descr,
                "' (supported: little-endian f2/f4/f8/i1/i2/i4/i8/u1/b1)");
  const std::string fortran = dict_value(header, "fortran_order", path);
  DATAOPT_CHECK(fortran.find("False") != std::string::npos, path.string(),
                ": Fortran-order .npy files are not supported");
  const auto shape = parse_shape(dict_value(header, "shape", path), path);

  at::Tensor t = torch::empty(shape, torch::TensorOptions().dtype(dtype));
  const auto nbytes = static_cast<std::streamsize>(t.nbytes());
  in.read(static_cast<char*>(t.data_ptr()), nbytes);
  DATAOPT_CHECK(in.gcount() == nbytes, path.string(), ": truncated .npy data (",
                in.gcount(), " of ", nbytes, " bytes for shape ",
                at::IntArrayRef(shape), ")");
  return t;
}

void write_npy(const fs::path& path, const at::Tensor& tensor) {
  DATAOPT_CHECK(tensor.defined(), "write_npy: undefined tensor for ", path);
  const at::Tensor t = tensor.detach().to(torch::kCPU).contiguous();
  std::ostringstream dict;
  dict << "{'descr': '" << descr_for(t.scalar_type())
       << "', 'fortran_order': False, 'shape': (";
  for (int64_t i = 0; i < t.dim(); ++i) {
    dict << t.size(i) << (t.dim() == 1 || i + 1 < t.dim() ? "," : "");
    if (i + 1 < t.dim()) dict << " ";
  }
  dict << "), }";
  std::string header = dict.str();
  // Pad with spaces so that the data starts at a multiple of 64 bytes.
  const size_t prefix = 10;
  size_t total = prefix + header.size() + 1;
  total = (total + 63) / 64 * 64;
  header.append(total - prefix - header.size() - 1, ' ');
  header.push_back('\n');
  DATAOPT_ASSERT(header.size() < 65536);
  write_file_atomic(path, [&](std::ostream& out) {
    out.write(kMagic, 6);
    out.put(1);
    out.put(0);
    const auto len = static_cast<uint16_t>(header.size());
    out.put(static_cast<char>(len & 0xff));
    out.put(static_cast<char>(len >> 8));
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    out.write(static_cast<const char*>(t.data_ptr()),
              static_cast<std::streamsize>(t.nbytes()));
  });
}

}  // namespace dataopt
