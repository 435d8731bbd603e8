#pragma once
/// \file
/// The official preprocessing of expression counts (`standardize_count`):
/// log2-CPM per cell, one global z-score over the whole matrix, plus a shift,
/// with dropouts (zeros) and anything below zero mapped to exactly 0.
///
///   at::Tensor x = causal::standardize_counts(d.expression, {.shift = 10});

#include "dataopt/core/tensor_fwd.h"

namespace dataopt::causal {

struct PreprocessOptions {
  /// log2-CPM first (counts); false for data that is already on a log scale.
  bool log = true;
  /// Added after the global z-score: 10 for the released "discrete" model.
  double shift = 10.0;
  /// |x| <= atol counts as a zero (a dropout), as numpy's isclose(x, 0).
  double atol = 1e-8;

  void validate() const;
};

/// expression [n_obs, n_var] non-negative floats -> [n_obs, n_var] float32:
///   1. y = log2(x / (rowsum(x) * 1e-6)), NaN where x is (close to) zero;
///   2. y = (y - nanmean(y)) / nanstd(y) over the whole matrix (ddof 0);
///   3. y += shift; NaN -> 0; y = max(y, 0).
/// Computed in float64. Throws dataopt::Error on a wrong shape, NaN or a
/// negative value.
at::Tensor standardize_counts(const at::Tensor& expression,
                              const PreprocessOptions& options = {});

}  // namespace dataopt::causal
