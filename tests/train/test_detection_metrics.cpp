#include <torch/torch.h>

#include <chrono>
#include <vector>

#include "dataopt/core/check.h"
#include "dataopt/train/detection_metrics.h"
#include "test_support.h"

namespace dataopt::train {

class DetectionMetricsTest : public test::SeedingFixture {};

namespace {

at::Tensor scores_of(const std::vector<double>& s) {
  return torch::tensor(s, torch::kDouble);
}

at::Tensor mask_of(const std::vector<int>& y) {
  return torch::tensor(std::vector<int64_t>(y.begin(), y.end()), torch::kLong)
      .to(torch::kBool);
}

// P(random positive outscores random negative), ties count 1/2: O(P N).
double pairwise_auroc(const at::Tensor& scores, const at::Tensor& positives) {
  const at::Tensor s = scores.to(torch::kDouble).contiguous();
  const at::Tensor y = positives.contiguous();
  const double* sp = s.data_ptr<double>();
  const bool* yp = y.data_ptr<bool>();
  const int64_t n = s.size(0);
  double wins = 0, pairs = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (!yp[i]) continue;
    for (int64_t j = 0; j < n; ++j) {
      if (yp[j]) continue;
      pairs += 1;
      wins += sp[i] > sp[j] ? 1.0 : (sp[i] == sp[j] ? 0.5 : 0.0);
    }
  }
  return wins / pairs;
}

// AP as the mean over positives i of precision at threshold s_i
// (#positives with s >= s_i / #samples with s >= s_i): O(P N).
double brute_force_ap(const at::Tensor& scores, const at::Tensor& positives) {
  const at::Tensor s = scores.to(torch::kDouble).contiguous();
  const at::Tensor y = positives.contiguous();
  const double* sp = s.data_ptr<double>();
  const bool* yp = y.data_ptr<bool>();
  const int64_t n = s.size(0);
  double sum = 0;
  int64_t n_pos = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (!yp[i]) continue;
    ++n_pos;
    double above = 0, pos_above = 0;
    for (int64_t j = 0; j < n; ++j) {
      if (sp[j] >= sp[i]) {
        above += 1;
        pos_above += yp[j] ? 1 : 0;
      }
    }
    sum += pos_above / above;
  }
  return sum / static_cast<double>(n_pos);
}

// TNR at the highest threshold t (one of the scores) with TPR(t) >= 0.95,
// on the full curve; equals sklearn's value when scores have no ties.
double brute_force_tnr95(const at::Tensor& scores, const at::Tensor& positives) {
  const at::Tensor s = scores.to(torch::kDouble).contiguous();
  const at::Tensor y = positives.contiguous();
  const double* sp = s.data_ptr<double>();
  const bool* yp = y.data_ptr<bool>();
  const int64_t n = s.size(0);
  const double n_pos = static_cast<double>(y.sum().item<int64_t>());
  const double n_neg = static_cast<double>(n) - n_pos;
  double best_t = -std::numeric_limits<double>::infinity();
  for (int64_t i = 0; i < n; ++i) {
    double tp = 0;
    for (int64_t j = 0; j < n; ++j) tp += (yp[j] && sp[j] >= sp[i]) ? 1 : 0;
    if (tp / n_pos >= 0.95 && sp[i] > best_t) best_t = sp[i];
  }
  double tn = 0;
  for (int64_t j = 0; j < n; ++j) tn += (!yp[j] && sp[j] < best_t) ? 1 : 0;
  return tn / n_neg;
}

}  // namespace

TEST_F(DetectionMetricsTest, HandComputedWithoutTies) {
  // scores 0.9 0.8 0.7 0.6 0.5 0.4, positives + - + + - - (P = N = 3).
  // AUROC: pos 0.9 beats 3 negatives, 0.7 and 0.6 beat 2 each: 7 / 9.
  // AP: precision at each positive 1/1, 2/3, 3/4, recall steps 1/3:
  //     (1 + 2/3 + 3/4) / 3 = 29/36.
  // ROC (fps, tps) after (0,0): (0,1) (1,1) (1,2) (1,3) (2,3) (3,3); the first
  // with tpr >= 0.95 is (1,3): TNR95 = 1 - 1/3 = 2/3.
  const at::Tensor s = scores_of({0.9, 0.8, 0.7, 0.6, 0.5, 0.4});
  const at::Tensor y = mask_of({1, 0, 1, 1, 0, 0});
  EXPECT_NEAR(auroc(s, y), 7.0 / 9, 1e-15);
  EXPECT_NEAR(average_precision(s, y), 29.0 / 36, 1e-15);
  EXPECT_NEAR(tnr_at_95_tpr(s, y), 2.0 / 3, 1e-15);
  // Order of rows does not matter; float32 scores give the same result.
  const at::Tensor perm = torch::tensor({3, 0, 5, 1, 4, 2}, torch::kLong);
  const DetectionMetrics m =
      detection_metrics(s.index_select(0, perm).to(torch::kFloat),
                        y.index_select(0, perm));
  EXPECT_NEAR(m.auroc, 7.0 / 9, 1e-15);
  EXPECT_NEAR(m.ap, 29.0 / 36, 1e-15);
  EXPECT_NEAR(m.tnr95, 2.0 / 3, 1e-15);
}

TEST_F(DetectionMetricsTest, HandComputedWithTies) {
  // scores 0.8 0.8 | 0.5 0.5 0.5 | 0.2, positives + - | + + - | - (P = N = 3).
  // Groups (threshold, tps, fps): (0.8, 1, 1), (0.5, 3, 2), (0.2, 3, 3).
  // AUROC: pos@0.8: 1/2 (tie) + 1 + 1 = 2.5; each pos@0.5: 0 + 1/2 + 1 = 1.5;
  //        (2.5 + 3) / 9 = 11/18. Trapezoid over (0,0) (1/3,1/3) (2/3,1) (1,1):
  //        1/18 + 4/18 + 6/18 = 11/18.
  // AP: (1/3) * (1/2) + (2/3) * (3/5) = 1/6 + 2/5 = 17/30.
  // TNR95: first point with tpr >= 0.95 is (fps 2, tps 3): 1 - 2/3 = 1/3.
  const at::Tensor s = scores_of({0.8, 0.8, 0.5, 0.5, 0.5, 0.2});
  const at::Tensor y = mask_of({1, 0, 1, 1, 0, 0});
  const DetectionMetrics m = detection_metrics(s, y);
  EXPECT_NEAR(m.auroc, 11.0 / 18, 1e-15);
  EXPECT_NEAR(m.ap, 17.0 / 30, 1e-15);
  EXPECT_NEAR(m.tnr95, 1.0 / 3, 1e-15);
  EXPECT_NEAR(m.auroc, pairwise_auroc(s, y), 1e-15);
  EXPECT_NEAR(m.ap, brute_force_ap(s, y), 1e-15);
  // All scores equal: one threshold, AUROC 1/2, AP = prevalence, TNR95 = 0.
  const DetectionMetrics flat = detection_metrics(torch::zeros({6}), y);
  EXPECT_NEAR(flat.auroc, 0.5, 1e-15);
  EXPECT_NEAR(flat.ap, 0.5, 1e-15);
  EXPECT_NEAR(flat.tnr95, 0.0, 1e-15);
}

TEST_F(DetectionMetricsTest, Tnr95FollowsRocCurveDropIntermediate) {
  // 18 positives with distinct scores 100..83, then the tied groups
  // {50: +, -} and {40: +, -}, then negatives 10 and 5 (P = 20, N = 4).
  // Groups (fps, tps): (0,1) .. (0,18), (1,19), (2,20), (3,20), (4,20).
  // Full curve: the first point with tpr >= 0.95 is (1,19) (tpr = 19/20),
  // TNR = 3/4. But (1,19) lies on the line (0,18) -> (1,19) -> (2,20) with
  // equal steps, so roc_curve's default drop_intermediate=True removes it and
  // the first kept point with tpr >= 0.95 is (2,20): TNR95 = 1 - 2/4 = 1/2,
  // which is what sklearn 1.2.1 returns (checked) and what the NRG code reports.
  // AUROC: 18 * 4 + (1/2 + 3) + (0 + 1/2 + 2) = 78 of 80 pairs = 0.975.
  // AP: 18/20 + (1/20)(19/20) + (1/20)(20/22) = 0.99295454545...
  std::vector<double> s;
  std::vector<int> y;
  for (int i = 0; i < 18; ++i) {
    s.push_back(100 - i);
    y.push_back(1);
  }
  for (double v : {50.0, 50.0, 40.0, 40.0, 10.0, 5.0}) s.push_back(v);
  for (int v : {1, 0, 1, 0, 0, 0}) y.push_back(v);
  const DetectionMetrics m = detection_metrics(scores_of(s), mask_of(y));
  EXPECT_NEAR(m.tnr95, 0.5, 1e-15);
  EXPECT_NEAR(m.auroc, 0.975, 1e-15);
  EXPECT_NEAR(m.ap, 0.9 + 19.0 / 400 + 1.0 / 22, 1e-15);
}

TEST_F(DetectionMetricsTest, MatchesSklearnOnDeterministicInputs) {
  // Values printed by scikit-learn 1.2.1 (roc_curve defaults, auc,
  // average_precision_score) for the same formulas in Python.
  {
    // Heavy ties: 13 distinct scores over 300 rows; drop_intermediate
    // matters here (the full curve would give TNR95 = 0.2777...).
    std::vector<double> s;
    std::vector<int> y;
    for (int i = 0; i < 300; ++i) {
      const int r = (i * 37) % 13;
      s.push_back(r / 10.0);
      y.push_back((r >= 6) != ((i * 3) % 7 == 0));
    }
    const DetectionMetrics m = detection_metrics(scores_of(s), mask_of(y));
    EXPECT_NEAR(m.auroc, 0.84740028490028496, 1e-14);
    EXPECT_NEAR(m.ap, 0.81044359022619883, 1e-14);
    EXPECT_NEAR(m.tnr95, 0.13888888888888884, 1e-14);
  }
  {
    // No ties: 200 distinct scores.
    std::vector<double> s;
    std::vector<int> y;
    for (int i = 0; i < 200; ++i) {
      const int r = (i * 7919) % 1009;
      s.push_back(r / 1009.0);
      y.push_back((r > 600) != (i % 9 == 0));
    }
    const DetectionMetrics m = detection_metrics(scores_of(s), mask_of(y));
    EXPECT_NEAR(m.auroc, 0.87417898193760268, 1e-14);
    EXPECT_NEAR(m.ap, 0.82046117435443422, 1e-14);
    EXPECT_NEAR(m.tnr95, 0.26724137931034486, 1e-14);
  }
}

TEST_F(DetectionMetricsTest, MatchesBruteForceOnRandomInputs) {
  for (int trial = 0; trial < 6; ++trial) {
    const int64_t n = 300 + 50 * trial;
    const at::Tensor y = torch::rand({n}) < 0.3;
    // Informative but noisy scores; even trials are rounded to create ties.
    at::Tensor s = y.to(torch::kFloat) * 0.8 + torch::randn({n});
    if (trial % 2 == 0) s = (s * 4).round() / 4;
    const DetectionMetrics m = detection_metrics(s, y);
    EXPECT_NEAR(m.auroc, pairwise_auroc(s, y), 1e-12) << trial;
    EXPECT_NEAR(m.ap, brute_force_ap(s, y), 1e-12) << trial;
    if (trial % 2 == 1) {
      EXPECT_NEAR(m.tnr95, brute_force_tnr95(s, y), 1e-12) << trial;
    }
    // Higher = more suspicious: reversing the scores flips the AUROC.
    EXPECT_NEAR(auroc(-s, y), 1.0 - m.auroc, 1e-12) << trial;
  }
}

TEST_F(DetectionMetricsTest, PerfectAndWorstRankings) {
  const at::Tensor y = mask_of({0, 1, 0, 1, 1, 0, 0});
  const at::Tensor s = y.to(torch::kDouble) + 0.01 * torch::arange(7);
  const DetectionMetrics best = detection_metrics(s, y);
  EXPECT_DOUBLE_EQ(best.auroc, 1.0);
  EXPECT_DOUBLE_EQ(best.ap, 1.0);
  EXPECT_DOUBLE_EQ(best.tnr95, 1.0);
  const DetectionMetrics worst = detection_metrics(-s, y);
  EXPECT_DOUBLE_EQ(worst.auroc, 0.0);
  EXPECT_DOUBLE_EQ(worst.tnr95, 0.0);
  // Positives ranked last: precisions 1/5, 2/6, 3/7.
  EXPECT_NEAR(worst.ap, (1.0 / 5 + 2.0 / 6 + 3.0 / 7) / 3, 1e-15);
}

TEST_F(DetectionMetricsTest, SixtyThousandRowsTakeMilliseconds) {
  const int64_t n = 60000;
  const at::Tensor y = torch::rand({n}) < 0.1;
  const at::Tensor s = y.to(torch::kFloat) + torch::randn({n});
  const auto t0 = std::chrono::steady_clock::now();
  const DetectionMetrics m = detection_metrics(s, y);
  const double ms = std::chrono::duration<double, std::milli>(
                        std::chrono::steady_clock::now() - t0)
                        .count();
  EXPECT_GT(m.auroc, 0.7);
  EXPECT_LT(m.auroc, 0.85);
  EXPECT_LT(ms, 500.0) << "detection_metrics on 60k rows took " << ms << " ms";
}

TEST_F(DetectionMetricsTest, RejectsInvalidInput) {
  const at::Tensor s = scores_of({0.1, 0.2, 0.3});
  const at::Tensor y = mask_of({0, 1, 0});
  EXPECT_THROW(auroc(s, mask_of({1, 1, 1})), Error);       // no negative
  EXPECT_THROW(auroc(s, mask_of({0, 0, 0})), Error);       // no positive
  EXPECT_THROW(auroc(s, mask_of({0, 1})), Error);          // length mismatch
  EXPECT_THROW(auroc(s.view({3, 1}), y), Error);           // not [N]
  EXPECT_THROW(auroc(s, y.to(torch::kLong)), Error);       // not bool
  EXPECT_THROW(auroc(torch::tensor({1, 2, 3}), y), Error);  // integer scores
  EXPECT_THROW(auroc(at::Tensor(), y), Error);
  EXPECT_THROW(average_precision(scores_of({0.1, NAN, 0.3}), y), Error);
  EXPECT_THROW(tnr_at_95_tpr(scores_of({0.1, INFINITY, 0.3}), y), Error);
  EXPECT_THROW(detection_metrics(torch::empty({0}), torch::empty({0}, torch::kBool)),
               Error);
  try {
    auroc(s, mask_of({0, 1}));
    FAIL() << "expected dataopt::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("positives"), std::string::npos)
        << e.what();
  }
}

}  // namespace dataopt::train
