#include "dataopt/core/safetensors.h"

#include <cstring>
#include <nlohmann/json.hpp>

#include "dataopt/core/atomic_file.h"
#include "dataopt/core/check.h"

namespace dataopt {
namespace fs = std::filesystem;

namespace {

struct StType {
  const char* name;
  at::ScalarType dtype;
};

const StType kTypes[] = {
    {"F32", at::kFloat}, {"F16", at::kHalf},  {"BF16", at::kBFloat16},
    {"F64", at::kDouble}, {"I64", at::kLong}, {"I32", at::kInt},
    {"I16", at::kShort}, {"I8", at::kChar},   {"U8", at::kByte},
    {"BOOL", at::kBool},
};

const char* name_for(at::ScalarType dtype, const std::string& tensor) {
  for (const auto& t : kTypes) {
    if (t.dtype == dtype) return t.name;
  }
  DATAOPT_CHECK(false, "write_safetensors: tensor '", tensor,
                "' has unsupported dtype ", c10::toString(dtype));
  return nullptr;
}

}  // namespace

void TensorFile::add(const std::string& name, const at::Tensor& t) {
  DATAOPT_CHECK(!contains(name), "TensorFile: duplicate tensor name '", name,
                "'");
  tensors.emplace_back(name, t);
}

bool TensorFile::contains(const std::string& name) const {
  for (const auto& [n, t] : tensors) {
    if (n == name) return true;
  }
  return false;
}

const at::Tensor& TensorFile::get(const std::string& name) const {
  for (const auto& [n, t] : tensors) {
    if (n == name) return t;
  }
  std::string some;
  for (size_t i = 0; i < tensors.size() && i < 5; ++i) {
    some += (i ? ", " : "") + tensors[i].first;
  }
  DATAOPT_CHECK(false, "no tensor named '", name, "' (", tensors.size(),
                " tensors: ", some, tensors.size() > 5 ? ", ..." : "", ")");
  return tensors.front().second;  // unreachable
}

TensorFile read_safetensors(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  DATAOPT_CHECK(in.is_open(), "cannot open ", path, ": ",
                fs::exists(path) ? std::strerror(errno) : "no such file");
  in.seekg(0, std::ios::end);
  const auto file_size = static_cast<uint64_t>(in.tellg());
  in.seekg(0);
  DATAOPT_CHECK(file_size >= 8, path.string(),
                ": not a safetensors file (shorter than 8 bytes)");
  unsigned char len_bytes[8];
  in.read(reinterpret_cast<char*>(len_bytes), 8);
  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | len_bytes[i];
  DATAOPT_CHECK(header_len <= file_size - 8 && header_len < (100u << 20),
                path.string(), ": corrupt safetensors header length ",
                header_len, " (file has ", file_size, " bytes)");
  std::string header_text(header_len, '\0');
  in.read(header_text.data(), static_cast<std::streamsize>(header_len));
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(header_text);
  } catch (const nlohmann::json::parse_error& e) {
    DATAOPT_CHECK(false, path.string(), ": corrupt safetensors header: ",
                  e.what());
  }
  DATAOPT_CHECK(header.is_object(), path.string(),
                ": safetensors header is not a JSON object");
  const uint64_t data_start = 8 + header_len;
  const uint64_t data_size = file_size - data_start;

  // Tensors in file order (by offset), so that a round trip keeps the order.
  struct Entry {
    std::string name;
    at::ScalarType dtype;
    std::vector<int64_t> shape;
    uint64_t begin, end;
  };
  std::vector<Entry> entries;
  TensorFile result;
  for (const auto& [name, info] : header.items()) {
    if (name == "__metadata__") {
      DATAOPT_CHECK(info.is_object(), path.string(),
                    ": __metadata__ must be an object");
      for (const auto& [k, v] : info.items()) {
        DATAOPT_CHECK(v.is_string(), path.string(), ": __metadata__['", k,
                      "'] must be a string");
        result.metadata[k] = v.get<std::string>();
      }
      continue;
    }
    try {
      Entry e;
      e.name = name;
      const auto dt = info.at("dtype").get<std::string>();
      bool known = false;
      for (const auto& t : kTypes) {
        if (dt == t.name) {
          e.dtype = t.dtype;
          known = true;
        }
      }
      DATAOPT_CHECK(known, path.string(), ": tensor '", name,
                    "' has unsupported dtype ", dt);
      e.shape = info.at("shape").get<std::vector<int64_t>>();
      const auto off = info.at("data_offsets").get<std::vector<uint64_t>>();
      DATAOPT_CHECK(off.size() == 2 && off[0] <= off[1] && off[1] <= data_size,
                    path.string(), ": tensor '", name,
                    "' has data offsets outside the file (truncated?)");
      e.begin = off[0];
      e.end = off[1];
      entries.push_back(std::move(e));
    } catch (const nlohmann::json::exception& ex) {
      DATAOPT_CHECK(false, path.string(), ": corrupt entry for tensor '", name,
                    "': ", ex.what());
    }
  }
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.begin < b.begin; });
  for (const auto& e : entries) {
    at::Tensor t = torch::empty(e.shape, torch::TensorOptions().dtype(e.dtype));
    DATAOPT_CHECK(static_cast<uint64_t>(t.nbytes()) == e.end - e.begin,
                  path.string(), ": tensor '", e.name, "' of shape ",
                  at::IntArrayRef(e.shape), " needs ", t.nbytes(),
                  " bytes, the file gives ", e.end - e.begin);
    in.seekg(static_cast<std::streamoff>(data_start + e.begin));
    in.read(static_cast<char*>(t.data_ptr()),
            static_cast<std::streamsize>(t.nbytes()));
    DATAOPT_CHECK(in.good(), path.string(), ": truncated data for tensor '",
                  e.name, "'");
    result.tensors.emplace_back(e.name, t);
  }
  return result;
}

void write_safetensors(const fs::path& path, const TensorFile& file) {
  nlohmann::json header = nlohmann::json::object();
  if (!file.metadata.empty()) header["__metadata__"] = file.metadata;
  std::vector<at::Tensor> data;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : file.tensors) {
    DATAOPT_CHECK(tensor.defined(), "write_safetensors: tensor '", name,
                  "' is undefined");
    at::Tensor t = tensor.detach().to(torch::kCPU).contiguous();
    const uint64_t n = static_cast<uint64_t>(t.nbytes());
    header[name] = {{"dtype", name_for(t.scalar_type(), name)},
                    {"shape", t.sizes().vec()},
                    {"data_offsets", {offset, offset + n}}};
    offset += n;
    data.push_back(t);
  }
  std::string text = header.dump();
  // Pad the header with spaces to 8-byte alignment, as the reference writer.
  text.append((8 - text.size() % 8) % 8, ' ');
  write_file_atomic(path, [&](std::ostream& out) {
    uint64_t len = text.size();
    for (int i = 0; i < 8; ++i) out.put(static_cast<char>((len >> (8 * i)) & 0xff));
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    for (const auto& t : data) {
      out.write(static_cast<const char*>(t.data_ptr()),
                static_cast<std::streamsize>(t.nbytes()));
    }
  });
}

}  // namespace dataopt
