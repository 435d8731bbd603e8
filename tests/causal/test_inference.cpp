// The ensembled local inference: window bookkeeping (coverage, strides,
// anchors), and the scores of a single full window against one forward pass.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <set>

#include "dataopt/causal/inference.h"
#include "dataopt/causal/tcd_model.h"
#include "dataopt/core/error.h"
#include "test_support.h"

namespace dataopt::causal {
namespace {

TEST(Inference, EveryVariableIsScoredInEveryRound) {
  const int64_t n = 450, num_vars = 200;
  std::vector<int64_t> anchors{7};
  for (int64_t a = 100; a < 120; ++a) anchors.push_back(a);
  for (int64_t round = 1; round <= 5; ++round) {
    std::set<int64_t> seen;
    const InferenceOptions o;
    const int64_t n_chunk = (n - 21 + 178) / 179;
    EXPECT_EQ(forwards_per_target(n, {.en_vars = 1}), n_chunk);
    for (int64_t c = 0; c < n_chunk; ++c) {
      const auto w = window_variables(n, anchors, c, round, num_vars);
      ASSERT_EQ(static_cast<int64_t>(w.size()), num_vars) << "round " << round << " chunk " << c;
      EXPECT_TRUE(std::equal(anchors.begin(), anchors.end(), w.begin()));
      EXPECT_EQ(std::set<int64_t>(w.begin(), w.end()).size(), w.size());  // no repeats
      seen.insert(w.begin(), w.end());
    }
    EXPECT_EQ(static_cast<int64_t>(seen.size()), n) << "round " << round;
  }
}

TEST(Inference, RoundsStrideTheRemainingVariables) {
  // 30 variables, anchors {0, 1}, windows of 12: round 2 reorders the rest as
  // even positions then odd ones; the last chunk is shifted back to be full.
  const std::vector<int64_t> anchors{0, 1};
  const auto w0 = window_variables(30, anchors, 0, 2, 12);
  EXPECT_EQ(w0, (std::vector<int64_t>{0, 1, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20}));
  const auto w2 = window_variables(30, anchors, 2, 2, 12);
  EXPECT_EQ(w2, (std::vector<int64_t>{0, 1, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29}));
  // Fewer variables than a window: the whole rest once (the official slice
  // would wrap around and skip some).
  const auto small = window_variables(10, anchors, 0, 1, 200);
  EXPECT_EQ(small.size(), 10u);
}

TEST(Inference, WindowRowsStrideThePool) {
  Regimes r;
  r.observational = {100, 101, 102, 103};
  r.knockout_rows = {{0, 1}, {}, {5, 6, 7}};
  // pool = 100 101 102 103 5 6 7 0 1 (9 rows), 4 rows: hop 9 // 4 = 2.
  EXPECT_EQ(window_rows(r, {2, 1, 0}, 0, 4), (std::vector<int64_t>{100, 102, 5, 7}));
  EXPECT_EQ(window_rows(r, {2, 1, 0}, 1, 4), (std::vector<int64_t>{101, 103, 6, 0}));
  // A pool smaller than the window: hop 1 (the official hop 0 repeats a row).
  EXPECT_EQ(window_rows(r, {1}, 0, 6), (std::vector<int64_t>{100, 101, 102, 103, 100, 101}));
}

TEST(Inference, AnchorsBreakTiesByLowerIndex) {
  const std::vector<double> acc{0, 0, 0, 0, 0, 0};
  const std::vector<int64_t> cnt{0, 0, 0, 0, 0, 0};
  EXPECT_EQ(select_anchors(2, acc, cnt, 3), (std::vector<int64_t>{2, 0, 1, 3}));
  const std::vector<double> acc2{1, 4, 9, 4, -1, 8};
  const std::vector<int64_t> cnt2{1, 2, 1, 2, 1, 1};
  // scores 1 2 9 2 -1 8, target 2 excluded: 5 (8), 1 (2), 3 (2).
  EXPECT_EQ(select_anchors(2, acc2, cnt2, 3), (std::vector<int64_t>{2, 5, 1, 3}));
}

// 24 variables, 40 observational cells + 2 knockout cells per variable.
struct Toy {
  torch::Tensor values, intervention;
};
Toy make_toy() {
  torch::manual_seed(0);
  const int64_t n_var = 24, n_obs = 40 + 2 * n_var;
  Toy t;
  t.values = torch::rand({n_obs, n_var}) * 11;
  t.intervention = torch::zeros({n_obs, n_var}, torch::kBool);
  for (int64_t v = 0; v < n_var; ++v) {
    t.intervention[40 + 2 * v][v] = true;
    t.intervention[41 + 2 * v][v] = true;
  }
  return t;
}

TEST(Inference, SingleWindowEqualsOneAveragedForward) {
  const Toy toy = make_toy();
  const TcdModel model({.embed_dim = 8, .n_heads = 8, .ffn_embed_dim = 16, .n_layers = 2});
  const InferenceOptions o{.num_vars = 64, .obs_size = 30, .en_obs = 3, .en_vars = 1,
                           .anchor_size = 4, .progress = false};
  const int64_t target = 9;
  const torch::Tensor got = infer_causes(model, toy.values, toy.intervention, {target}, o);
  ASSERT_EQ(got.sizes(), (std::vector<int64_t>{1, 24}));

  // Round 1: anchors are the 4 lowest other indices; one window holds all.
  const auto vars = window_variables(24, {9, 0, 1, 2, 3}, 0, 1, 64);
  ASSERT_EQ(vars.size(), 24u);
  const Regimes r = make_regimes(toy.intervention);
  std::vector<torch::Tensor> xs, ms;
  const torch::Tensor cols = torch::tensor(vars);
  for (int64_t off = 0; off < 3; ++off) {
    const torch::Tensor rows = torch::tensor(window_rows(r, vars, off, 30));
    xs.push_back(toy.values.index_select(0, rows).index_select(1, cols));
    ms.push_back(toy.intervention.index_select(0, rows).index_select(1, cols));
  }
  torch::NoGradGuard g;
  const torch::Tensor row = model.forward(torch::stack(xs), torch::stack(ms)).mean(0)[0];
  for (size_t k = 0; k < vars.size(); ++k) {
    EXPECT_NEAR(got[0][vars[k]].item<float>(), row[k].item<float>(), 1e-5);
  }
}

TEST(Inference, ScoresAreDeterministicAndFinite) {
  const Toy toy = make_toy();
  const TcdModel model({.embed_dim = 4, .n_heads = 4, .ffn_embed_dim = 8, .n_layers = 1});
  const InferenceOptions o{.num_vars = 12, .obs_size = 20, .en_obs = 2, .en_vars = 3,
                           .anchor_size = 3, .progress = false};
  const std::vector<int64_t> targets{0, 5, 11, 23};
  const torch::Tensor a = infer_causes(model, toy.values, toy.intervention, targets, o);
  const torch::Tensor b = infer_causes(model, toy.values, toy.intervention, {11}, o);
  EXPECT_TRUE(torch::equal(a[2], b[0]));  // a target's scores do not depend on the others
  EXPECT_TRUE(torch::isfinite(a).all().item<bool>());
}

TEST(Inference, RejectsTooFewObservationsOrVariablesAndNaN) {
  const Toy toy = make_toy();
  const TcdModel model({.embed_dim = 4, .n_heads = 4, .ffn_embed_dim = 8, .n_layers = 1});
  const InferenceOptions o{.progress = false};  // obs_size 200 > 88 cells
  EXPECT_THROW(infer_causes(model, toy.values, toy.intervention, {0}, o), Error);
  const InferenceOptions small{.num_vars = 12, .obs_size = 20, .anchor_size = 3, .progress = false};
  EXPECT_THROW(infer_causes(model, toy.values.narrow(1, 0, 10),
                            toy.intervention.narrow(1, 0, 10), {0}, small),
               Error);
  torch::Tensor nan = toy.values.clone();
  nan[3][4] = NAN;
  EXPECT_THROW(infer_causes(model, nan, toy.intervention, {0}, small), Error);
  EXPECT_THROW(infer_causes(model, toy.values, toy.intervention, {24}, small), Error);
}

}  // namespace
}  // namespace dataopt::causal
