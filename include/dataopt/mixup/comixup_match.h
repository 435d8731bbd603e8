#pragma once
/// \file
/// The native core of Co-Mixup's per-partition matching (spec section 2.2 and
/// 2.3): the block-coordinate descent of the official `get_onehot_matrix` with
/// one GCO alpha-beta swap per output (`graphcut_wrapper`), on plain row-major
/// buffers. No LibTorch and no global state: callers may match several
/// partitions at once from different threads. Randomness stays with the
/// caller: the Dirichlet draw is an argument (comixup_dirichlet draws one) and
/// the random initial labelling comes from the partition's seed.
///
///   std::mt19937_64 rng(seed);
///   auto alpha = mixup::comixup_dirichlet(m, /*mixup_alpha=*/2.0, rng);
///   mixup::CoMixupPartition part{.n_input = m, .height = 4, .width = 4,
///                                .saliency = sc, .dist = a_dist, .alpha = alpha,
///                                .seed = rng()};
///   auto match = mixup::comixup_match(part, {});
///   // match.masks[((j * 4 + r) * 4 + c) * m + i]: weight of input i in block
///   // (r, c) of output j: 0, 0.5 or 1, summing to 1 over i
///
/// Departures from the official code, all documented in docs/methods/mixup.md:
/// the edge cases it turns into NaN (all salient points coinciding, an input
/// without saliency) get defined values; ties of torch.topk go to the lower
/// input index; float32 reductions are accumulated in double and rounded once.

#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include "dataopt/mixup/graph_cut.h"

namespace dataopt::mixup {

/// How the modular diversity penalty treats the other outputs' histogram
/// (the official `--m_thres_type`).
enum class ThresholdType {
  /// 2 gamma [(A p)_j > tau] p_j, mixed through A (see comixup_match).
  kHard,
  /// 2 gamma [(A p)_k > tau] ((A p)_k - tau).
  kSoft,
};

/// Options of the matching, named after the official command-line flags; the
/// defaults are the official ones (spec 2.6). beta, gamma, eta and thres are
/// given per image and scaled by the number of blocks HW inside, as
/// get_onehot_matrix does.
struct CoMixupOptions {
  /// Smoothness weight; the cut uses beta = m_beta / H / W per 4-neighbour edge.
  double m_beta = 0.32;
  /// Weight of the diversity term; scaled to m_gamma / H / W.
  double m_gamma = 1.0;
  /// Weight of the Dirichlet prior -eta log(alpha_i + 1e-8); scaled to m_eta / H / W.
  double m_eta = 0.05;
  /// Threshold of the modular diversity penalty as a share of the blocks of
  /// one image; tau = m_thres * H * W blocks.
  double m_thres = 0.83;
  /// Weight omega of the saliency-distance compatibility in
  /// A = (1 - omega) I + omega * dist * m / sum(dist); in [0, 1].
  double m_omega = 0.001;
  /// Sweeps over the outputs at most (early stop on a relative objective
  /// change below 1e-6).
  int64_t m_niter = 4;
  /// After sweep m_niter - 2, penalise pairs of outputs that use the same set
  /// of inputs (official resolve_label).
  bool set_resolve = true;
  /// Hard or soft threshold of the modular diversity penalty.
  ThresholdType thres_type = ThresholdType::kHard;
  /// Outputs per partition; 0 means as many as inputs (the official choice).
  int64_t n_output = 0;
  /// pyGCO's int32 wrap-around of the scaled costs: copied (default) or fixed.
  OverflowMode overflow = OverflowMode::kReproduce;

  void validate() const;
};

/// One partition of m inputs on an H x W block grid. Spans are row-major and
/// must stay alive during the call.
struct CoMixupPartition {
  /// Inputs m in the partition (>= 1).
  int64_t n_input = 0;
  /// Block grid (>= 1 each; the official code uses square grids).
  int64_t height = 0;
  int64_t width = 0;
  /// [m, H, W] saliency pooled to the block grid, >= 0. Normalised to sum 1
  /// per input inside (an input whose saliency is all 0 counts as uniform).
  std::span<const float> saliency;
  /// [m, m] L1 distances between the inputs' most salient locations (>= 0).
  /// If they sum to 0 (all salient points coincide), A = I.
  std::span<const float> dist;
  /// [m] the partition's Dirichlet draw (>= 0, summing to 1 within 1e-3).
  std::span<const float> alpha;
  /// Optional [n_output, H, W] initial labels in [0, m) (the official `idx`);
  /// empty: drawn uniformly with `seed`. They only seed the diversity
  /// penalty of the first sweep (every cut starts from GCO's all-0 labels).
  std::span<const int32_t> init_labels;
  /// Seed of the random initial labels (std::mt19937_64).
  uint64_t seed = 0;
};

struct CoMixupMatch {
  /// Outputs (n_output), as for the inputs' m, H, W.
  int64_t n_output = 0;
  /// [n_output, H, W, m] weight of each input per block: 0, 0.5 or 1, summing
  /// to 1 per block (the official mask_onehot layout).
  std::vector<float> masks;
  /// [m, H, W] the cost the objective uses: -saliency / sum - eta log(alpha + 1e-8)
  /// with the scaled eta, in float32 as the official cost_matrix.
  std::vector<float> cost;
  /// Objective (comixup_objective with the scaled beta and gamma) of the
  /// initial labels and after each sweep; objective.size() == n_sweeps.
  double initial_objective = 0;
  std::vector<double> objective;
  /// Sweeps run (<= m_niter).
  int64_t n_sweeps = 0;
  /// Scaled costs that did not fit in int32, summed over all cuts.
  int64_t n_int32_overflows = 0;
};

/// get_onehot_matrix for one partition. With HW = H * W blocks, beta =
/// m_beta / HW, gamma = m_gamma / HW, eta = m_eta / HW, tau = m_thres * HW:
///   cost[i] = -saliency[i] / sum(saliency[i]) - eta log(alpha_i + 1e-8);
///   A = (1 - omega) I + omega * dist * m / sum(dist)  (A = I if sum(dist) = 0);
///   p = input histogram of all outputs' initial labels;
///   for each sweep it, for each output i: p -= o_i;
///     hard: pen_k = 2 gamma sum_j [(A p)_j > tau] A[k, j] p_j   (the official
///           expression `(A @ p > thres).float() * A @ p` groups as
///           ((mask * A) @ p); with A = I it is 2 gamma [p_k > tau] p_k);
///     soft: pen_k = 2 gamma [(A p)_k > tau] ((A p)_k - tau);
///     z_i = GCO swap of cost + pen (+ gamma where resolve flagged input k for
///     output i) with Potts weight beta; from sweep 1 on, an output using 2
///     inputs also gets a half/half label, one using >= 3 inputs three half
///     labels for its top-3 inputs (section 2.3); p += o_i;
///   after sweep m_niter - 2 (set_resolve): outputs i1 < i2 using the same
///     set of >= 2 inputs flag their first / second input;
///   stop when |L_prev - L| / |L| < 1e-6.
/// Throws dataopt::Error on bad sizes, non-finite or negative values, or
/// invalid options, before any work.
CoMixupMatch comixup_match(const CoMixupPartition& partition,
                           const CoMixupOptions& options = {});

/// The official obj_fn for n_output = masks.size() / (H W m) outputs:
///   L = sum_j <cost, z_j> + beta / 2 sum_j sum_{4-nbr p~q} |z_j[p] - z_j[q]|^2
///       + gamma (|sum_j o_j|^2 - sum_j |o_j|^2),   o_j = sum_blocks z_j,
/// with cost [m, H, W], masks [n_output, H, W, m] and beta, gamma already
/// scaled (m_beta / HW, m_gamma / HW), evaluated in double. No threshold and
/// no compatibility matrix: the objective the descent monitors.
double comixup_objective(int64_t n_input, int64_t height, int64_t width,
                         std::span<const float> cost, std::span<const float> masks,
                         double beta, double gamma);

/// A Dirichlet(concentration * 1_n) draw (the official mixup_alpha prior) from
/// n gamma variates (Marsaglia-Tsang, normalised in log space so that tiny
/// concentrations do not underflow to 0 / 0). Uses only rng's raw 64-bit
/// output, so a seed gives the same draw with every standard library.
std::vector<float> comixup_dirichlet(int64_t n, double concentration,
                                     std::mt19937_64& rng);

}  // namespace dataopt::mixup
