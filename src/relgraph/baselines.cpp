#include "dataopt/relgraph/baselines.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "dataopt/core/check.h"
#include "dataopt/core/tensor_check.h"

// The label-noise and OOD baselines of the Neural Relation Graph code
// (metric.py::LabelNoise, detect_ood.py::LoadDataOOD), see the spec's
// baseline table. Scores are computed in float64 and returned as [N] float32,
// higher = more suspicious.

namespace dataopt::relgraph {
namespace {

constexpr double kLogEps = 1e-6;      // the 1e-6 inside every log of metric.py
constexpr double kCovRidge = 1e-3;    // Sigma_c + 1e-3 I (detect_ood.py)
constexpr double kKnnEps = 1e-6;      // 1 / (value + 1e-6)
constexpr double kNormFloor = 1e-12;  // zero feature rows stay zero, not NaN
constexpr int64_t kMahalanobisRows = 1024;
// kNN: test rows per block so that the block x N similarity matrix holds at
// most 2^24 entries (64 MB in float32), and never more than 1024 rows.
constexpr int64_t kKnnBlockEntries = int64_t{1} << 24;
constexpr int64_t kKnnMaxRows = 1024;

void check_matrix(const at::Tensor& t, const std::string& name) {
  DATAOPT_CHECK(t.defined(), name, ": expected a 2-D floating-point tensor, "
                "got an undefined tensor");
  DATAOPT_CHECK(t.dim() == 2, name, ": expected shape [*, *], got ",
                shape_str(t));
  DATAOPT_CHECK(t.is_floating_point(), name,
                ": expected a floating-point dtype, got ",
                c10::toString(t.scalar_type()));
  DATAOPT_CHECK(t.size(0) > 0 && t.size(1) > 0, name,
                ": expected a non-empty matrix, got ", shape_str(t));
  check_finite(t, name);
}

void check_labels(const at::Tensor& labels, int64_t n, int64_t n_classes,
                  const std::string& name) {
  check_dtype(labels, at::kLong, name);
  check_shape(labels, {n}, name);
  const int64_t lo = labels.min().item<int64_t>();
  const int64_t hi = labels.max().item<int64_t>();
  if (n_classes > 0) {
    DATAOPT_CHECK(lo >= 0 && hi < n_classes, name,
                  ": expected values in [0, ", n_classes, "), got [", lo, ", ",
                  hi, "]");
  } else {
    DATAOPT_CHECK(lo >= 0, name, ": expected non-negative values, got min ",
                  lo);
  }
}

at::Tensor as_double(const at::Tensor& t) {
  return t.detach().to(torch::kCPU, torch::kDouble).contiguous();
}

at::Tensor l2_normalize(const at::Tensor& x) {
  return x / x.norm(2, {1}, /*keepdim=*/true).clamp_min(kNormFloor);
}

// Jensen-Shannon score as metric.py::cal_jsd computes it. torch's
// KLDivLoss(input, target) is target * (log target - input), i.e.
// KL(target || exp(input)), and the code passes target = M, so both terms are
// KL(M || .) (not KL(. || M)):
//   0.5 * sum_k [M_k (log M_k - log(p_k + 1e-6))
//              + M_k (log M_k - log(onehot_k + 1e-6))],
//   M = 0.5 (p + onehot) + 1e-6.
at::Tensor jsd_score(const at::Tensor& p, const at::Tensor& onehot) {
  const at::Tensor m = 0.5 * (p + onehot) + kLogEps;
  const at::Tensor log_m = m.log();
  const at::Tensor kl_p = m * (log_m - (p + kLogEps).log());
  const at::Tensor kl_t = m * (log_m - (onehot + kLogEps).log());
  return 0.5 * (kl_p + kl_t).sum(1);
}

at::Tensor entropy_of(const at::Tensor& p) {
  return -(p * (p + kLogEps).log()).sum(1);
}

// min over the classes present in `labels` of
// (x - mu_c)^T (Sigma_c + 1e-3 I)^-1 (x - mu_c), Sigma_c the biased (1/n_c)
// covariance of class c, as detect_ood.py::cal_maha. Classes absent from the
// training labels are skipped (the reference code would produce NaN means).
// With Sigma_c + 1e-3 I = L L^T the form is |L^-1 (x - mu_c)|^2: one
// triangular solve per block of test rows, half the work of cholesky_solve
// followed by a dot product, and never an explicit inverse.
at::Tensor mahalanobis_score(const at::Tensor& test, const at::Tensor& train,
                             const at::Tensor& labels) {
  const at::Tensor x = as_double(test);
  const at::Tensor xt = train.detach().to(torch::kCPU);  // rows cast per class
  const at::Tensor y = labels.detach().to(torch::kCPU);
  const int64_t m = x.size(0), d = x.size(1);
  const at::Tensor eye = torch::eye(d, torch::kDouble);
  const at::Tensor classes = std::get<0>(at::_unique(y, /*sorted=*/true));
  at::Tensor best = torch::full({m}, std::numeric_limits<double>::infinity(),
                                torch::kDouble);
  for (int64_t ci = 0; ci < classes.size(0); ++ci) {
    const int64_t c = classes[ci].item<int64_t>();
    const at::Tensor xc = xt.index({y == c}).to(torch::kDouble);
    const at::Tensor mu = xc.mean(0, /*keepdim=*/true);
    const at::Tensor centred = xc - mu;
    const at::Tensor cov =
        centred.t().matmul(centred) / static_cast<double>(xc.size(0)) +
        kCovRidge * eye;
    const auto [chol, info] = torch::linalg_cholesky_ex(cov);
    DATAOPT_CHECK(info.item<int64_t>() == 0,
                  "ood_baseline_score(mahalanobis): covariance of class ", c,
                  " + 1e-3 I is not positive definite in float64 (features "
                  "too large in scale?)");
    for (int64_t r0 = 0; r0 < m; r0 += kMahalanobisRows) {
      const int64_t r1 = std::min(m, r0 + kMahalanobisRows);
      const at::Tensor diff_t = (x.slice(0, r0, r1) - mu).t();  // [D, b]
      const at::Tensor z = torch::linalg_solve_triangular(
          chol, diff_t, /*upper=*/false);
      const at::Tensor dist = z.square().sum(0);
      best.slice(0, r0, r1).copy_(torch::minimum(best.slice(0, r0, r1), dist));
    }
  }
  return best;
}

// 1 / (the (k+1)-th largest of max(0, cos(x, train_j)) over j + 1e-6), as
// detect_ood.py's kNN baseline (kernel 'cos', top-k taken before the edge
// threshold). Features are L2-normalised here; the similarity matrix is
// formed one block of test rows at a time.
at::Tensor knn_score(const at::Tensor& test, const at::Tensor& train,
                     int64_t k) {
  const auto dtype = at::promote_types(
      at::promote_types(test.scalar_type(), train.scalar_type()),
      torch::kFloat);
  const at::Tensor x = l2_normalize(test.detach().to(torch::kCPU, dtype));
  // Transposed view: the GEMM reads it as is, no second copy of the set.
  const at::Tensor xt_t = l2_normalize(train.detach().to(torch::kCPU, dtype)).t();
  const int64_t m = x.size(0), n = xt_t.size(1);
  const int64_t rows =
      std::clamp<int64_t>(kKnnBlockEntries / n, 1, kKnnMaxRows);
  at::Tensor kth = torch::empty({m}, torch::TensorOptions().dtype(dtype));
  for (int64_t r0 = 0; r0 < m; r0 += rows) {
    const int64_t r1 = std::min(m, r0 + rows);
    const at::Tensor sim = x.slice(0, r0, r1).matmul(xt_t).clamp_min_(0.0);
    const at::Tensor top = std::get<0>(sim.topk(k + 1, 1));  // descending
    kth.slice(0, r0, r1).copy_(top.select(1, k));
  }
  return 1.0 / (kth.to(torch::kDouble) + kKnnEps);
}

}  // namespace

std::string to_string(NoiseBaseline b) {
  switch (b) {
    case NoiseBaseline::kLoss: return "loss";
    case NoiseBaseline::kMargin: return "margin";
    case NoiseBaseline::kEntropy: return "entropy";
    case NoiseBaseline::kLeastConfidence: return "least_confidence";
    case NoiseBaseline::kCwe: return "cwe";
    case NoiseBaseline::kTracin: return "tracin";
    case NoiseBaseline::kJsd: return "jsd";
  }
  DATAOPT_ASSERT(false, "unknown NoiseBaseline ", static_cast<int>(b));
  return "";
}

NoiseBaseline parse_noise_baseline(const std::string& name) {
  for (NoiseBaseline b : all_noise_baselines()) {
    if (to_string(b) == name) return b;
  }
  DATAOPT_CHECK(false, "unknown noise baseline '", name,
                "' (expected loss, margin, entropy, least_confidence, cwe, "
                "tracin or jsd)");
  return NoiseBaseline::kLoss;
}

std::vector<NoiseBaseline> all_noise_baselines() {
  return {NoiseBaseline::kLoss,    NoiseBaseline::kMargin,
          NoiseBaseline::kEntropy, NoiseBaseline::kLeastConfidence,
          NoiseBaseline::kCwe,     NoiseBaseline::kTracin,
          NoiseBaseline::kJsd};
}

at::Tensor noise_baseline_score(NoiseBaseline method, const at::Tensor& probs,
                                const at::Tensor& labels,
                                const at::Tensor& features) {
  const std::string fn = "noise_baseline_score(" + to_string(method) + ")";
  check_matrix(probs, fn + " probs");
  const int64_t n = probs.size(0), n_classes = probs.size(1);
  const at::Tensor p = as_double(probs);
  const double p_min = p.min().item<double>(), p_max = p.max().item<double>();
  DATAOPT_CHECK(p_min >= 0.0 && p_max <= 1.0 + 1e-6, fn,
                " probs: expected probabilities in [0, 1], got [", p_min,
                ", ", p_max, "]");
  check_labels(labels, n, n_classes, fn + " labels");
  if (method == NoiseBaseline::kMargin) {
    DATAOPT_CHECK(n_classes >= 2, fn, " probs: margin needs >= 2 classes, got ",
                  shape_str(probs));
  }
  if (method == NoiseBaseline::kTracin) {
    check_matrix(features, fn + " features");
    check_shape(features, {n, -1}, fn + " features");
  }

  torch::NoGradGuard no_grad;
  const at::Tensor y = labels.detach().to(torch::kCPU).view({-1, 1});
  const at::Tensor p_y = p.gather(1, y).squeeze(1);
  at::Tensor score;
  switch (method) {
    case NoiseBaseline::kLoss:
      score = -(p_y + kLogEps).log();
      break;
    case NoiseBaseline::kMargin: {
      // p_y - max_k p_k, or p_y - (second largest) where that is exactly 0
      // (y is an arg-max), as metric.py::cal_margin; higher = noisier.
      const at::Tensor top2 = std::get<0>(p.topk(2, 1));
      const at::Tensor margin = p_y - top2.select(1, 0);
      const at::Tensor alt = p_y - top2.select(1, 1);
      score = -torch::where(margin == 0, alt, margin);
      break;
    }
    case NoiseBaseline::kEntropy:
      score = entropy_of(p);
      break;
    case NoiseBaseline::kLeastConfidence:
      score = -std::get<0>(p.max(1));
      break;
    case NoiseBaseline::kCwe:
      // -p_y / entropy with entropy = -sum p log(p + 1e-6), which is slightly
      // negative (not zero) for a one-hot p, so no division by zero in
      // practice; kept as written for parity.
      score = -p_y / entropy_of(p);
      break;
    case NoiseBaseline::kTracin: {
      const at::Tensor f = as_double(features);
      const at::Tensor onehot =
          torch::one_hot(y.squeeze(1), n_classes).to(torch::kDouble);
      score = f.square().sum(1) * (onehot - p).square().sum(1);
      break;
    }
    case NoiseBaseline::kJsd: {
      const at::Tensor onehot =
          torch::one_hot(y.squeeze(1), n_classes).to(torch::kDouble);
      score = jsd_score(p, onehot);
      break;
    }
  }
  DATAOPT_ASSERT(score.defined(), "unhandled NoiseBaseline");
  return score.to(torch::kFloat).contiguous();
}

std::string to_string(OodBaseline b) {
  switch (b) {
    case OodBaseline::kMsp: return "msp";
    case OodBaseline::kMaxLogit: return "max_logit";
    case OodBaseline::kEnergy: return "energy";
    case OodBaseline::kMahalanobis: return "mahalanobis";
    case OodBaseline::kKnn: return "knn";
  }
  DATAOPT_ASSERT(false, "unknown OodBaseline ", static_cast<int>(b));
  return "";
}

OodBaseline parse_ood_baseline(const std::string& name) {
  for (OodBaseline b : all_ood_baselines()) {
    if (to_string(b) == name) return b;
  }
  DATAOPT_CHECK(false, "unknown OOD baseline '", name,
                "' (expected msp, max_logit, energy, mahalanobis or knn)");
  return OodBaseline::kMsp;
}

std::vector<OodBaseline> all_ood_baselines() {
  return {OodBaseline::kMsp, OodBaseline::kMaxLogit, OodBaseline::kEnergy,
          OodBaseline::kMahalanobis, OodBaseline::kKnn};
}

at::Tensor ood_baseline_score(OodBaseline method, const OodInputs& inputs) {
  const std::string fn = "ood_baseline_score(" + to_string(method) + ")";
  torch::NoGradGuard no_grad;
  at::Tensor score;
  switch (method) {
    case OodBaseline::kMsp:
    case OodBaseline::kMaxLogit:
    case OodBaseline::kEnergy: {
      check_matrix(inputs.logits, fn + " logits");
      const at::Tensor z = as_double(inputs.logits);
      if (method == OodBaseline::kMsp) {
        score = -std::get<0>(torch::softmax(z, 1).max(1));
      } else if (method == OodBaseline::kMaxLogit) {
        score = -std::get<0>(z.max(1));
      } else {
        score = -torch::logsumexp(z, {1});  // temperature 1
      }
      break;
    }
    case OodBaseline::kMahalanobis:
    case OodBaseline::kKnn: {
      check_matrix(inputs.features, fn + " features");
      check_matrix(inputs.train_features, fn + " train_features");
      const int64_t d = inputs.features.size(1);
      const int64_t n_train = inputs.train_features.size(0);
      DATAOPT_CHECK(inputs.train_features.size(1) == d, fn,
                    " train_features: expected shape [*, ", d,
                    "] (the test feature dimension), got ",
                    shape_str(inputs.train_features));
      if (method == OodBaseline::kMahalanobis) {
        check_labels(inputs.train_labels, n_train, /*n_classes=*/-1,
                     fn + " train_labels");
        score = mahalanobis_score(inputs.features, inputs.train_features,
                                  inputs.train_labels);
      } else {
        DATAOPT_CHECK(inputs.k >= 0 && inputs.k + 1 <= n_train, fn,
                      ": k must be in [0, ", n_train - 1,
                      "] (k + 1 <= training rows), got ", inputs.k);
        score = knn_score(inputs.features, inputs.train_features, inputs.k);
      }
      break;
    }
  }
  DATAOPT_ASSERT(score.defined(), "unhandled OodBaseline");
  return score.to(torch::kFloat).contiguous();
}

}  // namespace dataopt::relgraph
