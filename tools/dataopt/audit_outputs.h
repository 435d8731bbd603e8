#pragma once
// What `dataopt audit` computes and writes, shared by its three modes
// (injected label noise, the user's own files, held-out-class outliers).

#include <torch/torch.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "commands.h"
#include "dataopt/relgraph/audit.h"
#include "dataopt/relgraph/embedding.h"
#include "dataopt/train/evaluate.h"
#include "dataopt/train/trainer.h"

namespace dataopt::cli {

struct AuditRun {
  at::Tensor features, probs, logits, labels;  // in-sample
  at::Tensor original_labels;                  // before noise injection, if any
  at::Tensor is_noisy;                         // ground truth, if known
  at::Tensor images;                           // for suspects.png, if any
  std::vector<std::string> class_names;
  at::Tensor cross_fit_probs, cross_fit_features;  // with --folds
  nlohmann::json settings;
  double train_seconds = 0;
};

/// Fills `run` from a trained model's predictions on `d`: features, probs,
/// logits, labels, images, class names (noise, settings and times stay).
void fill_from_predictions(AuditRun& run, const train::Predictions& p, const data::Dataset& d);

/// What score_and_write writes besides the scores.
struct AuditOutputOptions {
  /// Suspects shown in suspects.png.
  int64_t top = 50;
  /// The 2D map written to embedding.npy.
  relgraph::EmbeddingOptions embedding;
  /// Write images.npy (uint8 thumbnails) when the run has images.
  bool images = true;
};

/// Scores with every method; writes scores.csv, summary.json, suspects.png,
/// probs.npy, labels.npy, and for `dataopt view` embedding.npy,
/// partners_{index,value}.npy and images.npy; prints a metrics table.
/// Returns the in-sample scores.
relgraph::AuditResult score_and_write(const AuditRun& run, const relgraph::AuditOptions& options,
                     const std::filesystem::path& out, const AuditOutputOptions& output);

/// --holdout-classes: train without those classes, score the test set.
int audit_outliers(const AuditArgs& args, const relgraph::AuditOptions& options,
                   const train::TrainOptions& train, const std::filesystem::path& out);

/// A numeric array from .npy or .csv (header auto-detected).
at::Tensor read_npy_or_csv(const std::string& path);

}  // namespace dataopt::cli
