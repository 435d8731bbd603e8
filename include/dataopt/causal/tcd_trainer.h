#pragma once
/// \file
/// Training the cause-discovery network from scratch on simulated data (the
/// official train/ recipe, scaled by its options): environments are random
/// graphs with simulated knockout data; each sample takes `num_vars`
/// knocked-out variables of one environment and `obs_size` cells drawn from
/// the observational cells and those variables' knockout cells, and the label
/// is the cause matrix of those variables. AdamW (weight decay on matrices
/// only), cosine learning rate, gradient clipping, binary cross-entropy over
/// the off-diagonal entries, best model on held-out environments.
///
///   causal::TcdTrainOptions o;            // small: runs on a laptop CPU
///   causal::TcdTrainResult r = causal::train_tcd(o);
///   r.model.save("model.safetensors");

#include <cstdint>
#include <string>
#include <vector>

#include "dataopt/causal/preprocess.h"
#include "dataopt/causal/simulator.h"
#include "dataopt/causal/tcd_model.h"

namespace dataopt::causal {

struct TcdTrainOptions {
  /// Random graph family of the environments: "er", "sf", "sf-in" or "sbm".
  std::string graph = "sf";
  /// Variables per environment (the paper: 1000).
  int64_t n_vars = 100;
  /// Expected edges per variable (the paper mixes 2, 4 and 6).
  double edges_per_var = 2;
  /// Simulated environments; every tenth (index % 10 == 8) is held out for
  /// validation, so at least 2 are needed.
  int64_t n_envs = 12;
  /// Variables and observations per training sample (the paper: 200 x 200).
  int64_t num_vars = 50;
  int64_t obs_size = 50;
  /// Optimisation: steps of `batch_size` samples, AdamW.
  int64_t steps = 300;
  int64_t batch_size = 8;
  double lr = 8e-4;
  double weight_decay = 1e-5;
  double grad_clip = 1.0;
  /// Validation samples drawn once from the held-out environments.
  int64_t val_samples = 16;
  /// Validate (and keep the best model) every this many steps.
  int64_t val_every = 50;
  /// The network (a smaller one than the released 10-layer model by default).
  TcdModelOptions model{.embed_dim = 16, .n_heads = 16, .ffn_embed_dim = 96, .n_layers = 4};
  /// Simulation of each environment (knockout cells per gene, noise level...).
  SimulatorOptions simulator{.n_observational = 500, .cells_per_knockout = 10};
  PreprocessOptions preprocess{};
  std::string device = "cpu";
  uint64_t seed = 0;
  bool progress = true;

  void validate() const;
};

struct TcdTrainResult {
  TcdModel model;
  /// Mean training loss of each validation interval and the validation loss.
  std::vector<double> train_loss;
  std::vector<double> val_loss;
  double best_val_loss = 0;
  int64_t best_step = 0;
  double seconds = 0;
};

TcdTrainResult train_tcd(const TcdTrainOptions& options);

}  // namespace dataopt::causal
