#pragma once
/// \file
/// Coreset baselines for dataset condensation (spec condense.md §9): pick k
/// real examples per class instead of synthesising them.
///
///   at::Tensor idx = condense::select_herding(feats, labels, 10, 10);
///   // idx: [10 * 10] int64, class 0's picks first, then class 1's, ...
///
/// Every selector returns a CPU int64 tensor of example indices (rows of
/// `labels`), grouped by class in class order 0..num_classes-1, k per class.
/// Inside a class the indices come in the selector's pick order (data-set
/// order for first-k), so the first j of a class are what k = j would pick.
/// Validation, before any work: labels [N] int64 in [0, num_classes),
/// features [N, D] floating point and finite, num_classes >= 1, k >= 1, and
/// every class holding at least k examples.

#include <cstdint>
#include <string>

#include "dataopt/core/tensor_fwd.h"

namespace dataopt::condense {

enum class CoresetKind {
  /// the first k examples of each class (IDC's `randomselect`)
  kFirstK,
  /// k per class uniformly without replacement, seeded
  kRandom,
  /// herding on features (IDC `coreset.py:herding_select`)
  kHerding,
  /// greedy farthest-point (k-center) selection on features
  kKCenter,
};

/// "first-k", "random", "herding", "kcenter"; anything else throws
/// dataopt::Error listing these names.
CoresetKind parse_coreset_kind(const std::string& text);
std::string to_string(CoresetKind kind);

/// The first k examples of each class in data-set order (IDC's
/// `randomselect`).
at::Tensor select_first_k(const at::Tensor& labels, int64_t num_classes, int64_t k);

/// k examples per class drawn uniformly without replacement (seeded,
/// reproducible). One generator seeded with `seed` draws a permutation of
/// each class in class order; a class's picks are the head of its
/// permutation, so a smaller k with the same seed gives a prefix.
at::Tensor select_random(const at::Tensor& labels, int64_t num_classes, int64_t k,
                         uint64_t seed);

/// Herding per class on features: greedily pick the example that brings the
/// mean of the selected set closest to the class mean, i.e. at step j
/// (0-based) the not yet selected x minimising
/// ||(j+1)·mu - sum_selected - x|| (Euclidean). An example is never picked
/// twice; ties go to the lowest data-set index. Computed in float64.
at::Tensor select_herding(const at::Tensor& features, const at::Tensor& labels,
                          int64_t num_classes, int64_t k);

/// k-center greedy per class (Euclidean): start with the example closest to
/// the class mean, then repeatedly add the not yet selected example whose
/// distance to its nearest selected example is largest. Ties go to the lowest
/// data-set index. Computed in float64.
at::Tensor select_kcenter(const at::Tensor& features, const at::Tensor& labels,
                          int64_t num_classes, int64_t k);

}  // namespace dataopt::condense
