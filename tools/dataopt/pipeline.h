#pragma once
// `dataopt pipeline`: the stages and the report (private to tools/dataopt).
//
// Each stage k writes DIR/<k>_<name>/ and, last, stage.json holding the
// settings it ran with ("inputs") and its numbers ("result"). A rerun skips
// a stage whose stage.json has the same inputs; a stage that was cut off
// resumes its own checkpoints (trainer, IDC). Changing a setting reruns the
// stages that depend on it and nothing upstream.

#include <torch/torch.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "commands.h"
#include "dataopt/data/dataset.h"

namespace dataopt::cli::pipeline {

namespace fs = std::filesystem;

/// The data every stage sees: the training set with the (possibly noisy)
/// labels, the test set, and what is known about the noise.
struct Data {
  data::Dataset train;
  data::Dataset test;
  /// Labels before noise was injected, and the mask of flipped ones
  /// (undefined when no noise was injected).
  at::Tensor original_labels;
  at::Tensor is_noisy;
  /// The training set after stage 3 (remove / relabel); set by the clean stage.
  data::Dataset cleaned;
};

struct Context {
  const PipelineArgs& args;
  Data& data;
  /// The pipeline's output directory.
  fs::path out;
  int threads = 1;
};

/// Stage names in order: train, audit, clean, retrain, condense, mix.
const std::vector<std::string>& stage_names();
/// DIR/<k>_<name> for stage k in 1..6.
fs::path stage_dir(const fs::path& out, int k);

/// Stages 1 and 4: `seeds` models on `train`; per-seed and mean metrics.
nlohmann::json run_train_stage(const Context& c, const data::Dataset& train, const fs::path& dir);
/// Stage 2: relation-graph audit of the stage-1 model (seed 0) on the noisy set.
nlohmann::json run_audit_stage(const Context& c, const fs::path& dir);
/// Stage 3: remove or relabel the estimated number of top-scored examples;
/// sets c.data.cleaned. Needs stage 2's result.
nlohmann::json run_clean_stage(const Context& c, const nlohmann::json& audit, const fs::path& dir);
/// Rebuilds c.data.cleaned from stage 3's decisions.csv (a resumed run).
void load_cleaned(const Context& c, const fs::path& clean_dir);
/// Stage 5: IDC on the cleaned set, and a model trained on the condensed set only.
nlohmann::json run_condense_stage(const Context& c, const fs::path& dir);
/// Stage 6: training with saliency-guided mixing on the cleaned set.
nlohmann::json run_mix_stage(const Context& c, const fs::path& dir);

/// Writes DIR/report.json and DIR/report.html (self-contained: pictures as
/// data URIs) from the results of the stages run so far.
void write_report(const fs::path& out, const nlohmann::json& report);

}  // namespace dataopt::cli::pipeline
