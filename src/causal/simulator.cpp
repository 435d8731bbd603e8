#include "dataopt/causal/simulator.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "dataopt/core/check.h"

namespace dataopt::causal {

namespace {

/// Floor of a half response, so that x^h / (x^h + h^h) is never 0 / 0.
constexpr double kMinHalfResponse = 1e-8;
/// Above this mean a Poisson count is drawn from its normal approximation.
constexpr double kMaxPoissonMean = 1e9;

struct Regulation {
  int64_t regulator;
  double strength;  // |K_ij|
  bool activates;
};

double uniform01(std::mt19937_64& rng) {
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

double uniform(std::mt19937_64& rng, double lo, double hi) {
  return lo + (hi - lo) * uniform01(rng);
}

/// x^h / (x^h + k^h) with k^h = half_pow precomputed; 0 for x <= 0.
double hill_activation(double x, double hill, double half_pow) {
  if (x <= 0.0) return 0.0;
  const double xp = hill == 2.0 ? x * x : std::pow(x, hill);
  return xp / (xp + half_pow);
}

/// Production rate of a non-master gene from its regulators' values.
double production(const std::vector<Regulation>& regs, const double* values,
                  const std::vector<double>& half_pow, double hill) {
  double p = 0.0;
  for (const Regulation& r : regs) {
    const double f = hill_activation(values[r.regulator], hill, half_pow[r.regulator]);
    p += r.strength * (r.activates ? f : 1.0 - f);
  }
  return p;
}

/// The p-th percentile (0..100, linear interpolation between order
/// statistics, as numpy's default) of log(x + 1) over `values`.
double log1p_percentile(const std::vector<double>& values, double p) {
  if (values.empty()) return 0.0;
  std::vector<double> copy = values;
  const double pos = p / 100.0 * static_cast<double>(copy.size() - 1);
  const auto lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, copy.size() - 1);
  const double frac = pos - static_cast<double>(lo);
  std::nth_element(copy.begin(), copy.begin() + static_cast<std::ptrdiff_t>(lo),
                   copy.end());
  const double x_lo = copy[lo];
  double x_hi = x_lo;
  if (hi != lo) {
    // The smallest element above position lo is the (lo + 1)-th statistic.
    x_hi = *std::min_element(copy.begin() + static_cast<std::ptrdiff_t>(hi), copy.end());
  }
  // log1p is increasing, so order statistics of x give those of log(x + 1).
  const double l_lo = std::log1p(x_lo);
  const double l_hi = std::log1p(x_hi);
  return l_lo + frac * (l_hi - l_lo);
}

void add_technical_noise(std::vector<double>& x, int64_t rows, int64_t n,
                         const SimulatorOptions& o, std::mt19937_64& rng) {
  std::normal_distribution<double> normal(0.0, 1.0);
  // Outlier genes: a whole column scaled by a lognormal factor.
  for (int64_t g = 0; g < n; ++g) {
    if (!(uniform01(rng) < o.outlier_prob)) continue;
    const double factor = std::exp(o.outlier_mean + o.outlier_scale * normal(rng));
    for (int64_t r = 0; r < rows; ++r) x[r * n + g] *= factor;
  }
  // Library size: each cell rescaled to sum to a lognormal draw.
  for (int64_t r = 0; r < rows; ++r) {
    const double size = std::exp(o.lib_size_mean + o.lib_size_scale * normal(rng));
    double* row = x.data() + r * n;
    double sum = 0.0;
    for (int64_t g = 0; g < n; ++g) sum += row[g];
    if (sum <= 0.0) continue;
    const double scale = size / sum;
    for (int64_t g = 0; g < n; ++g) row[g] *= scale;
  }
  // Dropout: low values are zeroed with a logistic probability.
  const double q = log1p_percentile(x, o.dropout_percentile);
  for (double& v : x) {
    const double keep = 1.0 / (1.0 + std::exp(-o.dropout_shape * (std::log1p(v) - q)));
    if (!(uniform01(rng) < keep)) v = 0.0;
  }
  if (o.level != NoiseLevel::kCounts) return;
  // UMI counts.
  for (double& v : x) {
    if (v <= 0.0) {
      v = 0.0;
    } else if (v > kMaxPoissonMean) {
      v = std::max(0.0, std::round(v + std::sqrt(v) * normal(rng)));
    } else {
      v = static_cast<double>(std::poisson_distribution<int64_t>(v)(rng));
    }
  }
}

}  // namespace

std::string to_string(NoiseLevel level) {
  switch (level) {
    case NoiseLevel::kClean:
      return "clean";
    case NoiseLevel::kDropout:
      return "dropout";
    case NoiseLevel::kCounts:
      return "counts";
  }
  return "unknown";
}

NoiseLevel parse_noise_level(const std::string& text) {
  if (text == "clean") return NoiseLevel::kClean;
  if (text == "dropout") return NoiseLevel::kDropout;
  if (text == "counts") return NoiseLevel::kCounts;
  DATAOPT_CHECK(false, "unknown noise level '", text,
                "' (expected clean, dropout or counts)");
  return NoiseLevel::kClean;
}

void SimulatorOptions::validate() const {
  const auto non_negative = [](int64_t v, const char* field) {
    DATAOPT_CHECK(v >= 0, "SimulatorOptions.", field, ": expected >= 0, got ", v);
  };
  const auto finite = [](double v, const char* field) {
    DATAOPT_CHECK(std::isfinite(v), "SimulatorOptions.", field,
                  ": expected a finite number, got ", v);
  };
  const auto at_least = [&](double v, double lo, const char* field) {
    finite(v, field);
    DATAOPT_CHECK(v >= lo, "SimulatorOptions.", field, ": expected >= ", lo, ", got ", v);
  };
  const auto positive = [&](double v, const char* field) {
    finite(v, field);
    DATAOPT_CHECK(v > 0.0, "SimulatorOptions.", field, ": expected > 0, got ", v);
  };
  const auto in_range = [&](double v, double lo, double hi, const char* field) {
    finite(v, field);
    DATAOPT_CHECK(v >= lo && v <= hi, "SimulatorOptions.", field, ": expected in [", lo,
                  ", ", hi, "], got ", v);
  };
  non_negative(n_observational, "n_observational");
  non_negative(cells_per_knockout, "cells_per_knockout");
  DATAOPT_CHECK(n_observational > 0 || cells_per_knockout > 0,
                "SimulatorOptions.n_observational, cells_per_knockout: expected at "
                "least one cell, got 0 and 0");
  DATAOPT_CHECK(n_cell_types >= 1, "SimulatorOptions.n_cell_types: expected >= 1, got ",
                n_cell_types);
  at_least(b_min, 0.0, "b_min");
  finite(b_max, "b_max");
  DATAOPT_CHECK(b_max >= b_min, "SimulatorOptions.b_max: expected >= b_min (", b_min,
                "), got ", b_max);
  at_least(k_min, 0.0, "k_min");
  finite(k_max, "k_max");
  DATAOPT_CHECK(k_max >= k_min, "SimulatorOptions.k_max: expected >= k_min (", k_min,
                "), got ", k_max);
  in_range(p_activation, 0.0, 1.0, "p_activation");
  positive(hill, "hill");
  positive(decay, "decay");
  at_least(noise, 0.0, "noise");
  DATAOPT_CHECK(level == NoiseLevel::kClean || level == NoiseLevel::kDropout ||
                    level == NoiseLevel::kCounts,
                "SimulatorOptions.level: expected clean, dropout or counts, got ",
                static_cast<int>(level));
  in_range(outlier_prob, 0.0, 1.0, "outlier_prob");
  finite(outlier_mean, "outlier_mean");
  at_least(outlier_scale, 0.0, "outlier_scale");
  finite(lib_size_mean, "lib_size_mean");
  at_least(lib_size_scale, 0.0, "lib_size_scale");
  finite(dropout_shape, "dropout_shape");
  in_range(dropout_percentile, 0.0, 100.0, "dropout_percentile");
}

SimulatedData simulate(const Graph& graph, const SimulatorOptions& options) {
  options.validate();
  const SimulatorOptions& o = options;
  const int64_t n = graph.n;
  DATAOPT_CHECK(n >= 1, "simulate: the graph must have at least one variable, got ", n);
  DATAOPT_CHECK(graph.adj.size() == static_cast<size_t>(n * n) &&
                    graph.sign.size() == static_cast<size_t>(n * n) &&
                    graph.names.size() == static_cast<size_t>(n),
                "simulate: inconsistent graph (n = ", n, ", ", graph.names.size(),
                " names, ", graph.adj.size(), " adj and ", graph.sign.size(),
                " sign entries)");
  DATAOPT_CHECK(is_acyclic(graph), "simulate: the graph (", n, " variables, ",
                graph.num_edges(),
                " edges) has a directed cycle or self-loop; the simulator needs a "
                "DAG (use make_acyclic first)");
  const std::vector<int64_t> order = topological_order(graph);
  const int64_t n_types = o.n_cell_types;
  const int64_t rows = o.cells_per_knockout * n + o.n_observational;
  DATAOPT_CHECK(rows > 0, "simulate: no cells to simulate (cells_per_knockout ",
                o.cells_per_knockout, " x ", n, " variables + n_observational ",
                o.n_observational, ")");

  std::mt19937_64 rng(o.seed);

  // 1. Parameters, in a fixed order: edges row-major, then master basal rates.
  std::vector<std::vector<Regulation>> regs(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      if (graph.adj[i * n + j] == 0) continue;
      const double strength = uniform(rng, o.k_min, o.k_max);
      const int8_t s = graph.sign[i * n + j];
      const bool activates = s != 0 ? s > 0 : uniform01(rng) < o.p_activation;
      regs[j].push_back({i, strength, activates});
    }
  }
  std::vector<double> basal(static_cast<size_t>(n * n_types), 0.0);  // [gene, type]
  for (int64_t g = 0; g < n; ++g) {
    if (!regs[g].empty()) continue;
    for (int64_t c = 0; c < n_types; ++c) {
      basal[g * n_types + c] = uniform(rng, o.b_min, o.b_max);
    }
  }

  // 2. Half responses from the noise-free wild-type means of each cell type.
  std::vector<double> half_pow(static_cast<size_t>(n), 0.0);  // h_i^hill
  {
    std::vector<double> mean(static_cast<size_t>(n * n_types), 0.0);  // [type, gene]
    for (int64_t g : order) {
      double total = 0.0;
      for (int64_t c = 0; c < n_types; ++c) {
        double m = 0.0;
        if (regs[g].empty()) {
          m = basal[g * n_types + c] / o.decay;
        } else {
          m = production(regs[g], mean.data() + c * n, half_pow, o.hill) / o.decay;
        }
        mean[c * n + g] = m;
        total += m;
      }
      const double half =
          std::max(total / static_cast<double>(n_types), kMinHalfResponse);
      half_pow[g] = std::pow(half, o.hill);
    }
  }

  // 3. Cells: every knockout block, then the wild-type cells.
  std::vector<double> x(static_cast<size_t>(rows * n), 0.0);
  std::vector<int64_t> knocked(static_cast<size_t>(rows), -1);
  std::vector<int64_t> types(static_cast<size_t>(rows), 0);
  std::normal_distribution<double> normal(0.0, 1.0);
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t k = r < o.cells_per_knockout * n ? r / o.cells_per_knockout : -1;
    const int64_t c = r % n_types;
    knocked[r] = k;
    types[r] = c;
    double* cell = x.data() + r * n;
    for (int64_t g : order) {
      const double z = normal(rng);
      if (g == k) {
        cell[g] = 0.0;
        continue;
      }
      const double m = regs[g].empty()
                           ? basal[g * n_types + c] / o.decay
                           : production(regs[g], cell, half_pow, o.hill) / o.decay;
      cell[g] = std::max(0.0, m + o.noise * std::sqrt(m) * z);
    }
  }

  // 4. Technical noise.
  if (o.level != NoiseLevel::kClean) add_technical_noise(x, rows, n, o, rng);

  SimulatedData out;
  out.expression = torch::empty({rows, n}, torch::kFloat);
  out.intervention = torch::zeros({rows, n}, torch::kBool);
  out.cell_type = torch::empty({rows}, torch::kLong);
  float* e = out.expression.data_ptr<float>();
  for (size_t i = 0; i < x.size(); ++i) e[i] = static_cast<float>(x[i]);
  bool* iv = out.intervention.data_ptr<bool>();
  int64_t* ct = out.cell_type.data_ptr<int64_t>();
  for (int64_t r = 0; r < rows; ++r) {
    if (knocked[r] >= 0) iv[r * n + knocked[r]] = true;
    ct[r] = types[r];
  }
  return out;
}

}  // namespace dataopt::causal
