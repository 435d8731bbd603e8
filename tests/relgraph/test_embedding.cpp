#include <torch/torch.h>

#include "dataopt/core/check.h"
#include "dataopt/relgraph/embedding.h"
#include "test_support.h"

namespace dataopt::relgraph {
namespace {

class Embedding : public test::SeedingFixture {};

// k clusters of m points around random centres in d dimensions.
at::Tensor clusters(int64_t k, int64_t m, int64_t d, at::Tensor& labels) {
  const at::Tensor centres = torch::randn({k, d}) * 4;
  labels = torch::arange(k, torch::kLong).repeat_interleave(m);
  return centres.index_select(0, labels) + torch::randn({k * m, d});
}

// Fraction of points whose nearest other point in `y` has the same label.
double nn_agreement(const at::Tensor& y, const at::Tensor& labels) {
  at::Tensor d = torch::cdist(y, y);
  d.fill_diagonal_(std::numeric_limits<float>::infinity());
  return labels.index_select(0, d.argmin(1)).eq(labels).to(torch::kDouble).mean().item<double>();
}

TEST_F(Embedding, PcaIsDeterministicAndKeepsClustersApart) {
  at::Tensor labels;
  const at::Tensor x = clusters(3, 40, 20, labels);
  const at::Tensor a = embed_2d(x);
  EXPECT_EQ(a.sizes(), (std::vector<int64_t>{120, 2}));
  EXPECT_EQ(a.scalar_type(), torch::kFloat);
  EXPECT_TRUE(a.equal(embed_2d(x)));
  EXPECT_NEAR(a.mean(0).abs().max().item<float>(), 0.0f, 1e-5);
  EXPECT_GT(nn_agreement(a, labels), 0.9);
  // The first component carries the most variance.
  EXPECT_GE(a.select(1, 0).var().item<float>(), a.select(1, 1).var().item<float>());
}

TEST_F(Embedding, TsneSeparatesClustersAndIsSeeded) {
  at::Tensor labels;
  const at::Tensor x = clusters(4, 50, 30, labels);
  EmbeddingOptions o{.method = EmbeddingMethod::kTsne, .perplexity = 15, .n_iters = 300};
  const at::Tensor y = embed_2d(x, o);
  EXPECT_EQ(y.sizes(), (std::vector<int64_t>{200, 2}));
  EXPECT_TRUE(torch::isfinite(y).all().item<bool>());
  EXPECT_GT(nn_agreement(y, labels), 0.97);
  EXPECT_TRUE(y.equal(embed_2d(x, o)));
  o.seed = 99;
  EXPECT_FALSE(y.equal(embed_2d(x, o)));
}

TEST_F(Embedding, BarnesHutAgreesWithExactForces) {
  // theta = 0 never summarises a cell: the exact t-SNE gradient.
  at::Tensor labels;
  const at::Tensor x = clusters(3, 30, 10, labels);
  EmbeddingOptions o{.method = EmbeddingMethod::kTsne, .perplexity = 10, .n_iters = 250};
  o.theta = 0.0;
  const double exact = nn_agreement(embed_2d(x, o), labels);
  o.theta = 0.5;
  const double fast = nn_agreement(embed_2d(x, o), labels);
  EXPECT_GT(exact, 0.95);
  EXPECT_NEAR(fast, exact, 0.05);
}

TEST_F(Embedding, TinyAndBadInputs) {
  const at::Tensor x = torch::randn({3, 5});
  EXPECT_EQ(embed_2d(x, {.method = EmbeddingMethod::kTsne}).sizes(),
            (std::vector<int64_t>{3, 2}));
  EXPECT_THROW(embed_2d(torch::randn({1, 5})), Error);
  EXPECT_THROW(embed_2d(torch::randn({4})), Error);
  at::Tensor nan = torch::randn({5, 3});
  nan[1][1] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW(embed_2d(nan), Error);
  EXPECT_THROW(embed_2d(x, {.perplexity = 0}), Error);
  EXPECT_THROW(parse_embedding_method("umap"), Error);
}

}  // namespace
}  // namespace dataopt::relgraph
