#pragma once
// Puzzle Mix (spec mixup.md section 1): saliency-guided block masks from the
// graph cut, optimal transport of salient blocks, area-weighted targets.

#include "dataopt/mixup/mixer.h"

namespace dataopt::mixup::detail {

/// The per-image terms mixup_graph builds before the cut, on the block grid:
/// cost_input1 / cost_input2 [B, bn, bn] (re-parametrised unaries),
/// pairwise_v [B, bn-1, bn], pairwise_h [B, bn, bn-1], and the normalised
/// pooled saliency of both inputs (before re-parametrisation) [B, bn, bn].
struct PuzzleTerms {
  at::Tensor cost_input1, cost_input2, pairwise_v, pairwise_h;
  at::Tensor saliency1, saliency2;
};

/// Unary and smoothness terms (spec 1.3-1.4) for block_num blocks per side.
PuzzleTerms puzzle_terms(const at::Tensor& images, const at::Tensor& saliency,
                         const at::Tensor& perm, int64_t block_num, const PuzzleOptions& options);

/// One graph cut per image (spec 1.5) on the terms, run over the cores:
/// masks [B, bn, bn] (weight of input 1: 1, 0.5 or 0), on the CPU.
at::Tensor puzzle_cuts(const PuzzleTerms& terms, float lam, const GraphCutOptions& options);

/// Moves each image's cells by its plan: images [B, C, S, S], masks [B, n, n]
/// (weight of the image being moved), saliency [B, n, n]; fill [C] or undefined.
at::Tensor transport_batch(const at::Tensor& images, const at::Tensor& masks,
                           const at::Tensor& saliency, double eps, const at::Tensor& fill);

class PuzzleMix final : public Mixer {
 public:
  explicit PuzzleMix(PuzzleOptions options) : options_(options) {}
  MixKind kind() const override { return MixKind::kPuzzle; }
  bool needs_saliency() const override { return true; }
  Mixed mix(const MixBatch& batch, int64_t num_classes, at::Generator& gen) const override;
  const PuzzleOptions& options() const { return options_; }

 private:
  PuzzleOptions options_;
};

}  // namespace dataopt::mixup::detail
