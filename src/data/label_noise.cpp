#include "dataopt/data/label_noise.h"

#include <cmath>

#include "dataopt/core/check.h"
#include "dataopt/core/rng.h"
#include "dataopt/core/tensor_check.h"

namespace dataopt::data {

NoiseKind parse_noise_kind(const std::string& text) {
  if (text == "symmetric" || text == "sym" || text == "uniform") {
    return NoiseKind::kSymmetric;
  }
  if (text == "pair" || text == "class-pair" || text == "asymmetric") {
    return NoiseKind::kPair;
  }
  DATAOPT_CHECK(false, "unknown noise kind '", text,
                "' (expected symmetric or pair)");
  return NoiseKind::kSymmetric;
}

std::string to_string(NoiseKind kind) {
  return kind == NoiseKind::kSymmetric ? "symmetric" : "pair";
}

void LabelNoiseOptions::validate() const {
  DATAOPT_CHECK(rate >= 0.0 && rate < 1.0,
                "noise rate must be in [0, 1), got ", rate);
}

NoisyLabels inject_label_noise(const at::Tensor& labels, int64_t num_classes,
                               const LabelNoiseOptions& options) {
  options.validate();
  check_dtype(labels, at::kLong, "inject_label_noise labels");
  DATAOPT_CHECK(labels.dim() == 1, "inject_label_noise: labels must be [N], got ",
                shape_str(labels));
  DATAOPT_CHECK(num_classes >= 2, "inject_label_noise: need >= 2 classes, got ",
                num_classes);
  const int64_t n = labels.size(0);
  if (n > 0) {
    DATAOPT_CHECK(labels.min().item<int64_t>() >= 0 &&
                      labels.max().item<int64_t>() < num_classes,
                  "inject_label_noise: labels must be in [0, ", num_classes, ")");
  }
  // Exactly round(rate * N) examples, chosen uniformly without replacement.
  const auto m = static_cast<int64_t>(std::llround(options.rate * n));
  at::Generator gen = make_generator(options.seed);
  const at::Tensor perm = torch::randperm(n, gen, torch::kLong);
  const at::Tensor flipped = std::get<0>(perm.slice(0, 0, m).sort());

  NoisyLabels out;
  out.labels = labels.clone();
  const at::Tensor old = labels.index_select(0, flipped);
  at::Tensor updated;
  if (options.kind == NoiseKind::kSymmetric) {
    // An offset in [1, K-1] never maps a label onto itself.
    const at::Tensor offset =
        torch::randint(1, num_classes, {m}, gen, torch::kLong);
    updated = (old + offset).remainder(num_classes);
  } else {
    updated = (old + 1).remainder(num_classes);
  }
  out.labels.index_put_({flipped}, updated);
  out.flipped = flipped;
  out.is_noisy = torch::zeros({n}, torch::kBool);
  out.is_noisy.index_put_({flipped}, true);
  return out;
}

}  // namespace dataopt::data
