// dataopt audit: score every training example for being mislabelled (or
// every test example for being an outlier) with the relation graph and the
// baselines, and write scores.csv, summary.json and suspects.png.

#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "audit_outputs.h"
#include "commands.h"
#include "dataopt/core/check.h"
#include "dataopt/core/json_io.h"
#include "dataopt/core/log.h"
#include "dataopt/core/npy.h"
#include "dataopt/core/tensor_check.h"
#include "dataopt/data/label_noise.h"
#include "dataopt/data/normalize.h"
#include "dataopt/data/registry.h"
#include "dataopt/data/tabular.h"
#include "dataopt/nn/model.h"
#include "dataopt/relgraph/audit.h"
#include "dataopt/relgraph/baselines.h"
#include "dataopt/train/cross_fit.h"
#include "dataopt/train/metrics.h"
#include "dataopt/train/trainer.h"

namespace dataopt::cli {
namespace fs = std::filesystem;

void add_audit_command(CLI::App& app, AuditArgs& a) {
  auto* cmd = app.add_subcommand(
      "audit",
      "Find label errors (and outliers) with the neural relation graph and its "
      "baselines.\n"
      "Examples:\n"
      "  dataopt audit --data fashion-mnist --noise-rate 0.1 --epochs 3 --out runs/audit\n"
      "  dataopt audit --features F.npy --probs P.npy --labels L.npy --out runs/mine\n"
      "  dataopt audit --data fashion-mnist --holdout-classes 7,9 --out runs/ood");
  add_common_flags(*cmd, a.common);
  cmd->add_option("--data", a.train.data, "data set name")->capture_default_str();
  cmd->add_option("--data-dir", a.train.data_dir, "directory with the IDX files");
  cmd->add_option("--train-size", a.train.train_size, "use the first N training examples");
  cmd->add_option("--test-size", a.train.test_size, "use the first N test examples");
  cmd->add_option("--noise-rate", a.noise_rate, "fraction of training labels to flip")
      ->capture_default_str();
  cmd->add_option("--noise-kind", a.noise_kind, "symmetric or pair")
      ->capture_default_str()->check(CLI::IsMember({"symmetric", "pair", "asymmetric"}));
  cmd->add_option("--noise-seed", a.noise_seed, "seed of the injected noise")
      ->capture_default_str();
  cmd->add_option("--model", a.train.model, "model to train")->capture_default_str();
  add_training_flags(*cmd, a.train.opts, /*resume_flag=*/false);
  cmd->add_option("--folds", a.folds,
                  "also score with K-fold cross-fitted probabilities (0 = in-sample only)")
      ->capture_default_str();
  cmd->add_option("--holdout-classes", a.holdout_classes,
                  "outlier mode: train without these classes (e.g. 7,9) and score the "
                  "test set")->delimiter(',');
  cmd->add_option("--features", a.features, "user data: features [N, D] (.npy or .csv)");
  cmd->add_option("--probs", a.probs, "user data: probabilities [N, C] (.npy or .csv)");
  cmd->add_option("--labels", a.labels, "user data: given labels [N] (.npy or .csv)");
  cmd->add_option("--truth", a.truth,
                  "user data: true noise mask [N] (1 = mislabelled) for the metrics");
  cmd->add_option("--pow", a.graph.pow, "kernel power t (label noise)")->capture_default_str();
  cmd->add_option("--ood-pow", a.graph.ood_pow, "kernel power t (outliers)")->capture_default_str();
  cmd->add_option("--threshold", a.graph.threshold, "edge threshold")->capture_default_str();
  cmd->add_option("--reg", a.graph.reg, "refinement threshold lambda")->capture_default_str();
  cmd->add_option("--chunk", a.graph.chunk, "rows per block of the graph")->capture_default_str();
  cmd->add_option("--top-k", a.graph.top_k,
                  "complementary and conflicting partners kept per example (for 'dataopt view')")
      ->capture_default_str();
  cmd->add_option("--tile", a.graph.tile, "target columns per tile within a block")
      ->capture_default_str();
  const std::map<std::string, relgraph::RelationKernel> kernels{
      {"cos_p", relgraph::RelationKernel::kCosP}, {"cos", relgraph::RelationKernel::kCos}};
  cmd->add_option("--kernel", a.graph.kernel,
                  "relation kernel: cos_p (cosine times probability agreement) or cos")
      ->transform(CLI::CheckedTransformer(kernels))
      ->default_str("cos_p");
  cmd->add_flag("--half", a.graph.half, "store features as float16");
  cmd->add_option("--embedding", a.embedding,
                  "2D map written to embedding.npy for 'dataopt view': pca (fast) or tsne "
                  "(Barnes-Hut, minutes for 60k)")
      ->capture_default_str()->check(CLI::IsMember({"pca", "tsne"}));
  cmd->add_flag("!--no-images", a.save_images, "do not write images.npy");
  cmd->add_option("--filter-by", a.filter_by, "confident learning's filter_by")
      ->capture_default_str();
  cmd->add_option("--top", a.top, "suspects in suspects.png")->capture_default_str();
  cmd->add_option("--out", a.train.out, "output directory")->required();
}

namespace {

relgraph::AuditOptions audit_options(const AuditArgs& a) {
  relgraph::AuditOptions o;
  o.graph = a.graph;
  o.graph.device = a.train.opts.device;
  o.graph.progress = !a.common.quiet;
  o.confident_learning.filter_by = relgraph::parse_filter_by(a.filter_by);
  o.validate();
  return o;
}

AuditOutputOptions output_options(const AuditArgs& a) {
  AuditOutputOptions o;
  o.top = a.top;
  o.embedding.method = relgraph::parse_embedding_method(a.embedding);
  o.embedding.seed = a.train.opts.seed;
  o.embedding.progress = !a.common.quiet;
  o.embedding.validate();
  o.images = a.save_images;
  return o;
}

train::TrainOptions train_options(const AuditArgs& a) {
  train::TrainOptions t = a.train.opts;
  t.progress = !a.common.quiet;
  t.validate();
  return t;
}

nn::ModelOptions model_options(const AuditArgs& a, const data::Dataset& d) {
  const auto stats = data::channel_stats(d.images);
  return {.name = a.train.model, .in_channels = d.channels(), .image_size = d.height(),
          .num_classes = d.num_classes(), .mean = stats.mean, .std = stats.std,
          .seed = a.train.opts.seed};
}

// Label noise on the user's own features/probs/labels: no training.
int audit_files(const AuditArgs& a, const fs::path& out) {
  DATAOPT_CHECK(!a.probs.empty() && !a.labels.empty(),
                "--features needs --probs and --labels as well");
  const data::FeatureTable ft = data::load_feature_file(a.features, a.labels);
  at::Tensor probs = read_npy_or_csv(a.probs);
  DATAOPT_CHECK(probs.dim() == 2 && probs.size(0) == ft.features.size(0), a.probs,
                ": probabilities must be [", ft.features.size(0), ", C], got ",
                shape_str(probs));
  AuditRun run;
  run.features = ft.features;
  run.probs = probs.to(torch::kFloat);
  run.labels = ft.labels;
  if (!a.truth.empty()) {
    at::Tensor t = read_npy_or_csv(a.truth).flatten();
    DATAOPT_CHECK(t.numel() == ft.labels.numel(), a.truth, ": ", t.numel(),
                  " entries, expected ", ft.labels.numel());
    run.is_noisy = t.ne(0);
  }
  const auto aopts = audit_options(a);
  const auto oopts = output_options(a);
  run.settings = {{"mode", "files"}, {"features", a.features}, {"probs", a.probs},
                  {"labels", a.labels}, {"truth", a.truth}};
  score_and_write(run, aopts, out, oopts);
  return 0;
}

}  // namespace

int run_audit(const AuditArgs& a) {
  const int threads = apply_common(a.common);
  DATAOPT_CHECK(!a.train.out.empty(), "--out: an output directory is required");
  const fs::path out(a.train.out);
  if (!a.features.empty()) return audit_files(a, out);
  const auto aopts = audit_options(a);
  const auto oopts = output_options(a);
  const auto topts = train_options(a);
  if (!a.holdout_classes.empty()) return audit_outliers(a, aopts, topts, out);

  data::Dataset train_set =
      data::load_dataset(a.train.data, data::Split::kTrain, a.train.data_dir);
  data::Dataset test_set =
      data::load_dataset(a.train.data, data::Split::kTest, a.train.data_dir);
  if (a.train.train_size > 0) train_set = train_set.head(a.train.train_size);
  if (a.train.test_size > 0) test_set = test_set.head(a.train.test_size);

  AuditRun run;
  run.original_labels = train_set.labels;
  data::LabelNoiseOptions nopts{.rate = a.noise_rate,
                                .kind = data::parse_noise_kind(a.noise_kind),
                                .seed = a.noise_seed};
  const auto noisy = data::inject_label_noise(train_set.labels, train_set.num_classes(), nopts);
  train_set.labels = noisy.labels;
  run.is_noisy = noisy.is_noisy;
  log::info("audit: ", noisy.flipped.numel(), " of ", train_set.size(), " labels flipped (",
            data::to_string(nopts.kind), ", seed ", a.noise_seed, "); ", threads, " threads");

  const auto mopts = model_options(a, train_set);
  auto model = nn::make_model(mopts);
  const auto t0 = std::chrono::steady_clock::now();
  train::TrainOptions to = topts;
  to.checkpoint_dir = out / "checkpoint";
  const auto result = train::Trainer(model, to).fit(train_set, &test_set);
  run.train_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  nn::save_model(out / "model.safetensors", *model);
  const auto p = train::predict(*model, train_set, {.features = true, .progress = !a.common.quiet});
  fill_from_predictions(run, p, train_set);
  const double fit = train::accuracy(p.probs, train_set.labels);
  run.settings = {{"mode", "noise"}, {"data", a.train.data}, {"train_size", train_set.size()},
                  {"noise_rate", a.noise_rate}, {"noise_kind", data::to_string(nopts.kind)},
                  {"noise_seed", a.noise_seed}, {"n_flipped", noisy.flipped.numel()},
                  {"model", a.train.model}, {"epochs", a.train.opts.epochs},
                  {"batch_size", a.train.opts.batch_size}, {"lr", a.train.opts.lr},
                  {"weight_decay", a.train.opts.weight_decay},
                  {"schedule", train::to_string(a.train.opts.schedule)},
                  {"seed", a.train.opts.seed}, {"threads", threads},
                  {"test_accuracy", result.test.accuracy},
                  {"train_accuracy_on_given_labels", fit},
                  {"flipped_fitted", p.probs.argmax(1).eq(train_set.labels)
                                          .logical_and(noisy.is_noisy).sum().item<int64_t>()}};
  if (a.folds > 0) {
    const auto cf = train::cross_fit_predict(train_set, mopts, topts, a.folds);
    run.cross_fit_probs = cf.probs;
    run.cross_fit_features = cf.features;
    run.settings["folds"] = a.folds;
  }
  score_and_write(run, aopts, out, oopts);
  return 0;
}

}  // namespace dataopt::cli
