#pragma once
/// \file
/// NumPy .npy files (format 1.0/2.0/3.0, C order, little endian) as tensors.
/// Supported dtypes: float32, float64, float16, int64, int32, int16, int8,
/// uint8, bool.
///
///   dataopt::write_npy("features.npy", feats);   // atomic
///   at::Tensor f = dataopt::read_npy("features.npy");

#include <filesystem>

#include "dataopt/core/tensor_fwd.h"

namespace dataopt {

/// Reads a .npy file; throws dataopt::Error naming the file on a bad magic,
/// unsupported dtype, Fortran order or truncated data.
at::Tensor read_npy(const std::filesystem::path& path);

/// Writes a (CPU or not, contiguous or not) tensor as .npy, atomically.
void write_npy(const std::filesystem::path& path, const at::Tensor& tensor);

}  // namespace dataopt
