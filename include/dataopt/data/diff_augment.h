#pragma once
/// \file
/// Differentiable siamese augmentation (DSA), as used by IDC dataset
/// condensation (Kim et al., ICML 2022, `DiffAug` in the official code).
///
///   data::DiffAugment aug({.strategy = "color_crop_cutout", .batch = true});
///   at::Generator gen = make_generator(seed);
///   at::Tensor y = aug(torch::cat({x_real, x_syn}), gen);  // one shared draw
///
/// Per call: flip -> colour (brightness, saturation, contrast) -> ONE of the
/// geometric ops {crop, scale, rotate, translate} present in the strategy,
/// chosen at random -> cutout. Every op is differentiable w.r.t. the pixels.

#include <ATen/core/Generator.h>

#include <string>
#include <vector>

#include "dataopt/core/tensor_fwd.h"

namespace dataopt::data {

struct DiffAugmentOptions {
  /// ops joined by '_': color, crop, cutout, flip, scale, rotate, translate;
  /// "none" (or "") turns augmentation off.
  std::string strategy = "color_crop_cutout";
  /// one random draw shared by the whole batch (siamese matching); false draws
  /// per sample (network training and evaluation).
  bool batch = false;
  /// probability of a horizontal flip.
  double flip_p = 0.5;
  /// sx, sy ~ U[1/scale_ratio, scale_ratio] independently; must be >= 1.
  double scale_ratio = 1.2;
  /// rotation angle ~ U[-rotate_degrees, rotate_degrees].
  double rotate_degrees = 15.0;
  /// crop: integer shift up to int(crop_fraction * size + 0.5) px, zero fill.
  double crop_fraction = 0.125;
  /// cutout: a square of int(cutout_fraction * size + 0.5) px set to zero.
  double cutout_fraction = 0.5;
  /// brightness: x + (U - 0.5) * brightness.
  double brightness = 1.0;
  /// saturation: (x - mean_c) * (U * saturation) + mean_c (identity for C = 1).
  double saturation = 2.0;
  /// contrast: (x - mean_chw) * (U + contrast) + mean_chw.
  double contrast = 0.5;

  /// Throws dataopt::Error on an unknown strategy token or a bad value.
  void validate() const;
};

class DiffAugment {
 public:
  explicit DiffAugment(DiffAugmentOptions options);

  /// x: [N, C, H, W] floating point (already normalised), on any device.
  /// Differentiable w.r.t. x. All randomness is drawn from `gen` (a CPU
  /// generator) on the CPU, so the same generator state gives the same
  /// transform whatever the device. Returns a contiguous tensor.
  at::Tensor operator()(const at::Tensor& x, at::Generator& gen) const;

  const DiffAugmentOptions& options() const { return options_; }

  /// False for the strategy "none": operator() is then the identity.
  bool enabled() const { return enabled_; }

  /// The strategy tokens accepted by validate().
  static const std::vector<std::string>& known_ops();

  /// The geometric ops of which one is chosen per call.
  enum class Geometric { kCrop, kScale, kRotate, kTranslate };

 private:
  DiffAugmentOptions options_;
  bool enabled_ = false;
  bool flip_ = false;
  bool color_ = false;
  bool cutout_ = false;
  std::vector<Geometric> geometric_;  // in strategy order, duplicates kept
};

}  // namespace dataopt::data
