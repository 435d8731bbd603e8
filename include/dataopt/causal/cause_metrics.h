#pragma once
/// \file
/// Per-target AUROC and average precision (x100) of cause scores against the
/// ancestor matrix, averaged over the targets that have at least one cause
/// and at least one non-cause (the official run.py, which uses torchmetrics'
/// BinaryAUROC / BinaryAveragePrecision; the target's own entry is ignored).
///
///   causal::CauseMetrics m = causal::cause_metrics(scores, truth_rows, targets);
///   m.auroc; m.ap;                       // means over the counted targets

#include <cstdint>
#include <vector>

#include "dataopt/core/tensor_fwd.h"

namespace dataopt::causal {

struct CauseMetrics {
  /// Means over the counted targets, x100.
  double auroc = 0;
  double ap = 0;
  /// Expected AP of a random ranking: the mean fraction of causes, x100
  /// (the expected AUROC of a random ranking is 50).
  double chance_ap = 0;
  /// Per counted target (same order as `counted`), x100.
  std::vector<double> per_target_auroc;
  std::vector<double> per_target_ap;
  /// Indices (variables) of the targets that were counted.
  std::vector<int64_t> counted;
};

/// scores [targets.size(), n_var] (row i belongs to targets[i]); causes
/// [n_var, n_var] (uint8 or bool, row t = causes of t). Throws
/// dataopt::Error on mismatched shapes, NaN scores or when no target has
/// both a cause and a non-cause.
CauseMetrics cause_metrics(const at::Tensor& scores, const at::Tensor& causes,
                           const std::vector<int64_t>& targets);

}  // namespace dataopt::causal
