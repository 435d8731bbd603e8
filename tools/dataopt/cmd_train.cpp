// dataopt train: train a classifier on a named data set and write the model,
// its test metrics and (optionally) its features and probabilities.

#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "dataopt/condense/synthetic_set.h"
#include "dataopt/core/check.h"
#include "dataopt/core/json_io.h"
#include "dataopt/core/log.h"
#include "dataopt/core/npy.h"
#include "dataopt/core/rng.h"
#include "dataopt/data/label_decisions.h"
#include "dataopt/data/normalize.h"
#include "dataopt/data/pad.h"
#include "dataopt/mixup/mix_training.h"
#include "dataopt/train/robustness.h"
#include "dataopt/data/registry.h"
#include "dataopt/nn/model.h"
#include "dataopt/train/trainer.h"

namespace dataopt::cli {
namespace fs = std::filesystem;

void add_train_command(CLI::App& app, TrainArgs& a) {
  auto* cmd = app.add_subcommand(
      "train",
      "Train a classifier and write DIR/model.safetensors and DIR/metrics.json.\n"
      "Example: dataopt train --data fashion-mnist --model convnet --epochs 10 "
      "--out runs/convnet");
  add_common_flags(*cmd, a.common);
  cmd->add_option("--data", a.data, "data set name (see 'dataopt info')")
      ->capture_default_str();
  cmd->add_option("--data-dir", a.data_dir,
                  "directory with the data set's IDX files");
  cmd->add_option("--data-file", a.data_file,
                  "train on a synthetic set written by 'dataopt condense' "
                  "(DIR/synthetic.safetensors); --data gives the test set");
  cmd->add_option("--train-size", a.train_size,
                  "use the first N training examples (0 = all)")
      ;
  cmd->add_option("--test-size", a.test_size,
                  "use the first N test examples (0 = all)")
      ;
  cmd->add_option("--model", a.model, "convnet, resnet18, resnet-small or mlp")
      ->capture_default_str();
  cmd->add_option("--width", a.width, "model width (0 = default)")
      ;
  cmd->add_option("--depth", a.depth, "model depth (0 = default)")
      ;
  add_training_flags(*cmd, a.opts, /*resume_flag=*/true);
  cmd->add_option("--out", a.out, "output directory")->required();
  cmd->add_flag("--save-features", a.save_features,
                "also write features.npy, probs.npy, labels.npy of the training set");
  cmd->add_option("--labels-override", a.labels_override,
                  "CSV index,label,action (keep, remove, relabel) from 'dataopt view': "
                  "applied to the training set (after --train-size)");
  add_mix_flags(*cmd, a.mix);
  cmd->add_option("--fgsm-eps", a.fgsm_eps,
                  "also measure test accuracy under FGSM at eps/255 (e.g. 8; < 0 = off)")
      ->capture_default_str();
}

int run_train(const TrainArgs& a) {
  const int threads = apply_common(a.common);
  DATAOPT_CHECK(!a.out.empty(), "--out: an output directory is required");
  const fs::path out(a.out);
  train::TrainOptions topts = a.opts;
  topts.checkpoint_dir = out;
  topts.progress = !a.common.quiet;
  topts.run_tag = a.mix.tag();  // a checkpoint of other mixing is not resumed
  topts.validate();
  const mixup::MixOptions mix = a.mix.resolved();

  data::Dataset train_set;
  if (a.data_file.empty()) {
    train_set = data::load_dataset(a.data, data::Split::kTrain, a.data_dir);
  } else {
    const condense::SyntheticSet synthetic = condense::load_synthetic(a.data_file);
    train_set = synthetic.decode();
    train_set.name = a.data_file;
    log::info("synthetic set ", a.data_file, ": ", synthetic.ipc, " stored images per class, factor ",
              synthetic.factor, " -> ", train_set.size(), " training images");
  }
  data::Dataset test_set = data::load_dataset(a.data, data::Split::kTest, a.data_dir);
  DATAOPT_CHECK(train_set.channels() == test_set.channels() &&
                    train_set.height() == test_set.height() &&
                    train_set.num_classes() == test_set.num_classes(),
                "--data-file ", a.data_file, ": its images/classes do not match the test set of ",
                a.data);
  if (a.train_size > 0) train_set = train_set.head(a.train_size);
  if (a.test_size > 0) test_set = test_set.head(a.test_size);
  if (!a.labels_override.empty()) {
    const auto decisions = data::read_label_decisions(a.labels_override, train_set.size(),
                                                      train_set.num_classes());
    int64_t relabelled = 0;
    for (const auto& d : decisions) relabelled += d.action == data::LabelAction::kRelabel;
    const int64_t before = train_set.size();
    train_set = data::apply_label_decisions(train_set, decisions);
    log::info("labels override ", a.labels_override, ": ", relabelled, " relabelled, ",
              before - train_set.size(), " removed");
  }
  if (a.mix.pad_to > 0) {
    train_set = data::pad_to(train_set, a.mix.pad_to);
    test_set = data::pad_to(test_set, a.mix.pad_to);
  }
  log::info("data ", a.data, ": ", train_set.size(), " train / ", test_set.size(),
            " test, ", train_set.num_classes(), " classes; ", threads, " threads");

  const auto stats = data::channel_stats(train_set.images);
  auto model = nn::make_model({.name = a.model,
                               .in_channels = train_set.channels(),
                               .image_size = train_set.height(),
                               .num_classes = train_set.num_classes(),
                               .width = a.width,
                               .depth = a.depth,
                               .mean = stats.mean,
                               .std = stats.std,
                               .seed = a.opts.seed});
  log::info("model ", a.model, ": ", model->parameter_count(), " parameters");
  train::Trainer trainer(model, topts);
  if (mix.kind != mixup::MixKind::kNone) {
    log::info("mixing: ", a.mix.kind, " ", a.mix.tag());
    mixup::attach_mixing(trainer, mix, train_set.num_classes(), a.opts.seed);
  }
  const train::TrainResult r = trainer.fit(train_set, &test_set);

  nn::save_model(out / "model.safetensors", *model,
                 {{"data", a.data}, {"epochs", std::to_string(a.opts.epochs)}});
  nlohmann::json history = nlohmann::json::array();
  for (const auto& e : r.history) {
    history.push_back({{"epoch", e.epoch},
                       {"train_loss", e.train_loss},
                       {"train_accuracy", e.train_accuracy},
                       {"lr", e.lr},
                       {"seconds", e.seconds},
                       {"test_accuracy", e.test.accuracy}});
  }
  nlohmann::json metrics = {
      {"test_accuracy", r.test.accuracy}, {"test_nll", r.test.nll},
      {"test_ece", r.test.ece},           {"epochs", r.epochs},
      {"train_seconds", r.train_seconds}, {"resumed_from_epoch", r.resumed_from},
      {"data", a.data},                   {"model", a.model},
      {"train_size", train_set.size()},   {"test_size", test_set.size()},
      {"threads", threads},               {"seed", a.opts.seed},
      {"labels_override", a.labels_override},
      {"data_file", a.data_file},
      {"mix", a.mix.kind},                {"mix_options", a.mix.tag()},
      {"pad_to", a.mix.pad_to},
      {"seconds_per_epoch", r.epochs > 0 ? r.train_seconds / static_cast<double>(r.epochs) : 0.0},
      {"history", history}};
  if (a.fgsm_eps >= 0) {
    const double acc = train::fgsm_accuracy(*model, test_set, a.fgsm_eps);
    metrics["fgsm_eps"] = a.fgsm_eps;
    metrics["fgsm_accuracy"] = acc;
    std::printf("FGSM accuracy (eps %g/255): %.4f\n", a.fgsm_eps, acc);
  }
  if (a.save_features) {
    const auto p = train::predict(*model, train_set,
                                  {.features = true, .progress = !a.common.quiet});
    write_npy(out / "features.npy", p.features);
    write_npy(out / "probs.npy", p.probs);
    write_npy(out / "labels.npy", train_set.labels);
  }
  write_json(out / "metrics.json", metrics);
  std::printf("test accuracy: %.4f  (nll %.4f, ece %.4f, %lld epochs, %.0f s)\n",
              r.test.accuracy, r.test.nll, r.test.ece,
              static_cast<long long>(r.epochs), r.train_seconds);
  std::printf("wrote %s\n", (out / "metrics.json").c_str());
  return 0;
}

}  // namespace dataopt::cli
