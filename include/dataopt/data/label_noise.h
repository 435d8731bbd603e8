#pragma once
/// \file
/// Synthetic label noise with the flipped indices recorded, the ground truth
/// against which label-error detection is evaluated.
///
///   auto noisy = data::inject_label_noise(train.labels, 10,
///       {.rate = 0.1, .kind = data::NoiseKind::kSymmetric, .seed = 0});
///   noisy.labels;    // [N] int64, exactly round(0.1 N) entries changed
///   noisy.flipped;   // [M] int64 indices, sorted

#include <cstdint>
#include <string>

#include "dataopt/core/tensor_fwd.h"

namespace dataopt::data {

enum class NoiseKind {
  /// A flipped label becomes one of the other classes, uniformly.
  kSymmetric,
  /// Class-pair (asymmetric) noise: a flipped label c becomes (c + 1) mod K.
  kPair,
};

/// "symmetric" or "pair" (also "asymmetric", "class-pair").
NoiseKind parse_noise_kind(const std::string& text);
std::string to_string(NoiseKind kind);

struct LabelNoiseOptions {
  /// Fraction of examples whose label is changed, in [0, 1).
  double rate = 0.1;
  /// How a changed label is chosen.
  NoiseKind kind = NoiseKind::kSymmetric;
  /// Seed of the choice of examples and of new labels.
  uint64_t seed = 0;

  void validate() const;
};

struct NoisyLabels {
  /// The labels after injection [N] int64.
  at::Tensor labels;
  /// Indices whose label changed [M] int64, ascending; M = round(rate * N).
  at::Tensor flipped;
  /// [N] bool, true where the label changed.
  at::Tensor is_noisy;
};

NoisyLabels inject_label_noise(const at::Tensor& labels, int64_t num_classes,
                               const LabelNoiseOptions& options);

}  // namespace dataopt::data
