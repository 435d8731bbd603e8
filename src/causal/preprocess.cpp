#include "dataopt/causal/preprocess.h"

#include <torch/torch.h>

#include "dataopt/core/check.h"
#include "dataopt/core/tensor_check.h"

namespace dataopt::causal {

void PreprocessOptions::validate() const {
  DATAOPT_CHECK(std::isfinite(shift), "PreprocessOptions.shift: expected a finite number, got ",
                shift);
  DATAOPT_CHECK(atol >= 0, "PreprocessOptions.atol: expected >= 0, got ", atol);
}

at::Tensor standardize_counts(const at::Tensor& expression, const PreprocessOptions& options) {
  options.validate();
  DATAOPT_CHECK(expression.defined() && expression.dim() == 2,
                "standardize_counts: expression must be [n_obs, n_var], got ",
                shape_str(expression));
  DATAOPT_CHECK(expression.numel() > 0, "standardize_counts: expression is empty, got ",
                shape_str(expression));
  torch::Tensor x = expression.detach().to(torch::kCPU, torch::kDouble);
  check_finite(x, "expression");
  if (options.log) {
    DATAOPT_CHECK(x.min().item<double>() >= 0,
                  "standardize_counts: expression must be non-negative counts, got min ",
                  x.min().item<double>());
    const torch::Tensor lib = x.sum(1, /*keepdim=*/true);
    const torch::Tensor zero = x.abs() <= options.atol;
    // Zero entries (and every entry of an all-zero cell) become NaN.
    x = torch::where(zero, torch::full({}, NAN, x.options()), (x / (lib * 1e-6)).log2());
  }
  const torch::Tensor valid = ~x.isnan();
  const int64_t n_valid = valid.sum().item<int64_t>();
  if (n_valid == 0) return torch::zeros(expression.sizes(), torch::kFloat);
  const torch::Tensor vals = x.masked_select(valid);
  const double mean = vals.mean().item<double>();
  const double stdev = (vals - mean).pow(2).mean().sqrt().item<double>();  // ddof 0
  // A constant matrix has std 0: numpy would give NaN everywhere, i.e. zeros.
  if (!(stdev > 0)) return torch::zeros(expression.sizes(), torch::kFloat);
  x = (x - mean) / stdev + options.shift;
  x = torch::nan_to_num(x, 0.0, 0.0, 0.0).clamp_min(0.0);
  return x.to(torch::kFloat);
}

}  // namespace dataopt::causal
