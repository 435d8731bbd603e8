#pragma once
// Co-Mixup (spec mixup.md section 2): each partition of the batch is matched
// jointly (comixup_match), then every output is the block-wise mixture of its
// partition's inputs with area-weighted targets.

#include "dataopt/mixup/mixer.h"

namespace dataopt::mixup::detail {

/// [B, B] L1 distances between the most salient 8 x 8 windows (row, column
/// of the argmax of avg_pool2d(saliency, 8, stride 1)); the compatibility
/// input of the official code. saliency [B, H, W].
at::Tensor salient_location_distances(const at::Tensor& saliency);

class CoMixup final : public Mixer {
 public:
  explicit CoMixup(CoMixOptions options) : options_(options) {}
  MixKind kind() const override { return MixKind::kCoMixup; }
  bool needs_saliency() const override { return true; }
  Mixed mix(const MixBatch& batch, int64_t num_classes, at::Generator& gen) const override;

 private:
  CoMixOptions options_;
};

}  // namespace dataopt::mixup::detail
