// Per-target AUROC / AP against hand-computed values, and the two baselines
// on data whose answer is known.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "dataopt/causal/baselines.h"
#include "dataopt/causal/cause_metrics.h"
#include "dataopt/core/error.h"
#include "test_support.h"

namespace dataopt::causal {
namespace {

TEST(CauseMetrics, MatchesHandComputedAurocAndAp) {
  // 5 variables; causes of 0 are {1, 3}; 2 has cause {4}; 1 has none.
  torch::Tensor causes = torch::zeros({5, 5}, torch::kUInt8);
  causes[0][1] = 1;
  causes[0][3] = 1;
  causes[2][4] = 1;
  // Target 0 (diagonal ignored): scores of 1..4 = 0.9, 0.8, 0.3, 0.1 ->
  // ranking 1 (+), 2 (-), 3 (+), 4 (-): AUROC 3/4, AP (1 + 2/3) / 2.
  // Target 2: variables 0,1,3,4 = 0.5 0.2 0.1 0.4: 4 (+) second: AUROC 2/3, AP 1/2.
  // Target 1 has no cause: not counted.
  const torch::Tensor scores =
      torch::tensor({{7.0, 0.9, 0.8, 0.3, 0.1}, {0.0, 0.0, 1.0, 2.0, 3.0}, {0.5, 0.2, 9.0, 0.1, 0.4}});
  const CauseMetrics m = cause_metrics(scores, causes, {0, 1, 2});
  ASSERT_EQ(m.counted, (std::vector<int64_t>{0, 2}));
  EXPECT_NEAR(m.per_target_auroc[0], 75.0, 1e-9);
  EXPECT_NEAR(m.per_target_ap[0], 100.0 * (1 + 2.0 / 3) / 2, 1e-9);
  EXPECT_NEAR(m.per_target_auroc[1], 100.0 * 2 / 3, 1e-9);
  EXPECT_NEAR(m.per_target_ap[1], 50.0, 1e-9);
  EXPECT_NEAR(m.auroc, (75.0 + 200.0 / 3) / 2, 1e-9);
  EXPECT_NEAR(m.chance_ap, (50.0 + 25.0) / 2, 1e-9);
  EXPECT_THROW(cause_metrics(scores, causes, {1}), Error);           // nothing to count
  EXPECT_THROW(cause_metrics(scores.narrow(0, 0, 2), causes, {0, 1, 2}), Error);  // shape
}

TEST(CauseBaselines, CorrelationIsAbsolutePearson) {
  torch::manual_seed(0);
  const torch::Tensor a = torch::randn({200});
  const torch::Tensor x = torch::stack({a, -2 * a + 1, torch::randn({200})}, 1);
  const torch::Tensor s = correlation_scores(x, {0});
  EXPECT_NEAR(s[0][1].item<float>(), 1.0f, 1e-5);
  EXPECT_LT(s[0][2].item<float>(), 0.3f);
  EXPECT_NEAR(s[0][0].item<float>(), 1.0f, 1e-5);
}

TEST(CauseBaselines, KnockoutEffectSeesTheUpstreamGene) {
  // 100 observational cells and 20 cells per knockout; knocking out 0 moves 2.
  torch::manual_seed(1);
  const int64_t n = 100 + 3 * 20;
  torch::Tensor x = torch::randn({n, 3}) + 5;
  torch::Tensor intv = torch::zeros({n, 3}, torch::kBool);
  for (int64_t v = 0; v < 3; ++v) {
    for (int64_t i = 0; i < 20; ++i) intv[100 + 20 * v + i][v] = true;
  }
  x.narrow(0, 100, 20).select(1, 2).sub_(4);  // gene 2 drops when 0 is knocked out
  const torch::Tensor s = knockout_effect_scores(x, intv, {2});
  EXPECT_GT(s[0][0].item<float>(), 3.0f);
  EXPECT_LT(s[0][1].item<float>(), 1.0f);
  EXPECT_THROW(knockout_effect_scores(x, intv.narrow(0, 0, 5), {2}), Error);
  EXPECT_EQ(parse_cause_baseline("knockout_effect"), CauseBaseline::kKnockoutEffect);
  EXPECT_THROW(parse_cause_baseline("granger"), Error);
}

}  // namespace
}  // namespace dataopt::causal
