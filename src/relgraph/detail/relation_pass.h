#pragma once
// One pass of the relation graph: for every source row, the per-class sums of
// its edges to a target set, computed block by block (rows) and tile by tile
// (target columns) so that memory stays O(chunk * tile).

#include <torch/torch.h>

#include "dataopt/relgraph/relation_graph.h"

namespace dataopt::relgraph::detail {

struct PassTargets {
  torch::Tensor features;  // [T, D] L2-normalised, float32 or float16
  torch::Tensor probs;     // [T, C] float32
  torch::Tensor labels;    // [T] int64 (class of each target)
  torch::Tensor index;     // [T] int64 global index of each target (partners)
};

struct PassResult {
  torch::Tensor class_sums;  // [S, C] float64: sum over targets of class c of |edge|
  Partners partners;         // filled when top_k > 0
};

/// Per-class sums of thresholded, powered, unsigned relations |r|^t for
/// every source row. The caller turns them into signed row sums
/// (2 * same-class - total) or unsigned sums (total).
PassResult relation_pass(const torch::Tensor& src_features,
                         const torch::Tensor& src_probs,
                         const torch::Tensor& src_labels,  // [S] or undefined
                         const PassTargets& targets, double power,
                         const RelationGraphOptions& options, int64_t top_k,
                         const std::string& label);

}  // namespace dataopt::relgraph::detail
