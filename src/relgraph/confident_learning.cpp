#include "dataopt/relgraph/confident_learning.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "dataopt/core/check.h"
#include "dataopt/core/tensor_check.h"

// Follows cleanlab 2.9 (filter.py, count.py, rank.py, internal/util.py,
// internal/label_quality_utils.py) step by step, in float64. Where cleanlab
// sorts with np.argsort (introsort, ties unspecified) this file breaks ties by
// the lower row index, i.e. a stable sort, which is what numpy's generic
// argsort does on the small arrays of the calibration step.

namespace dataopt::relgraph {
namespace {

// cleanlab.internal.constants and the literals of count.py / rank.py.
constexpr double kThresholdLowerBound = 2e-6;  // CONFIDENT_THRESHOLDS_LOWER_BOUND
constexpr double kAbsentClassThreshold = 2.0;  // BIG_VALUE
constexpr double kConfidentSlack = 1e-6;       // P >= t - 1e-6
constexpr double kLabelBoost = 1e-6;           // FLOATING_POINT_COMPARISON
constexpr double kRoundTolerance = 1e-6;       // FLOATING_POINT_COMPARISON
constexpr double kTinyValue = 1e-100;          // TINY_VALUE
constexpr double kScoreLowerBound = 1e-6;      // CLIPPING_LOWER_BOUND
constexpr double kRowSumTolerance = 1e-3;

/// Validated inputs as contiguous CPU arrays: labels int64, probs float64.
struct Problem {
  at::Tensor labels_cpu;
  at::Tensor probs_cpu;
  const int64_t* y = nullptr;
  const double* p = nullptr;
  int64_t n = 0;
  int64_t k = 0;

  double prob(int64_t i, int64_t j) const { return p[i * k + j]; }
  const double* row(int64_t i) const { return p + i * k; }
};

Problem load(const at::Tensor& labels, const at::Tensor& probs, const std::string& fn) {
  check_dtype(labels, at::kLong, fn + ": labels");
  check_shape(labels, {-1}, fn + ": labels");
  DATAOPT_CHECK(probs.defined(), fn,
                ": probs: expected a floating-point [N, K] tensor, got an "
                "undefined tensor");
  DATAOPT_CHECK(probs.is_floating_point(), fn,
                ": probs: expected a floating-point dtype, got ",
                c10::toString(probs.scalar_type()));
  const int64_t n = labels.size(0);
  check_shape(probs, {n, -1}, fn + ": probs (rows must match labels)");
  DATAOPT_CHECK(n >= 1, fn, ": expected at least one example, got N = 0");
  const int64_t k = probs.size(1);
  DATAOPT_CHECK(k >= 2, fn, ": probs: expected at least 2 classes, got K = ", k);
  check_finite(probs, fn + ": probs");

  Problem pr;
  pr.labels_cpu = labels.to(at::kCPU).contiguous();
  pr.probs_cpu = probs.to(at::kCPU, at::kDouble).contiguous();
  pr.y = pr.labels_cpu.data_ptr<int64_t>();
  pr.p = pr.probs_cpu.data_ptr<double>();
  pr.n = n;
  pr.k = k;
  for (int64_t i = 0; i < n; ++i) {
    DATAOPT_CHECK(pr.y[i] >= 0 && pr.y[i] < k, fn, ": labels: expected values in [0, ", k,
                  "), got labels[", i, "] = ", pr.y[i]);
  }
  for (int64_t i = 0; i < n; ++i) {
    double sum = 0.0;
    for (int64_t j = 0; j < k; ++j) {
      const double v = pr.prob(i, j);
      DATAOPT_CHECK(v >= 0.0 && v <= 1.0, fn,
                    ": probs: expected probabilities in [0, 1], got probs[", i, ", ", j,
                    "] = ", v);
      sum += v;
    }
    DATAOPT_CHECK(std::fabs(sum - 1.0) <= kRowSumTolerance, fn,
                  ": probs: expected rows summing to 1 (within ", kRowSumTolerance,
                  "), got row ", i, " summing to ", sum);
  }
  return pr;
}

/// np.sum over `n` values `stride` apart, in numpy's pairwise order, so that
/// sums round as they do in cleanlab.
double np_sum(const double* a, int64_t n, int64_t stride = 1) {
  if (n < 8) {
    double s = 0.0;
    for (int64_t i = 0; i < n; ++i) s += a[i * stride];
    return s;
  }
  if (n <= 128) {
    double r[8];
    for (int q = 0; q < 8; ++q) r[q] = a[q * stride];
    int64_t i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (int q = 0; q < 8; ++q) r[q] += a[(i + q) * stride];
    }
    double s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) s += a[i * stride];
    return s;
  }
  int64_t half = n / 2;
  half -= half % 8;
  return np_sum(a, half, stride) + np_sum(a + half * stride, n - half, stride);
}

/// First index of the row maximum (np.argmax).
int64_t argmax(const double* v, int64_t k) {
  int64_t best = 0;
  for (int64_t j = 1; j < k; ++j) {
    if (v[j] > v[best]) best = j;
  }
  return best;
}

/// _reduce_issues: argmax(P + 1e-6 * onehot(y)) == y.
bool prediction_matches_label(const Problem& pr, int64_t i) {
  const int64_t y = pr.y[i];
  int64_t best = 0;
  double best_v = pr.prob(i, 0) + (y == 0 ? kLabelBoost : 0.0);
  for (int64_t j = 1; j < pr.k; ++j) {
    const double v = pr.prob(i, j) + (y == j ? kLabelBoost : 0.0);
    if (v > best_v) {
      best = j;
      best_v = v;
    }
  }
  return best == y;
}

std::vector<int64_t> label_counts(const Problem& pr) {
  std::vector<int64_t> counts(pr.k, 0);
  for (int64_t i = 0; i < pr.n; ++i) ++counts[pr.y[i]];
  return counts;
}

std::vector<std::vector<int64_t>> rows_by_class(const Problem& pr) {
  std::vector<std::vector<int64_t>> rows(pr.k);
  for (int64_t i = 0; i < pr.n; ++i) rows[pr.y[i]].push_back(i);
  return rows;
}

/// count.get_confident_thresholds.
std::vector<double> thresholds(const Problem& pr) {
  std::vector<std::vector<double>> self(pr.k);
  for (int64_t i = 0; i < pr.n; ++i) self[pr.y[i]].push_back(pr.prob(i, pr.y[i]));
  std::vector<double> t(pr.k);
  for (int64_t c = 0; c < pr.k; ++c) {
    const auto m = static_cast<int64_t>(self[c].size());
    const double mean = m == 0 ? kAbsentClassThreshold
                               : np_sum(self[c].data(), m) / static_cast<double>(m);
    t[c] = std::max(mean, kThresholdLowerBound);
  }
  return t;
}

/// The un-calibrated confident joint, counts[given * K + guess], diagonal
/// clipped to >= 1, and the off-diagonal rows (before _reduce_issues).
struct RawJoint {
  std::vector<int64_t> counts;
  std::vector<uint8_t> off_diagonal;
};

RawJoint raw_joint(const Problem& pr) {
  const std::vector<double> t = thresholds(pr);
  std::vector<double> cut(pr.k);
  for (int64_t j = 0; j < pr.k; ++j) cut[j] = t[j] - kConfidentSlack;
  RawJoint out;
  out.counts.assign(pr.k * pr.k, 0);
  out.off_diagonal.assign(pr.n, 0);
  for (int64_t i = 0; i < pr.n; ++i) {
    const double* row = pr.row(i);
    int64_t n_confident = 0;
    int64_t first = -1;
    for (int64_t j = 0; j < pr.k; ++j) {
      if (row[j] >= cut[j]) {
        if (n_confident == 0) first = j;
        ++n_confident;
      }
    }
    if (n_confident == 0) continue;  // no confident class: row not counted
    const int64_t guess = n_confident == 1 ? first : argmax(row, pr.k);
    ++out.counts[pr.y[i] * pr.k + guess];
    out.off_diagonal[i] = guess != pr.y[i] ? 1 : 0;
  }
  for (int64_t c = 0; c < pr.k; ++c) {
    int64_t& d = out.counts[c * pr.k + c];
    d = std::max<int64_t>(d, 1);
  }
  return out;
}

/// internal.util.round_preserving_row_totals (round_preserving_sum per row):
/// round half to even, then move the residual onto the entries with the
/// largest (adding) or smallest (removing) fractional parts.
std::vector<int64_t> round_preserving_row_totals(const std::vector<double>& m,
                                                 int64_t rows, int64_t cols) {
  std::vector<int64_t> out(m.size());
  std::vector<double> ints(cols);
  std::vector<double> residual(cols);
  std::vector<int64_t> order(cols);
  for (int64_t r = 0; r < rows; ++r) {
    const double* f = m.data() + r * cols;
    for (int64_t c = 0; c < cols; ++c) ints[c] = std::nearbyint(f[c]);
    const double target = std::nearbyint(np_sum(f, cols));
    double total = std::nearbyint(np_sum(ints.data(), cols));
    while (std::fabs(total - target) > kRoundTolerance) {
      const double diff = std::nearbyint(target - total);
      const double step = diff < 0.0 ? -1.0 : 1.0;
      const int64_t changes =
          std::min<int64_t>(static_cast<int64_t>(std::fabs(diff)), cols);
      for (int64_t c = 0; c < cols; ++c) residual[c] = f[c] - ints[c];
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(),
                       [&](int64_t a, int64_t b) { return residual[a] < residual[b]; });
      if (step > 0.0) std::reverse(order.begin(), order.end());
      for (int64_t q = 0; q < changes; ++q) ints[order[q]] += step;
      total = std::nearbyint(np_sum(ints.data(), cols));
    }
    for (int64_t c = 0; c < cols; ++c) {
      out[r * cols + c] = static_cast<int64_t>(ints[c]);
    }
  }
  return out;
}

/// count.calibrate_confident_joint: rows scaled to the label counts, the
/// total to N, then rounded preserving row totals. np.sum adds the scaled
/// joint in memory order, which depends on how cleanlab laid it out: column
/// by column when calibrating compute_confident_joint's fresh joint (a
/// transposed confusion matrix), row by row when estimate_joint calibrates an
/// already calibrated one. The order changes the last bit of the total and so,
/// at times, a rounding.
std::vector<int64_t> calibrate(const std::vector<int64_t>& joint,
                               const std::vector<int64_t>& counts, int64_t k,
                               bool sum_by_column) {
  std::vector<double> cal(k * k);
  int64_t n_labels = 0;
  for (int64_t i = 0; i < k; ++i) {
    int64_t row_sum = 0;
    for (int64_t j = 0; j < k; ++j) row_sum += joint[i * k + j];
    const double denom = std::max(static_cast<double>(row_sum), kTinyValue);
    for (int64_t j = 0; j < k; ++j) {
      cal[i * k + j] =
          static_cast<double>(joint[i * k + j]) / denom * static_cast<double>(counts[i]);
    }
    n_labels += counts[i];
  }
  std::vector<double> in_memory_order(cal);
  if (sum_by_column) {
    for (int64_t i = 0; i < k; ++i) {
      for (int64_t j = 0; j < k; ++j) in_memory_order[j * k + i] = cal[i * k + j];
    }
  }
  const double total = std::max(np_sum(in_memory_order.data(), k * k), kTinyValue);
  for (double& v : cal) v = v / total * static_cast<double>(n_labels);
  return round_preserving_row_totals(cal, k, k);
}

/// filter._keep_at_least_n_per_class followed by _reduce_prune_counts, on the
/// calibrated joint. Returns pcm[true * K + given] (the transpose of the
/// joint): off the diagonal, how many examples of each given class to flag
/// per suspected true class; on it, how many to keep.
std::vector<int64_t> prune_count_matrix(const std::vector<int64_t>& joint, int64_t k,
                                        int64_t min_per_class, double frac_noise) {
  std::vector<double> m(k * k);
  for (int64_t j = 0; j < k; ++j) {
    for (int64_t c = 0; c < k; ++c) {
      m[j * k + c] = static_cast<double>(joint[c * k + j]);
    }
  }
  // Raise each diagonal to >= n, taking the increase evenly from that
  // column's non-zero entries (count_nonzero includes the diagonal, minus 1).
  for (int64_t c = 0; c < k; ++c) {
    const double d = m[c * k + c];
    const double raised = std::max(d, static_cast<double>(min_per_class));
    int64_t nonzero = 0;
    for (int64_t j = 0; j < k; ++j) nonzero += m[j * k + c] != 0.0 ? 1 : 0;
    const double per_entry =
        (raised - d) / std::max(static_cast<double>(nonzero) - 1.0, 1.0);
    for (int64_t j = 0; j < k; ++j) {
      const double v = m[j * k + c] - per_entry;
      m[j * k + c] = v < 0.0 ? 0.0 : v;
    }
    m[c * k + c] = raised;
  }
  // Off-diagonals times frac_noise; each diagonal absorbs its column's loss;
  // then astype(int), i.e. truncation.
  std::vector<double> scaled(k * k);
  for (int64_t q = 0; q < k * k; ++q) scaled[q] = m[q] * frac_noise;
  std::vector<double> loss(k);
  for (int64_t c = 0; c < k; ++c) {
    for (int64_t j = 0; j < k; ++j) {
      loss[j] = j == c ? 0.0 : m[j * k + c] - scaled[j * k + c];
    }
    scaled[c * k + c] = m[c * k + c] + np_sum(loss.data(), k);
  }
  // The final round_preserving_row_totals of cleanlab is a no-op on integers.
  std::vector<int64_t> out(k * k);
  for (int64_t q = 0; q < k * k; ++q) out[q] = static_cast<int64_t>(scaled[q]);
  return out;
}

/// Positions of the `count` largest keys, ties to the lower position: the
/// first `count` entries of a stable ascending argsort of -keys.
std::vector<int64_t> top_positions(const std::vector<double>& keys, int64_t count) {
  const auto m = static_cast<int64_t>(keys.size());
  std::vector<int64_t> pos(m);
  std::iota(pos.begin(), pos.end(), 0);
  if (count >= m) return pos;
  if (count <= 0) return {};
  auto before = [&](int64_t a, int64_t b) {
    return keys[a] > keys[b] || (keys[a] == keys[b] && a < b);
  };
  std::nth_element(pos.begin(), pos.begin() + count, pos.end(), before);
  pos.resize(count);
  return pos;
}

/// Whether a class is pruned at all: cleanlab skips classes with at most
/// min_examples_per_class examples, and drops the mask of a class with a
/// single example (the `len(mask) > 1` test in find_label_issues).
bool class_is_pruned(int64_t class_size, int64_t min_per_class) {
  return class_size > min_per_class && class_size > 1;
}

/// filter._prune_by_count for every class.
void prune_by_noise_rate(const Problem& pr, const std::vector<std::vector<int64_t>>& rows,
                         const std::vector<int64_t>& pcm, int64_t min_per_class,
                         std::vector<uint8_t>& flag) {
  std::vector<double> keys;
  for (int64_t c = 0; c < pr.k; ++c) {
    const std::vector<int64_t>& members = rows[c];
    if (!class_is_pruned(static_cast<int64_t>(members.size()), min_per_class)) {
      continue;
    }
    for (int64_t j = 0; j < pr.k; ++j) {
      const int64_t count = pcm[j * pr.k + c];
      if (j == c || count <= 0) continue;
      keys.resize(members.size());
      for (size_t q = 0; q < members.size(); ++q) {
        keys[q] = pr.prob(members[q], j) - pr.prob(members[q], c);
      }
      for (int64_t q : top_positions(keys, count)) flag[members[q]] = 1;
    }
  }
}

/// filter._prune_by_class for every class.
void prune_by_class(const Problem& pr, const std::vector<std::vector<int64_t>>& rows,
                    const std::vector<int64_t>& pcm, int64_t min_per_class,
                    std::vector<uint8_t>& flag) {
  std::vector<double> keys;
  for (int64_t c = 0; c < pr.k; ++c) {
    const std::vector<int64_t>& members = rows[c];
    const auto size = static_cast<int64_t>(members.size());
    if (!class_is_pruned(size, min_per_class)) continue;
    const int64_t count = size - pcm[c * pr.k + c];
    if (count < 1) continue;
    keys.resize(members.size());
    for (size_t q = 0; q < members.size(); ++q) {
      keys[q] = -pr.prob(members[q], c);  // smallest P[:, c] first
    }
    for (int64_t q : top_positions(keys, count)) flag[members[q]] = 1;
  }
}

/// rank.get_label_quality_scores on validated inputs.
std::vector<double> quality_scores(const Problem& pr, RankMethod method,
                                   bool adjust_pred_probs) {
  const int64_t n = pr.n;
  const int64_t k = pr.k;
  const double* p = pr.p;
  std::vector<double> adjusted;
  if (adjust_pred_probs) {
    DATAOPT_CHECK(method != RankMethod::kConfidenceWeightedEntropy,
                  "label_quality_scores: adjust_pred_probs is not supported "
                  "for confidence_weighted_entropy (as in cleanlab)");
    // _subtract_confident_thresholds: P - t + max(t), rows renormalised.
    const std::vector<double> t = thresholds(pr);
    const double t_max = *std::max_element(t.begin(), t.end());
    adjusted.resize(n * k);
    for (int64_t i = 0; i < n; ++i) {
      double* a = adjusted.data() + i * k;
      for (int64_t j = 0; j < k; ++j) a[j] = (pr.prob(i, j) - t[j]) + t_max;
      const double sum = np_sum(a, k);
      for (int64_t j = 0; j < k; ++j) a[j] /= sum;
    }
    p = adjusted.data();
  }
  std::vector<double> scores(n);
  std::vector<double> plogp(k);
  const double log_k = std::log(static_cast<double>(k));
  for (int64_t i = 0; i < n; ++i) {
    const double* row = p + i * k;
    const int64_t y = pr.y[i];
    switch (method) {
      case RankMethod::kSelfConfidence:
        scores[i] = row[y];
        break;
      case RankMethod::kNormalizedMargin: {
        double other = -std::numeric_limits<double>::infinity();
        for (int64_t j = 0; j < k; ++j) {
          if (j != y) other = std::max(other, row[j]);
        }
        scores[i] = (row[y] - other + 1.0) / 2.0;
        break;
      }
      case RankMethod::kConfidenceWeightedEntropy: {
        const double self = std::max(row[y], kScoreLowerBound);
        for (int64_t j = 0; j < k; ++j) {
          plogp[j] = row[j] == 0.0 ? 0.0 : row[j] * std::log(row[j]);  // xlogy
        }
        const double entropy = -np_sum(plogp.data(), k) / log_k;
        const double s = entropy / self;
        scores[i] = std::log(s + 1.0) / std::max(s, kScoreLowerBound);
        break;
      }
    }
  }
  return scores;
}

/// num_label_issues(estimation_method='off_diagonal').
int64_t off_diagonal_issue_count(const Problem& pr) {
  const RawJoint joint = raw_joint(pr);
  int64_t count = 0;
  for (int64_t i = 0; i < pr.n; ++i) {
    if (joint.off_diagonal[i] && !prediction_matches_label(pr, i)) ++count;
  }
  return count;
}

/// num_label_issues(estimation_method='off_diagonal_calibrated').
int64_t calibrated_issue_count(const Problem& pr) {
  const std::vector<int64_t> counts = label_counts(pr);
  const std::vector<int64_t> once =
      calibrate(raw_joint(pr).counts, counts, pr.k, /*sum_by_column=*/true);
  // estimate_joint calibrates the joint it is given once more.
  const std::vector<int64_t> twice =
      calibrate(once, counts, pr.k, /*sum_by_column=*/false);
  int64_t total = 0;
  for (int64_t v : twice) total += v;
  const double denom = std::max(static_cast<double>(total), kTinyValue);
  std::vector<double> diagonal(pr.k);
  for (int64_t c = 0; c < pr.k; ++c) {
    diagonal[c] = static_cast<double>(twice[c * pr.k + c]) / denom;
  }
  const double frac = 1.0 - np_sum(diagonal.data(), pr.k);
  return static_cast<int64_t>(std::nearbyint(frac * static_cast<double>(pr.n)));
}

at::Tensor to_mask(const std::vector<uint8_t>& flag) {
  const auto n = static_cast<int64_t>(flag.size());
  at::Tensor mask = torch::zeros({n}, torch::kBool);
  bool* out = mask.data_ptr<bool>();
  for (int64_t i = 0; i < n; ++i) out[i] = flag[i] != 0;
  return mask;
}

at::Tensor to_tensor(const std::vector<double>& v) {
  at::Tensor t = torch::empty({static_cast<int64_t>(v.size())}, torch::kDouble);
  std::copy(v.begin(), v.end(), t.data_ptr<double>());
  return t;
}

at::Tensor to_tensor(const std::vector<int64_t>& v, int64_t k) {
  at::Tensor t = torch::empty({k, k}, torch::kLong);
  std::copy(v.begin(), v.end(), t.data_ptr<int64_t>());
  return t;
}

}  // namespace

FilterBy parse_filter_by(const std::string& name) {
  std::string s = name;
  std::replace(s.begin(), s.end(), '-', '_');
  for (FilterBy f :
       {FilterBy::kPruneByNoiseRate, FilterBy::kPruneByClass, FilterBy::kBoth,
        FilterBy::kConfidentLearning, FilterBy::kPredictedNeqGiven,
        FilterBy::kLowSelfConfidence, FilterBy::kLowNormalizedMargin}) {
    if (s == to_string(f)) return f;
  }
  DATAOPT_CHECK(false, "unknown filter_by '", name,
                "' (expected prune_by_noise_rate, prune_by_class, both, "
                "confident_learning, predicted_neq_given, low_self_confidence "
                "or low_normalized_margin)");
  return FilterBy::kPruneByNoiseRate;
}

std::string to_string(FilterBy f) {
  switch (f) {
    case FilterBy::kPruneByNoiseRate:
      return "prune_by_noise_rate";
    case FilterBy::kPruneByClass:
      return "prune_by_class";
    case FilterBy::kBoth:
      return "both";
    case FilterBy::kConfidentLearning:
      return "confident_learning";
    case FilterBy::kPredictedNeqGiven:
      return "predicted_neq_given";
    case FilterBy::kLowSelfConfidence:
      return "low_self_confidence";
    case FilterBy::kLowNormalizedMargin:
      return "low_normalized_margin";
  }
  return "prune_by_noise_rate";
}

void ConfidentLearningOptions::validate() const {
  DATAOPT_CHECK(std::isfinite(frac_noise) && frac_noise >= 0.0 && frac_noise <= 1.0,
                "ConfidentLearningOptions: frac_noise must be in [0, 1], got ",
                frac_noise);
  DATAOPT_CHECK(min_examples_per_class >= 0,
                "ConfidentLearningOptions: min_examples_per_class must be >= 0, "
                "got ",
                min_examples_per_class);
}

at::Tensor confident_thresholds(const at::Tensor& labels, const at::Tensor& probs) {
  const Problem pr = load(labels, probs, "confident_thresholds");
  return to_tensor(thresholds(pr));
}

ConfidentJoint compute_confident_joint(const at::Tensor& labels, const at::Tensor& probs,
                                       bool calibrate_joint) {
  const Problem pr = load(labels, probs, "compute_confident_joint");
  RawJoint raw = raw_joint(pr);
  ConfidentJoint out;
  out.counts = to_tensor(
      calibrate_joint ? calibrate(raw.counts, label_counts(pr), pr.k, true) : raw.counts,
      pr.k);
  out.off_diagonal = to_mask(raw.off_diagonal);
  return out;
}

int64_t num_label_issues(const at::Tensor& labels, const at::Tensor& probs,
                         IssueCountMethod method) {
  const Problem pr = load(labels, probs, "num_label_issues");
  switch (method) {
    case IssueCountMethod::kOffDiagonal:
      return off_diagonal_issue_count(pr);
    case IssueCountMethod::kOffDiagonalCalibrated:
      return calibrated_issue_count(pr);
  }
  return off_diagonal_issue_count(pr);
}

at::Tensor find_label_issues(const at::Tensor& labels, const at::Tensor& probs,
                             const ConfidentLearningOptions& options) {
  options.validate();
  const Problem pr = load(labels, probs, "find_label_issues");
  std::vector<uint8_t> flag(pr.n, 0);
  switch (options.filter_by) {
    case FilterBy::kLowSelfConfidence:
    case FilterBy::kLowNormalizedMargin: {
      // The num_label_issues lowest scores; no _reduce_issues afterwards.
      const RankMethod method = options.filter_by == FilterBy::kLowSelfConfidence
                                    ? RankMethod::kSelfConfidence
                                    : RankMethod::kNormalizedMargin;
      std::vector<double> keys = quality_scores(pr, method, false);
      for (double& v : keys) v = -v;
      for (int64_t i : top_positions(keys, off_diagonal_issue_count(pr))) {
        flag[i] = 1;
      }
      return to_mask(flag);
    }
    case FilterBy::kConfidentLearning:
      flag = raw_joint(pr).off_diagonal;
      break;
    case FilterBy::kPredictedNeqGiven:
      for (int64_t i = 0; i < pr.n; ++i) {
        flag[i] = argmax(pr.row(i), pr.k) != pr.y[i] ? 1 : 0;
      }
      break;
    case FilterBy::kPruneByNoiseRate:
    case FilterBy::kPruneByClass:
    case FilterBy::kBoth: {
      const std::vector<int64_t> counts = label_counts(pr);
      const std::vector<int64_t> joint =
          calibrate(raw_joint(pr).counts, counts, pr.k, /*sum_by_column=*/true);
      const std::vector<int64_t> pcm = prune_count_matrix(
          joint, pr.k, options.min_examples_per_class, options.frac_noise);
      const auto rows = rows_by_class(pr);
      if (options.filter_by != FilterBy::kPruneByClass) {
        prune_by_noise_rate(pr, rows, pcm, options.min_examples_per_class, flag);
      }
      if (options.filter_by != FilterBy::kPruneByNoiseRate) {
        std::vector<uint8_t> by_class(pr.n, 0);
        prune_by_class(pr, rows, pcm, options.min_examples_per_class, by_class);
        if (options.filter_by == FilterBy::kBoth) {
          for (int64_t i = 0; i < pr.n; ++i) flag[i] = flag[i] & by_class[i];
        } else {
          flag = std::move(by_class);
        }
      }
      break;
    }
  }
  // _reduce_issues: un-flag rows whose (label-boosted) prediction is the label.
  for (int64_t i = 0; i < pr.n; ++i) {
    if (flag[i] && prediction_matches_label(pr, i)) flag[i] = 0;
  }
  return to_mask(flag);
}

at::Tensor label_quality_scores(const at::Tensor& labels, const at::Tensor& probs,
                                RankMethod method, bool adjust_pred_probs) {
  const Problem pr = load(labels, probs, "label_quality_scores");
  return to_tensor(quality_scores(pr, method, adjust_pred_probs));
}

}  // namespace dataopt::relgraph
