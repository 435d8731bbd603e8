#pragma once
/// \file
/// Batch mixing: the interface every mixer implements and the options of the
/// five mixers (Input Mixup, CutMix, Manifold Mixup, Puzzle Mix, Co-Mixup),
/// each with the official code's defaults (spec mixup.md sections 1.10, 2.6, 3).
///
///   auto mixer = mixup::make_mixer({.kind = mixup::MixKind::kPuzzle});
///   at::Generator gen = make_generator(derive_seed(seed, step));
///   mixup::Mixed m = mixer->mix({.images = x, .labels = y, .saliency = s}, 10, gen);
///   // m.images [B, C, H, W], m.targets [B, 10] (rows sum to 1)
///
/// Images are raw pixels (the models normalise internally); mixing is affine,
/// so mixing raw pixels equals mixing normalised ones. Saliency, where a mixer
/// needs it, is [B, H, W] (see saliency.h).

#include <cstdint>
#include <memory>
#include <string>

#include <ATen/core/Generator.h>

#include "dataopt/core/tensor_fwd.h"
#include "dataopt/mixup/comixup_match.h"
#include "dataopt/mixup/graph_cut.h"

namespace dataopt::mixup {

enum class MixKind { kNone, kInputMixup, kManifold, kCutMix, kPuzzle, kCoMixup };

/// "none", "mixup", "manifold", "cutmix", "puzzle", "comix" (the CLI names).
MixKind parse_mix_kind(const std::string& name);
std::string mix_kind_name(MixKind kind);

/// Input Mixup, Manifold Mixup and CutMix (spec section 3): one lam ~
/// Beta(alpha, alpha) and one random permutation per batch.
struct BasicMixOptions {
  /// Beta(alpha, alpha) parameter (official CIFAR: mixup 1.0, manifold 2.0,
  /// cutmix 1.0).
  double alpha = 1.0;
};

/// Puzzle Mix (spec section 1), official CIFAR-100 defaults.
struct PuzzleOptions {
  /// Beta(alpha, alpha) for lam (mixup_alpha).
  double alpha = 1.0;
  /// Blocks per side; 0 = drawn per batch from {2, 4, 8, 16}.
  int64_t block_num = 0;
  /// Mixing levels per block (2, 3 or 4) and the cut's beta, eta.
  GraphCutOptions cut;
  /// Weight of the data-smoothness (neighbour) term.
  double gamma = 0.5;
  /// Pooling size of the neighbour term (min(neigh_size, block_size)).
  int64_t neigh_size = 4;
  /// Optimal transport of the salient blocks.
  bool transport = true;
  /// Transport cost weight (t_eps).
  double t_eps = 0.8;
  /// Transport cell size in pixels; -1 = the block grid (t_size).
  int64_t t_size = -1;
  /// Weight of the clean loss kept from the saliency pass (clean_lam).
  double clean_lam = 0.0;
  /// Probability of adversarial noise per input (adv_p) and its size /255.
  double adv_p = 0.0;
  double adv_eps = 10.0;
};

/// Co-Mixup (spec section 2), official CIFAR-100 defaults; the matching's
/// own knobs (m_beta, m_gamma, m_eta, m_thres, m_omega, m_niter, set_resolve,
/// threshold type, overflow) are in CoMixupOptions (comixup_match.h).
struct CoMixOptions {
  /// Dirichlet concentration of each partition's prior (mixup_alpha).
  double alpha = 2.0;
  /// Blocks per side (m_block_num); 0 = drawn per batch from {2, 4, 8, 16}.
  int64_t block_num = 4;
  /// Inputs per partition (m_part); each output mixes inputs of its partition.
  int64_t part = 20;
  /// Weight of the clean loss kept from the saliency pass (clean_lam).
  double clean_lam = 1.0;
  CoMixupOptions match;
};

struct MixOptions {
  MixKind kind = MixKind::kNone;
  BasicMixOptions basic;
  PuzzleOptions puzzle;
  CoMixOptions comix;

  void validate() const;
};

/// One batch to mix.
struct MixBatch {
  /// [B, C, H, W] raw pixels.
  at::Tensor images;
  /// [B] int64 class labels.
  at::Tensor labels;
  /// [B, H, W] input saliency (needed by Puzzle Mix and Co-Mixup).
  at::Tensor saliency;
  /// [B, C, H, W] adversarial noise in pixel space (Puzzle Mix, optional),
  /// added after the cut to the first input (noise_first) and/or, permuted,
  /// to the second (noise_second), then clamped to [0, 1].
  at::Tensor noise;
  bool noise_first = false;
  bool noise_second = false;
  /// [C] pixel value of transported cells that receive no patch (the
  /// official code leaves 0 in normalised space: the normalisation mean).
  /// Undefined = 0.
  at::Tensor fill;
};

struct Mixed {
  /// [B, C, H, W] mixed images (raw pixel space).
  at::Tensor images;
  /// [B, K] soft targets, rows sum to 1.
  at::Tensor targets;
  /// [B, H, W] weight of the batch's own image in each pixel (Input Mixup:
  /// lam everywhere; Co-Mixup: the weight of the input with the largest
  /// share), for pictures.
  at::Tensor masks;
  /// [B] index of the second input of each output (Co-Mixup: the input with
  /// the second largest share, or the output itself).
  at::Tensor partners;
};

/// Mixes whole batches of images. Implementations are stateless apart from
/// their options; all randomness comes from the generator.
class Mixer {
 public:
  virtual ~Mixer() = default;
  virtual MixKind kind() const = 0;
  /// Whether mix() needs MixBatch::saliency.
  virtual bool needs_saliency() const { return false; }
  /// Mixes a batch. Throws dataopt::Error on shapes the mixer cannot handle
  /// (e.g. an image size the block grid does not divide).
  virtual Mixed mix(const MixBatch& batch, int64_t num_classes, at::Generator& gen) const = 0;
};

/// The mixer of options.kind (kNone and kManifold have none: nullptr; Manifold
/// Mixup mixes inside the model, see mix_training.h).
std::unique_ptr<Mixer> make_mixer(const MixOptions& options);

}  // namespace dataopt::mixup
