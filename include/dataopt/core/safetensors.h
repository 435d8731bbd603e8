#pragma once
/// \file
/// The safetensors format (8-byte little-endian header length, JSON header,
/// raw little-endian data): the portable way dataopt stores weights.
/// dtypes: F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL.
///
///   TensorFile f;
///   f.add("conv.weight", w);
///   f.metadata["epochs"] = "10";
///   write_safetensors("model.safetensors", f);   // atomic
///   TensorFile g = read_safetensors("model.safetensors");
///   at::Tensor w2 = g.get("conv.weight");

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "dataopt/core/tensor_fwd.h"

namespace dataopt {

/// Named tensors in a fixed order plus string metadata (`__metadata__`).
struct TensorFile {
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  std::map<std::string, std::string> metadata;

  void add(const std::string& name, const at::Tensor& t);
  bool contains(const std::string& name) const;
  /// The tensor called `name`; throws dataopt::Error listing a few names
  /// if it is missing.
  const at::Tensor& get(const std::string& name) const;
};

TensorFile read_safetensors(const std::filesystem::path& path);
void write_safetensors(const std::filesystem::path& path,
                       const TensorFile& file);

}  // namespace dataopt
