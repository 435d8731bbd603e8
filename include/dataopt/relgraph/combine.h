#pragma once
/// \file
/// Combining suspicion scores of different methods without tuning a weight:
/// each score is turned into its fractional rank (0 = least suspicious,
/// 1 = most; ties share their mean rank) and the ranks are averaged. Scales do
/// not matter, so the relation graph's score and the loss mix fairly.
///
///   at::Tensor s = relgraph::rank_average({nrg_score, loss_score});

#include <vector>

#include "dataopt/core/tensor_fwd.h"

namespace dataopt::relgraph {

/// Fractional ranks of a [N] score: (rank - 1) / (N - 1) in [0, 1], ties get
/// the mean of their ranks; N == 1 gives 0.5. float32 [N].
at::Tensor fractional_rank(const at::Tensor& score);

/// Mean of the fractional ranks of one or more [N] scores (higher = more
/// suspicious in every input). float32 [N].
at::Tensor rank_average(const std::vector<at::Tensor>& scores);

}  // namespace dataopt::relgraph
