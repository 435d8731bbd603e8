#pragma once
/// \file
/// Interventional data: an expression matrix, the variables knocked out in
/// each observation, and the regimes (groups of observations that share the
/// same knockouts). The knocked-out variables are part of the data, never
/// inferred from the row order.
///
/// On disk (what `dataopt cause simulate` writes and `infer`/`eval` read):
///   DIR/expression.npy  [n_obs, n_var] float32 (or float64, int) raw counts
///   DIR/genes.txt       one variable name per line (n_var lines)
///   DIR/cells.csv       header `cell,knockout,cell_type`, one row per
///                       observation in matrix order; `knockout` is a
///                       variable name, empty for an observational cell, or
///                       several names separated by `;`
///   DIR/graph.tsv, DIR/causes.npy   optional ground truth (see graph.h)
///
///   auto d = causal::load_interventional_data("runs/ecoli");
///   causal::Regimes r = causal::make_regimes(d.intervention);
///   r.knockout_rows[g];   // rows in which exactly variable g was knocked out

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "dataopt/core/tensor_fwd.h"

namespace dataopt::causal {

struct InterventionalData {
  /// [n_obs, n_var] float32, raw (non-negative) expression.
  at::Tensor expression;
  /// [n_obs, n_var] bool: true where that variable was knocked out.
  at::Tensor intervention;
  /// n_var variable names.
  std::vector<std::string> names;
  /// [n_obs] int64 cell types (all 0 when the file has none).
  at::Tensor cell_type;

  int64_t n_obs() const;
  int64_t n_var() const;
  /// Index of a variable by name; throws dataopt::Error naming it if unknown.
  int64_t index_of(const std::string& name) const;
  /// Checks shapes, dtypes, finiteness and non-negativity of `expression`
  /// (`what` names the source in messages, e.g. the directory).
  void validate(const std::string& what) const;
};

/// Observations grouped by what was knocked out, derived from the mask.
struct Regimes {
  /// Rows without any knockout.
  std::vector<int64_t> observational;
  /// knockout_rows[v]: rows in which exactly variable v (and nothing else)
  /// was knocked out; empty when v was never knocked out alone.
  std::vector<std::vector<int64_t>> knockout_rows;
  /// Rows with two or more knockouts (not used by the local inference).
  std::vector<int64_t> multiple;
};

/// intervention [n_obs, n_var] bool.
Regimes make_regimes(const at::Tensor& intervention);

/// Reads DIR as described above; throws dataopt::Error naming the file on a
/// missing file, wrong shape, a knockout of a variable not in genes.txt, a
/// cells.csv with the wrong number of rows, NaN or negative expression.
InterventionalData load_interventional_data(const std::filesystem::path& dir);

/// Writes expression.npy, genes.txt and cells.csv into DIR (each atomically).
void save_interventional_data(const std::filesystem::path& dir,
                              const InterventionalData& data);

}  // namespace dataopt::causal
