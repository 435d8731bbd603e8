#pragma once
/// \file
/// Classification metrics on probabilities [N, K] and labels [N].
///
///   double ece = train::expected_calibration_error(probs, labels);  // 15 bins

#include <cstdint>

#include "dataopt/core/tensor_fwd.h"

namespace dataopt::train {

/// Fraction of rows whose arg-max equals the label.
double accuracy(const at::Tensor& probs, const at::Tensor& labels);

/// Mean negative log-likelihood -log p[label] (probabilities clamped at 1e-12).
double negative_log_likelihood(const at::Tensor& probs, const at::Tensor& labels);

/// Expected calibration error: the confidence range (0, 1] is split into
/// `n_bins` equal bins (lo, hi]; ECE = sum_b |acc_b - conf_b| * n_b / N.
double expected_calibration_error(const at::Tensor& probs,
                                  const at::Tensor& labels, int64_t n_bins = 15);

}  // namespace dataopt::train
