#include "dataopt/condense/coreset.h"

#include <torch/torch.h>

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "dataopt/core/check.h"
#include "dataopt/core/rng.h"
#include "dataopt/core/tensor_check.h"

// Coreset baselines of spec condense.md §9. Per class, herding and k-center
// keep their state in a few [n_c] vectors and do one [n_c, D] x [D]
// matrix-vector product per pick, so a class of 6,000 examples x 2,048 dims costs O(k n_c
// D) time and O(n_c D) memory. Distances are squared Euclidean in float64: the order is
// that of the Euclidean distance, and float64 keeps near-ties from being decided by
// float32 rounding. torch's argmin/argmax return the first extremum, and each class's
// rows are kept in data-set order, so ties go to the lowest data-set index.

namespace dataopt::condense {
namespace {

using ClassRows = std::vector<std::vector<int64_t>>;

void check_features(const char* fn, const at::Tensor& features, const at::Tensor& labels);

// Checks labels, num_classes, k and (when given) features, and returns each
// class's row indices in data-set order. Every class must hold at least k
// examples. Shapes are checked before counts so that a mismatched N is
// reported as such.
ClassRows group_by_class(const char* fn, const at::Tensor& labels, int64_t num_classes,
                         int64_t k, const at::Tensor* features = nullptr) {
  check_dtype(labels, torch::kLong, std::string(fn) + ": labels");
  DATAOPT_CHECK(labels.dim() == 1, fn, ": labels must be [N], got ", shape_str(labels));
  DATAOPT_CHECK(num_classes >= 1, fn, ": num_classes must be >= 1, got ", num_classes);
  DATAOPT_CHECK(k >= 1, fn, ": k must be >= 1, got ", k);
  if (features != nullptr) check_features(fn, *features, labels);

  const at::Tensor lab = labels.to(torch::kCPU).contiguous();
  const int64_t* data = lab.data_ptr<int64_t>();
  const int64_t n = lab.numel();
  ClassRows rows(static_cast<size_t>(num_classes));
  for (int64_t i = 0; i < n; ++i) {
    const int64_t c = data[i];
    DATAOPT_CHECK(c >= 0 && c < num_classes, fn, ": labels[", i, "] = ", c,
                  " is outside [0, ", num_classes, ")");
    rows[static_cast<size_t>(c)].push_back(i);
  }
  for (int64_t c = 0; c < num_classes; ++c) {
    const auto have = static_cast<int64_t>(rows[static_cast<size_t>(c)].size());
    DATAOPT_CHECK(have >= k, fn, ": class ", c, " has ", have,
                  " examples, fewer than k = ", k);
  }
  return rows;
}

void check_features(const char* fn, const at::Tensor& features,
                    const at::Tensor& labels) {
  DATAOPT_CHECK(features.defined(), fn,
                ": features must be [N, D], got an undefined tensor");
  DATAOPT_CHECK(features.dim() == 2, fn, ": features must be [N, D], got ",
                shape_str(features));
  DATAOPT_CHECK(features.is_floating_point(), fn,
                ": features must be floating point, got ",
                c10::toString(features.scalar_type()));
  // labels are known to be [N] here (group_by_class checks them first).
  DATAOPT_CHECK(features.size(0) == labels.size(0), fn, ": features have ",
                features.size(0), " rows but labels have ", labels.size(0));
  DATAOPT_CHECK(features.size(1) >= 1, fn, ": features need at least one dimension, got ",
                shape_str(features));
  check_finite(features, std::string(fn) + ": features");
}

at::Tensor rows_tensor(const std::vector<int64_t>& rows) {
  return torch::tensor(rows, torch::kLong);
}

// One class's features as [n_c, D] float64 on the features' device.
at::Tensor class_features(const at::Tensor& features, const std::vector<int64_t>& rows) {
  const at::Tensor idx = rows_tensor(rows).to(features.device());
  return features.index_select(0, idx).to(torch::kDouble);
}

// One class's points x [n_c, D] float64 with their squared norms, so that
// the squared distance of every row to a point y is one matrix-vector
// product: |x|^2 - 2 x.y + |y|^2. Cancellation in that sum is far below
// float32 input precision at float64, and exact for small integer data (the
// hand-worked tests rely on exact ties).
struct ClassPoints {
  at::Tensor x;
  at::Tensor sq_norms;

  explicit ClassPoints(at::Tensor points)
      : x(std::move(points)), sq_norms(x.pow(2).sum(1)) {}

  at::Tensor sq_dist_to(const at::Tensor& y) const {
    return (sq_norms - 2.0 * x.mv(y) + y.dot(y)).clamp_min_(0.0);
  }
};

// Concatenates per-class picks (local positions) into global indices.
at::Tensor gather_picks(const ClassRows& rows,
                        const std::vector<std::vector<int64_t>>& picks) {
  std::vector<int64_t> out;
  for (size_t c = 0; c < rows.size(); ++c) {
    for (int64_t j : picks[c]) out.push_back(rows[c][static_cast<size_t>(j)]);
  }
  return rows_tensor(out);
}

std::vector<int64_t> herding_one_class(const ClassPoints& pts, int64_t k) {
  const at::Tensor& x = pts.x;
  torch::NoGradGuard no_grad;
  const int64_t n = x.size(0);
  const at::Tensor mean = x.mean(0);
  at::Tensor sum = torch::zeros_like(mean);
  // `taken` mirrors `picked` on the device so argmin can skip those rows
  // (IDC walks its argsort past already-chosen examples to the same effect).
  at::Tensor taken = torch::zeros({n}, x.options().dtype(torch::kBool));
  std::vector<char> is_taken(static_cast<size_t>(n), 0);
  std::vector<int64_t> picked;
  for (int64_t step = 0; step < k; ++step) {
    const at::Tensor target = mean * static_cast<double>(step + 1) - sum;
    const at::Tensor dist = pts.sq_dist_to(target).masked_fill_(
        taken, std::numeric_limits<double>::infinity());
    const int64_t j = dist.argmin().item<int64_t>();
    DATAOPT_ASSERT(!is_taken[static_cast<size_t>(j)],
                   "herding picked an example twice (overflowing distances?)");
    is_taken[static_cast<size_t>(j)] = 1;
    taken[j].fill_(true);
    sum += x[j];
    picked.push_back(j);
  }
  return picked;
}

std::vector<int64_t> kcenter_one_class(const ClassPoints& pts, int64_t k) {
  const at::Tensor& x = pts.x;
  torch::NoGradGuard no_grad;
  // A deterministic start: the example closest to the class mean (DeepCore's
  // kCenterGreedy starts at a random example instead).
  const int64_t first = pts.sq_dist_to(x.mean(0)).argmin().item<int64_t>();
  std::vector<int64_t> picked{first};
  // Squared distance to the nearest selected example; selected rows hold -1
  // so that argmax never returns them, even when the rest are duplicates
  // at distance 0. minimum() keeps the -1 since distances are >= 0.
  at::Tensor nearest = pts.sq_dist_to(x[first]);
  nearest[first].fill_(-1.0);
  while (static_cast<int64_t>(picked.size()) < k) {
    const int64_t j = nearest.argmax().item<int64_t>();
    DATAOPT_ASSERT(nearest[j].item<double>() >= 0.0, "k-center picked an example twice");
    picked.push_back(j);
    nearest = torch::minimum(nearest, pts.sq_dist_to(x[j]));
    nearest[j].fill_(-1.0);
  }
  return picked;
}

}  // namespace

CoresetKind parse_coreset_kind(const std::string& text) {
  for (CoresetKind kind : {CoresetKind::kFirstK, CoresetKind::kRandom,
                           CoresetKind::kHerding, CoresetKind::kKCenter}) {
    if (to_string(kind) == text) return kind;
  }
  DATAOPT_CHECK(false, "unknown coreset kind '", text,
                "' (expected first-k, random, herding or kcenter)");
  return CoresetKind::kFirstK;
}

std::string to_string(CoresetKind kind) {
  switch (kind) {
    case CoresetKind::kFirstK:
      return "first-k";
    case CoresetKind::kRandom:
      return "random";
    case CoresetKind::kHerding:
      return "herding";
    case CoresetKind::kKCenter:
      return "kcenter";
  }
  DATAOPT_ASSERT(false, "unhandled CoresetKind ", static_cast<int>(kind));
  return {};
}

at::Tensor select_first_k(const at::Tensor& labels, int64_t num_classes, int64_t k) {
  const ClassRows rows = group_by_class("select_first_k", labels, num_classes, k);
  std::vector<int64_t> out;
  out.reserve(static_cast<size_t>(num_classes * k));
  for (const auto& r : rows) out.insert(out.end(), r.begin(), r.begin() + k);
  return rows_tensor(out);
}

at::Tensor select_random(const at::Tensor& labels, int64_t num_classes, int64_t k,
                         uint64_t seed) {
  const ClassRows rows = group_by_class("select_random", labels, num_classes, k);
  at::Generator gen = make_generator(seed);
  std::vector<std::vector<int64_t>> picks(rows.size());
  for (size_t c = 0; c < rows.size(); ++c) {
    const auto n = static_cast<int64_t>(rows[c].size());
    const at::Tensor perm =
        torch::randperm(n, gen, torch::TensorOptions().dtype(torch::kLong));
    const int64_t* p = perm.data_ptr<int64_t>();
    picks[c].assign(p, p + k);
  }
  return gather_picks(rows, picks);
}

at::Tensor select_herding(const at::Tensor& features, const at::Tensor& labels,
                          int64_t num_classes, int64_t k) {
  const ClassRows rows =
      group_by_class("select_herding", labels, num_classes, k, &features);
  std::vector<std::vector<int64_t>> picks(rows.size());
  for (size_t c = 0; c < rows.size(); ++c) {
    picks[c] = herding_one_class(ClassPoints(class_features(features, rows[c])), k);
  }
  return gather_picks(rows, picks);
}

at::Tensor select_kcenter(const at::Tensor& features, const at::Tensor& labels,
                          int64_t num_classes, int64_t k) {
  const ClassRows rows =
      group_by_class("select_kcenter", labels, num_classes, k, &features);
  std::vector<std::vector<int64_t>> picks(rows.size());
  for (size_t c = 0; c < rows.size(); ++c) {
    picks[c] = kcenter_one_class(ClassPoints(class_features(features, rows[c])), k);
  }
  return gather_picks(rows, picks);
}

}  // namespace dataopt::condense
