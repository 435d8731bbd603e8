#include "dataopt/causal/cause_metrics.h"

#include <torch/torch.h>

#include "dataopt/core/check.h"
#include "dataopt/core/tensor_check.h"
#include "dataopt/train/detection_metrics.h"

namespace dataopt::causal {

CauseMetrics cause_metrics(const at::Tensor& scores, const at::Tensor& causes,
                           const std::vector<int64_t>& targets) {
  const int64_t n_targets = static_cast<int64_t>(targets.size());
  DATAOPT_CHECK(causes.defined() && causes.dim() == 2 && causes.size(0) == causes.size(1),
                "cause_metrics: causes must be [n_var, n_var], got ", shape_str(causes));
  const int64_t n_var = causes.size(0);
  check_shape(scores, {n_targets, n_var}, "cause_metrics: scores");
  const torch::Tensor s = scores.to(torch::kCPU, torch::kDouble);
  check_finite(s, "cause_metrics: scores");
  const torch::Tensor truth = causes.to(torch::kCPU).ne(0);
  CauseMetrics m;
  double prevalence = 0;
  for (int64_t i = 0; i < n_targets; ++i) {
    const int64_t t = targets[i];
    DATAOPT_CHECK(t >= 0 && t < n_var, "cause_metrics: target ", t, " out of range [0, ", n_var,
                  ")");
    torch::Tensor keep = torch::ones({n_var}, torch::kBool);
    keep[t] = false;  // the diagonal is ignored (-100 in the official code)
    const torch::Tensor y = truth[t].masked_select(keep);
    const int64_t pos = y.sum().item<int64_t>();
    if (pos == 0 || pos == y.numel()) continue;
    const torch::Tensor p = s[i].masked_select(keep);
    m.per_target_auroc.push_back(100.0 * train::auroc(p, y));
    m.per_target_ap.push_back(100.0 * train::average_precision(p, y));
    m.counted.push_back(t);
    prevalence += 100.0 * static_cast<double>(pos) / static_cast<double>(y.numel());
  }
  DATAOPT_CHECK(!m.counted.empty(), "cause_metrics: none of the ", n_targets,
                " targets has both a cause and a non-cause");
  const double k = static_cast<double>(m.counted.size());
  for (size_t i = 0; i < m.counted.size(); ++i) {
    m.auroc += m.per_target_auroc[i] / k;
    m.ap += m.per_target_ap[i] / k;
  }
  m.chance_ap = prevalence / k;
  return m;
}

}  // namespace dataopt::causal
