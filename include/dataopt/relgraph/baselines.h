#pragma once
/// \file
/// The baselines the relation graph is compared with. Every score is [N]
/// float32 with higher = more suspicious (mislabelled, or out of
/// distribution), so all of them plug into the same metrics.
///
///   at::Tensor s = relgraph::noise_baseline_score(
///       relgraph::NoiseBaseline::kLoss, probs, labels);
///   at::Tensor o = relgraph::ood_baseline_score(
///       relgraph::OodBaseline::kEnergy, {.logits = test_logits});

#include <string>
#include <vector>

#include "dataopt/core/tensor_fwd.h"

namespace dataopt::relgraph {

/// Label-noise baselines from the probabilities (and features for TracIn).
enum class NoiseBaseline {
  /// -log(p_y + 1e-6)
  kLoss,
  /// -(p_y - max_k p_k); when y is the arg-max, -(p_y - second largest)
  kMargin,
  /// -sum_k p_k log(p_k + 1e-6)
  kEntropy,
  /// -max_k p_k
  kLeastConfidence,
  /// -p_y / entropy (confidence-weighted entropy)
  kCwe,
  /// last-layer TracIn: |f|^2 * |onehot(y) - p|^2 on un-normalised features
  kTracin,
  /// Jensen-Shannon divergence between p and onehot(y)
  kJsd,
};

std::string to_string(NoiseBaseline b);
/// "loss", "margin", "entropy", "least_confidence", "cwe", "tracin", "jsd".
NoiseBaseline parse_noise_baseline(const std::string& name);
std::vector<NoiseBaseline> all_noise_baselines();

/// probs [N, K] float, labels [N] int64; features [N, D] (un-normalised) only
/// for kTracin.
at::Tensor noise_baseline_score(NoiseBaseline method, const at::Tensor& probs,
                                const at::Tensor& labels,
                                const at::Tensor& features = {});

/// Out-of-distribution baselines.
enum class OodBaseline {
  /// -max p (maximum softmax probability)
  kMsp,
  /// -max logit
  kMaxLogit,
  /// -logsumexp(logits)  (T = 1)
  kEnergy,
  /// min over training classes c of (x - mu_c)^T (Sigma_c + 1e-3 I)^-1 (x - mu_c),
  /// per-class covariance, un-normalised features
  kMahalanobis,
  /// 1 / (k+1-th largest clamped cosine to the training set + 1e-6)
  kKnn,
};

std::string to_string(OodBaseline b);
/// "msp", "max_logit", "energy", "mahalanobis", "knn".
OodBaseline parse_ood_baseline(const std::string& name);
std::vector<OodBaseline> all_ood_baselines();

/// What the OOD baselines read; each uses only some fields.
struct OodInputs {
  /// Test logits [M, K] (msp, max_logit, energy).
  at::Tensor logits;
  /// Test features [M, D] (mahalanobis: un-normalised; knn: any, normalised inside).
  at::Tensor features;
  /// Reference (training) features [N, D] and labels [N] (mahalanobis, knn).
  at::Tensor train_features;
  at::Tensor train_labels;
  /// k of the kNN baseline.
  int64_t k = 50;
};

at::Tensor ood_baseline_score(OodBaseline method, const OodInputs& inputs);

}  // namespace dataopt::relgraph
