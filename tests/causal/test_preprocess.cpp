// standardize_counts against a matrix worked out by hand.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "dataopt/causal/preprocess.h"
#include "dataopt/core/error.h"
#include "test_support.h"

namespace dataopt::causal {
namespace {

TEST(Preprocess, MatchesHandComputedLog2CpmZScore) {
  // Cells [1, 3, 0] and [0, 4, 4]: library sizes 4 and 8.
  const torch::Tensor x = torch::tensor({{1.0, 3.0, 0.0}, {0.0, 4.0, 4.0}});
  const double a = std::log2(1 / 4e-6), b = std::log2(3 / 4e-6), c = std::log2(4 / 8e-6);
  const double mean = (a + b + c + c) / 4;
  const double sd = std::sqrt(((a - mean) * (a - mean) + (b - mean) * (b - mean) +
                               2 * (c - mean) * (c - mean)) / 4);
  auto z = [&](double v) { return std::max(0.0, (v - mean) / sd + 10); };
  const torch::Tensor want =
      torch::tensor({{z(a), z(b), 0.0}, {0.0, z(c), z(c)}}, torch::kFloat);
  const torch::Tensor got = standardize_counts(x, {.shift = 10});
  EXPECT_EQ(got.scalar_type(), torch::kFloat);
  EXPECT_TENSOR_NEAR(got, want, 1e-6, 1e-6);
}

TEST(Preprocess, ClampsBelowZeroAndKeepsDropoutsAtZero) {
  // With shift 0 about half of the expressed values fall below zero.
  const torch::Tensor x = torch::tensor({{1.0, 50.0, 0.0, 7.0}, {2.0, 0.0, 9.0, 30.0}});
  const torch::Tensor got = standardize_counts(x, {.shift = 0});
  EXPECT_GE(got.min().item<float>(), 0.0f);
  EXPECT_EQ(got[0][2].item<float>(), 0.0f);
  EXPECT_EQ(got[1][1].item<float>(), 0.0f);
  EXPECT_GT(got[0][1].item<float>(), 0.0f);
}

TEST(Preprocess, WithoutLogIsAPlainGlobalZScore) {
  const torch::Tensor x = torch::tensor({{1.0, 2.0}, {3.0, 4.0}});
  const torch::Tensor got = standardize_counts(x, {.log = false, .shift = 5});
  const double sd = std::sqrt(1.25);
  const torch::Tensor want = (x - 2.5) / sd + 5;
  EXPECT_TENSOR_NEAR(got, want.to(torch::kFloat), 1e-6, 1e-6);
}

TEST(Preprocess, RejectsNanNegativeAndWrongShape) {
  EXPECT_THROW(standardize_counts(torch::tensor({{1.0, std::nan("")}})), Error);
  EXPECT_THROW(standardize_counts(torch::tensor({{1.0, -2.0}})), Error);
  EXPECT_THROW(standardize_counts(torch::tensor({1.0, 2.0})), Error);
}

}  // namespace
}  // namespace dataopt::causal
