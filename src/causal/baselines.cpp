#include "dataopt/causal/baselines.h"

#include <torch/torch.h>

#include "dataopt/causal/interventional_data.h"
#include "dataopt/core/check.h"
#include "dataopt/core/tensor_check.h"

namespace dataopt::causal {

std::string to_string(CauseBaseline b) {
  switch (b) {
    case CauseBaseline::kCorrelation: return "correlation";
    case CauseBaseline::kKnockoutEffect: return "knockout_effect";
  }
  return "?";
}

CauseBaseline parse_cause_baseline(const std::string& name) {
  if (name == "correlation") return CauseBaseline::kCorrelation;
  if (name == "knockout_effect") return CauseBaseline::kKnockoutEffect;
  DATAOPT_CHECK(false, "unknown cause baseline '", name,
                "' (expected correlation or knockout_effect)");
  return CauseBaseline::kCorrelation;
}

namespace {

torch::Tensor checked_values(const at::Tensor& values, const std::vector<int64_t>& targets,
                             const char* fn) {
  DATAOPT_CHECK(values.defined() && values.dim() == 2, fn,
                ": values must be [n_obs, n_var], got ", shape_str(values));
  DATAOPT_CHECK(values.size(0) >= 2, fn, ": expected at least 2 observations, got ",
                values.size(0));
  const torch::Tensor x = values.to(torch::kCPU, torch::kDouble).contiguous();
  check_finite(x, std::string(fn) + ": values");
  for (int64_t t : targets) {
    DATAOPT_CHECK(t >= 0 && t < x.size(1), fn, ": target ", t, " out of range [0, ", x.size(1),
                  ")");
  }
  return x;
}

}  // namespace

at::Tensor correlation_scores(const at::Tensor& values, const std::vector<int64_t>& targets) {
  const torch::Tensor x = checked_values(values, targets, "correlation_scores");
  const torch::Tensor c = x - x.mean(0, true);
  const torch::Tensor norm = c.pow(2).sum(0).sqrt();  // [n_var]
  const torch::Tensor t_idx = torch::tensor(targets, torch::kLong);
  const torch::Tensor ct = c.index_select(1, t_idx);  // [n_obs, T]
  torch::Tensor cov = ct.t().matmul(c);                 // [T, n_var]
  const torch::Tensor denom = norm.index_select(0, t_idx).unsqueeze(1) * norm.unsqueeze(0);
  // A constant variable has no correlation with anything: score 0.
  torch::Tensor r = torch::where(denom > 0, cov / denom, torch::zeros_like(cov));
  return r.abs().to(torch::kFloat);
}

at::Tensor knockout_effect_scores(const at::Tensor& values, const at::Tensor& intervention,
                                  const std::vector<int64_t>& targets) {
  const torch::Tensor x = checked_values(values, targets, "knockout_effect_scores");
  check_shape(intervention, {x.size(0), x.size(1)}, "knockout_effect_scores: intervention");
  const Regimes r = make_regimes(intervention);
  const int64_t n_var = x.size(1);
  // Reference: observational cells, or every cell when there are none.
  torch::Tensor ref_rows;
  if (!r.observational.empty()) {
    ref_rows = torch::tensor(r.observational, torch::kLong);
  } else {
    ref_rows = torch::arange(x.size(0), torch::kLong);
  }
  const torch::Tensor t_idx = torch::tensor(targets, torch::kLong);
  const torch::Tensor ref = x.index_select(0, ref_rows).index_select(1, t_idx);  // [n_ref, T]
  const torch::Tensor ref_mean = ref.mean(0);
  const torch::Tensor ref_std = ref.std(0, /*unbiased=*/false).clamp_min(1e-8);
  torch::Tensor out = torch::zeros({static_cast<int64_t>(targets.size()), n_var}, torch::kDouble);
  for (int64_t v = 0; v < n_var; ++v) {
    const auto& rows = r.knockout_rows[v];
    if (rows.empty()) continue;
    const torch::Tensor ko = x.index_select(0, torch::tensor(rows, torch::kLong)).index_select(1, t_idx);
    out.select(1, v).copy_(((ko.mean(0) - ref_mean) / ref_std).abs());
  }
  return out.to(torch::kFloat);
}

at::Tensor baseline_scores(CauseBaseline method, const at::Tensor& values,
                           const at::Tensor& intervention, const std::vector<int64_t>& targets) {
  switch (method) {
    case CauseBaseline::kCorrelation: return correlation_scores(values, targets);
    case CauseBaseline::kKnockoutEffect:
      return knockout_effect_scores(values, intervention, targets);
  }
  return {};
}

}  // namespace dataopt::causal
