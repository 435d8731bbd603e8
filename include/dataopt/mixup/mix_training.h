#pragma once
/// \file
/// Training with a mixer: installs on a Trainer the batch hook (saliency from
/// the model under training, adversarial noise, mixing) and the loss, as the
/// official PuzzleMix / Co-Mixup training loops do (spec mixup.md 1.1-1.2,
/// 1.6, 1.8, 2.1, 3).
///
///   train::Trainer trainer(model, train_options);
///   mixup::attach_mixing(trainer, {.kind = mixup::MixKind::kPuzzle}, 10, seed);
///   trainer.fit(train_set, &test_set);
///
/// The loss of a mixed batch is BCE(softmax(logits), soft targets) averaged
/// over batch x classes (the official CIFAR loss); with clean_lam > 0 the
/// clean loss of the saliency pass, 2 * clean_lam * CE / K, is added.
/// Manifold Mixup mixes the hidden state after a random stage in {input,
/// stage 1, stage 2} inside the loss. Every draw comes from
/// derive_seed(seed, step), so a resumed run mixes exactly as an
/// uninterrupted one.

#include <cstdint>

#include "dataopt/core/tensor_fwd.h"
#include "dataopt/mixup/mixer.h"

namespace dataopt::nn {
class Model;
}
namespace dataopt::train {
class Trainer;
}

namespace dataopt::mixup {

void attach_mixing(train::Trainer& trainer, const MixOptions& options, int64_t num_classes,
                   uint64_t seed);

/// BCE(softmax(logits), targets), mean over all entries.
at::Tensor softmax_bce(const at::Tensor& logits, const at::Tensor& targets);

/// Manifold Mixup's forward: picks the layer (0 = input, 1, 2 = after stage
/// 1, 2; capped at the model's stages), mixes there with lam ~ Beta(alpha,
/// alpha) and a random permutation. Returns logits and targets [B, K].
struct ManifoldOut {
  at::Tensor logits, targets;
  int64_t layer = 0;
  double lam = 0;
};
ManifoldOut manifold_forward(nn::Model& model, const at::Tensor& images, const at::Tensor& labels,
                             int64_t num_classes, double alpha, at::Generator& gen);

}  // namespace dataopt::mixup
