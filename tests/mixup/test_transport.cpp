// Transport of Puzzle Mix: mask_transport against a literal dense transcription
// of the official torch loop (N x N plan, cost_fight, plan_win matrices) on
// random and tie-heavy inputs, two hand-traced 2 x 2 cases, the patch move
// against the dense product of transport_image, and bad input.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "dataopt/core/error.h"
#include "dataopt/mixup/transport.h"

namespace dataopt::mixup {
namespace {

// First index of the minimum, as torch.min(dim) on CPU.
size_t first_argmin(const std::vector<float>& v, size_t start, size_t stride,
                    size_t count) {
  size_t best = 0;
  for (size_t k = 1; k < count; ++k) {
    if (v[start + k * stride] < v[start + best * stride]) best = k;
  }
  return best;
}

// The official mask_transport, matrix by matrix, in float32: returns plan_win
// [N, N] (row = source cell, column = target cell).
std::vector<float> dense_mask_transport(const std::vector<float>& mask,
                                        const std::vector<float>& saliency, size_t n,
                                        double eps) {
  const size_t N = n * n;
  const auto eps_f = static_cast<float>(eps);
  std::vector<float> C(N * N), cost(N * N), plan(N * N), fight(N * N), win(N * N);
  for (size_t i = 0; i < N; ++i) {
    for (size_t j = 0; j < N; ++j) {
      const auto dr = static_cast<int64_t>(i / n) - static_cast<int64_t>(j / n);
      const auto dc = static_cast<int64_t>(i % n) - static_cast<int64_t>(j % n);
      C[i * N + j] =
          static_cast<float>(dr * dr + dc * dc) / static_cast<float>((n - 1) * (n - 1));
    }
  }
  for (size_t i = 0; i < N; ++i) {
    for (size_t j = 0; j < N; ++j) {
      const float z = mask[j] > 0 ? 1.0f : 0.0f;
      const float a = eps_f * C[i * N + j];
      const float b = saliency[i] * z;
      cost[i * N + j] = a - b;
    }
  }
  for (size_t round = 0; round < n; ++round) {
    for (size_t i = 0; i < N; ++i) {
      const size_t best = first_argmin(cost, i * N, 1, N);
      for (size_t j = 0; j < N; ++j) plan[i * N + j] = j == best ? 1.0f : 0.0f;
    }
    for (size_t k = 0; k < N * N; ++k) fight[k] = plan[k] * cost[k];
    for (size_t j = 0; j < N; ++j) {
      const size_t best = first_argmin(fight, j, N, N);
      for (size_t i = 0; i < N; ++i) {
        win[i * N + j] = (i == best ? 1.0f : 0.0f) * plan[i * N + j];
      }
    }
    for (size_t k = 0; k < N * N; ++k) cost[k] += (1.0f - win[k]) * plan[k];
  }
  return win;
}

std::vector<int64_t> sources_of(const std::vector<float>& win, size_t N) {
  std::vector<int64_t> source(N, -1);
  for (size_t j = 0; j < N; ++j) {
    for (size_t i = 0; i < N; ++i) {
      if (win[i * N + j] == 1.0f) {
        EXPECT_EQ(source[j], -1) << "two winners in column " << j;
        source[j] = static_cast<int64_t>(i);
      }
    }
  }
  return source;
}

template <typename F>
void expect_error(F&& f, const std::string& expected) {
  try {
    f();
    ADD_FAILURE() << "no dataopt::Error thrown; expected one saying: " << expected;
  } catch (const dataopt::Error& e) {
    EXPECT_NE(std::string(e.what()).find(expected), std::string::npos)
        << "message: " << e.what() << "\nexpected to contain: " << expected;
  }
}

TEST(Transport, HandTracedMoveOfASalientCell) {
  // 2 x 2 cells, input 1 keeps the top row (mask 1 1 / 0 0); saliency .05 .05 /
  // .9 .1; eps .8; C = 0 / 1 (neighbours) / 2 (diagonal).
  // Round 1: rows pick 0 (-.05), 1 (-.05), 0 (.8 - .9 = -.1), 3 (0). Column 0
  // goes to row 2 (-.1 < -.05), column 1 to row 1; column 3's only picker costs
  // 0 and row 0 (which did not pick it) also counts as 0 and comes first, so no
  // winner. Rows 0 and 3 pay +1: cost[0][0] = .95, cost[3][3] = 1.
  // Round 2 (the last, n = 2): rows pick 1 (.75), 1, 0, 1 (.7); column 0 goes
  // to row 2, column 1 to row 1 (-.05). The salient bottom-left patch moves
  // into the kept top-left cell.
  const std::vector<float> mask{1, 1, 0, 0}, sal{0.05f, 0.05f, 0.9f, 0.1f};
  const TransportPlan plan = mask_transport(mask, sal, 2, 0.8);
  EXPECT_EQ(plan.grid, 2);
  EXPECT_EQ(plan.source, (std::vector<int64_t>{2, 1, -1, -1}));
}

TEST(Transport, HandTracedColumnsWithoutWinner) {
  // mask 1 0 / 0 0, saliency .1 .6 / .2 .1, eps .8. Round 1: every row picks
  // its own cell; rows 1-3 cost 0 there and lose the column to row 0's zero
  // (cost_fight has no +v(1 - plan) fill). Round 2: rows 1 and 2 pick cell 0
  // (.2, .6) and lose to row 0 (-.1); row 3 picks cell 1 at .8 > 0 and loses
  // to a zero. Only row 0 keeps a cell.
  const std::vector<float> mask{1, 0, 0, 0}, sal{0.1f, 0.6f, 0.2f, 0.1f};
  const TransportPlan plan = mask_transport(mask, sal, 2, 0.8);
  EXPECT_EQ(plan.source, (std::vector<int64_t>{0, -1, -1, -1}));
}

TEST(Transport, EqualsTheDenseOfficialLoop) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  std::uniform_int_distribution<int> level(0, 2), quant(0, 4);
  int instances = 0, moved = 0, empty_columns = 0;
  for (size_t n : {2, 3, 4, 8, 16}) {
    const int reps = n == 16 ? 3 : 40;
    for (int t = 0; t < reps; ++t) {
      const size_t N = n * n;
      std::vector<float> mask(N), sal(N);
      const bool ties = t % 2 == 1;  // quantised saliency, many equal costs
      float total = 0;
      for (size_t k = 0; k < N; ++k) {
        mask[k] = 0.5f * static_cast<float>(level(rng));
        sal[k] = ties ? 0.125f * static_cast<float>(quant(rng)) : u(rng);
        total += sal[k];
      }
      if (!ties && total > 0) {
        for (float& s : sal) s /= total;
      }
      if (t % 7 == 3) std::fill(mask.begin(), mask.end(), 0.0f);
      if (t % 7 == 5) std::fill(mask.begin(), mask.end(), 1.0f);
      const double eps = t % 5 == 4 ? 0.0 : (ties ? 0.25 : 0.8);
      const TransportPlan plan = mask_transport(mask, sal, static_cast<int64_t>(n), eps);
      const std::vector<int64_t> expected =
          sources_of(dense_mask_transport(mask, sal, n, eps), N);
      ASSERT_EQ(plan.source, expected) << "n " << n << " instance " << t;
      ++instances;
      for (size_t j = 0; j < N; ++j) {
        if (expected[j] == -1) ++empty_columns;
        if (expected[j] >= 0 && expected[j] != static_cast<int64_t>(j)) ++moved;
      }
    }
  }
  // The instances exercise real moves and cells left empty.
  EXPECT_EQ(instances, 4 * 40 + 3);
  EXPECT_GT(moved, 50);
  EXPECT_GT(empty_columns, 50);
}

TEST(Transport, PatchesMoveAsTheDenseProduct) {
  // 2 channels, 4 x 4 pixels, 2 x 2 cells: target j gets sum_i plan[i, j] patch_i.
  std::vector<float> image(2 * 16);
  for (size_t k = 0; k < image.size(); ++k) image[k] = static_cast<float>(k + 1);
  const TransportPlan plan{.grid = 2, .source = {2, 1, -1, -1}};
  const std::vector<float> out = transport_patches(image, 2, 4, plan);
  const std::vector<float> channel0{9, 10, 3, 4, 13, 14, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(std::vector<float>(out.begin(), out.begin() + 16), channel0);
  EXPECT_EQ(out[16], 25.0f);  // channel 1, pixel (0, 0) <- its pixel (2, 0)
  EXPECT_EQ(out[16 + 2], 19.0f);
  EXPECT_EQ(out[16 + 15], 0.0f);

  // A real plan on 4 x 4 cells of 2 x 2 pixels, 3 channels, against the dense
  // product the official transport_image computes.
  std::mt19937_64 rng(9);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  const int64_t n = 4, size = 8, patch = 2, N = 16;
  std::vector<float> mask(N), sal(N), img(3 * size * size);
  for (int64_t k = 0; k < N; ++k) {
    mask[k] = k % 3 == 0 ? 0.0f : 1.0f;
    sal[k] = u(rng) / 8;
  }
  for (float& v : img) v = u(rng) - 0.5f;
  const TransportPlan p = mask_transport(mask, sal, n, 0.8);
  const std::vector<float> moved = transport_patches(img, 3, size, p);
  for (int64_t ch = 0; ch < 3; ++ch) {
    for (int64_t j = 0; j < N; ++j) {
      for (int64_t y = 0; y < patch; ++y) {
        for (int64_t x = 0; x < patch; ++x) {
          float expected = 0;
          for (int64_t i = 0; i < N; ++i) {
            const float weight = p.source[j] == i ? 1.0f : 0.0f;
            expected += weight * img[ch * size * size + ((i / n) * patch + y) * size +
                                     (i % n) * patch + x];
          }
          EXPECT_EQ(moved[ch * size * size + ((j / n) * patch + y) * size +
                          (j % n) * patch + x],
                    expected);
        }
      }
    }
  }
}

TEST(Transport, BadInputThrowsWithAClearMessage) {
  const std::vector<float> four(4, 0.25f), three(3, 0.25f);
  expect_error([&] { mask_transport(four, three, 2, 0.8); },
               "saliency must be [2, 2] (4 values), got 3");
  expect_error([&] { mask_transport(three, four, 2, 0.8); },
               "mask must be [2, 2] (4 values), got 3");
  expect_error([&] { mask_transport(four, four, 1, 0.8); }, "grid must be >= 2");
  std::vector<float> nan_sal = four;
  nan_sal[2] = std::numeric_limits<float>::quiet_NaN();
  expect_error([&] { mask_transport(four, nan_sal, 2, 0.8); },
               "saliency must be finite, got nan at index 2");
  expect_error(
      [&] { mask_transport(four, four, 2, std::numeric_limits<double>::infinity()); },
      "eps must be finite");
  const TransportPlan plan{.grid = 2, .source = {0, 1, 2, 3}};
  const std::vector<float> image(12, 1.0f);
  expect_error([&] { transport_patches(image, 1, 3, plan); },
               "image size 3 must be a multiple of the plan's grid 2");
  expect_error([&] { transport_patches(image, 1, 4, plan); },
               "image must be [1, 4, 4] (16 values), got 12");
  const TransportPlan broken{.grid = 2, .source = {0, 7, -1, -1}};
  const std::vector<float> image16(16, 1.0f);
  expect_error([&] { transport_patches(image16, 1, 4, broken); },
               "plan source 7 is outside [-1, 4)");
}

}  // namespace
}  // namespace dataopt::mixup
