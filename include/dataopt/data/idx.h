#pragma once
/// \file
/// IDX files (the MNIST family's format), gzip-compressed or plain.
///
///   at::Tensor x = data::read_idx_images("train-images-idx3-ubyte.gz");  // [N,1,28,28]
///   at::Tensor y = data::read_idx_labels("train-labels-idx1-ubyte.gz");  // [N]

#include <filesystem>

#include "dataopt/core/tensor_fwd.h"

namespace dataopt::data {

/// Reads a uint8 IDX file of any rank (magic 0x0000080N) as a uint8 tensor of
/// that shape. Throws dataopt::Error naming the file for a wrong magic, an
/// unsupported element type, a truncated body or trailing garbage.
at::Tensor read_idx(const std::filesystem::path& path);

/// Rank-3 image file -> [N, 1, H, W] float32 in [0, 1].
at::Tensor read_idx_images(const std::filesystem::path& path);

/// Rank-1 label file -> [N] int64.
at::Tensor read_idx_labels(const std::filesystem::path& path);

/// Writes a uint8 tensor as an IDX file (gzip-compressed if the name ends in
/// .gz), atomically. Used by tests and to export data sets.
void write_idx(const std::filesystem::path& path, const at::Tensor& data);

}  // namespace dataopt::data
