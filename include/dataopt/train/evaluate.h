#pragma once
/// \file
/// Evaluation and extraction of what a trained model says about a data set.
///
///   auto r = train::evaluate(*model, test);          // accuracy, NLL, ECE
///   auto p = train::predict(*model, train, {.features = true});
///   p.features;  // [N, D] penultimate features
///   p.probs;     // [N, K] softmax probabilities

#include <cstdint>
#include <string>

#include "dataopt/core/tensor_fwd.h"
#include "dataopt/data/dataset.h"
#include "dataopt/nn/model.h"

namespace dataopt::train {

struct EvalResult {
  double accuracy = 0;
  double nll = 0;
  double ece = 0;
  int64_t n = 0;
};

struct PredictOptions {
  /// Batch size of the (no-grad, eval-mode) forward passes.
  int64_t batch_size = 512;
  /// Also return penultimate features.
  bool features = false;
  /// Show a progress bar.
  bool progress = false;
};

struct Predictions {
  /// [N, K] float32 logits, on the CPU.
  at::Tensor logits;
  /// [N, K] float32 softmax probabilities.
  at::Tensor probs;
  /// [N, D] float32 penultimate features (if requested).
  at::Tensor features;
};

/// Runs the model in eval mode without gradients (restores its mode after).
Predictions predict(nn::Model& model, const data::Dataset& data,
                    const PredictOptions& options = {});

/// Accuracy, NLL and 15-bin ECE of the model on `data`.
EvalResult evaluate(nn::Model& model, const data::Dataset& data,
                    int64_t batch_size = 512);

}  // namespace dataopt::train
