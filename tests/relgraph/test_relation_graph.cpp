#include <torch/torch.h>

#include <ATen/CPUGeneratorImpl.h>

#include "dataopt/core/check.h"
#include "dataopt/relgraph/relation_graph.h"
#include "test_support.h"

namespace dataopt::relgraph {
namespace {

// The spec's formulas, one pair at a time, in double precision.
struct Reference {
  at::Tensor f, p, y;
  double t, thr, reg;

  double edge(int64_t i, int64_t j, bool use_labels, double power) const {
    double cos = 0, comp = 0;
    for (int64_t d = 0; d < f.size(1); ++d) cos += f[i][d].item<double>() * f[j][d].item<double>();
    for (int64_t c = 0; c < p.size(1); ++c) comp += p[i][c].item<double>() * p[j][c].item<double>();
    const double coef = !use_labels || y[i].item<int64_t>() == y[j].item<int64_t>() ? 1 : -1;
    const double r = coef * std::max(0.0, cos) * comp;
    if (std::abs(r) <= thr) return 0;  // threshold before the power
    return (r > 0 ? 1 : -1) * std::pow(std::abs(r), power);
  }

  // Returns {first-pass noisiness, refined noisiness, estimated noisy set}.
  std::tuple<at::Tensor, at::Tensor, at::Tensor> label_noise() const {
    const int64_t n = f.size(0);
    std::vector<double> s0(n, 0), s(n, 0);
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t j = 0; j < n; ++j) s0[i] += edge(i, j, true, t);  // self-edge included
    }
    double m0 = 0;
    for (double v : s0) m0 = std::max(m0, std::abs(v));
    std::vector<bool> noisy(n);
    for (int64_t i = 0; i < n; ++i) noisy[i] = s0[i] / m0 < -reg;
    for (int64_t i = 0; i < n; ++i) {
      double del = 0;
      for (int64_t j = 0; j < n; ++j) {
        if (noisy[j]) del += edge(i, j, true, t);
      }
      s[i] = s0[i] - 2 * del;  // one refinement pass
    }
    double m1 = 0;
    for (double v : s) m1 = std::max(m1, std::abs(v));
    at::Tensor first = torch::empty({n}, torch::kDouble), refined = torch::empty({n}, torch::kDouble);
    at::Tensor mask = torch::empty({n}, torch::kBool);
    for (int64_t i = 0; i < n; ++i) {
      first[i] = -s0[i] / m0;
      refined[i] = -s[i] / m1;
      mask[i] = static_cast<bool>(noisy[i]);
    }
    return {first, refined, mask};
  }
};

struct Problem {
  at::Tensor features, probs, labels, true_labels;
};

// Clustered features, softmax probabilities that mostly agree with the true
// class, and 10% flipped labels.
Problem make_problem(int64_t n, int64_t d, int64_t c, uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  Problem p;
  p.true_labels = torch::randint(0, c, {n}, gen, torch::kLong);
  const at::Tensor centers = torch::randn({c, d}, gen, torch::kDouble);
  p.features = (centers.index_select(0, p.true_labels) +
                0.6 * torch::randn({n, d}, gen, torch::kDouble)).to(torch::kFloat);
  const at::Tensor logits = 3.0 * torch::one_hot(p.true_labels, c).to(torch::kDouble) +
                            torch::randn({n, c}, gen, torch::kDouble);
  p.probs = torch::softmax(logits, 1).to(torch::kFloat);
  p.labels = p.true_labels.clone();
  const int64_t m = n / 10;
  const at::Tensor idx = torch::randperm(n, gen, torch::kLong).slice(0, 0, m);
  p.labels.index_put_({idx}, (p.labels.index_select(0, idx) + 1).remainder(c));
  return p;
}

Reference reference_for(const Problem& p, const RelationGraphOptions& o) {
  const at::Tensor f = p.features.to(torch::kDouble);
  return {f / f.norm(2, 1, true), p.probs.to(torch::kDouble), p.labels, o.pow, o.threshold,
          o.reg};
}

}  // namespace

class RelationGraphTest : public test::SeedingFixture {};

TEST_F(RelationGraphTest, BlockedScoresMatchTheNaiveDoubleLoop) {
  const Problem p = make_problem(120, 6, 4, 1);
  // Tiny blocks and tiles so that every boundary case is exercised.
  for (int64_t chunk : {7, 64, 1000}) {
    RelationGraphOptions o{.chunk = chunk, .tile = 13};
    RelationGraph g(p.features, p.probs, p.labels, o);
    const auto r = g.label_noise();
    const auto [first, refined, noisy] = reference_for(p, o).label_noise();
    EXPECT_TENSOR_NEAR(r.first_pass_score, first, 1e-4, 1e-6) << chunk;
    EXPECT_TENSOR_NEAR(r.score, refined, 1e-4, 1e-6) << chunk;
    EXPECT_TRUE(torch::equal(r.estimated_noisy, noisy)) << chunk;
    // Identical ranking (these inputs have no near-ties).
    EXPECT_TRUE(torch::equal(r.score.argsort(), refined.argsort())) << chunk;
  }
}

TEST_F(RelationGraphTest, OtherPowersKernelAndHalfFeatures) {
  const Problem p = make_problem(60, 5, 3, 2);
  for (double t : {1.0, 2.0, 3.0, 8.0}) {
    RelationGraphOptions o{.pow = t, .chunk = 16};
    RelationGraph g(p.features, p.probs, p.labels, o);
    const auto [first, refined, noisy] = reference_for(p, o).label_noise();
    EXPECT_TENSOR_NEAR(g.label_noise().score, refined, 1e-4, 1e-6) << t;
  }
  // float16 storage: close, not exact.
  RelationGraph h(p.features, p.probs, p.labels, {.half = true});
  const auto [first, refined, noisy] = reference_for(p, {}).label_noise();
  EXPECT_TENSOR_NEAR(h.label_noise().score, refined, 2e-2, 2e-3);
}

TEST_F(RelationGraphTest, RowSumsIncludeTheSelfEdgeAndThresholdComesBeforePower) {
  // Two identical points with confident identical probabilities and the same
  // label: every relation is 1, so s0 = 2 (self-edge + the other).
  const at::Tensor f = torch::tensor({{1.0f, 0.0f}, {1.0f, 0.0f}});
  const at::Tensor pr = torch::tensor({{1.0f, 0.0f}, {1.0f, 0.0f}});
  RelationGraph g(f, pr, torch::tensor({0, 0}, torch::kLong));
  EXPECT_TENSOR_NEAR(g.row_sums(), torch::tensor({2.0, 2.0}, torch::kDouble));
  // r = 0.2: above the threshold 0.03 although r^4 = 0.0016 is below it.
  const at::Tensor f2 = torch::tensor({{1.0f, 0.0f}, {0.2f, std::sqrt(0.96f)}});
  RelationGraph g2(f2, pr, torch::tensor({0, 1}, torch::kLong));
  const double self = 1.0, other = -std::pow(0.2, 4);
  EXPECT_TENSOR_NEAR(g2.row_sums(), torch::tensor({self + other, self + other}, torch::kDouble),
                     1e-5, 1e-7);
}

TEST_F(RelationGraphTest, FlagsInjectedLabelNoise) {
  const Problem p = make_problem(400, 8, 5, 3);
  RelationGraph g(p.features, p.probs, p.labels);
  const at::Tensor score = g.label_noise().score;
  const at::Tensor noisy = p.labels.ne(p.true_labels);
  // The 40 highest scores are mostly the 40 flipped labels.
  const at::Tensor top = std::get<1>(score.topk(40));
  EXPECT_GT(noisy.index_select(0, top).sum().item<int64_t>(), 30);
}

TEST_F(RelationGraphTest, PartnersAndEdgesAgreeWithTheDenseRows) {
  const Problem p = make_problem(80, 5, 4, 4);
  RelationGraph g(p.features, p.probs, p.labels, {.chunk = 9, .tile = 11, .top_k = 3});
  const Partners parts = g.partners();
  const at::Tensor rows = torch::arange(80, torch::kLong);
  const at::Tensor dense = g.edges(rows);
  EXPECT_TENSOR_NEAR(dense.to(torch::kDouble).sum(1), g.row_sums(), 1e-4, 1e-6);
  for (int64_t i = 0; i < 80; ++i) {
    const auto [pos_v, pos_i] = dense[i].topk(3);
    const auto [neg_v, neg_i] = (-dense[i]).topk(3);
    for (int64_t r = 0; r < 3; ++r) {
      if (pos_v[r].item<float>() > 0) {
        EXPECT_NEAR(parts.complementary_value[i][r].item<float>(), pos_v[r].item<float>(), 1e-5);
      }
      if (neg_v[r].item<float>() > 0) {
        EXPECT_NEAR(parts.conflicting_value[i][r].item<float>(), -neg_v[r].item<float>(), 1e-5);
        const int64_t j = parts.conflicting_index[i][r].item<int64_t>();
        EXPECT_NE(p.labels[j].item<int64_t>(), p.labels[i].item<int64_t>());
      }
    }
  }
}

TEST_F(RelationGraphTest, OutlierScoresMatchReference) {
  const Problem train = make_problem(100, 6, 4, 5);
  const Problem test = make_problem(30, 6, 4, 6);
  RelationGraph g(train.features, train.probs, train.labels, {.chunk = 8});
  const at::Tensor s = g.outlier_scores(test.features, test.probs);
  Reference ref = reference_for(train, {});
  const at::Tensor tf = test.features.to(torch::kDouble);
  const at::Tensor all_f = torch::cat({ref.f, tf / tf.norm(2, 1, true)});
  const at::Tensor all_p = torch::cat({ref.p, test.probs.to(torch::kDouble)});
  Reference joint{all_f, all_p, torch::zeros({130}, torch::kLong), 1.0, 0.03, 0.05};
  for (int64_t m = 0; m < 30; ++m) {
    double sum = 0;
    for (int64_t j = 0; j < 100; ++j) sum += joint.edge(100 + m, j, false, 1.0);
    EXPECT_NEAR(s[m].item<float>(), 1.0 / (sum + 1e-6), 1e-4 * (1.0 / (sum + 1e-6)));
  }
}

TEST_F(RelationGraphTest, BadInputsAreRejectedWithClearMessages) {
  const Problem p = make_problem(20, 4, 3, 7);
  EXPECT_THROW(RelationGraph(p.features, p.probs, p.labels.slice(0, 0, 10)), Error);
  EXPECT_THROW(RelationGraph(p.features.slice(0, 0, 10), p.probs, p.labels), Error);
  at::Tensor nan_f = p.features.clone();
  nan_f[3][1] = std::nan("");
  try {
    RelationGraph g(nan_f, p.probs, p.labels);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("NaN"), std::string::npos);
  }
  at::Tensor bad_labels = p.labels.clone();
  bad_labels[0] = 3;
  EXPECT_THROW(RelationGraph(p.features, p.probs, bad_labels), Error);
  EXPECT_THROW(RelationGraph(p.features, p.probs - 1.0, p.labels), Error);
  EXPECT_THROW(RelationGraph(p.features, p.probs, p.labels, {.pow = 0}), Error);
  RelationGraph g(p.features, p.probs, p.labels);
  EXPECT_THROW(g.partners(), Error);  // top_k = 0
  EXPECT_THROW(g.outlier_scores(torch::randn({5, 3}), torch::rand({5, 3})), Error);
}

}  // namespace dataopt::relgraph
