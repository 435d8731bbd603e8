#include "dataopt/train/metrics.h"

#include "dataopt/core/check.h"
#include "dataopt/core/tensor_check.h"

namespace dataopt::train {
namespace {
void check_inputs(const at::Tensor& probs, const at::Tensor& labels,
                  const char* fn) {
  DATAOPT_CHECK(probs.dim() == 2, fn, ": probs must be [N, K], got ",
                shape_str(probs));
  check_shape(labels, {probs.size(0)}, std::string(fn) + " labels");
  DATAOPT_CHECK(probs.size(0) > 0, fn, ": empty input");
}
}  // namespace

double accuracy(const at::Tensor& probs, const at::Tensor& labels) {
  check_inputs(probs, labels, "accuracy");
  return probs.argmax(1).eq(labels.to(probs.device()))
      .to(torch::kDouble).mean().item<double>();
}

double negative_log_likelihood(const at::Tensor& probs,
                               const at::Tensor& labels) {
  check_inputs(probs, labels, "negative_log_likelihood");
  const at::Tensor p = probs.to(torch::kDouble)
                           .gather(1, labels.to(probs.device()).view({-1, 1}).to(torch::kLong))
                           .clamp_min(1e-12);
  return -p.log().mean().item<double>();
}

double expected_calibration_error(const at::Tensor& probs,
                                  const at::Tensor& labels, int64_t n_bins) {
  check_inputs(probs, labels, "expected_calibration_error");
  DATAOPT_CHECK(n_bins >= 1, "expected_calibration_error: n_bins must be >= 1");
  const auto [conf_t, pred_t] = probs.to(torch::kDouble).cpu().max(1);
  const at::Tensor correct = pred_t.eq(labels.cpu()).to(torch::kDouble);
  const auto conf = conf_t.contiguous();
  const int64_t n = conf.size(0);
  std::vector<double> sum_conf(n_bins, 0), sum_acc(n_bins, 0);
  std::vector<int64_t> count(n_bins, 0);
  const double* c = conf.data_ptr<double>();
  const double* a = correct.contiguous().data_ptr<double>();
  for (int64_t i = 0; i < n; ++i) {
    // Bin b covers (b/n_bins, (b+1)/n_bins]; confidence 0 goes to bin 0.
    int64_t b = static_cast<int64_t>(std::ceil(c[i] * n_bins)) - 1;
    b = std::clamp<int64_t>(b, 0, n_bins - 1);
    sum_conf[b] += c[i];
    sum_acc[b] += a[i];
    ++count[b];
  }
  double ece = 0;
  for (int64_t b = 0; b < n_bins; ++b) {
    if (count[b] == 0) continue;
    ece += std::abs(sum_acc[b] - sum_conf[b]) / static_cast<double>(n);
  }
  return ece;
}

}  // namespace dataopt::train
