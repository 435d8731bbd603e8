// Gradient matching (IDC condense.py: matchloss, dist).

#include "dataopt/condense/gradient_match.h"

#include <torch/torch.h>

#include "dataopt/core/check.h"
#include "dataopt/core/tensor_check.h"

namespace dataopt::condense {

MatchMetric parse_match_metric(const std::string& text) {
  if (text == "mse") return MatchMetric::kMse;
  if (text == "l1") return MatchMetric::kL1;
  if (text == "l1_mean") return MatchMetric::kL1Mean;
  if (text == "cos") return MatchMetric::kCos;
  DATAOPT_CHECK(false, "metric '" + text + "': expected mse, l1, l1_mean or cos");
}

std::string to_string(MatchMetric metric) {
  switch (metric) {
    case MatchMetric::kMse: return "mse";
    case MatchMetric::kL1: return "l1";
    case MatchMetric::kL1Mean: return "l1_mean";
    case MatchMetric::kCos: return "cos";
  }
  return "?";
}

at::Tensor gradient_distance(const at::Tensor& a, const at::Tensor& b, MatchMetric metric) {
  DATAOPT_CHECK(a.sizes() == b.sizes(), "gradient_distance: shapes differ (", shape_str(a),
                " vs ", shape_str(b), ")");
  switch (metric) {
    case MatchMetric::kMse: return (a - b).pow(2).sum();
    case MatchMetric::kL1: return (a - b).abs().sum();
    case MatchMetric::kL1Mean:
      return (a - b).abs().reshape({a.size(0), -1}).mean(-1).sum();
    case MatchMetric::kCos: {
      const at::Tensor x = a.reshape({a.size(0), -1}), y = b.reshape({b.size(0), -1});
      const at::Tensor cos = (x * y).sum(-1) / (x.norm(2, -1) * y.norm(2, -1) + 1e-6);
      return (1 - cos).sum();
    }
  }
  DATAOPT_CHECK(false, "gradient_distance: unknown metric");
}

std::vector<at::Tensor> matched_parameters(nn::Model& model, const MatchedParams& which) {
  std::vector<at::Tensor> out;
  for (const auto& p : model.module().parameters()) {
    const int64_t d = p.dim();
    if (d == 4 || (d == 1 && which.bias) || (d == 2 && which.fc)) out.push_back(p);
  }
  DATAOPT_CHECK(!out.empty(), "gradient matching: the model has no parameters to match");
  return out;
}

at::Tensor gradient_match_loss(nn::Model& model, const std::vector<at::Tensor>& params,
                               const at::Tensor& x_real, const at::Tensor& y_real,
                               const at::Tensor& x_syn, const at::Tensor& y_syn,
                               MatchMetric metric) {
  const at::Tensor loss_real = torch::cross_entropy_loss(model.forward(x_real), y_real);
  std::vector<at::Tensor> g_real = torch::autograd::grad({loss_real}, params);
  const at::Tensor loss_syn = torch::cross_entropy_loss(model.forward(x_syn), y_syn);
  const std::vector<at::Tensor> g_syn =
      torch::autograd::grad({loss_syn}, params, {}, /*retain_graph=*/true, /*create_graph=*/true);
  at::Tensor total;
  for (size_t i = 0; i < params.size(); ++i) {
    const at::Tensor d = gradient_distance(g_real[i].detach(), g_syn[i], metric);
    total = total.defined() ? total + d : d;
  }
  return total;
}

}  // namespace dataopt::condense
