#include "dataopt/relgraph/combine.h"

#include <torch/torch.h>

#include <algorithm>
#include <numeric>
#include <vector>

#include "dataopt/core/check.h"

namespace dataopt::relgraph {

at::Tensor fractional_rank(const at::Tensor& score) {
  DATAOPT_CHECK(score.defined() && score.dim() == 1 && score.numel() > 0,
                "fractional_rank: expected a non-empty [N] score, got ",
                score.defined() ? score.sizes() : at::IntArrayRef{});
  const at::Tensor s = score.detach().to(torch::kCPU, torch::kDouble).contiguous();
  DATAOPT_CHECK(torch::isfinite(s).all().item<bool>(),
                "fractional_rank: the score has NaN or infinite values");
  const int64_t n = s.numel();
  const double* v = s.data_ptr<double>();
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [v](int64_t a, int64_t b) { return v[a] < v[b]; });
  at::Tensor out = torch::empty({n}, torch::kFloat);
  float* r = out.data_ptr<float>();
  const double denom = n > 1 ? static_cast<double>(n - 1) : 1.0;
  // Runs of equal values share the mean of their 0-based ranks.
  for (int64_t lo = 0; lo < n;) {
    int64_t hi = lo + 1;
    while (hi < n && v[order[hi]] == v[order[lo]]) ++hi;
    const double mean_rank = 0.5 * static_cast<double>(lo + hi - 1);
    const double value = n > 1 ? mean_rank / denom : 0.5;
    for (int64_t k = lo; k < hi; ++k) r[order[k]] = static_cast<float>(value);
    lo = hi;
  }
  return out;
}

at::Tensor rank_average(const std::vector<at::Tensor>& scores) {
  DATAOPT_CHECK(!scores.empty(), "rank_average: no scores given");
  at::Tensor sum = fractional_rank(scores.front()).to(torch::kDouble);
  for (size_t k = 1; k < scores.size(); ++k) {
    DATAOPT_CHECK(scores[k].defined() && scores[k].numel() == scores.front().numel(),
                  "rank_average: score ", k, " has ",
                  scores[k].defined() ? scores[k].numel() : 0, " entries, expected ",
                  scores.front().numel());
    sum += fractional_rank(scores[k]).to(torch::kDouble);
  }
  return (sum / static_cast<double>(scores.size())).to(torch::kFloat);
}

}  // namespace dataopt::relgraph
