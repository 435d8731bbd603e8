#include "relgraph/detail/relation_pass.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <array>
#include <memory>
#include <queue>

#include "dataopt/core/check.h"
#include "dataopt/core/progress.h"

namespace dataopt::relgraph::detail {
namespace {

// |r|^t with the common integer powers unrolled (t = 4 is the default).
enum class PowKind { kOne, kTwo, kFour, kEight, kGeneral };

PowKind pow_kind(double t) {
  if (t == 1.0) return PowKind::kOne;
  if (t == 2.0) return PowKind::kTwo;
  if (t == 4.0) return PowKind::kFour;
  if (t == 8.0) return PowKind::kEight;
  return PowKind::kGeneral;
}

template <PowKind kind>
inline float powered(float a, float t) {
  if constexpr (kind == PowKind::kOne) return a;
  if constexpr (kind == PowKind::kTwo) return a * a;
  if constexpr (kind == PowKind::kFour) {
    const float a2 = a * a;
    return a2 * a2;
  }
  if constexpr (kind == PowKind::kEight) {
    const float a2 = a * a, a4 = a2 * a2;
    return a4 * a4;
  }
  return std::pow(a, t);
}

// Keeps the k largest (value, index) pairs seen (a min-heap on value).
class TopK {
 public:
  explicit TopK(int64_t k) : k_(static_cast<size_t>(k)) {}
  void push(float v, int64_t i) {
    if (heap_.size() < k_) {
      heap_.emplace_back(v, i);
      std::push_heap(heap_.begin(), heap_.end(), std::greater<>());
    } else if (v > heap_.front().first) {
      std::pop_heap(heap_.begin(), heap_.end(), std::greater<>());
      heap_.back() = {v, i};
      std::push_heap(heap_.begin(), heap_.end(), std::greater<>());
    }
  }
  float floor() const { return heap_.size() < k_ ? 0.0f : heap_.front().first; }
  // Strongest first into (index, value) rows; sign applied to values.
  void write(int64_t* idx, float* val, float sign) {
    std::sort(heap_.begin(), heap_.end(), std::greater<>());
    for (size_t r = 0; r < k_; ++r) {
      idx[r] = r < heap_.size() ? heap_[r].second : -1;
      val[r] = r < heap_.size() ? sign * heap_[r].first : 0.0f;
    }
  }

 private:
  size_t k_;
  std::vector<std::pair<float, int64_t>> heap_;
};

// Edge weights |r|^t (0 below the threshold) of targets [a, b) of one row,
// added into eight independent lanes so that the compiler vectorises the
// loop; when `keep` is set the weights overwrite the cosines (for partners).
template <PowKind kind, bool keep>
inline double run_sum(float* c_row, const float* p_row, int64_t a, int64_t b, float thr,
                      float t) {
  constexpr int kLanes = 8;
  float lanes[kLanes] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t j = a;
  for (; j + kLanes <= b; j += kLanes) {
    for (int l = 0; l < kLanes; ++l) {
      const float c = c_row[j + l] > 0.0f ? c_row[j + l] : 0.0f;
      const float x = p_row ? c * p_row[j + l] : c;
      const float w = x > thr ? powered<kind>(x, t) : 0.0f;
      lanes[l] += w;
      if constexpr (keep) c_row[j + l] = w;
    }
  }
  double sum = 0;
  for (; j < b; ++j) {
    const float c = c_row[j] > 0.0f ? c_row[j] : 0.0f;
    const float x = p_row ? c * p_row[j] : c;
    const float w = x > thr ? powered<kind>(x, t) : 0.0f;
    sum += w;
    if constexpr (keep) c_row[j] = w;
  }
  for (float v : lanes) sum += v;
  return sum;
}

// Fused CPU kernel for one block x tile: a = max(cos, 0) * comp, keep a > thr,
// w = a^t, add w to the per-class sum of the row; optionally track partners.
// Targets come sorted by class (RelationGraph sorts them), so each row is a
// few long runs of one class, each summed by a vectorised loop.
template <PowKind kind>
void accumulate_tile(float* cos, const float* comp, int64_t rows, int64_t cols,
                     const int64_t* tgt_class, const int64_t* tgt_index,
                     const int64_t* src_class, int64_t n_classes, float thr, float t,
                     double* sums, std::vector<TopK>* pos, std::vector<TopK>* neg) {
  // Runs of equal target class within the tile: (start, end, class).
  std::vector<std::array<int64_t, 3>> runs;
  for (int64_t j = 0; j < cols;) {
    int64_t e = j + 1;
    while (e < cols && tgt_class[e] == tgt_class[j]) ++e;
    runs.push_back({j, e, tgt_class[j]});
    j = e;
  }
  const bool keep = pos != nullptr;
  at::parallel_for(0, rows, 1, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      float* c_row = cos + r * cols;
      const float* p_row = comp ? comp + r * cols : nullptr;
      double* out = sums + r * n_classes;
      for (const auto& run : runs) {
        out[run[2]] += keep ? run_sum<kind, true>(c_row, p_row, run[0], run[1], thr, t)
                            : run_sum<kind, false>(c_row, p_row, run[0], run[1], thr, t);
      }
      if (!keep) continue;
      // c_row now holds the weights: offer the non-zero ones to the heaps.
      TopK& same_heap = (*pos)[static_cast<size_t>(r)];
      TopK& other_heap = (*neg)[static_cast<size_t>(r)];
      for (int64_t j = 0; j < cols; ++j) {
        const float w = c_row[j];
        if (w <= 0.0f) continue;
        TopK& heap = src_class && tgt_class[j] == src_class[r] ? same_heap : other_heap;
        if (w > heap.floor()) heap.push(w, tgt_index[j]);
      }
    }
  });
}

void accumulate_tile_dispatch(PowKind kind, float* cos, const float* comp,
                              int64_t rows, int64_t cols, const int64_t* tgt_class,
                              const int64_t* tgt_index, const int64_t* src_class,
                              int64_t n_classes, float thr, float t, double* sums,
                              std::vector<TopK>* pos, std::vector<TopK>* neg) {
  switch (kind) {
    case PowKind::kOne:
      return accumulate_tile<PowKind::kOne>(cos, comp, rows, cols, tgt_class, tgt_index,
                                            src_class, n_classes, thr, t, sums, pos, neg);
    case PowKind::kTwo:
      return accumulate_tile<PowKind::kTwo>(cos, comp, rows, cols, tgt_class, tgt_index,
                                            src_class, n_classes, thr, t, sums, pos, neg);
    case PowKind::kFour:
      return accumulate_tile<PowKind::kFour>(cos, comp, rows, cols, tgt_class, tgt_index,
                                             src_class, n_classes, thr, t, sums, pos, neg);
    case PowKind::kEight:
      return accumulate_tile<PowKind::kEight>(cos, comp, rows, cols, tgt_class, tgt_index,
                                              src_class, n_classes, thr, t, sums, pos, neg);
    case PowKind::kGeneral:
      return accumulate_tile<PowKind::kGeneral>(cos, comp, rows, cols, tgt_class,
                                                tgt_index, src_class, n_classes, thr, t,
                                                sums, pos, neg);
  }
}

}  // namespace

PassResult relation_pass(const torch::Tensor& src_features,
                         const torch::Tensor& src_probs,
                         const torch::Tensor& src_labels,
                         const PassTargets& targets, double power,
                         const RelationGraphOptions& options, int64_t top_k,
                         const std::string& label) {
  torch::NoGradGuard no_grad;
  const int64_t n_src = src_features.size(0);
  const int64_t n_tgt = targets.features.size(0);
  const int64_t n_classes = targets.probs.size(1);
  const bool use_comp = options.kernel == RelationKernel::kCosP;
  const bool on_cpu = src_features.device().is_cpu();
  const float thr = static_cast<float>(options.threshold);
  const PowKind kind = pow_kind(power);
  const bool want_partners = top_k > 0 && src_labels.defined();
  DATAOPT_ASSERT(!want_partners || on_cpu, "partners are computed on the CPU only");

  PassResult result;
  at::Tensor sums = torch::zeros({n_src, n_classes}, torch::kDouble);
  if (want_partners) {
    auto idx = torch::full({n_src, top_k}, -1, torch::kLong);
    result.partners.complementary_index = idx;
    result.partners.conflicting_index = idx.clone();
    result.partners.complementary_value = torch::zeros({n_src, top_k});
    result.partners.conflicting_value = torch::zeros({n_src, top_k});
  }
  const at::Tensor tgt_class = targets.labels.to(torch::kLong).contiguous();
  const at::Tensor tgt_class_cpu = tgt_class.cpu();
  const at::Tensor tgt_index = targets.index.cpu().contiguous();
  // One-hot of the target classes for the tensor path (GPU).
  at::Tensor onehot;
  if (!on_cpu) {
    onehot = torch::one_hot(tgt_class, n_classes).to(torch::kFloat);
  }

  const int64_t chunk = options.chunk;
  const int64_t tile = options.tile;
  const int64_t n_blocks = (n_src + chunk - 1) / chunk;
  std::unique_ptr<Progress> bar;
  if (options.progress) bar = std::make_unique<Progress>(label, n_blocks);
  for (int64_t a = 0; a < n_src; a += chunk) {
    const int64_t b = std::min(n_src, a + chunk);
    const at::Tensor fb = src_features.slice(0, a, b).to(torch::kFloat);
    const at::Tensor pb = src_probs.slice(0, a, b);
    at::Tensor block_sums = torch::zeros({b - a, n_classes}, torch::kDouble);
    std::vector<TopK> pos, neg;
    at::Tensor src_class;
    if (want_partners) {
      pos.assign(static_cast<size_t>(b - a), TopK(top_k));
      neg.assign(static_cast<size_t>(b - a), TopK(top_k));
      src_class = src_labels.slice(0, a, b).cpu().contiguous();
    }
    for (int64_t c0 = 0; c0 < n_tgt; c0 += tile) {
      const int64_t c1 = std::min(n_tgt, c0 + tile);
      const at::Tensor ft = targets.features.slice(0, c0, c1).to(torch::kFloat);
      const at::Tensor cos = torch::mm(fb, ft.t()).contiguous();
      at::Tensor comp;
      if (use_comp) comp = torch::mm(pb, targets.probs.slice(0, c0, c1).t()).contiguous();
      if (on_cpu) {
        accumulate_tile_dispatch(
            kind, cos.data_ptr<float>(), use_comp ? comp.data_ptr<float>() : nullptr,
            b - a, c1 - c0, tgt_class_cpu.data_ptr<int64_t>() + c0,
            tgt_index.data_ptr<int64_t>() + c0,
            want_partners ? src_class.data_ptr<int64_t>() : nullptr, n_classes, thr,
            static_cast<float>(power), block_sums.data_ptr<double>(),
            want_partners ? &pos : nullptr, want_partners ? &neg : nullptr);
      } else {
        at::Tensor rel = cos.clamp_min(0);
        if (use_comp) rel = rel * comp;
        const at::Tensor w = torch::where(rel > thr, rel.pow(power), torch::zeros_like(rel));
        block_sums += torch::mm(w, onehot.slice(0, c0, c1)).to(torch::kDouble).cpu();
      }
    }
    sums.slice(0, a, b).copy_(block_sums);
    if (want_partners) {
      auto& p = result.partners;
      for (int64_t r = 0; r < b - a; ++r) {
        pos[static_cast<size_t>(r)].write(p.complementary_index[a + r].data_ptr<int64_t>(),
                                           p.complementary_value[a + r].data_ptr<float>(),
                                           1.0f);
        neg[static_cast<size_t>(r)].write(p.conflicting_index[a + r].data_ptr<int64_t>(),
                                           p.conflicting_value[a + r].data_ptr<float>(),
                                           -1.0f);
      }
    }
    if (bar) bar->update(1);
  }
  if (bar) bar->finish();
  result.class_sums = sums;
  return result;
}

}  // namespace dataopt::relgraph::detail
