#pragma once
// Helpers shared by the mixers: scalar draws from a LibTorch generator, soft
// targets, input checks.

#include <torch/torch.h>

#include <random>

#include "dataopt/core/rng.h"
#include "dataopt/mixup/mixer.h"

namespace dataopt::mixup::detail {

// Scalar draws (block_num, lam) come from core/rng.h.
using ::dataopt::sample_beta;
using ::dataopt::scalar_stream;

/// ratio * onehot(labels) + (1 - ratio) * onehot(labels[perm]); ratio is a
/// scalar or [B].
at::Tensor mix_targets(const at::Tensor& labels, const at::Tensor& perm,
                       const at::Tensor& ratio, int64_t num_classes);

/// Checks images [B, C, H, W] float, labels [B] int64 in [0, K).
void check_batch(const MixBatch& batch, int64_t num_classes, const char* who);

/// The saliency-guided mixers: check_batch, square images and saliency
/// [B, S, S]; returns S.
int64_t check_saliency_batch(const MixBatch& batch, int64_t num_classes, const char* who);

/// The block grid of a batch: `fixed`, or drawn from {2, 4, 8, 16} when 0;
/// it must divide the image size (`flag` names the option in the error).
int64_t block_grid(int64_t fixed, int64_t size, std::mt19937_64& rng, const char* who,
                   const char* flag);

}  // namespace dataopt::mixup::detail
