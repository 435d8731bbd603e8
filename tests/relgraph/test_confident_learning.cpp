#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <vector>

#include "dataopt/core/check.h"
#include "dataopt/data/label_noise.h"
#include "dataopt/relgraph/confident_learning.h"
#include "test_support.h"

namespace dataopt::relgraph {
namespace {

std::vector<int64_t> flagged(const at::Tensor& mask) {
  const at::Tensor idx = mask.nonzero().squeeze(1).contiguous();
  return std::vector<int64_t>(idx.data_ptr<int64_t>(),
                              idx.data_ptr<int64_t>() + idx.numel());
}

at::Tensor joint(std::vector<int64_t> values, int64_t k) {
  return torch::tensor(values, torch::kLong).reshape({k, k});
}

// The hand example: N = 11, K = 3, labels 0 (rows 0-4), 1 (rows 5-7),
// 2 (rows 8-10).
//
//   row  y   P[0]  P[1]  P[2]   note
//    0   0   0.90  0.05  0.05
//    1   0   0.80  0.10  0.10
//    2   0   0.50  0.47  0.03   confident only as 1, but argmax = 0 = y
//    3   0   0.30  0.25  0.45   confident nowhere, argmax 2
//    4   0   0.25  0.15  0.60   confidently 2
//    5   1   0.10  0.70  0.20
//    6   1   0.00  0.45  0.55   confident as 1 and 2: argmax 2
//    7   1   0.65  0.20  0.15   confidently 0
//    8   2   0.10  0.30  0.60
//    9   2   0.35  0.25  0.40   confident nowhere
//   10   2   0.05  0.45  0.50   confident as 1 and 2: argmax 2 = y
//
// Thresholds t_k = mean of P[:, k] over rows labelled k:
//   t0 = (0.90 + 0.80 + 0.50 + 0.30 + 0.25) / 5 = 2.75 / 5 = 0.55
//   t1 = (0.70 + 0.45 + 0.20) / 3 = 1.35 / 3 = 0.45
//   t2 = (0.60 + 0.40 + 0.50) / 3 = 1.50 / 3 = 0.50
// Confident classes, P[i, j] >= t_j - 1e-6 (the slack keeps rows 6 and 10 at
// P[1] = 0.45 = t1 and row 10 at P[2] = 0.50 = t2 confident whatever the
// last bit of the computed means):
//   0:{0} 1:{0} 2:{1} 3:{} 4:{2} 5:{1} 6:{1,2}->2 7:{0} 8:{2} 9:{} 10:{1,2}->2
// Raw confident joint (rows = given, columns = guess), diagonal already >= 1:
//   given 0: rows 0,1 -> 0; row 2 -> 1; row 4 -> 2      [2, 1, 1]
//   given 1: row 5 -> 1; row 6 -> 2; row 7 -> 0         [1, 1, 1]
//   given 2: rows 8, 10 -> 2                            [0, 0, 2]
//   off-diagonal rows: {2, 4, 6, 7}
// Calibration to the label counts [5, 3, 3] (total already N = 11):
//   row 0: [2, 1, 1] / 4 * 5 = [2.5, 1.25, 1.25] -> round half to even
//          [2, 1, 1] sums to 4, not 5: +1 to the largest residual (0.5, at
//          column 0) -> [3, 1, 1]
//   row 1: [1, 1, 1] / 3 * 3 = [1, 1, 1]; row 2: [0, 0, 2] / 2 * 3 = [0, 0, 3]
//   calibrated joint [[3, 1, 1], [1, 1, 1], [0, 0, 3]]
// num_label_issues:
//   off_diagonal: rows {2, 4, 6, 7} minus those whose argmax(P + 1e-6 onehot)
//     is the label: row 2 ([0.500001, 0.47, 0.03] -> 0 = y) -> 3
//   off_diagonal_calibrated: rint((1 - (3 + 1 + 3) / 11) * 11) = 4
class ConfidentLearning : public test::SeedingFixture {
 protected:
  at::Tensor labels_ = torch::tensor({0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2}, torch::kLong);
  at::Tensor probs_ = torch::tensor({0.90, 0.05, 0.05,  //
                                     0.80, 0.10, 0.10,  //
                                     0.50, 0.47, 0.03,  //
                                     0.30, 0.25, 0.45,  //
                                     0.25, 0.15, 0.60,  //
                                     0.10, 0.70, 0.20,  //
                                     0.00, 0.45, 0.55,  //
                                     0.65, 0.20, 0.15,  //
                                     0.10, 0.30, 0.60,  //
                                     0.35, 0.25, 0.40,  //
                                     0.05, 0.45, 0.50},
                                    torch::kDouble)
                          .reshape({11, 3});

  std::vector<int64_t> find(FilterBy f, double frac = 1.0, int64_t min_n = 1) {
    return flagged(find_label_issues(
        labels_, probs_,
        {.filter_by = f, .frac_noise = frac, .min_examples_per_class = min_n}));
  }
};

TEST_F(ConfidentLearning, HandExampleThresholdsJointAndCounts) {
  const at::Tensor t = confident_thresholds(labels_, probs_);
  EXPECT_EQ(t.scalar_type(), torch::kDouble);
  EXPECT_TENSOR_NEAR(t, torch::tensor({0.55, 0.45, 0.50}, torch::kDouble), 0.0, 1e-12);

  const ConfidentJoint raw = compute_confident_joint(labels_, probs_, false);
  EXPECT_TRUE(torch::equal(raw.counts, joint({2, 1, 1, 1, 1, 1, 0, 0, 2}, 3)))
      << raw.counts;
  EXPECT_EQ(flagged(raw.off_diagonal), (std::vector<int64_t>{2, 4, 6, 7}));

  const ConfidentJoint cal = compute_confident_joint(labels_, probs_);
  EXPECT_TRUE(torch::equal(cal.counts, joint({3, 1, 1, 1, 1, 1, 0, 0, 3}, 3)))
      << cal.counts;
  EXPECT_TRUE(torch::equal(cal.off_diagonal, raw.off_diagonal));

  EXPECT_EQ(num_label_issues(labels_, probs_), 3);
  EXPECT_EQ(num_label_issues(labels_, probs_, IssueCountMethod::kOffDiagonal), 3);
  EXPECT_EQ(num_label_issues(labels_, probs_, IssueCountMethod::kOffDiagonalCalibrated),
            4);
}

// Prune count matrix PCM = calibrated joint transposed; with
// min_examples_per_class = 1 and frac_noise = 1 it is unchanged (all
// diagonals >= 1). PCM[j][k] = joint[k][j] = how many rows labelled k to flag
// as truly j.
//
// prune_by_noise_rate, per given class k and j != k, the PCM[j][k] rows with
// the largest margin P[:, j] - P[:, k]:
//   k = 0, j = 1 (1 row): margins r0 -0.85, r1 -0.70, r2 -0.03, r3 -0.05,
//                          r4 -0.10 -> row 2
//   k = 0, j = 2 (1 row): r0 -0.85, r1 -0.70, r2 -0.47, r3 0.15, r4 0.35 -> 4
//   k = 1, j = 0 (1 row): r5 -0.60, r6 -0.45, r7 0.45 -> row 7
//   k = 1, j = 2 (1 row): r5 -0.50, r6 0.10, r7 -0.05 -> row 6
//   k = 2: joint[2][0] = joint[2][1] = 0, nothing.
//   -> {2, 4, 6, 7}; _reduce_issues drops row 2 (argmax 0 = y) -> {4, 6, 7}
// prune_by_class, per class the n_k - PCM[k][k] rows with the smallest P[:, k]:
//   k = 0: 5 - 3 = 2 -> P0 = 0.25 (r4), 0.30 (r3); k = 1: 3 - 1 = 2 -> P1 =
//   0.20 (r7), 0.45 (r6); k = 2: 3 - 3 = 0 -> {3, 4, 6, 7}; none has
//   argmax = y, so it stays {3, 4, 6, 7}
// both: {2, 4, 6, 7} AND {3, 4, 6, 7} = {4, 6, 7}
// confident_learning: off-diagonal {2, 4, 6, 7} minus row 2 -> {4, 6, 7}
// predicted_neq_given: argmax != y at rows 3 (2), 4 (2), 6 (2), 7 (0)
// low_self_confidence: the num_label_issues = 3 lowest P[y]: r7 0.20,
//   r4 0.25, r3 0.30 -> {3, 4, 7} (no _reduce_issues for the low_* modes)
// low_normalized_margin: (P[y] - max_{k != y} P[k] + 1) / 2, lowest three:
//   r7 (0.2 - 0.65 + 1) / 2 = 0.275, r4 0.325, r3 0.425 -> {3, 4, 7}
TEST_F(ConfidentLearning, HandExampleEveryFilter) {
  using V = std::vector<int64_t>;
  EXPECT_EQ(find(FilterBy::kPruneByNoiseRate), (V{4, 6, 7}));
  EXPECT_EQ(find(FilterBy::kPruneByClass), (V{3, 4, 6, 7}));
  EXPECT_EQ(find(FilterBy::kBoth), (V{4, 6, 7}));
  EXPECT_EQ(find(FilterBy::kConfidentLearning), (V{4, 6, 7}));
  EXPECT_EQ(find(FilterBy::kPredictedNeqGiven), (V{3, 4, 6, 7}));
  EXPECT_EQ(find(FilterBy::kLowSelfConfidence), (V{3, 4, 7}));
  EXPECT_EQ(find(FilterBy::kLowNormalizedMargin), (V{3, 4, 7}));
  // The default options are cleanlab's: prune_by_noise_rate.
  EXPECT_EQ(flagged(find_label_issues(labels_, probs_)), (V{4, 6, 7}));
  // float32 input gives the same answers (computed in float64 internally).
  EXPECT_EQ(flagged(find_label_issues(labels_, probs_.to(torch::kFloat))), (V{4, 6, 7}));
}

// min_examples_per_class = 3 (_keep_at_least_n_per_class, n = 3):
//   PCM columns (= joint rows): col0 [3, 1, 1], col1 [1, 1, 1], col2 [0, 0, 3].
//   col1: diagonal 1 -> 3 (+2); count_nonzero(col1) - 1 = 2 non-zero noise
//   entries each lose 2 / 2 = 1 -> [0, 3, 0]. Cols 0 and 2 already have 3.
//   Classes 1 and 2 have 3 <= 3 examples: never pruned.
//   noise rate, class 0: j = 1 -> row 2, j = 2 -> row 4; reduce drops 2 -> {4}
//   by class, class 0: 5 - 3 = 2 lowest P0 -> {3, 4}
//   both: {2, 4} AND {3, 4} = {4}
// min_examples_per_class = 5: every class has <= 5 examples -> nothing.
// frac_noise = 0.5 (_reduce_prune_counts, then truncation):
//   col0 [3, 1, 1] -> off-diagonals 0.5, 0.5, diagonal 3 + 1 = 4 -> [4, 0, 0]
//   col1 [1, 1, 1] -> [0.5, 2, 0.5] -> [0, 2, 0]; col2 [0, 0, 3] unchanged
//   noise rate: no off-diagonal left -> {}
//   by class: class 0: 5 - 4 = 1 -> row 4 (P0 0.25); class 1: 3 - 2 = 1 ->
//   row 7 (P1 0.20); class 2: 0 -> {4, 7};  both: {} AND {4, 7} = {}
TEST_F(ConfidentLearning, HandExampleMinExamplesAndFracNoise) {
  using V = std::vector<int64_t>;
  EXPECT_EQ(find(FilterBy::kPruneByNoiseRate, 1.0, 3), (V{4}));
  EXPECT_EQ(find(FilterBy::kPruneByClass, 1.0, 3), (V{3, 4}));
  EXPECT_EQ(find(FilterBy::kBoth, 1.0, 3), (V{4}));
  EXPECT_EQ(find(FilterBy::kPruneByNoiseRate, 1.0, 5), V{});
  EXPECT_EQ(find(FilterBy::kPruneByClass, 1.0, 5), V{});
  EXPECT_EQ(find(FilterBy::kPruneByNoiseRate, 0.5), V{});
  EXPECT_EQ(find(FilterBy::kPruneByClass, 0.5), (V{4, 7}));
  EXPECT_EQ(find(FilterBy::kBoth, 0.5), V{});
  EXPECT_EQ(find(FilterBy::kPruneByNoiseRate, 0.0), V{});
  // frac_noise and min_examples_per_class do not affect the other filters.
  EXPECT_EQ(find(FilterBy::kConfidentLearning, 0.5, 5), (V{4, 6, 7}));
  EXPECT_EQ(find(FilterBy::kLowSelfConfidence, 0.5, 5), (V{3, 4, 7}));
}

// Rankings on the hand example (lower = more likely mislabelled).
// self_confidence = P[y]:
//   [0.90, 0.80, 0.50, 0.30, 0.25, 0.70, 0.45, 0.20, 0.60, 0.40, 0.50]
//   ascending: 7, 4, 3, 9, 6, 2, 10, 8, 5, 1, 0
// normalized_margin = (P[y] - max_{k != y} P[k] + 1) / 2:
//   [0.925, 0.85, 0.515, 0.425, 0.325, 0.75, 0.45, 0.275, 0.65, 0.525, 0.525]
//   the three worst: 7, 4, 3
// confidence_weighted_entropy: H = -sum p ln p / ln 3, s = H / max(P[y], 1e-6),
//   score = ln(s + 1) / max(s, 1e-6). Row 7: H = (0.65*0.430783 +
//   0.2*1.609438 + 0.15*1.897120) / 1.098612 = 0.806894, s = 4.034471,
//   score = ln(5.034471) / 4.034471 = 0.400624. Row 6 (P[0] = 0 adds 0):
//   H = 0.626370, s = 1.391933, score = 0.626540.
// adjust_pred_probs: P' = (P - t + max t) / row sum, t = [0.55, 0.45, 0.5]:
//   every row sums to 1 - 1.5 + 3 * 0.55 = 1.15, so P' = (P - t + 0.55) / 1.15.
//   Self-confidence row 4: 0.25 / 1.15 = 0.217391, rows 3 and 7: 0.3 / 1.15.
//   Margin row 7: P' = [0.65, 0.30, 0.20] / 1.15 -> (1 - 0.35 / 1.15) / 2 =
//   0.347826; row 4: P' = [0.25, 0.25, 0.65] / 1.15 -> 0.326087, so adjusting
//   puts row 4 before row 7.
TEST_F(ConfidentLearning, HandExampleRankings) {
  const at::Tensor sc = label_quality_scores(labels_, probs_);
  EXPECT_EQ(sc.scalar_type(), torch::kDouble);
  EXPECT_TENSOR_NEAR(
      sc,
      torch::tensor({0.90, 0.80, 0.50, 0.30, 0.25, 0.70, 0.45, 0.20, 0.60, 0.40, 0.50},
                    torch::kDouble),
      0.0, 1e-15);
  const at::Tensor order =
      std::get<1>(torch::sort(sc, /*stable=*/true, /*dim=*/0, /*descending=*/false));
  EXPECT_TRUE(torch::equal(
      order, torch::tensor({7, 4, 3, 9, 6, 2, 10, 8, 5, 1, 0}, torch::kLong)));

  const at::Tensor nm =
      label_quality_scores(labels_, probs_, RankMethod::kNormalizedMargin);
  EXPECT_TENSOR_NEAR(nm,
                     torch::tensor({0.925, 0.85, 0.515, 0.425, 0.325, 0.75, 0.45, 0.275,
                                    0.65, 0.525, 0.525},
                                   torch::kDouble),
                     0.0, 1e-12);
  const at::Tensor nm_order = std::get<1>(torch::sort(nm, true, 0, false));
  EXPECT_TRUE(
      torch::equal(nm_order.slice(0, 0, 3), torch::tensor({7, 4, 3}, torch::kLong)));

  const at::Tensor cwe =
      label_quality_scores(labels_, probs_, RankMethod::kConfidenceWeightedEntropy);
  EXPECT_NEAR(cwe[7].item<double>(), 0.400624, 1e-6);
  EXPECT_NEAR(cwe[6].item<double>(), 0.626540, 1e-6);
  // Every row against the formula written out.
  for (int64_t i = 0; i < 11; ++i) {
    double h = 0.0;
    for (int64_t j = 0; j < 3; ++j) {
      const double p = probs_[i][j].item<double>();
      if (p > 0.0) h -= p * std::log(p);
    }
    h /= std::log(3.0);
    const double s =
        h / std::max(probs_[i][labels_[i].item<int64_t>()].item<double>(), 1e-6);
    EXPECT_NEAR(cwe[i].item<double>(), std::log(s + 1.0) / std::max(s, 1e-6), 1e-12)
        << "row " << i;
  }

  const at::Tensor t = torch::tensor({0.55, 0.45, 0.50}, torch::kDouble);
  const at::Tensor adjusted = (probs_ - t + 0.55) / 1.15;
  const at::Tensor adj_sc =
      label_quality_scores(labels_, probs_, RankMethod::kSelfConfidence, true);
  EXPECT_TENSOR_NEAR(adj_sc, adjusted.gather(1, labels_.unsqueeze(1)).squeeze(1), 0.0,
                     1e-12);
  EXPECT_NEAR(adj_sc[4].item<double>(), 0.217391, 1e-6);
  const at::Tensor adj_nm =
      label_quality_scores(labels_, probs_, RankMethod::kNormalizedMargin, true);
  EXPECT_NEAR(adj_nm[7].item<double>(), 0.347826, 1e-6);
  EXPECT_NEAR(adj_nm[4].item<double>(), 0.326087, 1e-6);
  EXPECT_EQ(std::get<1>(torch::sort(adj_nm, true, 0, false))[0].item<int64_t>(), 4);
  EXPECT_EQ(std::get<1>(torch::sort(nm, true, 0, false))[0].item<int64_t>(), 7);
}

// A deterministic 60 x 4 data set with exact rational probabilities
// (P = w / sum(w), w integer), so the answers below, produced by a numpy
// transcription of cleanlab 2.9's code, hold to the bit. Rows 0, 9, 18, 27,
// 36, 45, 54 have a wrong label. No ties decide anything here.
TEST_F(ConfidentLearning, MatchesCleanlabOnRationalDataSet) {
  const int64_t n = 60, k = 4;
  std::vector<int64_t> truth(n), labels(n);
  std::vector<double> probs(n * k);
  for (int64_t i = 0; i < n; ++i) {
    truth[i] = (i * 7 + i / 5) % k;
    labels[i] = (i * 11) % 9 == 0 ? (truth[i] + 1 + i % 2) % k : truth[i];
    int64_t w[4], sum = 0;
    for (int64_t j = 0; j < k; ++j) {
      w[j] = 1 + (i * 37 + j * 101 + i * j * 13) % 97 + (j == truth[i] ? 150 : 0);
      sum += w[j];
    }
    for (int64_t j = 0; j < k; ++j) {
      probs[i * k + j] = static_cast<double>(w[j]) / static_cast<double>(sum);
    }
  }
  const at::Tensor y = torch::tensor(labels, torch::kLong);
  const at::Tensor p = torch::tensor(probs, torch::kDouble).reshape({n, k});
  using V = std::vector<int64_t>;
  auto run = [&](FilterBy f, double frac = 1.0, int64_t min_n = 1) {
    return flagged(find_label_issues(
        y, p, {.filter_by = f, .frac_noise = frac, .min_examples_per_class = min_n}));
  };
  EXPECT_EQ(run(FilterBy::kPruneByNoiseRate), (V{0, 9, 27, 36, 45, 54}));
  EXPECT_EQ(run(FilterBy::kPruneByClass), (V{0, 18, 27, 36, 45, 54}));
  EXPECT_EQ(run(FilterBy::kBoth), (V{0, 27, 36, 45, 54}));
  EXPECT_EQ(run(FilterBy::kConfidentLearning), (V{0, 27, 45, 54}));
  EXPECT_EQ(run(FilterBy::kPredictedNeqGiven), (V{0, 9, 18, 27, 36, 45, 54}));
  EXPECT_EQ(run(FilterBy::kLowSelfConfidence), (V{0, 27, 36, 45}));
  EXPECT_EQ(run(FilterBy::kLowNormalizedMargin), (V{0, 27, 45, 54}));
  EXPECT_EQ(run(FilterBy::kPruneByNoiseRate, 0.5, 2), (V{0, 27, 45}));
  EXPECT_EQ(run(FilterBy::kPruneByClass, 0.5, 2), (V{0, 27, 45}));
  EXPECT_EQ(run(FilterBy::kBoth, 0.5, 2), (V{0, 27, 45}));
  EXPECT_TENSOR_NEAR(confident_thresholds(y, p),
                     torch::tensor({0.5389924979517238, 0.540079138311297,
                                    0.5065411346722406, 0.5744994066606653},
                                   torch::kDouble),
                     0.0, 1e-15);
  EXPECT_TRUE(torch::equal(compute_confident_joint(y, p, false).counts,
                           joint({13, 0, 1, 0, 2, 9, 0, 0, 1, 0, 7, 0, 0, 0, 0, 6}, 4)));
  EXPECT_TRUE(
      torch::equal(compute_confident_joint(y, p).counts,
                   joint({20, 0, 2, 0, 2, 11, 0, 0, 2, 0, 12, 0, 0, 0, 0, 11}, 4)));
  EXPECT_EQ(num_label_issues(y, p), 4);
  EXPECT_EQ(num_label_issues(y, p, IssueCountMethod::kOffDiagonalCalibrated), 6);
}

// Random softmax outputs of a model that mostly knows the true class
// (logits N(0, 1) + 4 on the true class, about 98% accurate), with 15% of the
// labels flipped: chance precision is 0.15.
struct NoisyProblem {
  at::Tensor labels, probs, is_noisy;
};

NoisyProblem make_noisy_problem(int64_t n, int64_t k, double rate, uint64_t seed) {
  const at::Tensor truth = torch::randint(0, k, {n}, torch::kLong);
  const at::Tensor logits = torch::randn({n, k}, torch::kDouble) +
                            4.0 * torch::one_hot(truth, k).to(torch::kDouble);
  const auto noisy = data::inject_label_noise(truth, k, {.rate = rate, .seed = seed});
  return {noisy.labels, torch::softmax(logits, 1), noisy.is_noisy};
}

TEST_F(ConfidentLearning, FlagsInjectedLabelNoise) {
  const NoisyProblem pb = make_noisy_problem(6000, 10, 0.15, 3);
  const double noisy_count = pb.is_noisy.sum().item<double>();
  for (FilterBy f :
       {FilterBy::kPruneByNoiseRate, FilterBy::kPruneByClass, FilterBy::kBoth,
        FilterBy::kConfidentLearning, FilterBy::kPredictedNeqGiven,
        FilterBy::kLowSelfConfidence, FilterBy::kLowNormalizedMargin}) {
    const at::Tensor mask = find_label_issues(pb.labels, pb.probs, {.filter_by = f});
    const double hits = (mask & pb.is_noisy).sum().item<double>();
    const double n_flagged = mask.sum().item<double>();
    ASSERT_GT(n_flagged, 0) << to_string(f);
    const double precision = hits / n_flagged, recall = hits / noisy_count;
    EXPECT_GT(precision, 0.85) << to_string(f);
    EXPECT_GT(recall, 0.7) << to_string(f);
  }
  // The estimated number of issues is of the right size.
  const auto estimate = static_cast<double>(num_label_issues(pb.labels, pb.probs));
  EXPECT_GT(estimate, 0.6 * noisy_count);
  EXPECT_LT(estimate, 1.2 * noisy_count);
  // Label quality ranks the noisy rows first: AUROC-like check on the lowest.
  const at::Tensor order = std::get<1>(torch::sort(
      label_quality_scores(pb.labels, pb.probs, RankMethod::kNormalizedMargin), true, 0,
      false));
  const auto top = static_cast<int64_t>(noisy_count);
  EXPECT_GT(pb.is_noisy.index_select(0, order.slice(0, 0, top)).sum().item<double>(),
            0.7 * noisy_count);
}

// Identities that hold for any input (cleanlab documents the first two).
TEST_F(ConfidentLearning, ConsistencyBetweenEntryPoints) {
  for (uint64_t seed : {1, 2, 3}) {
    const NoisyProblem pb = make_noisy_problem(3000, 5, 0.2, seed);
    const int64_t n_issues = num_label_issues(pb.labels, pb.probs);
    auto run = [&](FilterBy f) {
      return find_label_issues(pb.labels, pb.probs, {.filter_by = f});
    };
    EXPECT_EQ(run(FilterBy::kConfidentLearning).sum().item<int64_t>(), n_issues);
    EXPECT_EQ(run(FilterBy::kLowSelfConfidence).sum().item<int64_t>(), n_issues);
    EXPECT_EQ(run(FilterBy::kLowNormalizedMargin).sum().item<int64_t>(), n_issues);
    // both = prune_by_noise_rate AND prune_by_class (the reduction commutes).
    EXPECT_TRUE(torch::equal(run(FilterBy::kBoth), run(FilterBy::kPruneByNoiseRate) &
                                                       run(FilterBy::kPruneByClass)));
    // The calibrated joint has the label counts as row sums and N in total.
    const at::Tensor cj = compute_confident_joint(pb.labels, pb.probs).counts;
    EXPECT_TRUE(torch::equal(cj.sum(1), torch::bincount(pb.labels, {}, 5)));
    // No flagged row (outside low_*) has the label as its boosted argmax.
    const at::Tensor boosted =
        pb.probs + 1e-6 * torch::one_hot(pb.labels, 5).to(torch::kDouble);
    const at::Tensor agrees = boosted.argmax(1).eq(pb.labels);
    for (FilterBy f :
         {FilterBy::kPruneByNoiseRate, FilterBy::kPruneByClass, FilterBy::kBoth,
          FilterBy::kConfidentLearning, FilterBy::kPredictedNeqGiven}) {
      EXPECT_EQ((run(f) & agrees).sum().item<int64_t>(), 0) << to_string(f);
    }
  }
}

// Reference vs fast: prune_by_noise_rate recomputed with full stable sorts
// (cleanlab's np.argsort(-margin)[:n] per class and suspected class) against
// the selection used by the library.
TEST_F(ConfidentLearning, PruneByNoiseRateMatchesSortedReference) {
  const int64_t k = 6;
  const NoisyProblem pb = make_noisy_problem(2000, k, 0.25, 5);
  // With min_examples_per_class = 1 and frac_noise = 1 the prune counts are
  // the calibrated joint, transposed, once every diagonal is >= 1.
  const at::Tensor cj = compute_confident_joint(pb.labels, pb.probs).counts;
  ASSERT_GE(cj.diagonal().min().item<int64_t>(), 1);
  at::Tensor expected = torch::zeros({pb.labels.size(0)}, torch::kBool);
  for (int64_t c = 0; c < k; ++c) {
    const at::Tensor rows = pb.labels.eq(c).nonzero().squeeze(1);
    const at::Tensor p = pb.probs.index_select(0, rows);
    for (int64_t j = 0; j < k; ++j) {
      const int64_t count = cj[c][j].item<int64_t>();
      if (j == c || count <= 0) continue;
      const at::Tensor margin = p.select(1, j) - p.select(1, c);
      const at::Tensor order = std::get<1>(torch::sort(-margin, true, 0, false));
      expected.index_put_({rows.index_select(0, order.slice(0, 0, count))}, true);
    }
  }
  const at::Tensor boosted =
      pb.probs + 1e-6 * torch::one_hot(pb.labels, k).to(torch::kDouble);
  expected &= boosted.argmax(1).ne(pb.labels);
  EXPECT_TRUE(torch::equal(find_label_issues(pb.labels, pb.probs), expected));
}

// Ties: cleanlab's np.argsort leaves their order unspecified in general; here
// the lower row index wins, as with a stable sort (and as numpy's own
// insertion sort does on the <= 16-element groups of this example).
//   rows 0-3, label 0: P = [0.2, 0.8] (four identical rows)
//   row 4, label 1:    P = [0.4, 0.6]
//   rows 5-6, label 1: P = [0.1, 0.9]
// t0 = 0.2, t1 = (0.6 + 0.9 + 0.9) / 3 = 0.8. Rows 0-3 are confident as 0
// and 1 -> argmax 1; row 4 only as 0 (0.4 >= 0.2, 0.6 < 0.8); rows 5-6 as 1.
// Raw joint [[0 -> clipped to 1, 4], [1, 2]]; calibrated to counts [4, 3]:
// row 0 [1, 4] / 5 * 4 = [0.8, 3.2] -> [1, 3]; row 1 [1, 2]. So 3 of the 4
// identical rows are to be flagged:
//   prune_by_noise_rate, class 0, j = 1: 3 rows with the largest (equal)
//     margin 0.6 -> rows 0, 1, 2; class 1, j = 0: 1 row -> row 4 (margin
//     -0.2), dropped by _reduce_issues (argmax of [0.4, 0.600001] is 1 = y)
//   prune_by_class, class 0: 4 - 1 = 3 smallest (equal) P0 -> rows 0, 1, 2;
//     class 1: 3 - 2 = 1 -> row 4, dropped again
//   confident_learning: rows 0-3 and 4, minus row 4 -> {0, 1, 2, 3}
TEST_F(ConfidentLearning, TiesGoToTheLowerIndex) {
  using V = std::vector<int64_t>;
  const at::Tensor y = torch::tensor({0, 0, 0, 0, 1, 1, 1}, torch::kLong);
  const at::Tensor p = torch::tensor({0.2, 0.8, 0.2, 0.8, 0.2, 0.8, 0.2, 0.8,  //
                                      0.4, 0.6, 0.1, 0.9, 0.1, 0.9},
                                     torch::kDouble)
                           .reshape({7, 2});
  EXPECT_TRUE(
      torch::equal(compute_confident_joint(y, p, false).counts, joint({1, 4, 1, 2}, 2)));
  EXPECT_TRUE(torch::equal(compute_confident_joint(y, p).counts, joint({1, 3, 1, 2}, 2)));
  auto run = [&](FilterBy f) {
    return flagged(find_label_issues(y, p, {.filter_by = f}));
  };
  EXPECT_EQ(run(FilterBy::kPruneByNoiseRate), (V{0, 1, 2}));
  EXPECT_EQ(run(FilterBy::kPruneByClass), (V{0, 1, 2}));
  EXPECT_EQ(run(FilterBy::kBoth), (V{0, 1, 2}));
  EXPECT_EQ(run(FilterBy::kConfidentLearning), (V{0, 1, 2, 3}));
  EXPECT_EQ(num_label_issues(y, p), 4);
  EXPECT_EQ(run(FilterBy::kLowSelfConfidence), (V{0, 1, 2, 3}));
}

TEST_F(ConfidentLearning, AbsentClassGetsThresholdTwo) {
  // K = 3 but class 2 never appears as a label.
  const at::Tensor y = torch::tensor({0, 0, 1, 1}, torch::kLong);
  const at::Tensor p = torch::tensor({0.8, 0.1, 0.1, 0.7, 0.2, 0.1,  //
                                      0.1, 0.8, 0.1, 0.8, 0.15, 0.05},
                                     torch::kDouble)
                           .reshape({4, 3});
  // t = [(0.8 + 0.7) / 2, (0.8 + 0.15) / 2, 2] = [0.75, 0.475, 2].
  EXPECT_TENSOR_NEAR(confident_thresholds(y, p),
                     torch::tensor({0.75, 0.475, 2.0}, torch::kDouble), 0.0, 1e-12);
  // Row 0 -> 0, row 1 confident nowhere (0.7 < 0.75, 0.2 < 0.475), row 2 ->
  // 1, row 3 (label 1) -> 0. Raw joint [[1, 0, 0], [1, 1, 0], [0, 0, 0]] with
  // the absent class's diagonal clipped to 1; calibration to the label
  // counts [2, 2, 0] gives [[2, 0, 0], [1, 1, 0], [0, 0, 0]].
  EXPECT_TRUE(torch::equal(compute_confident_joint(y, p, false).counts,
                           joint({1, 0, 0, 1, 1, 0, 0, 0, 1}, 3)));
  EXPECT_TRUE(torch::equal(compute_confident_joint(y, p).counts,
                           joint({2, 0, 0, 1, 1, 0, 0, 0, 0}, 3)));
  EXPECT_EQ(flagged(find_label_issues(y, p, {.filter_by = FilterBy::kConfidentLearning})),
            (std::vector<int64_t>{3}));
}

TEST_F(ConfidentLearning, SixtyThousandExamplesWellUnderASecond) {
  const NoisyProblem pb = make_noisy_problem(60000, 10, 0.1, 1);
  const at::Tensor probs32 = pb.probs.to(torch::kFloat);
  for (FilterBy f :
       {FilterBy::kPruneByNoiseRate, FilterBy::kPruneByClass, FilterBy::kBoth,
        FilterBy::kConfidentLearning, FilterBy::kPredictedNeqGiven,
        FilterBy::kLowSelfConfidence, FilterBy::kLowNormalizedMargin}) {
    const auto start = std::chrono::steady_clock::now();
    const at::Tensor mask = find_label_issues(pb.labels, probs32, {.filter_by = f});
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(mask.size(0), 60000);
    EXPECT_LT(seconds, 1.0) << to_string(f);
  }
  const auto start = std::chrono::steady_clock::now();
  (void)label_quality_scores(pb.labels, probs32, RankMethod::kConfidenceWeightedEntropy);
  (void)num_label_issues(pb.labels, probs32, IssueCountMethod::kOffDiagonalCalibrated);
  EXPECT_LT(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
      1.0);
}

TEST_F(ConfidentLearning, RejectsBadInput) {
  // labels: dtype, rank, range
  EXPECT_THROW(find_label_issues(labels_.to(torch::kInt), probs_), Error);
  EXPECT_THROW(find_label_issues(labels_.to(torch::kFloat), probs_), Error);
  EXPECT_THROW(find_label_issues(labels_.reshape({11, 1}), probs_), Error);
  EXPECT_THROW(find_label_issues(labels_ + 1, probs_), Error);  // label 3 >= K
  at::Tensor negative = labels_.clone();
  negative[0] = -1;
  EXPECT_THROW(find_label_issues(negative, probs_), Error);
  // probs: dtype, shape, values
  EXPECT_THROW(find_label_issues(labels_, probs_.to(torch::kLong)), Error);
  EXPECT_THROW(find_label_issues(labels_, probs_.slice(0, 0, 10)), Error);  // N mismatch
  EXPECT_THROW(find_label_issues(labels_, probs_.reshape({33})), Error);
  EXPECT_THROW(find_label_issues(labels_, at::Tensor()), Error);
  EXPECT_THROW(find_label_issues(torch::zeros({3}, torch::kLong),
                                 torch::ones({3, 1}, torch::kDouble)),
               Error);  // K = 1
  EXPECT_THROW(find_label_issues(torch::zeros({0}, torch::kLong),
                                 torch::zeros({0, 3}, torch::kDouble)),
               Error);  // N = 0
  at::Tensor nan = probs_.clone();
  nan[2][1] = std::nan("");
  EXPECT_THROW(find_label_issues(labels_, nan), Error);
  at::Tensor inf = probs_.clone();
  inf[2][1] = std::numeric_limits<double>::infinity();
  EXPECT_THROW(num_label_issues(labels_, inf), Error);
  at::Tensor unnormalised = probs_.clone();
  unnormalised[4][0] = 0.30;  // row sums to 1.05
  EXPECT_THROW(find_label_issues(labels_, unnormalised), Error);
  EXPECT_THROW(confident_thresholds(labels_, probs_ * 2.0), Error);
  at::Tensor below = probs_.clone();
  below[0][0] = 1.05;
  below[0][1] = -0.05;  // sums to 1, but not a probability
  EXPECT_THROW(label_quality_scores(labels_, below), Error);
  // A row within the 1e-3 tolerance is accepted.
  at::Tensor close = probs_.clone();
  close[4][0] = 0.2505;
  EXPECT_NO_THROW(find_label_issues(labels_, close));
  // The message names the function, the argument and expected vs got.
  try {
    find_label_issues(labels_, unnormalised);
    ADD_FAILURE() << "no exception";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("find_label_issues"), std::string::npos) << what;
    EXPECT_NE(what.find("probs"), std::string::npos) << what;
    EXPECT_NE(what.find("row 4"), std::string::npos) << what;
  }
  try {
    compute_confident_joint(labels_ + 1, probs_);
    ADD_FAILURE() << "no exception";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("labels"), std::string::npos) << what;
    EXPECT_NE(what.find("[0, 3)"), std::string::npos) << what;
  }
  // Options.
  EXPECT_THROW(find_label_issues(labels_, probs_, {.frac_noise = 1.5}), Error);
  EXPECT_THROW(find_label_issues(labels_, probs_, {.frac_noise = -0.1}), Error);
  EXPECT_THROW(find_label_issues(labels_, probs_, {.min_examples_per_class = -1}), Error);
  EXPECT_THROW(ConfidentLearningOptions{.frac_noise = std::nan("")}.validate(), Error);
  // adjust_pred_probs is not defined for confidence-weighted entropy (cleanlab
  // raises too).
  EXPECT_THROW(
      label_quality_scores(labels_, probs_, RankMethod::kConfidenceWeightedEntropy, true),
      Error);
}

TEST(ConfidentLearningNames, ParseAndPrintFilterBy) {
  for (FilterBy f :
       {FilterBy::kPruneByNoiseRate, FilterBy::kPruneByClass, FilterBy::kBoth,
        FilterBy::kConfidentLearning, FilterBy::kPredictedNeqGiven,
        FilterBy::kLowSelfConfidence, FilterBy::kLowNormalizedMargin}) {
    EXPECT_EQ(parse_filter_by(to_string(f)), f);
  }
  EXPECT_EQ(to_string(FilterBy::kPruneByNoiseRate), "prune_by_noise_rate");
  EXPECT_EQ(parse_filter_by("prune-by-class"), FilterBy::kPruneByClass);
  EXPECT_THROW(parse_filter_by("prune_by_magic"), Error);
  EXPECT_EQ(ConfidentLearningOptions{}.filter_by, FilterBy::kPruneByNoiseRate);
}

}  // namespace
}  // namespace dataopt::relgraph
