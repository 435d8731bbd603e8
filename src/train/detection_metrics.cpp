#include "dataopt/train/detection_metrics.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "dataopt/core/check.h"
#include "dataopt/core/tensor_check.h"

// AUROC, AP and TNR95 as the Neural Relation Graph code reports them
// (metric.py::cal_auc_ap): sklearn's auc(roc_curve(y, s)),
// average_precision_score(y, s) and 1 - fpr[#(tpr < 0.95)].
//
// All three are read off one pass over the scores sorted in descending order,
// grouped into distinct values (sklearn's _binary_clf_curve): for the g-th
// distinct threshold, tps[g] / fps[g] = positives / negatives with
// score >= threshold. Counts are exact integers; only the final ratios are
// rounded, so N = 60,000 takes a few milliseconds (the sort dominates).

namespace dataopt::train {
namespace {

/// Cumulative counts at each distinct score, highest score first.
struct BinaryCurve {
  std::vector<int64_t> tps;
  std::vector<int64_t> fps;
  int64_t n_pos = 0;
  int64_t n_neg = 0;
};

BinaryCurve binary_curve(const at::Tensor& scores, const at::Tensor& positives,
                         const char* fn) {
  const std::string f(fn);
  DATAOPT_CHECK(scores.defined(), f, ": scores must be a [N] tensor, got an "
                "undefined tensor");
  DATAOPT_CHECK(scores.dim() == 1, f, ": scores must be [N], got ",
                shape_str(scores));
  DATAOPT_CHECK(scores.is_floating_point(), f,
                ": scores must be a floating-point tensor, got dtype ",
                c10::toString(scores.scalar_type()));
  check_dtype(positives, at::kBool, f + " positives");
  check_shape(positives, {scores.size(0)}, f + " positives");
  check_finite(scores, f + " scores");

  const at::Tensor s = scores.detach().to(torch::kCPU, torch::kDouble).contiguous();
  const at::Tensor y = positives.detach().to(torch::kCPU).contiguous();
  const int64_t n = s.size(0);
  const double* sp = s.data_ptr<double>();
  const bool* yp = y.data_ptr<bool>();

  std::vector<std::pair<double, bool>> rows(static_cast<size_t>(n));
  int64_t n_pos = 0;
  for (int64_t i = 0; i < n; ++i) {
    rows[static_cast<size_t>(i)] = {sp[i], yp[i]};
    n_pos += yp[i] ? 1 : 0;
  }
  DATAOPT_CHECK(n_pos > 0 && n_pos < n, f,
                ": need at least one positive and one negative, got ", n_pos,
                " positives of ", n);

  // Descending by score; the order inside a group of equal scores does not
  // matter because a group is one threshold.
  std::sort(rows.begin(), rows.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });

  BinaryCurve c;
  c.n_pos = n_pos;
  c.n_neg = n - n_pos;
  int64_t tp = 0, fp = 0;
  for (int64_t i = 0; i < n; ++i) {
    const auto& r = rows[static_cast<size_t>(i)];
    if (r.second) {
      ++tp;
    } else {
      ++fp;
    }
    const bool last_of_group =
        i + 1 == n || rows[static_cast<size_t>(i + 1)].first != r.first;
    if (last_of_group) {
      c.tps.push_back(tp);
      c.fps.push_back(fp);
    }
  }
  return c;
}

/// The points of sklearn's roc_curve(..., drop_intermediate=True), as counts:
/// interior thresholds whose second differences of fps and tps are both zero
/// are dropped (only when there are more than two thresholds), then (0, 0) is
/// prepended (sklearn's threshold at +inf).
struct RocPoints {
  std::vector<int64_t> tps;
  std::vector<int64_t> fps;
};

RocPoints roc_points(const BinaryCurve& c) {
  const size_t m = c.tps.size();
  RocPoints r;
  r.tps.reserve(m + 1);
  r.fps.reserve(m + 1);
  r.tps.push_back(0);
  r.fps.push_back(0);
  for (size_t g = 0; g < m; ++g) {
    bool keep = true;
    if (m > 2 && g > 0 && g + 1 < m) {
      const int64_t d2_fps = c.fps[g + 1] - 2 * c.fps[g] + c.fps[g - 1];
      const int64_t d2_tps = c.tps[g + 1] - 2 * c.tps[g] + c.tps[g - 1];
      keep = d2_fps != 0 || d2_tps != 0;
    }
    if (keep) {
      r.tps.push_back(c.tps[g]);
      r.fps.push_back(c.fps[g]);
    }
  }
  return r;
}

// Trapezoid rule over the ROC points. With integer counts the area is
//   sum_g (fps_g - fps_{g-1}) (tps_g + tps_{g-1}) / (2 P N),
// accumulated exactly in int64 (at most 2 P N <= N^2 / 2) and divided once.
// Dropped points are collinear with their neighbours, so the area equals the
// area over every distinct threshold, which is also the Mann-Whitney
// probability that a positive outscores a negative with ties counted 1/2.
double auroc_from(const BinaryCurve& c) {
  const RocPoints r = roc_points(c);
  int64_t twice_area = 0;
  for (size_t i = 1; i < r.tps.size(); ++i) {
    twice_area += (r.fps[i] - r.fps[i - 1]) * (r.tps[i] + r.tps[i - 1]);
  }
  return static_cast<double>(twice_area) /
         (2.0 * static_cast<double>(c.n_pos) * static_cast<double>(c.n_neg));
}

// sklearn's average_precision_score: precision_recall_curve keeps every
// distinct threshold (its drop_intermediate defaults to False), and
// AP = sum_g (R_g - R_{g-1}) P_g with R_0 = 0, clipped below at 0 as sklearn
// does against a -0.0 from round-off.
double ap_from(const BinaryCurve& c) {
  const double n_pos = static_cast<double>(c.n_pos);
  double ap = 0;
  int64_t prev_tp = 0;
  for (size_t g = 0; g < c.tps.size(); ++g) {
    const int64_t tp = c.tps[g];
    if (tp != prev_tp) {
      const double recall_step = static_cast<double>(tp - prev_tp) / n_pos;
      const double precision =
          static_cast<double>(tp) / static_cast<double>(tp + c.fps[g]);
      ap += recall_step * precision;
    }
    prev_tp = tp;
  }
  return std::max(0.0, ap);
}

// TNR95 = 1 - fpr[idx], idx = #(tpr < 0.95), on the arrays that sklearn's
// roc_curve returns WITH ITS DEFAULT drop_intermediate=True, because that is
// what metric.py::cal_auc_ap calls (roc_curve(target, score), no keyword), so
// this reproduces the numbers the NRG code prints.
//
// When does dropping matter? tpr is non-decreasing, so idx is the first kept
// point with tpr >= 0.95. If the first such point of the full curve p is
// dropped, p and its successor share the same step (dfps, dtps) as p's own
// step, and the next kept point q lies further along that straight line with
// fps[q] = fps[p] + (q - p) dfps. That is the same fpr when dfps == 0 (a run
// of distinct-score positives, the usual case), but a *lower* TNR when
// dfps > 0, i.e. when consecutive groups of tied scores each hold the same
// mix of positives and negatives. Without ties the two conventions agree.
// tpr is computed as tps / P in double, exactly as sklearn, so the
// comparison with 0.95 rounds the same way.
double tnr95_from(const BinaryCurve& c) {
  const RocPoints r = roc_points(c);
  const double n_pos = static_cast<double>(c.n_pos);
  size_t idx = 0;
  for (size_t i = 0; i < r.tps.size(); ++i) {
    if (static_cast<double>(r.tps[i]) / n_pos < 0.95) ++idx;
  }
  // The last point has tpr = 1, so idx < size.
  DATAOPT_ASSERT(idx < r.fps.size());
  const double fpr =
      static_cast<double>(r.fps[idx]) / static_cast<double>(c.n_neg);
  return 1.0 - fpr;
}

}  // namespace

double auroc(const at::Tensor& scores, const at::Tensor& positives) {
  return auroc_from(binary_curve(scores, positives, "auroc"));
}

double average_precision(const at::Tensor& scores,
                         const at::Tensor& positives) {
  return ap_from(binary_curve(scores, positives, "average_precision"));
}

double tnr_at_95_tpr(const at::Tensor& scores, const at::Tensor& positives) {
  return tnr95_from(binary_curve(scores, positives, "tnr_at_95_tpr"));
}

DetectionMetrics detection_metrics(const at::Tensor& scores,
                                   const at::Tensor& positives) {
  const BinaryCurve c = binary_curve(scores, positives, "detection_metrics");
  DetectionMetrics m;
  m.auroc = auroc_from(c);
  m.ap = ap_from(c);
  m.tnr95 = tnr95_from(c);
  return m;
}

}  // namespace dataopt::train
