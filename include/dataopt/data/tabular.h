#pragma once
/// \file
/// Features and labels from files people have: NPY arrays and CSV tables.
///
///   auto feats = data::read_csv_matrix("feats.csv");            // [N, D] float32
///   auto table = data::load_feature_file("x.npy", "y.npy");    // features + labels

#include <filesystem>
#include <string>
#include <vector>

#include "dataopt/core/tensor_fwd.h"

namespace dataopt::data {

struct CsvOptions {
  /// Field separator.
  char delimiter = ',';
  /// Whether the first line holds column names.
  bool header = true;
};

/// A numeric CSV table -> [rows, cols] float32. Empty fields and "NA"/"nan"
/// become NaN. Throws dataopt::Error naming file, line and column for a
/// non-numeric field or a ragged row.
at::Tensor read_csv_matrix(const std::filesystem::path& path,
                           const CsvOptions& options = {},
                           std::vector<std::string>* column_names = nullptr);

/// Features [N, D] float32 and labels [N] int64.
struct FeatureTable {
  at::Tensor features;
  at::Tensor labels;
};

/// Reads features from .npy or .csv and labels from .npy or .csv (one
/// column); checks that the row counts match and labels are integers >= 0.
FeatureTable load_feature_file(const std::filesystem::path& features,
                               const std::filesystem::path& labels);

}  // namespace dataopt::data
