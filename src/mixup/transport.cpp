// Puzzle Mix's mask_transport as a per-image index computation (spec 1.7, 7.3).
//
// The official code materialises the N x N matrices plan, cost_fight and
// plan_win for the whole batch every round. Here a round keeps only each
// row's pick and each column's winner, with the same float32 values and the
// same tie rule, so the plan is identical:
//  - a row's cheapest column changes only when its own pick was not won (its
//    cost there grew by 1), so only those rows are re-scanned;
//  - plan * cost is cost[i, j] for the rows that picked j and +-0 for all the
//    others, so column j's argmin (first index on ties) is its cheapest picker
//    if that cost is < 0, or == 0 with the picker before the first row that
//    did not pick j; otherwise the argmin is a row that did not pick j and
//    column j has no winner.
// Compiled with -ffp-contract=off: eps * C - s * z must round twice, as torch.

#include "dataopt/mixup/transport.h"

#include <algorithm>
#include <cmath>

#include "dataopt/core/check.h"

namespace dataopt::mixup {
namespace {

// First index of the minimum of row[0..n), as torch.min(dim) on CPU.
int64_t argmin_first(const float* row, int64_t n) {
  int64_t best = 0;
  for (int64_t j = 1; j < n; ++j) {
    if (row[j] < row[best]) best = j;
  }
  return best;
}

void check_finite(std::span<const float> values, const char* name) {
  for (size_t i = 0; i < values.size(); ++i) {
    DATAOPT_CHECK(std::isfinite(values[i]), "mask_transport: ", name,
                  " must be finite, got ", values[i], " at index ", i);
  }
}

}  // namespace

TransportPlan mask_transport(std::span<const float> mask, std::span<const float> saliency,
                             int64_t grid, double eps) {
  DATAOPT_CHECK(grid >= 2, "mask_transport: grid must be >= 2 cells per side, got ",
                grid);
  // The cost matrix has grid^4 entries (64 MiB at 64 x 64 cells).
  DATAOPT_CHECK(grid <= 64, "mask_transport: grid must be <= 64 cells per side, got ",
                grid);
  const int64_t n = grid, N = n * n;
  DATAOPT_CHECK(static_cast<int64_t>(mask.size()) == N, "mask_transport: mask must be [",
                n, ", ", n, "] (", N, " values), got ", mask.size());
  DATAOPT_CHECK(static_cast<int64_t>(saliency.size()) == N,
                "mask_transport: saliency must be [", n, ", ", n, "] (", N,
                " values), got ", saliency.size());
  check_finite(mask, "mask");
  check_finite(saliency, "saliency");
  DATAOPT_CHECK(std::isfinite(eps), "mask_transport: eps must be finite, got ", eps);

  // torch: python float * float32 tensor computes with float(eps).
  const auto eps_f = static_cast<float>(eps);
  const auto denom = static_cast<float>((n - 1) * (n - 1));
  std::vector<float> cost(static_cast<size_t>(N * N));
  for (int64_t i = 0; i < N; ++i) {
    const int64_t ri = i / n, ci = i % n;
    for (int64_t j = 0; j < N; ++j) {
      const int64_t dr = ri - j / n, dc = ci - j % n;
      const float c = static_cast<float>(dr * dr + dc * dc) / denom;
      const float z = mask[static_cast<size_t>(j)] > 0 ? 1.0f : 0.0f;
      const float transport = eps_f * c;
      const float gain = saliency[static_cast<size_t>(i)] * z;
      const float value = transport - gain;
      DATAOPT_CHECK(std::isfinite(value), "mask_transport: cost overflowed (eps = ", eps,
                    ")");
      cost[static_cast<size_t>(i * N + j)] = value;
    }
  }

  std::vector<int64_t> pick(static_cast<size_t>(N));
  for (int64_t i = 0; i < N; ++i) {
    pick[static_cast<size_t>(i)] = argmin_first(&cost[static_cast<size_t>(i * N)], N);
  }
  std::vector<int64_t> best_row(static_cast<size_t>(N));
  std::vector<float> best_cost(static_cast<size_t>(N));
  std::vector<int64_t> winner(static_cast<size_t>(N));
  for (int64_t round = 0; round < n; ++round) {
    // Cheapest picker of every column (first index on ties).
    std::fill(best_row.begin(), best_row.end(), -1);
    for (int64_t i = 0; i < N; ++i) {
      const auto j = static_cast<size_t>(pick[static_cast<size_t>(i)]);
      const float v = cost[static_cast<size_t>(i * N) + j];
      if (best_row[j] == -1 || v < best_cost[j]) {
        best_row[j] = i;
        best_cost[j] = v;
      }
    }
    // The first row that did not pick column j is row 0, except for the
    // column row 0 picked: there it is the first row after the leading run of
    // rows that picked the same column (N if all did).
    const int64_t first_column = pick[0];
    int64_t leading = 0;
    while (leading < N && pick[static_cast<size_t>(leading)] == first_column) ++leading;
    for (int64_t j = 0; j < N; ++j) {
      const auto jj = static_cast<size_t>(j);
      winner[jj] = -1;
      if (best_row[jj] == -1) continue;
      const int64_t first_other = j == first_column ? leading : 0;
      const float v = best_cost[jj];
      if (first_other == N || v < 0 || (v == 0 && best_row[jj] < first_other)) {
        winner[jj] = best_row[jj];
      }
    }
    if (round + 1 == n) break;
    // Losers pay 1 on their pick and look again.
    for (int64_t i = 0; i < N; ++i) {
      const auto j = static_cast<size_t>(pick[static_cast<size_t>(i)]);
      if (winner[j] != i) {
        cost[static_cast<size_t>(i * N) + j] += 1.0f;
        pick[static_cast<size_t>(i)] = argmin_first(&cost[static_cast<size_t>(i * N)], N);
      }
    }
  }
  return TransportPlan{.grid = n, .source = winner};
}

std::vector<float> transport_patches(std::span<const float> image, int64_t channels,
                                     int64_t size, const TransportPlan& plan) {
  const int64_t n = plan.grid;
  DATAOPT_CHECK(n >= 1 && static_cast<int64_t>(plan.source.size()) == n * n,
                "transport_patches: plan must have grid * grid = ", n * n,
                " entries, got ", plan.source.size());
  DATAOPT_CHECK(channels >= 1, "transport_patches: channels must be >= 1, got ",
                channels);
  DATAOPT_CHECK(size >= n && size % n == 0, "transport_patches: image size ", size,
                " must be a multiple of the plan's grid ", n);
  DATAOPT_CHECK(static_cast<int64_t>(image.size()) == channels * size * size,
                "transport_patches: image must be [", channels, ", ", size, ", ", size,
                "] (", channels * size * size, " values), got ", image.size());
  const int64_t patch = size / n;
  for (int64_t s : plan.source) {
    DATAOPT_CHECK(s >= -1 && s < n * n, "transport_patches: plan source ", s,
                  " is outside [-1, ", n * n, ")");
  }
  std::vector<float> out(image.size(), 0.0f);
  for (int64_t j = 0; j < n * n; ++j) {
    const int64_t i = plan.source[static_cast<size_t>(j)];
    if (i < 0) continue;
    const int64_t src_r = (i / n) * patch, src_c = (i % n) * patch;
    const int64_t dst_r = (j / n) * patch, dst_c = (j % n) * patch;
    for (int64_t ch = 0; ch < channels; ++ch) {
      const int64_t base = ch * size * size;
      for (int64_t y = 0; y < patch; ++y) {
        const float* from =
            &image[static_cast<size_t>(base + (src_r + y) * size + src_c)];
        float* to = &out[static_cast<size_t>(base + (dst_r + y) * size + dst_c)];
        for (int64_t x = 0; x < patch; ++x) to[x] = from[x];
      }
    }
  }
  return out;
}

}  // namespace dataopt::mixup
