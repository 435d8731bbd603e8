// Puzzle Mix's per-image labelling problem and GCO's alpha-beta swap, rebuilt
// on Debian's libmaxflow (Boykov-Kolmogorov v3, the code GCO v3.0 bundles).
//
// Every detail that can change a label follows pyGCO + GCO v3.0 (spec 1.5):
// the graph of a swap move is built in GCO's order (sites ascending, then the
// smoothness terms from the last active site backwards, neighbours up, down,
// left, right as pyGCO's edge list inserts them), binary terms are split into
// t-links and arcs as GCO's energy.h does, and a site goes to alpha when BK
// leaves it on the source side (what_segment's default). The float arithmetic
// of graphcut_multi follows NumPy 1.x's value-based casting (float32, except
// where a Python int above 65535 promotes a product to float64). This file is
// compiled with -fwrapv (int32 wrap-around inside the max-flow under
// OverflowMode::kReproduce, as GCO's compiled code does) and -ffp-contract=off
// (no fused multiply-add).

#include "dataopt/mixup/graph_cut.h"

#define MAXFLOW_INCLUDE_TEMPLATE_IMPLEMENTATION
#include <maxflow.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <utility>

#include "dataopt/core/check.h"

namespace dataopt::mixup {
namespace {

// GCO_MAX_ENERGYTERM: GCO refuses larger smoothness terms and weights.
constexpr int64_t kGcoMaxEnergyTerm = 10000000;
// GCO's swap(-1) runs at most this many cycles.
constexpr int64_t kGcoMaxCycles = 10000000;
// pyGCO's float-mode precision factors.
constexpr int64_t kUnaryScale = 100000;
constexpr int64_t kPairwiseScale = 1000;
constexpr int64_t kSmoothScale = 100;
constexpr int64_t kInt32Min = std::numeric_limits<int32_t>::min();
constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();

bool fits_int32(int64_t v) { return v >= kInt32Min && v <= kInt32Max; }

// Two's-complement wrap to int32 (a modular conversion since C++20).
int64_t wrap_int32(int64_t v) { return static_cast<int32_t>(v); }

// An integer term product as GCO computes it: int32 * int32 -> int32.
int64_t term_product(int64_t a, int64_t b, OverflowMode mode) {
  const int64_t p = a * b;
  return mode == OverflowMode::kReproduce ? wrap_int32(p) : p;
}

// numpy's float -> int32 cast (truncation; out of range gives INT32_MIN on
// x86) under kReproduce, exact truncation under kFix.
int64_t truncate_to_int(double x, OverflowMode mode, bool* overflowed) {
  const double t = std::trunc(x);
  if (t >= static_cast<double>(kInt32Min) && t <= static_cast<double>(kInt32Max)) {
    return static_cast<int64_t>(t);
  }
  *overflowed = true;
  if (mode == OverflowMode::kReproduce) return kInt32Min;
  DATAOPT_CHECK(std::fabs(t) < 0x1p62, "graph cut: scaled term ", x,
                " is too large even for 64-bit integers");
  return static_cast<int64_t>(t);
}

// A float32 array times a non-negative Python int, as NumPy 1.x evaluates it:
// value-based casting gives the int the smallest unsigned type that holds it,
// so up to 65535 (uint8/uint16) the product stays float32, and above it
// (uint32) both are promoted to float64. This is why graphcut_multi's
// large_val * (...) is float32 up to 8 x 8 blocks but float64 at 16 x 16, and
// pyGCO's unary * 100000 is float64 while weight * 1000 and smooth * 100 are
// float32.
double numpy_scale(float x, int64_t factor) {
  if (factor <= 65535) return static_cast<double>(static_cast<float>(factor) * x);
  return static_cast<double>(x) * static_cast<double>(factor);
}

// An int32 term times a pyGCO scale factor: int32 wrap (NumPy keeps int32)
// under kReproduce, exact under kFix.
int64_t scale_term(int64_t v, int64_t factor, OverflowMode mode, bool* overflowed) {
  const int64_t p = v * factor;
  if (!fits_int32(p)) *overflowed = true;
  return mode == OverflowMode::kReproduce ? wrap_int32(p) : p;
}

// 4-neighbourhood of every site in pyGCO's order: pyGCO passes all vertical
// edges, then all horizontal ones, row-major, and GCO appends each edge to
// both end points' lists, so a site sees up, down, left, right.
struct Neighbourhood {
  std::vector<int32_t> count;   // [sites]
  std::vector<int64_t> site;    // [sites, 4]
  std::vector<int64_t> weight;  // [sites, 4]
  int64_t total = 0;            // GCO's m_numNeighborsTotal (2 per edge)
};

Neighbourhood make_neighbourhood(const GridEnergy& e) {
  const int64_t H = e.height, W = e.width, n = H * W;
  Neighbourhood nb;
  nb.count.assign(static_cast<size_t>(n), 0);
  nb.site.assign(static_cast<size_t>(4 * n), -1);
  nb.weight.assign(static_cast<size_t>(4 * n), 0);
  for (int64_t r = 0; r < H; ++r) {
    for (int64_t c = 0; c < W; ++c) {
      const int64_t p = r * W + c;
      auto add = [&](int64_t q, int64_t w) {
        const auto k = static_cast<size_t>(4 * p + nb.count[static_cast<size_t>(p)]++);
        nb.site[k] = q;
        nb.weight[k] = w;
        ++nb.total;
      };
      if (r > 0) add(p - W, e.weight_v[static_cast<size_t>((r - 1) * W + c)]);
      if (r + 1 < H) add(p + W, e.weight_v[static_cast<size_t>(r * W + c)]);
      if (c > 0) add(p - 1, e.weight_h[static_cast<size_t>(r * (W - 1) + c - 1)]);
      if (c + 1 < W) add(p + 1, e.weight_h[static_cast<size_t>(r * (W - 1) + c)]);
    }
  }
  return nb;
}

void validate_energy(const GridEnergy& e, const char* fn) {
  DATAOPT_CHECK(e.n_labels >= 2, fn, ": n_labels must be >= 2, got ", e.n_labels);
  DATAOPT_CHECK(e.n_labels <= kInt32Max, fn, ": n_labels too large: ", e.n_labels);
  DATAOPT_CHECK(e.height >= 1 && e.width >= 1, fn, ": grid must be at least 1 x 1, got ",
                e.height, " x ", e.width);
  const int64_t L = e.n_labels, H = e.height, W = e.width;
  DATAOPT_CHECK(H <= kInt32Max / W, fn, ": grid too large for the max-flow: ", H, " x ",
                W);
  DATAOPT_CHECK(static_cast<int64_t>(e.data.size()) == L * H * W, fn,
                ": data must be [n_labels, height, width] = [", L, ", ", H, ", ", W,
                "] (", L * H * W, " values), got ", e.data.size());
  DATAOPT_CHECK(static_cast<int64_t>(e.smooth.size()) == L * L, fn,
                ": smooth must be [n_labels, n_labels] (", L * L, " values), got ",
                e.smooth.size());
  DATAOPT_CHECK(static_cast<int64_t>(e.weight_v.size()) == (H - 1) * W, fn,
                ": weight_v must be [height - 1, width] (", (H - 1) * W, " values), got ",
                e.weight_v.size());
  DATAOPT_CHECK(static_cast<int64_t>(e.weight_h.size()) == H * (W - 1), fn,
                ": weight_h must be [height, width - 1] (", H * (W - 1), " values), got ",
                e.weight_h.size());
  for (int64_t a = 0; a < L; ++a) {
    for (int64_t b = 0; b < L; ++b) {
      const int64_t ab = e.smooth[static_cast<size_t>(a * L + b)];
      const int64_t ba = e.smooth[static_cast<size_t>(b * L + a)];
      DATAOPT_CHECK(ab == ba, fn, ": smooth must be symmetric, got smooth[", a, "][", b,
                    "] = ", ab, " but smooth[", b, "][", a, "] = ", ba);
      if (a < b) {
        const int64_t aa = e.smooth[static_cast<size_t>(a * L + a)];
        const int64_t bb = e.smooth[static_cast<size_t>(b * L + b)];
        DATAOPT_CHECK(aa + bb <= ab + ba, fn, ": smooth is not submodular for labels ", a,
                      " and ", b, " (", aa, " + ", bb, " > ", ab, " + ", ba,
                      "); a swap move cannot be solved by a cut");
      }
    }
  }
  for (const auto* weights : {&e.weight_v, &e.weight_h}) {
    for (int64_t w : *weights) {
      DATAOPT_CHECK(w >= 0, fn, ": edge weights must be >= 0, got ", w,
                    " (GCO would build a non-submodular graph)");
    }
  }
  if (e.overflow == OverflowMode::kReproduce) {
    for (int64_t v : e.data) {
      DATAOPT_CHECK(fits_int32(v), fn, ": data cost ", v,
                    " does not fit in int32 (OverflowMode::kReproduce uses GCO's int32"
                    " terms; wrap it or use OverflowMode::kFix)");
    }
    for (int64_t v : e.smooth) {
      DATAOPT_CHECK(v <= kGcoMaxEnergyTerm && v >= kInt32Min, fn, ": smooth cost ", v,
                    " is outside GCO's range (<= ", kGcoMaxEnergyTerm, ")");
    }
    for (const auto* weights : {&e.weight_v, &e.weight_h}) {
      for (int64_t w : *weights) {
        DATAOPT_CHECK(w <= kGcoMaxEnergyTerm, fn, ": edge weight ", w,
                      " is larger than GCO_MAX_ENERGYTERM (", kGcoMaxEnergyTerm,
                      "); GCO aborts on it");
      }
    }
  } else {
    // Every capacity and flow of a swap graph is a sum of these terms.
    long double total = 0;
    int64_t max_smooth = 0;
    for (int64_t v : e.data) total += std::fabs(static_cast<long double>(v));
    for (int64_t v : e.smooth) max_smooth = std::max<int64_t>(max_smooth, std::llabs(v));
    for (const auto* weights : {&e.weight_v, &e.weight_h}) {
      for (int64_t w : *weights) {
        total +=
            4.0L * static_cast<long double>(w) * static_cast<long double>(max_smooth);
      }
    }
    DATAOPT_CHECK(
        total < 0x1p62L, fn,
        ": energy terms too large for exact 64-bit max-flow (sum of magnitudes ",
        static_cast<double>(total), ")");
  }
}

[[noreturn]] void maxflow_error(const char* message) {
  DATAOPT_CHECK(false, "alpha_beta_swap: max-flow failed: ", message);
  std::abort();  // not reached: DATAOPT_CHECK(false) throws
}

// Arithmetic in the capacity type: int32 wraps (GCO's int32 graph), int64 is
// exact (kept in range by validate_energy).
template <typename Cap>
Cap cap_of(int64_t v) {
  return static_cast<Cap>(v);
}

// GCO's Energy::add_term1: E(0) = e0, E(1) = e1 as t-links.
template <typename Cap, typename G>
void add_unary(G& g, int x, int64_t e0, int64_t e1) {
  g.add_tweights(x, cap_of<Cap>(e1), cap_of<Cap>(e0));
}

// GCO's Energy::add_term2 (E00 + E11 <= E01 + E10): the E00/E11 part goes to
// x's t-links, the rest to one arc pair, moving a negative part to t-links.
template <typename Cap, typename G>
void add_pairwise(G& g, int x, int y, int64_t e00, int64_t e01, int64_t e10,
                  int64_t e11) {
  const Cap a = cap_of<Cap>(e00), d = cap_of<Cap>(e11);
  g.add_tweights(x, d, a);
  const Cap b = cap_of<Cap>(static_cast<int64_t>(cap_of<Cap>(e01)) - a);
  const Cap c = cap_of<Cap>(static_cast<int64_t>(cap_of<Cap>(e10)) - d);
  const Cap sum = cap_of<Cap>(static_cast<int64_t>(b) + c);
  if (b < 0) {
    g.add_tweights(x, 0, b);
    g.add_tweights(y, 0, cap_of<Cap>(-static_cast<int64_t>(b)));
    g.add_edge(x, y, 0, sum);
  } else if (c < 0) {
    g.add_tweights(x, 0, cap_of<Cap>(-static_cast<int64_t>(c)));
    g.add_tweights(y, 0, c);
    g.add_edge(x, y, sum, 0);
  } else {
    g.add_edge(x, y, b, c);
  }
}

class SwapSolver {
 public:
  explicit SwapSolver(const GridEnergy& e)
      : e_(e),
        nb_(make_neighbourhood(e)),
        n_sites_(e.height * e.width),
        labels_(static_cast<size_t>(n_sites_), 0),
        lookup_(static_cast<size_t>(n_sites_), -1) {}

  int64_t data(int64_t label, int64_t p) const {
    return e_.data[static_cast<size_t>(label * n_sites_ + p)];
  }
  int64_t smooth(int64_t a, int64_t b) const {
    return e_.smooth[static_cast<size_t>(a * e_.n_labels + b)];
  }

  int64_t energy(const std::vector<int32_t>& labels) const {
    int64_t total = 0;
    for (int64_t p = 0; p < n_sites_; ++p)
      total += data(labels[static_cast<size_t>(p)], p);
    for (int64_t p = 0; p < n_sites_; ++p) {
      for (int32_t k = 0; k < nb_.count[static_cast<size_t>(p)]; ++k) {
        const auto idx = static_cast<size_t>(4 * p + k);
        const int64_t q = nb_.site[idx];
        if (q < p) {
          total += term_product(
              nb_.weight[idx],
              smooth(labels[static_cast<size_t>(p)], labels[static_cast<size_t>(q)]),
              e_.overflow);
        }
      }
    }
    return total;
  }

  SwapResult run(int64_t max_cycles) {
    SwapResult out;
    if (nb_.total == 0) {
      // GCO's special case without neighbours: each site takes its cheapest
      // label (the first one on ties).
      for (int64_t p = 0; p < n_sites_; ++p) {
        int32_t best = 0;
        for (int64_t l = 1; l < e_.n_labels; ++l) {
          if (data(l, p) < data(best, p)) best = static_cast<int32_t>(l);
        }
        labels_[static_cast<size_t>(p)] = best;
      }
      out.initial_energy = energy(std::vector<int32_t>(labels_.size(), 0));
      out.energy = energy(labels_);
      out.labels = labels_;
      return out;
    }
    const int64_t cap = max_cycles == -1 ? kGcoMaxCycles : max_cycles;
    int64_t new_energy = energy(labels_);
    out.initial_energy = new_energy;
    int64_t old_energy = new_energy + 1;
    int64_t cycle = 1;
    while (old_energy > new_energy && cycle <= cap) {
      old_energy = new_energy;
      const auto L = static_cast<int32_t>(e_.n_labels);
      for (int32_t a = 0; a < L; ++a) {
        for (int32_t b = L - 1; b >= 0; --b) {
          if (a < b) swap_move(a, b);
        }
      }
      new_energy = energy(labels_);
      ++cycle;
    }
    out.labels = labels_;
    out.energy = new_energy;
    out.cycles = cycle - 1;
    return out;
  }

 private:
  void swap_move(int32_t alpha, int32_t beta) {
    active_.clear();
    for (int64_t p = 0; p < n_sites_; ++p) {
      const int32_t l = labels_[static_cast<size_t>(p)];
      if (l == alpha || l == beta) {
        lookup_[static_cast<size_t>(p)] = static_cast<int32_t>(active_.size());
        active_.push_back(p);
      }
    }
    if (active_.empty()) return;
    if (e_.overflow == OverflowMode::kReproduce) {
      solve<maxflow::Graph<int32_t, int32_t, long long>, int32_t>(alpha, beta);
    } else {
      solve<maxflow::Graph<int64_t, int64_t, long long>, int64_t>(alpha, beta);
    }
  }

  template <typename G, typename Cap>
  void solve(int32_t alpha, int32_t beta) {
    const auto size = static_cast<int>(active_.size());
    G g(size, static_cast<int>(nb_.total), &maxflow_error);
    g.add_node(size);
    for (int i = 0; i < size; ++i) {
      const int64_t p = active_[static_cast<size_t>(i)];
      add_unary<Cap>(g, i, data(alpha, p), data(beta, p));
    }
    const OverflowMode mode = e_.overflow;
    for (int i = size - 1; i >= 0; --i) {
      const int64_t p = active_[static_cast<size_t>(i)];
      for (int32_t k = 0; k < nb_.count[static_cast<size_t>(p)]; ++k) {
        const auto idx = static_cast<size_t>(4 * p + k);
        const int64_t q = nb_.site[idx];
        const int64_t w = nb_.weight[idx];
        const int32_t var_q = lookup_[static_cast<size_t>(q)];
        if (var_q == -1) {
          const int32_t lq = labels_[static_cast<size_t>(q)];
          add_unary<Cap>(g, i, term_product(smooth(alpha, lq), w, mode),
                         term_product(smooth(beta, lq), w, mode));
        } else if (q < p) {
          add_pairwise<Cap>(g, i, var_q, term_product(smooth(alpha, alpha), w, mode),
                            term_product(smooth(alpha, beta), w, mode),
                            term_product(smooth(beta, alpha), w, mode),
                            term_product(smooth(beta, beta), w, mode));
        }
      }
    }
    g.maxflow();
    for (int i = 0; i < size; ++i) {
      const auto p = static_cast<size_t>(active_[static_cast<size_t>(i)]);
      labels_[p] = g.what_segment(i) == G::SOURCE ? alpha : beta;
      lookup_[p] = -1;
    }
  }

  const GridEnergy& e_;
  Neighbourhood nb_;
  int64_t n_sites_;
  std::vector<int32_t> labels_;
  std::vector<int32_t> lookup_;
  std::vector<int64_t> active_;
};

void check_finite(std::span<const float> values, const char* fn, const char* name) {
  for (size_t i = 0; i < values.size(); ++i) {
    DATAOPT_CHECK(std::isfinite(values[i]), fn, ": ", name, " must be finite, got ",
                  values[i], " at index ", i);
  }
}

void check_size(std::span<const float> values, int64_t expected, const char* fn,
                const char* name, const char* shape) {
  DATAOPT_CHECK(static_cast<int64_t>(values.size()) == expected, fn, ": ", name,
                " must be ", shape, " (", expected, " values), got ", values.size());
}

}  // namespace

SwapResult alpha_beta_swap(const GridEnergy& energy, int64_t max_cycles) {
  validate_energy(energy, "alpha_beta_swap");
  DATAOPT_CHECK(
      max_cycles == -1 || max_cycles >= 1,
      "alpha_beta_swap: max_cycles must be -1 (until convergence) or >= 1, got ",
      max_cycles);
  SwapSolver solver(energy);
  return solver.run(max_cycles);
}

int64_t grid_energy(const GridEnergy& energy, std::span<const int32_t> labels) {
  validate_energy(energy, "grid_energy");
  const int64_t n = energy.height * energy.width;
  DATAOPT_CHECK(static_cast<int64_t>(labels.size()) == n,
                "grid_energy: labels must be [height, width] (", n, " values), got ",
                labels.size());
  for (size_t i = 0; i < labels.size(); ++i) {
    DATAOPT_CHECK(labels[i] >= 0 && labels[i] < energy.n_labels,
                  "grid_energy: labels must be in [0, ", energy.n_labels, "), got ",
                  labels[i], " at index ", i);
  }
  SwapSolver solver(energy);
  return solver.energy(std::vector<int32_t>(labels.begin(), labels.end()));
}

GridEnergy float_mode_energy(int64_t n_labels, int64_t height, int64_t width,
                             std::span<const float> unary, std::span<const float> smooth,
                             std::span<const float> weight_v,
                             std::span<const float> weight_h, OverflowMode overflow) {
  constexpr const char* fn = "float_mode_energy";
  DATAOPT_CHECK(n_labels >= 2, fn, ": n_labels must be >= 2, got ", n_labels);
  DATAOPT_CHECK(height >= 1 && width >= 1, fn, ": grid must be at least 1 x 1, got ",
                height, " x ", width);
  check_size(unary, n_labels * height * width, fn, "unary", "[n_labels, height, width]");
  check_size(smooth, n_labels * n_labels, fn, "smooth", "[n_labels, n_labels]");
  check_size(weight_v, (height - 1) * width, fn, "weight_v", "[height - 1, width]");
  check_size(weight_h, height * (width - 1), fn, "weight_h", "[height, width - 1]");
  check_finite(unary, fn, "unary");
  check_finite(smooth, fn, "smooth");
  check_finite(weight_v, fn, "weight_v");
  check_finite(weight_h, fn, "weight_h");
  for (int64_t a = 0; a < n_labels; ++a) {
    for (int64_t b = 0; b < a; ++b) {
      DATAOPT_CHECK(smooth[static_cast<size_t>(a * n_labels + b)] ==
                        smooth[static_cast<size_t>(b * n_labels + a)],
                    fn, ": smooth must be symmetric (pyGCO rejects it otherwise), got [",
                    a, "][", b, "] != [", b, "][", a, "]");
    }
  }
  GridEnergy e{
      .n_labels = n_labels, .height = height, .width = width, .overflow = overflow};
  auto convert = [&](std::span<const float> in, int64_t factor,
                     std::vector<int64_t>& out) {
    out.resize(in.size());
    for (size_t i = 0; i < in.size(); ++i) {
      bool overflowed = false;
      out[i] = truncate_to_int(numpy_scale(in[i], factor), overflow, &overflowed);
      if (overflowed) ++e.n_int32_overflows;
    }
  };
  convert(unary, kUnaryScale, e.data);
  convert(smooth, kSmoothScale, e.smooth);
  convert(weight_v, kPairwiseScale, e.weight_v);
  convert(weight_h, kPairwiseScale, e.weight_h);
  return e;
}

void GraphCutOptions::validate() const {
  DATAOPT_CHECK(n_labels >= 2 && n_labels <= 4,
                "GraphCutOptions: n_labels must be 2, 3 or 4 (the official prior), got ",
                n_labels);
  DATAOPT_CHECK(std::isfinite(beta) && beta >= 0,
                "GraphCutOptions: beta must be >= 0, got ", beta);
  DATAOPT_CHECK(std::isfinite(eta) && eta >= 0, "GraphCutOptions: eta must be >= 0, got ",
                eta);
}

double puzzle_beta_n(double beta, int64_t block_num) {
  DATAOPT_CHECK(block_num >= 1, "puzzle_beta_n: block_num must be >= 1, got ", block_num);
  return beta / static_cast<double>(block_num) / 16.0;
}

namespace {

// graphcut_multi's prior, in float64: eta * -log(p_l + 1e-8) / bn^2 with p_l
// the binomial probability of l shares of input 2, written as the official
// expressions (same operation order).
std::vector<double> puzzle_prior(double lam, double eta, int64_t n_labels,
                                 int64_t block_num) {
  std::vector<double> p;
  const double one_minus = 1 - lam;
  if (n_labels == 2) {
    p = {lam + 1e-8, one_minus + 1e-8};
  } else if (n_labels == 3) {
    p = {std::pow(lam, 2) + 1e-8, 2 * lam * one_minus + 1e-8,
         std::pow(one_minus, 2) + 1e-8};
  } else {
    p = {std::pow(lam, 3) + 1e-8, 3 * std::pow(lam, 2) * one_minus + 1e-8,
         3 * lam * std::pow(one_minus, 2) + 1e-8, std::pow(one_minus, 3) + 1e-8};
  }
  const auto bn2 = static_cast<double>(block_num * block_num);
  std::vector<double> prior(p.size());
  for (size_t l = 0; l < p.size(); ++l) prior[l] = eta * -std::log(p[l]) / bn2;
  return prior;
}

}  // namespace

GridEnergy puzzle_cut_energy(const PuzzleCutInput& in, const GraphCutOptions& o) {
  constexpr const char* fn = "puzzle_cut_energy";
  o.validate();
  const int64_t bn = in.block_num;
  DATAOPT_CHECK(bn >= 2, fn, ": block_num must be >= 2, got ", bn);
  check_size(in.cost_input1, bn * bn, fn, "cost_input1", "[block_num, block_num]");
  check_size(in.cost_input2, bn * bn, fn, "cost_input2", "[block_num, block_num]");
  check_size(in.pairwise_v, (bn - 1) * bn, fn, "pairwise_v",
             "[block_num - 1, block_num]");
  check_size(in.pairwise_h, bn * (bn - 1), fn, "pairwise_h",
             "[block_num, block_num - 1]");
  check_finite(in.cost_input1, fn, "cost_input1");
  check_finite(in.cost_input2, fn, "cost_input2");
  check_finite(in.pairwise_v, fn, "pairwise_v");
  check_finite(in.pairwise_h, fn, "pairwise_h");
  DATAOPT_CHECK(in.lam >= 0 && in.lam <= 1, fn, ": lam must be in [0, 1], got ", in.lam);

  const int64_t L = o.n_labels;
  const OverflowMode mode = o.overflow;
  GridEnergy e{.n_labels = L, .height = bn, .width = bn, .overflow = mode};
  const int64_t large_val = 1000 * bn * bn;
  const std::vector<double> prior = puzzle_prior(in.lam, o.eta, L, bn);
  const double step = 1.0 / static_cast<double>(L - 1);  // np.linspace(0, 1, L)
  const auto n = static_cast<size_t>(bn * bn);
  e.data.resize(static_cast<size_t>(L) * n);
  for (int64_t l = 0; l < L; ++l) {
    const double t = l == L - 1 ? 1.0 : static_cast<double>(l) * step;
    const auto w1 = static_cast<float>(1 - t);
    const auto w2 = static_cast<float>(t);
    const auto pl = static_cast<float>(prior[static_cast<size_t>(l)]);
    for (size_t p = 0; p < n; ++p) {
      const float mixed = w1 * in.cost_input1[p] + w2 * in.cost_input2[p] + pl;
      bool overflowed = false;
      const int64_t d = truncate_to_int(numpy_scale(mixed, large_val), mode, &overflowed);
      e.data[static_cast<size_t>(l) * n + p] =
          scale_term(d, kUnaryScale, mode, &overflowed);
      if (overflowed) ++e.n_int32_overflows;
    }
  }
  const auto beta_n = static_cast<float>(puzzle_beta_n(o.beta, bn));
  auto weights = [&](std::span<const float> pw, std::vector<int64_t>& out) {
    out.resize(pw.size());
    for (size_t i = 0; i < pw.size(); ++i) {
      bool overflowed = false;
      const int64_t w =
          truncate_to_int(numpy_scale(pw[i] + beta_n, large_val), mode, &overflowed);
      out[i] = scale_term(w, kPairwiseScale, mode, &overflowed);
      if (overflowed) ++e.n_int32_overflows;
    }
  };
  weights(in.pairwise_v, e.weight_v);
  weights(in.pairwise_h, e.weight_h);
  e.smooth.resize(static_cast<size_t>(L * L));
  for (int64_t a = 0; a < L; ++a) {
    for (int64_t b = 0; b < L; ++b) {
      // float32(float64 (a-b)^2 / (L-1)^2), then float32 * 100, truncated.
      const auto v = static_cast<float>(static_cast<double>((a - b) * (a - b)) /
                                        static_cast<double>((L - 1) * (L - 1)));
      bool overflowed = false;
      e.smooth[static_cast<size_t>(a * L + b)] =
          truncate_to_int(numpy_scale(v, kSmoothScale), mode, &overflowed);
    }
  }
  return e;
}

PuzzleCut puzzle_graph_cut(const PuzzleCutInput& input, const GraphCutOptions& options) {
  const GridEnergy e = puzzle_cut_energy(input, options);
  SwapResult swap = alpha_beta_swap(e);
  PuzzleCut out;
  out.mask.resize(swap.labels.size());
  const auto levels = static_cast<double>(options.n_labels - 1);
  for (size_t p = 0; p < swap.labels.size(); ++p) {
    out.mask[p] = static_cast<float>(1.0 - static_cast<double>(swap.labels[p]) / levels);
  }
  out.labels = std::move(swap.labels);
  out.energy = swap.energy;
  out.cycles = swap.cycles;
  out.n_int32_overflows = e.n_int32_overflows;
  return out;
}

}  // namespace dataopt::mixup
