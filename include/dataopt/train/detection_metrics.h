#pragma once
/// \file
/// Metrics of a detector's scores against a ground-truth mask (positives =
/// mislabelled or out-of-distribution examples; higher score = more
/// suspicious), as scikit-learn computes them.
///
///   auto m = train::detection_metrics(scores, is_noisy);
///   m.auroc; m.ap; m.tnr95;

#include "dataopt/core/tensor_fwd.h"

namespace dataopt::train {

struct DetectionMetrics {
  /// Area under the ROC curve (ties handled as one operating point).
  double auroc = 0;
  /// Average precision: sum over thresholds of (R_n - R_{n-1}) P_n.
  double ap = 0;
  /// True-negative rate at the first operating point with TPR >= 0.95 among
  /// the points of sklearn's roc_curve with its default
  /// drop_intermediate=True (as the NRG code calls it); this differs from the
  /// full curve only for tied groups of scores mixing positives and negatives.
  double tnr95 = 0;
};

/// scores [N] (any float type), positives [N] bool; needs at least one
/// positive and one negative. Throws dataopt::Error otherwise or on NaN.
double auroc(const at::Tensor& scores, const at::Tensor& positives);
double average_precision(const at::Tensor& scores, const at::Tensor& positives);
double tnr_at_95_tpr(const at::Tensor& scores, const at::Tensor& positives);
DetectionMetrics detection_metrics(const at::Tensor& scores,
                                   const at::Tensor& positives);

}  // namespace dataopt::train
