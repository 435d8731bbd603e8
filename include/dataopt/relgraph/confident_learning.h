#pragma once
/// \file
/// Confident learning (Northcutt et al. 2021) as cleanlab 2.9 computes it:
/// per-class confident thresholds, the (calibrated) confident joint, the
/// number of label issues, find_label_issues with every filter_by mode, and
/// the label-quality rankings.
///
///   auto mask = relgraph::find_label_issues(labels, probs, {});   // [N] bool
///   auto q = relgraph::label_quality_scores(labels, probs,
///                relgraph::RankMethod::kSelfConfidence);   // lower = worse

#include <cstdint>
#include <string>

#include "dataopt/core/tensor_fwd.h"

namespace dataopt::relgraph {

enum class FilterBy {
  kPruneByNoiseRate,     // cleanlab's default
  kPruneByClass,
  kBoth,
  kConfidentLearning,
  kPredictedNeqGiven,
  kLowSelfConfidence,
  kLowNormalizedMargin,
};

/// "prune_by_noise_rate", "prune_by_class", "both", "confident_learning",
/// "predicted_neq_given", "low_self_confidence", "low_normalized_margin".
FilterBy parse_filter_by(const std::string& name);
std::string to_string(FilterBy f);

struct ConfidentLearningOptions {
  /// Which examples are flagged (cleanlab's filter_by).
  FilterBy filter_by = FilterBy::kPruneByNoiseRate;
  /// Fraction of the estimated issues to flag.
  double frac_noise = 1.0;
  /// Never prune a class below this many examples.
  int64_t min_examples_per_class = 1;

  void validate() const;
};

/// t_k = mean of P[i, k] over rows with label k, clipped below at 2e-6; a
/// class absent from the labels gets 2. Returns [K] float64.
at::Tensor confident_thresholds(const at::Tensor& labels, const at::Tensor& probs);

struct ConfidentJoint {
  /// [K, K] int64, rows = given label, columns = confident guess.
  at::Tensor counts;
  /// [N] bool: confident rows whose guess differs from the given label.
  at::Tensor off_diagonal;
};

/// The confident joint; `calibrate` rescales rows to the label counts and the
/// total to N (round_preserving_row_totals), as cleanlab's default.
ConfidentJoint compute_confident_joint(const at::Tensor& labels,
                                       const at::Tensor& probs,
                                       bool calibrate = true);

enum class IssueCountMethod { kOffDiagonal, kOffDiagonalCalibrated };

/// cleanlab.count.num_label_issues.
int64_t num_label_issues(const at::Tensor& labels, const at::Tensor& probs,
                         IssueCountMethod method = IssueCountMethod::kOffDiagonal);

/// cleanlab.filter.find_label_issues: [N] bool mask of flagged examples.
at::Tensor find_label_issues(const at::Tensor& labels, const at::Tensor& probs,
                             const ConfidentLearningOptions& options = {});

enum class RankMethod { kSelfConfidence, kNormalizedMargin, kConfidenceWeightedEntropy };

/// cleanlab.rank.get_label_quality_scores: [N] float64, lower = more likely
/// mislabelled. `adjust_pred_probs` subtracts the class thresholds first.
at::Tensor label_quality_scores(const at::Tensor& labels, const at::Tensor& probs,
                                RankMethod method = RankMethod::kSelfConfidence,
                                bool adjust_pred_probs = false);

}  // namespace dataopt::relgraph
