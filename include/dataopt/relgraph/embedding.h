#pragma once
/// \file
/// A 2D map of a data set's features for the viewer: PCA of the
/// L2-normalised features (fast, the default) or Barnes-Hut t-SNE (van der
/// Maaten 2014: exact perplexity-calibrated affinities over 3 * perplexity
/// nearest neighbours, a quadtree for the repulsive forces), both seeded.
///
///   relgraph::EmbeddingOptions o{.method = relgraph::EmbeddingMethod::kTsne};
///   at::Tensor xy = relgraph::embed_2d(features, o);   // [N, 2] float32

#include <cstdint>
#include <string>

#include "dataopt/core/tensor_fwd.h"

namespace dataopt::relgraph {

enum class EmbeddingMethod {
  /// first two principal components of the L2-normalised features
  kPca,
  /// Barnes-Hut t-SNE on a PCA reduction of the L2-normalised features
  kTsne,
};

EmbeddingMethod parse_embedding_method(const std::string& name);  // "pca", "tsne"
std::string to_string(EmbeddingMethod method);

struct EmbeddingOptions {
  /// Which embedding.
  EmbeddingMethod method = EmbeddingMethod::kPca;
  /// t-SNE: effective number of neighbours (neighbours used = 3 * perplexity).
  double perplexity = 30.0;
  /// t-SNE: Barnes-Hut accuracy (0 = exact forces, larger = faster, coarser).
  double theta = 0.5;
  /// t-SNE: dimensions kept by the initial PCA reduction.
  int64_t pca_dims = 50;
  /// t-SNE: gradient-descent iterations.
  int64_t n_iters = 750;
  /// t-SNE: learning rate (0 = max(N / 12, 200)).
  double learning_rate = 0.0;
  /// Seed of the t-SNE initialisation.
  uint64_t seed = 1234;
  /// Show a progress bar (t-SNE).
  bool progress = false;

  void validate() const;
};

/// features [N, D] float, no NaN/Inf, N >= 2. Returns [N, 2] float32, centred.
/// t-SNE needs N > 3 * perplexity (smaller sets lower the perplexity).
at::Tensor embed_2d(const at::Tensor& features, const EmbeddingOptions& options = {});

/// The first `k` principal components of the L2-normalised, centred
/// features [N, min(k, D)] (signs fixed: largest loading positive).
at::Tensor pca_project(const at::Tensor& features, int64_t k);

}  // namespace dataopt::relgraph
