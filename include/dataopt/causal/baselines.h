#pragma once
/// \file
/// Baselines for targeted cause discovery with the same interface as the
/// model: [targets.size(), n_var] float32 scores, higher = more likely a cause.
///
///   at::Tensor x = causal::standardize_counts(d.expression);
///   at::Tensor c = causal::correlation_scores(x, targets);
///   at::Tensor k = causal::knockout_effect_scores(x, d.intervention, targets);

#include <cstdint>
#include <string>
#include <vector>

#include "dataopt/core/tensor_fwd.h"

namespace dataopt::causal {

enum class CauseBaseline {
  /// |Pearson correlation| of each variable with the target over all cells.
  kCorrelation,
  /// |mean of the target in cells where the variable was knocked out - its
  /// mean in observational cells| / the target's observational std: how far
  /// the target moves when the variable is removed. 0 for variables never
  /// knocked out alone.
  kKnockoutEffect,
};
std::string to_string(CauseBaseline b);
/// "correlation", "knockout_effect".
CauseBaseline parse_cause_baseline(const std::string& name);

/// values [n_obs, n_var] (preprocessed), targets as variable indices.
at::Tensor correlation_scores(const at::Tensor& values, const std::vector<int64_t>& targets);

/// values [n_obs, n_var], intervention [n_obs, n_var] bool.
at::Tensor knockout_effect_scores(const at::Tensor& values, const at::Tensor& intervention,
                                  const std::vector<int64_t>& targets);

at::Tensor baseline_scores(CauseBaseline method, const at::Tensor& values,
                           const at::Tensor& intervention, const std::vector<int64_t>& targets);

}  // namespace dataopt::causal
