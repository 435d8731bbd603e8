#pragma once
/// \file
/// Per-channel normalisation of images [N, C, H, W].
///
///   auto stats = data::channel_stats(train.images);   // mean/std per channel
///   at::Tensor x = data::normalize(batch, stats);

#include <vector>

#include "dataopt/core/tensor_fwd.h"

namespace dataopt::data {

struct ChannelStats {
  std::vector<double> mean;
  std::vector<double> std;
};

/// Mean and standard deviation of each channel over all pixels.
ChannelStats channel_stats(const at::Tensor& images);

/// (x - mean) / std per channel; x is [N, C, H, W] or [C, H, W].
at::Tensor normalize(const at::Tensor& images, const ChannelStats& stats);

/// Inverse of normalize().
at::Tensor denormalize(const at::Tensor& images, const ChannelStats& stats);

}  // namespace dataopt::data
