#pragma once
/// \file
/// A labelled image data set in one safetensors file: the way users bring
/// their own images to `dataopt pipeline --data-file F`.
///
/// Tensors: `train_images` and `test_images` [N, C, H, W] (uint8 0-255 or
/// float in [0, 1]), `train_labels` and `test_labels` [N] (any integer type,
/// values in [0, K)). Optional metadata `class_names`: comma-separated names
/// (default "0", "1", ...; K = the largest label + 1).
///
///   data::DatasetSplits s = data::load_dataset_file("mine.safetensors");
///   data::save_dataset_file("copy.safetensors", s);

#include <filesystem>

#include "dataopt/data/dataset.h"

namespace dataopt::data {

struct DatasetSplits {
  Dataset train;
  Dataset test;
};

/// Throws dataopt::Error naming the file and the tensor for a missing
/// tensor, a wrong shape or dtype, labels out of range or non-finite pixels.
DatasetSplits load_dataset_file(const std::filesystem::path& path);

/// Writes both splits (images as uint8, labels as int64), atomically.
void save_dataset_file(const std::filesystem::path& path, const DatasetSplits& splits);

}  // namespace dataopt::data
