// Co-Mixup's per-partition matching (the official get_onehot_matrix +
// graphcut_wrapper, spec 2.2-2.3) on plain buffers, with one GCO alpha-beta
// swap (graph_cut.h) per output and sweep.
//
// Arithmetic follows the official float32 tensors where it can change an
// integer cost: the normalised saliency, the prior, A, the modular penalty and
// the soft-label costs are float32 values, combined in the official order,
// before pyGCO's float mode scales them (x 100000, truncated). Reductions
// (sums, A @ p) are accumulated in double and rounded to float32 once; torch
// may round its float32 reductions differently in the last bit. The objective
// is evaluated in double. Compiled with -ffp-contract=off (no fused
// multiply-add), as graph_cut.cpp.

#include "dataopt/mixup/comixup_match.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

#include "dataopt/core/check.h"

namespace dataopt::mixup {
namespace {

// Cost offset of the soft (half/half) labels in graphcut_wrapper.
constexpr float kSoftLabelBonus = 5e-4F;
// Potts weight between a soft label and each of its two parents.
constexpr float kSoftToParent = 0.25F;
// Relative objective change below which the sweeps stop.
constexpr double kStopTolerance = 1e-6;

size_t at(int64_t i) { return static_cast<size_t>(i); }

void check_values(std::span<const float> values, const char* name, bool non_negative) {
  for (size_t i = 0; i < values.size(); ++i) {
    DATAOPT_CHECK(std::isfinite(values[i]), "comixup_match: ", name,
                  " must be finite, got ", values[i], " at index ", i);
    DATAOPT_CHECK(!non_negative || values[i] >= 0, "comixup_match: ", name,
                  " must be >= 0, got ", values[i], " at index ", i);
  }
}

void validate_partition(const CoMixupPartition& p, int64_t n_output) {
  DATAOPT_CHECK(p.n_input >= 1, "comixup_match: n_input must be >= 1, got ", p.n_input);
  DATAOPT_CHECK(p.height >= 1 && p.width >= 1,
                "comixup_match: block grid must be at least 1 x 1, got ", p.height, " x ",
                p.width);
  DATAOPT_CHECK(p.height <= 4096 && p.width <= 4096 && p.n_input <= 65536,
                "comixup_match: partition too large: ", p.n_input, " inputs on ",
                p.height, " x ", p.width, " blocks");
  const int64_t m = p.n_input, n = p.height * p.width;
  DATAOPT_CHECK(static_cast<int64_t>(p.saliency.size()) == m * n,
                "comixup_match: saliency must be [n_input, height, width] = [", m, ", ",
                p.height, ", ", p.width, "] (", m * n, " values), got ",
                p.saliency.size());
  DATAOPT_CHECK(static_cast<int64_t>(p.dist.size()) == m * m,
                "comixup_match: dist must be [n_input, n_input] (", m * m,
                " values), got ", p.dist.size());
  DATAOPT_CHECK(static_cast<int64_t>(p.alpha.size()) == m,
                "comixup_match: alpha must be [n_input] (", m, " values), got ",
                p.alpha.size());
  check_values(p.saliency, "saliency", true);
  check_values(p.dist, "dist", true);
  check_values(p.alpha, "alpha", true);
  double alpha_sum = 0;
  for (float a : p.alpha) alpha_sum += a;
  DATAOPT_CHECK(std::fabs(alpha_sum - 1) <= 1e-3,
                "comixup_match: alpha must be a Dirichlet draw summing to 1, got sum ",
                alpha_sum);
  for (int64_t i = 0; i < m; ++i) {
    double total = 0;
    for (int64_t b = 0; b < n; ++b) total += p.saliency[at(i * n + b)];
    DATAOPT_CHECK(std::isfinite(static_cast<float>(total)),
                  "comixup_match: saliency of input ", i, " sums to ", total,
                  ", beyond float32");
  }
  if (!p.init_labels.empty()) {
    DATAOPT_CHECK(static_cast<int64_t>(p.init_labels.size()) == n_output * n,
                  "comixup_match: init_labels must be empty or [n_output, height, "
                  "width] (",
                  n_output * n, " values), got ", p.init_labels.size());
    for (size_t i = 0; i < p.init_labels.size(); ++i) {
      DATAOPT_CHECK(p.init_labels[i] >= 0 && p.init_labels[i] < m,
                    "comixup_match: init_labels must be in [0, ", m, "), got ",
                    p.init_labels[i], " at index ", i);
    }
  }
}

// Uniform integer in [0, n) from raw 64-bit draws (rejecting the 2^64 mod n
// smallest values), independent of the standard library's distributions.
int32_t uniform_index(uint64_t n, std::mt19937_64& rng) {
  const uint64_t reject_below = (0 - n) % n;
  for (;;) {
    const uint64_t r = rng();
    if (r >= reject_below) return static_cast<int32_t>(r % n);
  }
}

// Uniform in the open interval (0, 1).
double uniform_open(std::mt19937_64& rng) {
  return (static_cast<double>(rng() >> 11) + 0.5) * 0x1p-53;
}

// Standard normal (Marsaglia's polar method; one value per accepted pair).
double standard_normal(std::mt19937_64& rng) {
  for (;;) {
    const double u = 2 * uniform_open(rng) - 1;
    const double v = 2 * uniform_open(rng) - 1;
    const double s = u * u + v * v;
    if (s > 0 && s < 1) return u * std::sqrt(-2 * std::log(s) / s);
  }
}

// log of a Gamma(shape, 1) variate: Marsaglia-Tsang for shape >= 1; below 1,
// Gamma(shape) = Gamma(shape + 1) * U^(1 / shape), kept in log space.
double log_gamma_variate(double shape, std::mt19937_64& rng) {
  if (shape < 1) {
    const double log_boost = std::log(uniform_open(rng)) / shape;
    return log_gamma_variate(shape + 1, rng) + log_boost;
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1 / std::sqrt(9 * d);
  for (;;) {
    const double x = standard_normal(rng);
    double v = 1 + c * x;
    if (v <= 0) continue;
    v = v * v * v;
    const double u = uniform_open(rng);
    if (u < 1 - 0.0331 * x * x * x * x ||
        std::log(u) < 0.5 * x * x + d * (1 - v + std::log(v))) {
      return std::log(d * v);
    }
  }
}

// The partition's fixed quantities and the scaled parameters.
struct Problem {
  int64_t m = 0;  // inputs
  int64_t height = 0;
  int64_t width = 0;
  int64_t n = 0;            // blocks
  int64_t n_out = 0;        // outputs
  double beta = 0;          // m_beta / H / W
  double gamma = 0;         // m_gamma / H / W
  double eta = 0;           // m_eta / H / W
  double thres = 0;         // m_thres * H * W
  std::vector<float> cost;  // [m, n]
  std::vector<float> a;     // [m, m] compatibility A
};

// -saliency / sum - eta * log(alpha + 1e-8), in float32 as mixup_process and
// get_onehot_matrix compute it. An all-zero saliency (0 / 0 in the official
// code) counts as uniform.
std::vector<float> make_cost(const CoMixupPartition& p, double eta) {
  const int64_t m = p.n_input, n = p.height * p.width;
  std::vector<float> cost(at(m * n));
  const auto eta_f = static_cast<float>(eta);
  for (int64_t i = 0; i < m; ++i) {
    double total = 0;
    for (int64_t b = 0; b < n; ++b) total += p.saliency[at(i * n + b)];
    const auto sum_f = static_cast<float>(total);
    const float prior = eta_f * std::log(p.alpha[at(i)] + 1e-8F);
    for (int64_t b = 0; b < n; ++b) {
      const float normalised =
          sum_f > 0 ? p.saliency[at(i * n + b)] / sum_f : 1.0F / static_cast<float>(n);
      cost[at(i * n + b)] = -normalised - prior;
    }
  }
  return cost;
}

// A = (1 - omega) I + omega * dist / sum(dist) * m in float32; A = I when the
// distances sum to 0 (the official code divides 0 by 0 there).
std::vector<float> make_compatibility(const CoMixupPartition& p, double omega) {
  const int64_t m = p.n_input;
  std::vector<float> a(at(m * m), 0.0F);
  double total = 0;
  for (float d : p.dist) total += d;
  const auto sum_f = static_cast<float>(total);
  if (!(sum_f > 0) || !std::isfinite(sum_f)) {
    for (int64_t k = 0; k < m; ++k) a[at(k * m + k)] = 1.0F;
    return a;
  }
  const auto keep = static_cast<float>(1 - omega);
  const auto omega_f = static_cast<float>(omega);
  const auto m_f = static_cast<float>(m);
  for (int64_t k = 0; k < m; ++k) {
    for (int64_t j = 0; j < m; ++j) {
      const float d = p.dist[at(k * m + j)] / sum_f * m_f;
      a[at(k * m + j)] = keep * (k == j ? 1.0F : 0.0F) + omega_f * d;
    }
  }
  return a;
}

// The modular diversity penalty per input, given the other outputs'
// histogram p (official expressions, see comixup_match in the header).
std::vector<float> modular_penalty(const Problem& pr, const std::vector<float>& p,
                                   ThresholdType type) {
  const int64_t m = pr.m;
  std::vector<float> ap(at(m));
  for (int64_t k = 0; k < m; ++k) {
    double s = 0;
    for (int64_t j = 0; j < m; ++j) {
      s += static_cast<double>(pr.a[at(k * m + j)]) * static_cast<double>(p[at(j)]);
    }
    ap[at(k)] = static_cast<float>(s);
  }
  const auto thres_f = static_cast<float>(pr.thres);
  const auto two_gamma = static_cast<float>(2 * pr.gamma);
  std::vector<float> pen(at(m), 0.0F);
  for (int64_t k = 0; k < m; ++k) {
    if (type == ThresholdType::kHard) {
      // (mask * A) @ p: the mask selects columns j of A.
      double s = 0;
      for (int64_t j = 0; j < m; ++j) {
        if (ap[at(j)] > thres_f) {
          s += static_cast<double>(pr.a[at(k * m + j)]) * static_cast<double>(p[at(j)]);
        }
      }
      pen[at(k)] = two_gamma * static_cast<float>(s);
    } else if (ap[at(k)] > thres_f) {
      pen[at(k)] = two_gamma * (ap[at(k)] - thres_f);
    }
  }
  return pen;
}

// graphcut_wrapper for one output: cost_penalty [m, n] (cost + penalties),
// label_count [m] the output's current histogram; writes the output's mask
// [n, m]. From sweep 1 on, an output using exactly 2 inputs gets one extra
// half/half label, one using 3 or more gets three for its top-3 inputs.
void cut_output(const Problem& pr, const std::vector<float>& cost_penalty,
                const std::vector<float>& label_count, int64_t iter,
                OverflowMode overflow, float* mask, int64_t* n_overflows) {
  const int64_t m = pr.m, n = pr.n;
  int64_t n_assigned = 0;
  if (iter > 0) {
    for (float c : label_count) n_assigned += c > 0 ? 1 : 0;
  }
  // Parents (x, y) of each soft label, in ascending input order.
  std::vector<std::pair<int64_t, int64_t>> soft;
  if (n_assigned == 2) {
    std::vector<int64_t> used;
    for (int64_t k = 0; k < m; ++k) {
      if (label_count[at(k)] > 0) used.push_back(k);
    }
    soft = {{used[0], used[1]}};
  } else if (n_assigned >= 3) {
    // torch.topk(label_count, 3); ties go to the lower index here.
    std::vector<int64_t> order(at(m));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) {
      return label_count[at(x)] > label_count[at(y)];
    });
    std::vector<int64_t> top(order.begin(), order.begin() + 3);
    std::sort(top.begin(), top.end());
    soft = {{top[0], top[1]}, {top[0], top[2]}, {top[1], top[2]}};
  }
  const int64_t n_labels = m + static_cast<int64_t>(soft.size());

  std::fill(mask, mask + n * m, 0.0F);
  if (n_labels == 1) {  // one input: GCO has nothing to swap
    for (int64_t b = 0; b < n; ++b) mask[b * m] = 1.0F;
    return;
  }
  std::vector<float> unary(at(n_labels * n));
  std::copy(cost_penalty.begin(), cost_penalty.end(), unary.begin());
  for (size_t s = 0; s < soft.size(); ++s) {
    const auto [x, y] = soft[s];
    for (int64_t b = 0; b < n; ++b) {
      // mean of the two (= 0.5 x + 0.5 y in float32), minus the bonus
      const float half =
          (cost_penalty[at(x * n + b)] + cost_penalty[at(y * n + b)]) * 0.5F;
      unary[at((m + static_cast<int64_t>(s)) * n + b)] = half - kSoftLabelBonus;
    }
  }
  // Potts 1 - I, with 0.25 between a soft label and its parents.
  std::vector<float> smooth(at(n_labels * n_labels), 1.0F);
  for (int64_t l = 0; l < n_labels; ++l) smooth[at(l * n_labels + l)] = 0.0F;
  for (size_t s = 0; s < soft.size(); ++s) {
    const int64_t l = m + static_cast<int64_t>(s);
    for (int64_t parent : {soft[s].first, soft[s].second}) {
      smooth[at(l * n_labels + parent)] = kSoftToParent;
      smooth[at(parent * n_labels + l)] = kSoftToParent;
    }
  }
  const auto beta_f = static_cast<float>(pr.beta);
  const std::vector<float> weight_v(at((pr.height - 1) * pr.width), beta_f);
  const std::vector<float> weight_h(at(pr.height * (pr.width - 1)), beta_f);
  const GridEnergy energy = float_mode_energy(n_labels, pr.height, pr.width, unary,
                                              smooth, weight_v, weight_h, overflow);
  *n_overflows += energy.n_int32_overflows;
  const SwapResult swap = alpha_beta_swap(energy);
  for (int64_t b = 0; b < n; ++b) {
    const int64_t label = swap.labels[at(b)];
    if (label < m) {
      mask[b * m + label] = 1.0F;
    } else {
      const auto [x, y] = soft[at(label - m)];
      mask[b * m + x] = 0.5F;
      mask[b * m + y] = 0.5F;
    }
  }
}

// Histogram o_i of output i over inputs (sums of 0, 0.5 and 1: exact).
std::vector<float> histogram(const Problem& pr, const std::vector<float>& masks,
                             int64_t i) {
  std::vector<float> count(at(pr.m), 0.0F);
  for (int64_t b = 0; b < pr.n; ++b) {
    for (int64_t k = 0; k < pr.m; ++k)
      count[at(k)] += masks[at((i * pr.n + b) * pr.m + k)];
  }
  return count;
}

// resolve_label: outputs i1 < i2 using the same set of inputs (of size > 1)
// flag the set's first input for i1 and its second for i2. [n_out, m].
std::vector<float> resolve_label(const Problem& pr, const std::vector<float>& masks) {
  const int64_t m = pr.m;
  std::vector<std::vector<int64_t>> used(at(pr.n_out));
  for (int64_t i = 0; i < pr.n_out; ++i) {
    const std::vector<float> count = histogram(pr, masks, i);
    for (int64_t k = 0; k < m; ++k) {
      if (count[at(k)] > 0) used[at(i)].push_back(k);
    }
  }
  std::vector<float> add_cost(at(pr.n_out * m), 0.0F);
  for (int64_t i1 = 0; i1 < pr.n_out; ++i1) {
    for (int64_t i2 = i1 + 1; i2 < pr.n_out; ++i2) {
      const auto& set = used[at(i1)];
      if (set != used[at(i2)] || set.size() < 2) continue;
      add_cost[at(i1 * m + set[0])] = 1.0F;
      add_cost[at(i2 * m + set[1])] = 1.0F;
    }
  }
  return add_cost;
}

double objective_of(const Problem& pr, const std::vector<float>& masks) {
  return comixup_objective(pr.m, pr.height, pr.width, pr.cost, masks, pr.beta, pr.gamma);
}

}  // namespace

void CoMixupOptions::validate() const {
  auto finite_non_negative = [](double v) { return std::isfinite(v) && v >= 0; };
  DATAOPT_CHECK(finite_non_negative(m_beta), "CoMixupOptions: m_beta must be >= 0, got ",
                m_beta);
  DATAOPT_CHECK(finite_non_negative(m_gamma),
                "CoMixupOptions: m_gamma must be >= 0, got ", m_gamma);
  DATAOPT_CHECK(finite_non_negative(m_eta), "CoMixupOptions: m_eta must be >= 0, got ",
                m_eta);
  DATAOPT_CHECK(finite_non_negative(m_thres),
                "CoMixupOptions: m_thres must be >= 0, got ", m_thres);
  DATAOPT_CHECK(std::isfinite(m_omega) && m_omega >= 0 && m_omega <= 1,
                "CoMixupOptions: m_omega must be in [0, 1], got ", m_omega);
  DATAOPT_CHECK(m_niter >= 1, "CoMixupOptions: m_niter must be >= 1, got ", m_niter);
  DATAOPT_CHECK(n_output >= 0,
                "CoMixupOptions: n_output must be >= 0 (0: one output per input), got ",
                n_output);
  DATAOPT_CHECK(thres_type == ThresholdType::kHard || thres_type == ThresholdType::kSoft,
                "CoMixupOptions: thres_type must be kHard or kSoft, got ",
                static_cast<int>(thres_type));
  DATAOPT_CHECK(overflow == OverflowMode::kReproduce || overflow == OverflowMode::kFix,
                "CoMixupOptions: overflow must be kReproduce or kFix, got ",
                static_cast<int>(overflow));
}

CoMixupMatch comixup_match(const CoMixupPartition& partition,
                           const CoMixupOptions& options) {
  options.validate();
  const int64_t n_out = options.n_output == 0 ? partition.n_input : options.n_output;
  validate_partition(partition, n_out);

  Problem pr;
  pr.m = partition.n_input;
  pr.height = partition.height;
  pr.width = partition.width;
  pr.n = pr.height * pr.width;
  pr.n_out = n_out;
  const auto h = static_cast<double>(pr.height), w = static_cast<double>(pr.width);
  pr.thres = options.m_thres * h * w;
  pr.beta = options.m_beta / h / w;
  pr.gamma = options.m_gamma / h / w;
  pr.eta = options.m_eta / h / w;
  pr.cost = make_cost(partition, pr.eta);
  pr.a = make_compatibility(partition, options.m_omega);
  const int64_t m = pr.m, n = pr.n;

  CoMixupMatch out;
  out.n_output = n_out;
  out.masks.assign(at(n_out * n * m), 0.0F);
  std::mt19937_64 rng(partition.seed);
  for (int64_t s = 0; s < n_out * n; ++s) {
    const int32_t label = partition.init_labels.empty()
                              ? uniform_index(static_cast<uint64_t>(m), rng)
                              : partition.init_labels[at(s)];
    out.masks[at(s * m + label)] = 1.0F;
  }
  std::vector<float> penalty(at(m), 0.0F);
  for (int64_t i = 0; i < n_out; ++i) {
    const std::vector<float> count = histogram(pr, out.masks, i);
    for (int64_t k = 0; k < m; ++k) penalty[at(k)] += count[at(k)];
  }
  out.initial_objective = objective_of(pr, out.masks);

  const auto gamma_f = static_cast<float>(pr.gamma);
  std::vector<float> add_cost;  // empty until resolve_label ran
  std::vector<float> cost_penalty(at(m * n));
  double previous = out.initial_objective;
  for (int64_t it = 0; it < options.m_niter; ++it) {
    for (int64_t i = 0; i < n_out; ++i) {
      const std::vector<float> count = histogram(pr, out.masks, i);
      for (int64_t k = 0; k < m; ++k) penalty[at(k)] -= count[at(k)];
      const std::vector<float> pen = modular_penalty(pr, penalty, options.thres_type);
      for (int64_t k = 0; k < m; ++k) {
        for (int64_t b = 0; b < n; ++b) {
          float c = pr.cost[at(k * n + b)] + pen[at(k)];
          if (!add_cost.empty()) c = c + gamma_f * add_cost[at(i * m + k)];
          cost_penalty[at(k * n + b)] = c;
        }
      }
      cut_output(pr, cost_penalty, count, it, options.overflow,
                 out.masks.data() + i * n * m, &out.n_int32_overflows);
      const std::vector<float> updated = histogram(pr, out.masks, i);
      for (int64_t k = 0; k < m; ++k) penalty[at(k)] += updated[at(k)];
    }
    if (it == options.m_niter - 2 && options.set_resolve) {
      add_cost = resolve_label(pr, out.masks);
    }
    const double loss = objective_of(pr, out.masks);
    out.objective.push_back(loss);
    ++out.n_sweeps;
    // As the official (|prev - L| / |L| < 1e-6): L = 0 gives inf or NaN, no stop.
    if (std::fabs(previous - loss) / std::fabs(loss) < kStopTolerance) break;
    previous = loss;
  }
  out.cost = std::move(pr.cost);
  return out;
}

double comixup_objective(int64_t n_input, int64_t height, int64_t width,
                         std::span<const float> cost, std::span<const float> masks,
                         double beta, double gamma) {
  constexpr const char* fn = "comixup_objective";
  DATAOPT_CHECK(n_input >= 1, fn, ": n_input must be >= 1, got ", n_input);
  DATAOPT_CHECK(height >= 1 && width >= 1, fn,
                ": block grid must be at least 1 x 1, got ", height, " x ", width);
  const int64_t m = n_input, H = height, W = width, n = H * W;
  DATAOPT_CHECK(static_cast<int64_t>(cost.size()) == m * n, fn,
                ": cost must be [n_input, height, width] (", m * n, " values), got ",
                cost.size());
  DATAOPT_CHECK(!masks.empty() && static_cast<int64_t>(masks.size()) % (n * m) == 0, fn,
                ": masks must be [n_output, height, width, n_input] (a positive "
                "multiple of ",
                n * m, " values), got ", masks.size());
  DATAOPT_CHECK(std::isfinite(beta) && std::isfinite(gamma), fn,
                ": beta and gamma must be finite, got ", beta, " and ", gamma);
  const int64_t n_out = static_cast<int64_t>(masks.size()) / (n * m);
  auto z = [&](int64_t j, int64_t b, int64_t k) {
    return static_cast<double>(masks[at((j * n + b) * m + k)]);
  };
  double unary = 0, smooth = 0, sum_sq = 0, total_sq = 0;
  std::vector<double> total(at(m), 0.0);
  for (int64_t j = 0; j < n_out; ++j) {
    std::vector<double> o(at(m), 0.0);
    for (int64_t r = 0; r < H; ++r) {
      for (int64_t c = 0; c < W; ++c) {
        const int64_t b = r * W + c;
        for (int64_t k = 0; k < m; ++k) {
          unary += static_cast<double>(cost[at(k * n + b)]) * z(j, b, k);
          o[at(k)] += z(j, b, k);
          if (r + 1 < H) {
            const double d = z(j, b, k) - z(j, b + W, k);
            smooth += d * d;
          }
          if (c + 1 < W) {
            const double d = z(j, b, k) - z(j, b + 1, k);
            smooth += d * d;
          }
        }
      }
    }
    for (int64_t k = 0; k < m; ++k) {
      sum_sq += o[at(k)] * o[at(k)];
      total[at(k)] += o[at(k)];
    }
  }
  for (double t : total) total_sq += t * t;
  return unary + beta / 2 * smooth + gamma * (total_sq - sum_sq);
}

std::vector<float> comixup_dirichlet(int64_t n, double concentration,
                                     std::mt19937_64& rng) {
  DATAOPT_CHECK(n >= 1, "comixup_dirichlet: n must be >= 1, got ", n);
  DATAOPT_CHECK(std::isfinite(concentration) && concentration > 0,
                "comixup_dirichlet: concentration (mixup_alpha) must be > 0, got ",
                concentration);
  std::vector<double> log_g(at(n));
  for (auto& v : log_g) v = log_gamma_variate(concentration, rng);
  const double top = *std::max_element(log_g.begin(), log_g.end());
  double total = 0;
  for (auto& v : log_g) {
    v = std::exp(v - top);
    total += v;
  }
  std::vector<float> alpha(at(n));
  for (int64_t i = 0; i < n; ++i) alpha[at(i)] = static_cast<float>(log_g[at(i)] / total);
  return alpha;
}

}  // namespace dataopt::mixup
