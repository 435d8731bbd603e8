#include <gtest/gtest.h>
#include <torch/torch.h>

#include "dataopt/core/error.h"
#include "dataopt/relgraph/combine.h"
#include "test_support.h"

namespace dataopt::relgraph {
namespace {

TEST(Combine, FractionalRankMatchesHandComputedRanksWithTies) {
  // Sorted: 0.1 (rank 0), 0.5 and 0.5 (ranks 1, 2 -> 1.5), 2.0 (rank 3); / (N - 1) = 3.
  const at::Tensor r = fractional_rank(torch::tensor({0.5f, 2.0f, 0.1f, 0.5f}));
  EXPECT_TENSOR_NEAR(r, torch::tensor({0.5f, 1.0f, 0.0f, 0.5f}), 1e-7);
  EXPECT_FLOAT_EQ(fractional_rank(torch::tensor({3.0f})).item<float>(), 0.5f);
}

TEST(Combine, RankAverageIgnoresScaleAndAveragesRanks) {
  const at::Tensor a = torch::tensor({1.0f, 2.0f, 3.0f});      // ranks 0, .5, 1
  const at::Tensor b = torch::tensor({300.0f, 100.0f, 200.0f});  // ranks 1, 0, .5
  EXPECT_TENSOR_NEAR(rank_average({a, b}), torch::tensor({0.5f, 0.25f, 0.75f}), 1e-7);
  // A monotone transform of an input changes nothing.
  EXPECT_TENSOR_NEAR(rank_average({a.exp() * 1000, b}), rank_average({a, b}), 1e-7);
}

TEST(Combine, RejectsMismatchedLengthsAndNaN) {
  EXPECT_THROW(rank_average({torch::ones({3}), torch::ones({4})}), Error);
  EXPECT_THROW(fractional_rank(torch::tensor({1.0f, NAN})), Error);
  EXPECT_THROW(rank_average({}), Error);
}

}  // namespace
}  // namespace dataopt::relgraph
