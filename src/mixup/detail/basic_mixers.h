#pragma once
// The two baselines that mix whole images with one lam per batch.

#include <random>

#include "dataopt/mixup/mixer.h"

namespace dataopt::mixup::detail {

class InputMixup final : public Mixer {
 public:
  explicit InputMixup(BasicMixOptions options) : options_(options) {}
  MixKind kind() const override { return MixKind::kInputMixup; }
  Mixed mix(const MixBatch& batch, int64_t num_classes, at::Generator& gen) const override;

 private:
  BasicMixOptions options_;
};

/// Rows [y0, y1) and columns [x0, x1) of the pasted box.
struct Box {
  int64_t y0 = 0, y1 = 0, x0 = 0, x1 = 0;
};
Box cutmix_box(int64_t height, int64_t width, double lam, std::mt19937_64& rng);

class CutMix final : public Mixer {
 public:
  explicit CutMix(BasicMixOptions options) : options_(options) {}
  MixKind kind() const override { return MixKind::kCutMix; }
  Mixed mix(const MixBatch& batch, int64_t num_classes, at::Generator& gen) const override;

 private:
  BasicMixOptions options_;
};

}  // namespace dataopt::mixup::detail
