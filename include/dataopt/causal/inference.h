#pragma once
/// \file
/// The deterministic ensembled local inference of targeted cause discovery
/// (official inference.py::infer). For a target t the model sees windows of
/// `num_vars` variables: t, the `anchor_size` variables with the highest
/// scores so far, and a chunk of the rest; for `en_vars` rounds the rest is
/// re-partitioned by striding. Each window is scored on `en_obs`
/// deterministic strided subsets of `obs_size` observations drawn from the
/// observational cells and the knockout cells of the window's variables; the
/// target's row of the averaged logits (j causes t) is accumulated per
/// variable and averaged at the end. Targets are scored one after another;
/// each forward pass spreads over LibTorch's threads (all cores by default).
///
///   causal::InferenceOptions o;                       // the official defaults
///   at::Tensor x = causal::standardize_counts(d.expression);
///   at::Tensor s = causal::infer_causes(model, x, causal::make_regimes(d.intervention),
///                                       {target}, o);  // [1, n_var]

#include <cstdint>
#include <string>
#include <vector>

#include "dataopt/causal/interventional_data.h"
#include "dataopt/core/tensor_fwd.h"

namespace dataopt::causal {

class TcdModel;

struct InferenceOptions {
  /// Variables per window (the model was trained on 200).
  int64_t num_vars = 200;
  /// Observations per window.
  int64_t obs_size = 200;
  /// Observation subsets per window (averaged in one batch).
  int64_t en_obs = 10;
  /// Rounds of variable partitions (5 for the released discrete model).
  int64_t en_vars = 5;
  /// Top-scoring variables kept in every window after the first round.
  int64_t anchor_size = 20;
  /// "cpu" or "cuda[:i]".
  std::string device = "cpu";
  /// Progress bar over targets on stderr.
  bool progress = true;
  /// Read the target's column of the logits (entry (j, t)) instead of its
  /// row (entry (t, j)), which the official inference reads. On this
  /// project's simulator the released model's row ranks the causes of a
  /// target *last* and its column ranks them high (docs/methods/causal.md).
  bool read_column = false;

  void validate() const;
};

/// The variables of window `chunk` in round `round` (1-based, as the
/// official code): `anchors` (target first) followed by the chunk of the
/// remaining variables reordered as rest[0::round] + rest[1::round] + ...;
/// the last chunk is shifted back so that it is full. Exposed for tests.
std::vector<int64_t> window_variables(int64_t n_var, const std::vector<int64_t>& anchors,
                                      int64_t chunk, int64_t round, int64_t num_vars);

/// The `obs_size` rows of subset `offset` for a window: the pool is the
/// observational rows followed by the single-knockout rows of each window
/// variable (in window order); rows (arange(obs_size) * max(1, |pool| //
/// obs_size) + offset) mod |pool| (floor division, as the official
/// sample_data). Exposed for tests.
std::vector<int64_t> window_rows(const Regimes& regimes, const std::vector<int64_t>& variables,
                                 int64_t offset, int64_t obs_size);

/// The anchors of a round: t, then the `anchor_size` variables with the
/// highest acc / (count + 1e-8), ties broken by lower index (stable).
std::vector<int64_t> select_anchors(int64_t target, const std::vector<double>& acc,
                                    const std::vector<int64_t>& count, int64_t anchor_size);

/// Cause scores of every variable for each target: [targets.size(), n_var]
/// float32, higher = more likely a cause; the target's own entry is its
/// self-logit (ignore it). `values` is the preprocessed [n_obs, n_var]
/// matrix; `intervention` its knockout mask. Needs n_obs >= obs_size (200 by
/// default) and n_var >= 20, as the official code; throws dataopt::Error
/// otherwise, on NaN values or on a target out of range.
at::Tensor infer_causes(const TcdModel& model, const at::Tensor& values,
                        const at::Tensor& intervention, const std::vector<int64_t>& targets,
                        const InferenceOptions& options = {});

/// Forward passes infer_causes makes per target (for progress and timing).
int64_t forwards_per_target(int64_t n_var, const InferenceOptions& options);

}  // namespace dataopt::causal
