#include <torch/torch.h>

#include "dataopt/core/check.h"
#include "dataopt/train/metrics.h"
#include "dataopt/train/trainer.h"
#include "test_support.h"

namespace dataopt::train {

class Metrics : public test::SeedingFixture {};

// Straightforward ECE: for each bin, collect members by an explicit loop.
double reference_ece(const at::Tensor& probs, const at::Tensor& labels, int bins) {
  const int64_t n = probs.size(0);
  double ece = 0;
  for (int b = 0; b < bins; ++b) {
    const double lo = static_cast<double>(b) / bins, hi = static_cast<double>(b + 1) / bins;
    double conf = 0, acc = 0;
    int64_t count = 0;
    for (int64_t i = 0; i < n; ++i) {
      const double c = probs[i].max().item<double>();
      const bool in_bin = (c > lo && c <= hi) || (b == 0 && c == 0.0);
      if (!in_bin) continue;
      conf += c;
      acc += probs[i].argmax().item<int64_t>() == labels[i].item<int64_t>();
      ++count;
    }
    if (count > 0) ece += std::abs(acc / count - conf / count) * count / n;
  }
  return ece;
}

TEST_F(Metrics, AccuracyNllEceAgainstHandComputedValues) {
  const at::Tensor probs = torch::tensor({{0.9, 0.1}, {0.4, 0.6}, {0.7, 0.3}},
                                         torch::kDouble);
  const at::Tensor labels = torch::tensor({0, 0, 1}, torch::kLong);
  EXPECT_NEAR(accuracy(probs, labels), 1.0 / 3, 1e-12);
  EXPECT_NEAR(negative_log_likelihood(probs, labels),
              -(std::log(0.9) + std::log(0.4) + std::log(0.3)) / 3, 1e-12);
  // Bins (0.6, 0.667] {0.6: wrong}, (0.667, 0.733] {0.7: wrong}, (0.867, 0.933] {0.9: right}.
  EXPECT_NEAR(expected_calibration_error(probs, labels, 15),
              (0.6 + 0.7 + 0.1) / 3, 1e-12);
}

TEST_F(Metrics, EceMatchesReferenceLoop) {
  const at::Tensor probs = torch::softmax(torch::randn({200, 5}) * 3, 1);
  const at::Tensor labels = torch::randint(0, 5, {200}, torch::kLong);
  for (int bins : {1, 10, 15}) {
    EXPECT_NEAR(expected_calibration_error(probs, labels, bins),
                reference_ece(probs, labels, bins), 1e-9) << bins;
  }
  EXPECT_THROW(expected_calibration_error(probs, labels.slice(0, 0, 10)), Error);
}

TEST_F(Metrics, SoftCrossEntropyEqualsHardOnOneHotAndHasRightGradient) {
  const at::Tensor logits = torch::randn({4, 3}, torch::kDouble).requires_grad_();
  const at::Tensor labels = torch::tensor({0, 2, 1, 1}, torch::kLong);
  const at::Tensor onehot = torch::one_hot(labels, 3).to(torch::kDouble);
  EXPECT_NEAR(soft_cross_entropy(logits, onehot).item<double>(),
              torch::cross_entropy_loss(logits, labels).item<double>(), 1e-12);
  // Gradient vs central finite differences for a soft target.
  const at::Tensor t = torch::softmax(torch::randn({4, 3}, torch::kDouble), 1);
  soft_cross_entropy(logits, t).backward();
  const at::Tensor grad = logits.grad().clone();
  const double eps = 1e-6;
  torch::NoGradGuard no_grad;
  for (int64_t i = 0; i < 4; ++i) {
    for (int64_t k = 0; k < 3; ++k) {
      at::Tensor up = logits.detach().clone(), down = logits.detach().clone();
      up[i][k] += eps;
      down[i][k] -= eps;
      const double fd = (soft_cross_entropy(up, t).item<double>() -
                         soft_cross_entropy(down, t).item<double>()) / (2 * eps);
      EXPECT_NEAR(grad[i][k].item<double>(), fd, 1e-7);
    }
  }
}

}  // namespace dataopt::train
