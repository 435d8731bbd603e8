#pragma once
/// \file
/// Out-of-sample predictions by K-fold cross-fitting: the set is split into
/// K stratified folds; for each fold a fresh model is trained on the other
/// K-1 and predicts the held-out one. Confident learning recommends such
/// probabilities (cleanlab: "most accurate when out-of-sample").
///
///   auto p = train::cross_fit_predict(train_set, model_opts, train_opts, 5);
///   p.probs;   // [N, K], each row from a model that never saw the example

#include <cstdint>

#include "dataopt/data/dataset.h"
#include "dataopt/nn/model.h"
#include "dataopt/train/evaluate.h"
#include "dataopt/train/trainer.h"

namespace dataopt::train {

/// Fold of each example [N] int64 in [0, folds): within each class the
/// examples are shuffled (seeded) and dealt to the folds in turn.
at::Tensor stratified_folds(const at::Tensor& labels, int64_t folds, uint64_t seed);

/// Trains `folds` models (model.seed and train.seed offset per fold; no
/// checkpoints) and returns held-out logits, probabilities and features.
Predictions cross_fit_predict(const data::Dataset& data, const nn::ModelOptions& model,
                              const TrainOptions& train, int64_t folds);

}  // namespace dataopt::train
