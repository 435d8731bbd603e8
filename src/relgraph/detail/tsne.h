#pragma once
// Barnes-Hut t-SNE (van der Maaten, JMLR 2014) on a small dense input: exact
// k-nearest neighbours (blocked matrix products), perplexity calibration by
// bisection, a sparse symmetric P, and gradient descent whose repulsive
// forces are summarised by a quadtree rebuilt every iteration.

#include <torch/torch.h>

#include "dataopt/relgraph/embedding.h"

namespace dataopt::relgraph::detail {

/// x [N, d] float32 (already reduced); returns Y [N, 2] float32, centred.
at::Tensor barnes_hut_tsne(const at::Tensor& x, const EmbeddingOptions& options);

}  // namespace dataopt::relgraph::detail
