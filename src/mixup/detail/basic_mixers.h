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

class CutMix final : public Mixer {
 public:
  explicit CutMix(BasicMixOptions options) : options_(options) {}
  MixKind kind() const override { return MixKind::kCutMix; }
  Mixed mix(const MixBatch& batch, int64_t num_classes, at::Generator& gen) const override;

 private:
  BasicMixOptions options_;
};

}  // namespace dataopt::mixup::detail
