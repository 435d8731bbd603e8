#pragma once
/// \file
/// Puzzle Mix's transport step (spec 1.7) for one image, without LibTorch:
/// the official `mask_transport` heuristic, returned as a gather map instead of
/// a dense N x N plan, and the patch move that `transport_image` does with a
/// dense matrix product, as an index copy.
///
///   // n x n transport grid; input 1 uses its mask, input 2 uses 1 - mask
///   auto plan = mixup::mask_transport(mask, saliency, n, /*eps=*/0.8);
///   auto moved = mixup::transport_patches(image, 3, 32, plan);  // [3, 32, 32]
///   // plan.source[j]: the cell whose patch lands in cell j, or -1 (zeros)

#include <cstdint>
#include <span>
#include <vector>

namespace dataopt::mixup {

/// A transport plan on an n x n grid of cells (row-major, N = n * n).
struct TransportPlan {
  /// Cells per side (n).
  int64_t grid = 0;
  /// [N]: for each target cell j, the source cell i with plan_win[i, j] = 1,
  /// or -1 when no source won cell j (the official dense product leaves 0
  /// there). Each source appears at most once: a partial permutation.
  std::vector<int64_t> source;
};

/// The official heuristic, exactly (float32, first-index ties as torch's
/// min on CPU): cost[i, j] = float(eps) * C[i, j] - saliency[i] * z[j] with
/// C[i, j] = (drow^2 + dcol^2) / (n - 1)^2 and z = (mask > 0); then exactly n
/// rounds of: every row picks its cheapest column; each column's winner is the
/// argmin over all rows of plan * cost (rows that did not pick it count as 0,
/// so a column whose pickers all cost more than 0 gets no winner); every row
/// whose pick was not won pays +1 there. The plan of the last round is
/// returned. mask and saliency are [n, n]; saliency is the image's pooled
/// saliency normalised to sum 1 (not checked). The official code only has
/// cost matrices for n in {2, 4, 8, 16}; other n >= 2 use the same formula.
/// Throws dataopt::Error on wrong sizes or non-finite values.
TransportPlan mask_transport(std::span<const float> mask, std::span<const float> saliency,
                             int64_t grid, double eps);

/// `transport_image` for one image [channels, size, size] (size divisible by
/// plan.grid): the patch of source cell plan.source[j] is copied to cell j,
/// cells without a source become 0. Returns [channels, size, size].
std::vector<float> transport_patches(std::span<const float> image, int64_t channels,
                                     int64_t size, const TransportPlan& plan);

}  // namespace dataopt::mixup
