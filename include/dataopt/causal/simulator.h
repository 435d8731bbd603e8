#pragma once
/// \file
/// A single-cell expression simulator in the spirit of SERGIO (Dibaeinia &
/// Sinha 2020), the simulator the targeted-cause-discovery model was trained
/// on: Hill-kinetics regulation on a DAG, cell types, knockouts of every gene,
/// and 10x-Chromium-like technical noise (outlier genes, library size,
/// dropout, UMI counts). It samples the stationary distribution of each gene
/// given its regulators' sampled values, in topological order, instead of
/// integrating SERGIO's chemical Langevin equation (docs/methods/causal.md
/// says how the two differ).
///
///   causal::SimulatorOptions o{.n_observational = 2000, .cells_per_knockout = 10};
///   causal::SimulatedData d = causal::simulate(graph, o);
///   // d.expression [n_obs, n_var] float32, d.intervention [n_obs, n_var] bool

#include <cstdint>
#include <string>

#include "dataopt/causal/graph.h"
#include "dataopt/core/tensor_fwd.h"

namespace dataopt::causal {

/// What the simulated measurements look like.
enum class NoiseLevel {
  /// Biological expression only (no technical noise), continuous.
  kClean,
  /// Outlier genes, library size and dropout, still continuous (the
  /// "dropout" data level of the official code).
  kDropout,
  /// kDropout followed by UMI counts, Poisson(x) (the "data" level).
  kCounts,
};
std::string to_string(NoiseLevel level);
/// "clean", "dropout", "counts".
NoiseLevel parse_noise_level(const std::string& text);

struct SimulatorOptions {
  /// Cells without intervention (wild type), spread over the cell types.
  int64_t n_observational = 2000;
  /// Cells per single-gene knockout; every gene is knocked out once.
  int64_t cells_per_knockout = 10;
  /// Cell types: each has its own basal production rates of the master
  /// regulators (variables without regulators).
  int64_t n_cell_types = 10;
  /// Basal production rate of a master regulator ~ U(b_min, b_max).
  double b_min = 1.0;
  double b_max = 3.0;
  /// Interaction strength |K_ij| ~ U(k_min, k_max).
  double k_min = 1.0;
  double k_max = 5.0;
  /// Probability that an edge of unknown sign activates (else represses).
  double p_activation = 0.5;
  /// Hill coefficient of every interaction.
  double hill = 2.0;
  /// Decay rate (the same for every gene).
  double decay = 0.8;
  /// Intrinsic noise: a gene's value given its regulators is
  /// max(0, m + noise * sqrt(m) * z), z ~ N(0, 1), m = production / decay.
  double noise = 1.0;
  /// Technical noise (10x Chromium values of SERGIO's noise config).
  NoiseLevel level = NoiseLevel::kCounts;
  /// Probability that a gene is an outlier, and its lognormal multiplier.
  double outlier_prob = 0.01;
  double outlier_mean = 3.0;
  double outlier_scale = 1.0;
  /// Library size of a cell ~ lognormal(lib_size_mean, lib_size_scale); each
  /// cell's expression is rescaled to sum to it.
  double lib_size_mean = 6.0;
  double lib_size_scale = 0.3;
  /// Dropout: a value x is kept with probability
  /// sigmoid(dropout_shape * (log(x + 1) - q)), q = the dropout_percentile-th
  /// percentile of log(x + 1) over the whole matrix.
  double dropout_shape = 8.0;
  double dropout_percentile = 74.0;
  uint64_t seed = 0;

  void validate() const;
};

/// The simulated data set. Rows: first every knockout block (gene 0's
/// cells_per_knockout cells, then gene 1's, ...), then the observational
/// cells. The knocked-out gene of each row is explicit in `intervention`
/// (never assumed from the row order).
struct SimulatedData {
  /// [n_obs, n_var] float32 (non-negative; integer-valued for kCounts).
  at::Tensor expression;
  /// [n_obs, n_var] bool: true where that variable was knocked out.
  at::Tensor intervention;
  /// [n_obs] int64: the cell type of each row.
  at::Tensor cell_type;
};

/// Simulates on a DAG (throws dataopt::Error naming the graph if it has a
/// cycle; use make_acyclic first). Deterministic for a given seed.
SimulatedData simulate(const Graph& graph, const SimulatorOptions& options);

}  // namespace dataopt::causal
