#pragma once
/// \file
/// The Neural Relation Graph (Kim, Yun, Song, NeurIPS 2023): a signed graph
/// over a labelled data set built from a trained classifier's features and
/// probabilities. Edge i-j:
///   r_ij = coef_ij * max(0, cos(f_i, f_j)) * <p_i, p_j>,
///   coef_ij = +1 if y_i == y_j else -1,
///   edge_ij = sign(r_ij) |r_ij|^t if |r_ij| > threshold, else 0.
/// The graph is never stored: rows are processed in blocks of `chunk`, so
/// memory stays O(chunk * N).
///
///   relgraph::RelationGraph graph(features, probs, labels);   // t = 4
///   relgraph::LabelNoiseResult r = graph.label_noise();
///   r.score;        // [N], higher = more likely mislabelled
///   at::Tensor ood = graph.outlier_scores(test_feats, test_probs);  // t = 1

#include <cstdint>
#include <memory>
#include <string>

#include "dataopt/core/tensor_fwd.h"

namespace dataopt::relgraph {

enum class RelationKernel {
  /// cosine x probability compatibility (the method's default)
  kCosP,
  /// cosine only (the paper's ablation)
  kCos,
};

RelationKernel parse_relation_kernel(const std::string& name);  // "cos_p", "cos"

struct RelationGraphOptions {
  /// Kernel power t for label-noise scores (4 in the paper; 8 for speech).
  double pow = 4.0;
  /// Kernel power for outlier scores (1 in the paper).
  double ood_pow = 1.0;
  /// Edges with |r| <= threshold are dropped (before the power).
  double threshold = 0.03;
  /// lambda: nodes with s0 / max|s0| < -reg form the estimated noisy set
  /// whose edges the refinement pass flips.
  double reg = 0.05;
  /// Source rows per block (memory ~ 2 * chunk * N floats).
  int64_t chunk = 512;
  /// Target columns per tile within a block.
  int64_t tile = 16384;
  /// Partners kept per row: the k most complementary (largest positive
  /// edges) and k most conflicting (most negative); 0 = none.
  int64_t top_k = 0;
  /// Kernel variant.
  RelationKernel kernel = RelationKernel::kCosP;
  /// Store features as float16 (half the memory; products in float32).
  bool half = false;
  /// "cpu" or "cuda[:i]".
  std::string device = "cpu";
  /// Show a progress bar per pass.
  bool progress = false;

  void validate() const;
};

struct Partners {
  /// [N, k] int64 partner indices and [N, k] float32 edge values, strongest
  /// first; -1 / 0 where a row has fewer than k non-zero edges of that sign.
  at::Tensor complementary_index, complementary_value;
  at::Tensor conflicting_index, conflicting_value;
};

struct LabelNoiseResult {
  /// Noisiness after the refinement pass, -s / max|s| (higher = noisier) [N].
  at::Tensor score;
  /// The same from the first pass alone, -s0 / max|s0| [N].
  at::Tensor first_pass_score;
  /// Row sums of the full graph s0 [N] (float64).
  at::Tensor row_sums;
  /// The estimated noisy set used by the refinement [N] bool.
  at::Tensor estimated_noisy;
  double first_pass_seconds = 0;
  double refine_seconds = 0;
};

class RelationGraph {
 public:
  /// features [N, D] (L2-normalised inside), probs [N, C] (rows of a
  /// softmax), labels [N] int64 in [0, C). Validated here (shapes, NaN,
  /// label range); the work happens in the calls below.
  RelationGraph(const at::Tensor& features, const at::Tensor& probs,
                const at::Tensor& labels, RelationGraphOptions options = {});
  ~RelationGraph();
  RelationGraph(RelationGraph&&) noexcept;
  RelationGraph& operator=(RelationGraph&&) noexcept;

  int64_t size() const;
  const RelationGraphOptions& options() const { return options_; }

  /// s0(i) = sum_j edge_ij over all j, self-edge included [N] float64.
  at::Tensor row_sums();

  /// The label-noise score with one refinement pass (computes row_sums()
  /// first if needed).
  LabelNoiseResult label_noise();

  /// Top-k partners of every row (needs options.top_k > 0; computed with
  /// the first pass).
  Partners partners();

  /// Edges of a few rows to every node: [rows.size(), N] float32 (dense,
  /// for inspection of single examples).
  at::Tensor edges(const at::Tensor& rows);

  /// Outlier score of new points against this graph's nodes, no labels:
  /// 1 / (sum_j edge(x, j) + 1e-6) with power ood_pow [M] float32.
  at::Tensor outlier_scores(const at::Tensor& features, const at::Tensor& probs);

 private:
  struct Impl;
  RelationGraphOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dataopt::relgraph
