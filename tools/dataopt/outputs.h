#pragma once
// Records and pictures that more than one subcommand writes (`dataopt
// pipeline` reuses those of condense and mix).

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "dataopt/condense/evaluate.h"
#include "dataopt/condense/synthetic_set.h"
#include "dataopt/core/tensor_fwd.h"
#include "dataopt/data/dataset.h"
#include "dataopt/mixup/mixer.h"

namespace dataopt::nn {
class Model;
}

namespace dataopt::cli {

/// The "evaluation" record of summary.json (accuracy_mean, accuracy_std,
/// accuracies, repeats, epochs, protocol, nll_mean, ece_mean, ...).
nlohmann::json synthetic_eval_json(const condense::SyntheticEval& r);

/// DIR/synthetic.safetensors and DIR/synthetic.png (one row per class).
void write_synthetic_outputs(const std::filesystem::path& out, const condense::SyntheticSet& set);

/// A picture of one mixed batch of `batch` images drawn from `set` with
/// `seed`: rows input (caption: label), saliency (when the mixer uses it;
/// from `model`, or an untrained ConvNet when null), partner (its label),
/// mask (caption: % of the own image), output. RGB uint8 [H, W, 3].
/// `own_share` (optional) receives the batch's mean share of own pixels.
at::Tensor mixed_examples_grid(const data::Dataset& set, const mixup::MixOptions& options,
                               std::shared_ptr<nn::Model> model, int64_t batch, uint64_t seed,
                               double* own_share = nullptr);

}  // namespace dataopt::cli
