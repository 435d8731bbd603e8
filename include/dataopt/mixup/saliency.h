#pragma once
/// \file
/// Input saliency from the model under training, as the official Puzzle Mix /
/// Co-Mixup training loops compute it (spec mixup.md 1.2, 2.1): the gradient
/// of the cross-entropy with respect to the *normalised* input, reduced over
/// channels to sqrt(mean_c grad^2).
///
///   auto s = mixup::input_saliency(model, x, y, {.clean_lam = 1.0});
///   // s.saliency [B, H, W]; s.clean_loss: keep it in the step's loss

#include <cstdint>

#include "dataopt/core/tensor_fwd.h"

namespace dataopt::nn {
class Model;
}

namespace dataopt::mixup {

struct SaliencyOptions {
  /// 0: the saliency pass runs in eval mode and leaves the parameter
  /// gradients alone; > 0: train mode, and clean_loss = 2 * clean_lam * CE /
  /// num_classes keeps its graph so the caller adds it to the step's loss.
  double clean_lam = 0.0;
};

struct Saliency {
  /// [B, H, W] >= 0.
  at::Tensor saliency;
  /// Scalar clean loss with its graph (clean_lam > 0), else undefined.
  at::Tensor clean_loss;
  /// [B, C, H, W] gradient of the loss w.r.t. the raw input (for the
  /// adversarial step), detached.
  at::Tensor input_grad;
};

/// Computes the saliency of images [B, C, H, W] (raw pixels) with labels [B].
/// The model's train/eval mode is restored afterwards.
Saliency input_saliency(nn::Model& model, const at::Tensor& images, const at::Tensor& labels,
                        const SaliencyOptions& options = {});

}  // namespace dataopt::mixup
