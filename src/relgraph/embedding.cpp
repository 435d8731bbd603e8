#include "dataopt/relgraph/embedding.h"

#include <torch/torch.h>

#include <cmath>

#include "dataopt/core/check.h"
#include "dataopt/core/tensor_check.h"
#include "relgraph/detail/tsne.h"

namespace dataopt::relgraph {

EmbeddingMethod parse_embedding_method(const std::string& name) {
  if (name == "pca") return EmbeddingMethod::kPca;
  if (name == "tsne") return EmbeddingMethod::kTsne;
  DATAOPT_CHECK(false, "unknown embedding '", name, "' (expected pca or tsne)");
  return EmbeddingMethod::kPca;
}

std::string to_string(EmbeddingMethod method) {
  return method == EmbeddingMethod::kTsne ? "tsne" : "pca";
}

void EmbeddingOptions::validate() const {
  DATAOPT_CHECK(perplexity >= 1 && std::isfinite(perplexity),
                "embedding: perplexity must be >= 1, got ", perplexity);
  DATAOPT_CHECK(theta >= 0 && theta <= 2, "embedding: theta must be in [0, 2], got ", theta);
  DATAOPT_CHECK(pca_dims >= 2, "embedding: pca_dims must be >= 2, got ", pca_dims);
  DATAOPT_CHECK(n_iters >= 1, "embedding: n_iters must be >= 1, got ", n_iters);
  DATAOPT_CHECK(learning_rate >= 0 && std::isfinite(learning_rate),
                "embedding: learning_rate must be >= 0, got ", learning_rate);
}

at::Tensor pca_project(const at::Tensor& features, int64_t k) {
  torch::NoGradGuard no_grad;
  at::Tensor x = features.to(torch::kCPU, torch::kDouble);
  x = x / x.norm(2, 1, true).clamp_min(1e-12);
  x = x - x.mean(0, true);
  const int64_t d = x.size(1);
  k = std::min(k, d);
  // Eigenvectors of the D x D covariance (D is small next to N).
  const at::Tensor cov = x.t().mm(x) / std::max<int64_t>(1, x.size(0) - 1);
  auto [evals, evecs] = torch::linalg::eigh(cov, "L");
  at::Tensor top = evecs.flip({1}).narrow(1, 0, k);  // largest eigenvalues first
  // Deterministic signs: each component's largest loading is positive.
  const at::Tensor pos = top.abs().argmax(0);
  const at::Tensor sign = top.gather(0, pos.unsqueeze(0)).sign().clamp_min(0) * 2 - 1;
  top = top * sign;
  return x.mm(top).to(torch::kFloat).contiguous();
}

at::Tensor embed_2d(const at::Tensor& features, const EmbeddingOptions& options) {
  options.validate();
  DATAOPT_CHECK(features.defined() && features.dim() == 2,
                "embed_2d: features must be [N, D], got ", shape_str(features));
  DATAOPT_CHECK(features.size(0) >= 2, "embed_2d: need at least 2 examples, got ",
                features.size(0));
  DATAOPT_CHECK(features.is_floating_point(), "embed_2d: features must be floating point");
  check_finite(features, "embed_2d: features");
  if (features.size(1) < 2) {
    at::Tensor x = features.to(torch::kFloat);
    return torch::cat({x - x.mean(0, true), torch::zeros_like(x)}, 1);
  }
  if (options.method == EmbeddingMethod::kPca) return pca_project(features, 2);
  const at::Tensor reduced = pca_project(features, options.pca_dims);
  return detail::barnes_hut_tsne(reduced, options);
}

}  // namespace dataopt::relgraph
