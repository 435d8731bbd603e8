#pragma once
/// \file
/// PNG output (8-bit grey or RGB, zlib from Debian), written atomically.
///
///   core: write_png("grid.png", image);   // uint8 [H, W] or [H, W, 3]

#include <filesystem>

#include "dataopt/core/tensor_fwd.h"

namespace dataopt {

/// Writes a uint8 image [H, W] (grey) or [H, W, 3] (RGB) as PNG.
void write_png(const std::filesystem::path& path, const at::Tensor& image);

/// Encodes the same as PNG bytes in memory (for serving over HTTP).
std::string encode_png(const at::Tensor& image);

}  // namespace dataopt
