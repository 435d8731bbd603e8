#pragma once
/// \file
/// The native core of Puzzle Mix's labelling step: the per-image multi-label
/// problem on the block grid and the alpha-beta-swap solver that the official
/// code runs through pyGCO (GCO v3.0 `swap` on a Boykov-Kolmogorov max-flow),
/// rebuilt on Debian's libmaxflow (the same BK v3 code). No LibTorch here:
/// plain float/int buffers, row-major, no global state, so callers may solve
/// several images at once from different threads.
///
///   mixup::PuzzleCutInput in{.block_num = 4, .cost_input1 = u2, .cost_input2 = u1,
///                            .pairwise_v = pw_x, .pairwise_h = pw_y, .lam = 0.3};
///   auto cut = mixup::puzzle_graph_cut(in, {.n_labels = 3});
///   // cut.mask[r * 4 + c] is the weight of input 1 in block (r, c): 1, 0.5 or 0
///
/// Integer overflow. pyGCO's float mode multiplies the int32 data costs of
/// `graphcut_multi` by 100000 in int32, so every data cost above 21474 wraps
/// round (at 16x16 blocks: a block holding more than ~8.4 % of an image's
/// mixed saliency; at 8x8: ~33.6 %; never at 4x4 or coarser). GCO's t-links
/// are int32 too and wrap the same way, so a swap move sees the difference of
/// its two labels' costs modulo 2^32: the wrap changes a mask only where that
/// difference overflows as well, or through the stopping rule (which sums
/// wrapped costs). OverflowMode says whether to copy all of this. The default
/// is kReproduce, because the project's first goal is parity with the official
/// masks (spec section 8) and the published accuracies were obtained with the
/// wrap-around; kFix keeps every term and capacity exact in 64-bit integers
/// and gives identical results whenever nothing overflows.
/// GridEnergy::n_int32_overflows tells whether a term overflowed.

#include <cstdint>
#include <span>
#include <vector>

namespace dataopt::mixup {

/// How integer energy terms that do not fit in int32 are treated.
enum class OverflowMode {
  /// As NumPy + GCO: int32 terms that wrap round (two's complement), products
  /// and max-flow capacities in int32. Identical masks to the official code.
  kReproduce,
  /// Exact 64-bit integer terms and capacities; otherwise the same algorithm.
  kFix,
};

/// A multi-label energy on a height x width 4-connected grid, in GCO's
/// integer form:
///   E(l) = sum_p data[l_p, p] + sum_{p~q} weight_pq * smooth[l_p, l_q]
/// Sites are row-major (p = r * width + c).
struct GridEnergy {
  int64_t n_labels = 0;
  int64_t height = 0;
  int64_t width = 0;
  /// [n_labels, height, width]: cost of giving label l to site (r, c).
  std::vector<int64_t> data;
  /// [n_labels, n_labels], symmetric: label cost of a pair of neighbours.
  std::vector<int64_t> smooth;
  /// [height - 1, width]: weight of the edge (r, c) - (r + 1, c).
  std::vector<int64_t> weight_v;
  /// [height, width - 1]: weight of the edge (r, c) - (r, c + 1).
  std::vector<int64_t> weight_h;
  /// Arithmetic of the solver. kReproduce requires every term to fit in int32.
  OverflowMode overflow = OverflowMode::kReproduce;
  /// Set by the builders below: how many terms did not fit in int32 (wrapped
  /// under kReproduce, kept exact under kFix).
  int64_t n_int32_overflows = 0;
};

struct SwapResult {
  /// [height, width] final labels.
  std::vector<int32_t> labels;
  /// GCO's energy of `labels` (int64 sum; int32 products under kReproduce).
  int64_t energy = 0;
  /// Energy of the initial labelling (all 0).
  int64_t initial_energy = 0;
  /// Swap cycles run (each cycle visits every label pair once).
  int64_t cycles = 0;
};

/// GCO's alpha-beta swap exactly as `gco.cut_grid_graph(..., algorithm='swap')`
/// runs it: all sites start at label 0; a cycle visits the pairs (a, b), a < b,
/// in the order a = 0..L-1, b = L-1..a+1 (for 3 labels: (0,2), (0,1), (1,2));
/// each swap builds a BK graph over the sites labelled a or b (in site order,
/// neighbours in pyGCO's up, down, left, right order) and gives a site label a
/// when the cut leaves it on the source side (ties included). Cycles repeat
/// while the energy decreases, at most max_cycles (-1: 10^7, as GCO's n_iter
/// = -1). A local optimum, not always the global one. Throws dataopt::Error on
/// bad sizes, a non-symmetric or non-submodular `smooth` (s[a][a] + s[b][b] >
/// 2 s[a][b]), negative edge weights, or, under kReproduce, terms outside
/// int32 or weights/smooth costs above GCO's 10^7 safety limit (GCO aborts).
SwapResult alpha_beta_swap(const GridEnergy& energy, int64_t max_cycles = -1);

/// GCO's energy of a labelling ([height, width], values in [0, n_labels)).
int64_t grid_energy(const GridEnergy& energy, std::span<const int32_t> labels);

/// pyGCO's float mode for float32 inputs (Co-Mixup's per-output cut, section
/// 2.3): data = trunc(unary * 100000), smooth = trunc(smooth * 100), weights =
/// trunc(weight * 1000), each product as NumPy 1.x computes it (float64 for
/// x 100000, float32 for x 1000 and x 100: value-based casting promotes a
/// float32 array times a Python int above 65535 to float64).
/// unary is [n_labels, height, width] (pyGCO takes [height, width, n_labels]).
/// Under kReproduce a value outside int32 becomes INT32_MIN as NumPy's cast
/// does on x86; under kFix it is kept exact.
GridEnergy float_mode_energy(int64_t n_labels, int64_t height, int64_t width,
                             std::span<const float> unary, std::span<const float> smooth,
                             std::span<const float> weight_v,
                             std::span<const float> weight_h,
                             OverflowMode overflow = OverflowMode::kReproduce);

/// Parameters of the Puzzle Mix cut, as `mixup_graph` passes them on.
struct GraphCutOptions {
  /// Number of mixing levels per block (the official code supports 2, 3, 4);
  /// label l means mask 1 - l / (n_labels - 1).
  int64_t n_labels = 3;
  /// Smoothness weight beta before normalisation; the cut uses
  /// puzzle_beta_n(beta, block_num) = beta / block_num / 16.
  double beta = 1.2;
  /// Weight of the binomial prior around lam (eta).
  double eta = 0.2;
  /// Copy pyGCO's int32 wrap-around (default, for parity) or fix it.
  OverflowMode overflow = OverflowMode::kReproduce;

  void validate() const;
};

/// beta / block_num / 16, evaluated in double left to right as Python does.
/// The caller's smoothness terms (neigh_penalty * beta_n * gamma) use it too.
double puzzle_beta_n(double beta, int64_t block_num);

/// One image's problem as `mixup_graph` hands it to `graphcut_multi`: float32
/// terms on the block_num x block_num grid after the smoothness
/// re-parametrisation (spec 1.3-1.4), row-major.
struct PuzzleCutInput {
  /// Blocks per side (bn >= 2).
  int64_t block_num = 0;
  /// [bn, bn] cost of giving a block to input 1 = what is thrown away of input
  /// 2 there (mixup_graph's unary2 after re-parametrisation; graphcut_multi's
  /// first argument).
  std::span<const float> cost_input1;
  /// [bn, bn] cost of giving a block to input 2 (mixup_graph's unary1).
  std::span<const float> cost_input2;
  /// [bn - 1, bn] symmetric edge term P of the vertical edges (pw_x).
  std::span<const float> pairwise_v;
  /// [bn, bn - 1] symmetric edge term P of the horizontal edges (pw_y).
  std::span<const float> pairwise_h;
  /// Mixing ratio lam in [0, 1]: the expected share of input 1. The official
  /// code rounds the Beta draw to float32 first; pass that value.
  double lam = 0.5;
};

struct PuzzleCut {
  /// [bn, bn] labels in [0, n_labels).
  std::vector<int32_t> labels;
  /// [bn, bn] weight of input 1: float(1 - label / (n_labels - 1)).
  std::vector<float> mask;
  /// Energy (in the GridEnergy's integer units) and cycles of the swap.
  int64_t energy = 0;
  int64_t cycles = 0;
  /// Terms that did not fit in int32 (see OverflowMode).
  int64_t n_int32_overflows = 0;
};

/// The integer problem `graphcut_multi` builds (spec 1.5), with NumPy 1.x's
/// precision (the mix in float32; the product with large_val in float32 up to
/// 8 x 8 blocks, in float64 at 16 x 16, where large_val > 65535):
///   D_l = int32(large_val * ((1 - t_l) * cost_input1 + t_l * cost_input2 + prior_l))
///   t_l = l / (L - 1),  large_val = 1000 bn^2,
///   prior_l = eta / bn^2 * -log(C(L-1, l) lam^(L-1-l) (1 - lam)^l + 1e-8),
///   weights = int32(large_val * (P + beta_n)),  smooth = (l - l')^2 / (L - 1)^2,
/// then pyGCO's float-mode scaling (x 100000, x 1000, x 100).
GridEnergy puzzle_cut_energy(const PuzzleCutInput& input,
                             const GraphCutOptions& options = {});

/// graphcut_multi for one image: puzzle_cut_energy + alpha_beta_swap + mask.
PuzzleCut puzzle_graph_cut(const PuzzleCutInput& input,
                           const GraphCutOptions& options = {});

}  // namespace dataopt::mixup
