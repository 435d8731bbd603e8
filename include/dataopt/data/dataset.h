#pragma once
/// \file
/// The in-memory labelled image data set every method works on.
///
///   data::Dataset train = data::load_dataset("fashion-mnist", data::Split::kTrain);
///   train.images;   // [N, C, H, W] float32 in [0, 1]
///   train.labels;   // [N] int64 in [0, num_classes)
///   data::Dataset small = train.subset(torch::arange(1000));

#include <cstdint>
#include <string>
#include <vector>

#include "dataopt/core/tensor_fwd.h"

namespace dataopt::data {

struct Dataset {
  /// Images [N, C, H, W] float32 (raw pixels scaled to [0, 1]).
  at::Tensor images;
  /// Labels [N] int64 in [0, num_classes()).
  at::Tensor labels;
  /// One name per class; its size is the number of classes.
  std::vector<std::string> class_names;
  /// Where the data came from, for messages and reports.
  std::string name;

  int64_t size() const;
  int64_t num_classes() const { return static_cast<int64_t>(class_names.size()); }
  int64_t channels() const;
  int64_t height() const;
  int64_t width() const;

  /// The examples at `indices` ([M] int64), in that order.
  Dataset subset(const at::Tensor& indices) const;
  /// The first `n` examples (all if n >= size()).
  Dataset head(int64_t n) const;
  /// Throws dataopt::Error if shapes, dtypes or label range are wrong.
  void validate() const;
};

/// Class names "0", "1", ... for data sets that have none.
std::vector<std::string> numbered_class_names(int64_t n);

}  // namespace dataopt::data
