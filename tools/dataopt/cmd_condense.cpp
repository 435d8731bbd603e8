// dataopt condense: condense a training set with IDC (or build a baseline
// set: random, first-k, herding, k-center, mf-init), writing
// DIR/synthetic.safetensors, DIR/synthetic.png and DIR/summary.json.
// dataopt evaluate-synthetic DIR: the evaluation protocol on that set, added
// to DIR/summary.json.

#include <torch/torch.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "outputs.h"
#include "dataopt/condense/coreset.h"
#include "dataopt/condense/synthetic_set.h"
#include "dataopt/core/check.h"
#include "dataopt/core/json_io.h"
#include "dataopt/core/log.h"
#include "dataopt/core/png.h"
#include "dataopt/data/image_grid.h"
#include "dataopt/data/normalize.h"
#include "dataopt/data/registry.h"
#include "dataopt/nn/model.h"
#include "dataopt/train/evaluate.h"
#include "dataopt/train/trainer.h"

namespace dataopt::cli {
namespace fs = std::filesystem;

namespace {

const char* kCheckpointDir = "checkpoint";

void add_eval_flags(CLI::App& cmd, condense::EvalOptions& e) {
  cmd.add_option("--repeats", e.repeats, "models trained from scratch on the set")
      ->capture_default_str();
  cmd.add_option("--eval-epochs", e.epochs,
                 "training epochs (the protocol: 1000; fewer = a shortened check, labelled so)")
      ->capture_default_str();
  cmd.add_option("--eval-batch", e.batch_size, "evaluation batch size")->capture_default_str();
  cmd.add_option("--eval-lr", e.lr, "evaluation SGD learning rate")->capture_default_str();
  cmd.add_option("--eval-momentum", e.momentum, "evaluation SGD momentum")->capture_default_str();
  cmd.add_option("--eval-weight-decay", e.weight_decay, "evaluation weight decay")
      ->capture_default_str();
  cmd.add_option("--eval-gamma", e.gamma, "lr factor at 2/3 and 5/6 of the epochs")
      ->capture_default_str();
  cmd.add_option("--eval-dsa", e.dsa, "per-sample augmentation strategy, or none")
      ->capture_default_str();
  cmd.add_option("--eval-cutmix-beta", e.cutmix_beta, "CutMix Beta(beta, beta)")
      ->capture_default_str();
  cmd.add_option("--eval-cutmix-p", e.cutmix_p, "CutMix probability per batch (0 = off)")
      ->capture_default_str();
  cmd.add_option("--eval-model", e.model, "evaluation model")->capture_default_str();
  cmd.add_option("--eval-width", e.width, "evaluation model width")->capture_default_str();
  cmd.add_option("--eval-depth", e.depth, "evaluation model depth")->capture_default_str();
  cmd.add_option("--eval-seed", e.seed, "seed of the evaluation models")->capture_default_str();
}

// Runs the protocol and records it in `summary` ("evaluation" = the latest,
// "evaluations" = all, so a shortened check never hides a full one).
void evaluate_into(nlohmann::json& summary, const condense::SyntheticSet& set,
                   const data::Dataset& test, condense::EvalOptions e,
                   const std::vector<double>& mean, const std::vector<double>& sd, bool quiet) {
  e.mean = mean;
  e.std = sd;
  e.progress = !quiet;
  const condense::SyntheticEval r = condense::evaluate_synthetic(set.decode(), test, e);
  const nlohmann::json j = synthetic_eval_json(r);
  summary["evaluation"] = j;
  if (!summary.contains("evaluations")) summary["evaluations"] = nlohmann::json::array();
  summary["evaluations"].push_back(j);
  std::printf("test accuracy %.2f +- %.2f %% (%lld repeats, %lld epochs%s)\n",
              100 * r.accuracy_mean, 100 * r.accuracy_std, static_cast<long long>(r.repeats),
              static_cast<long long>(r.epochs), r.epochs == 1000 ? "" : ", shortened protocol");
}

// Features for herding / k-center: a given model, or a ConvNet-3 trained for
// `epochs` on the training set (spec: block-3 features after one epoch).
at::Tensor coreset_features(const CondenseArgs& a, const data::Dataset& train,
                            const data::Dataset& test, const fs::path& out) {
  std::shared_ptr<nn::Model> model;
  if (!a.feature_model.empty()) {
    model = nn::load_model(a.feature_model);
  } else {
    const auto stats = data::channel_stats(train.images);
    model = nn::make_model({.name = "convnet", .in_channels = train.channels(),
                            .image_size = train.height(), .num_classes = train.num_classes(),
                            .mean = stats.mean, .std = stats.std, .seed = a.options.seed});
    train::TrainOptions t;
    t.epochs = a.feature_epochs;
    t.batch_size = 64;
    t.lr = 0.01;
    t.schedule = train::ScheduleKind::kConstant;
    t.seed = a.options.seed;
    t.device = a.options.device;
    t.eval_every_epoch = false;
    t.progress = !a.common.quiet;
    train::Trainer trainer(model, t);
    const auto r = trainer.fit(train, &test);
    log::info("feature model: ", a.feature_epochs, " epoch(s), test accuracy ", r.test.accuracy);
    nn::save_model(out / "feature_model.safetensors", *model);
  }
  return train::predict(*model, train, {.features = true, .progress = !a.common.quiet}).features;
}

}  // namespace

void add_condense_command(CLI::App& app, CondenseArgs& a) {
  auto* cmd = app.add_subcommand(
      "condense",
      "Condense a training set into a few stored images per class (IDC), or build a\n"
      "baseline set, writing DIR/synthetic.safetensors, DIR/synthetic.png, DIR/summary.json.\n"
      "Example: dataopt condense --data fashion-mnist --ipc 10 --factor 2 "
      "--budget-minutes 15 --out runs/idc10");
  add_common_flags(*cmd, a.common);
  auto& o = a.options;
  cmd->add_option("--data", a.data, "data set name")->capture_default_str();
  cmd->add_option("--data-dir", a.data_dir, "directory with the data set's IDX files");
  cmd->add_option("--train-size", a.train_size, "use the first N training examples (0 = all)");
  cmd->add_option("--test-size", a.test_size, "use the first N test examples (0 = all)");
  cmd->add_option("--method", a.method,
                  "idc (IDC; --factor 1 = IDC-I), random, first-k, herding, kcenter, mf-init")
      ->capture_default_str();
  cmd->add_option("--ipc", o.ipc, "stored images per class")->capture_default_str();
  cmd->add_option("--factor", o.factor, "multi-formation factor (1 = IDC-I)")
      ->capture_default_str();
  cmd->add_option("--init", a.init, "auto, real, mix or noise")->capture_default_str();
  cmd->add_option("--metric", a.metric, "gradient distance: l1, mse, l1_mean, cos")
      ->capture_default_str();
  cmd->add_flag("--bias", o.bias, "also match biases and norm parameters");
  cmd->add_flag("--fc", o.fc, "also match the classifier weights");
  cmd->add_option("--niter", o.niter, "schedule: niter * 100 inner iterations")
      ->capture_default_str();
  cmd->add_option("--inner-loop", o.inner_loop, "inner iterations per fresh network")
      ->capture_default_str();
  cmd->add_option("--n-data", o.n_data, "real examples the network trains on per inner iteration")
      ->capture_default_str();
  cmd->add_option("--batch-real", o.batch_real, "real batch (per class for matching)")
      ->capture_default_str();
  cmd->add_option("--batch-syn-max", o.batch_syn_max, "decoded synthetic images per matching step")
      ->capture_default_str();
  cmd->add_option("--lr-img", o.lr_img, "image learning rate (before --no-tune-lr-img scaling)")
      ->capture_default_str();
  cmd->add_flag("!--no-tune-lr-img", o.tune_lr_img,
                "do not scale --lr-img by (ipc / 10) * (H / --lr-img-size-base)^2");
  cmd->add_option("--lr-img-size-base", o.lr_img_size_base,
                  "image size of the lr scaling (32; MNIST: 28)")
      ->capture_default_str();
  cmd->add_option("--mom-img", o.mom_img, "image SGD momentum")->capture_default_str();
  cmd->add_option("--net-width", o.net_width, "matching ConvNet width")->capture_default_str();
  cmd->add_option("--net-depth", o.net_depth, "matching ConvNet depth")->capture_default_str();
  cmd->add_option("--net-norm", o.net_norm, "matching ConvNet norm: instance, batch, none")
      ->capture_default_str();
  cmd->add_option("--net-lr", o.net_lr, "matching network SGD lr")->capture_default_str();
  cmd->add_option("--net-momentum", o.net_momentum, "matching network momentum")
      ->capture_default_str();
  cmd->add_option("--net-weight-decay", o.net_weight_decay, "matching network weight decay")
      ->capture_default_str();
  cmd->add_option("--aug-match", o.aug_match, "siamese augmentation of matching batches")
      ->capture_default_str();
  cmd->add_option("--aug-net", o.aug_net, "per-sample augmentation of network updates")
      ->capture_default_str();
  cmd->add_option("--cutmix-beta", o.cutmix_beta, "network updates: CutMix Beta(beta, beta)")
      ->capture_default_str();
  cmd->add_option("--cutmix-p", o.cutmix_p, "network updates: CutMix probability")
      ->capture_default_str();
  cmd->add_option("--mean", o.mean, "per-channel normalisation mean (default: the data's)");
  cmd->add_option("--std", o.std, "per-channel normalisation std (default: the data's)");
  cmd->add_option("--seed", o.seed, "seed of every draw (fresh networks, batches, augmentation)")
      ->capture_default_str();
  cmd->add_option("--device", o.device, "cpu or cuda[:i]")->capture_default_str();
  cmd->add_option("--checkpoint-every", o.checkpoint_every,
                  "write DIR/checkpoint every N inner iterations")
      ->capture_default_str();
  cmd->add_option("--budget-minutes", o.budget_minutes,
                  "stop cleanly after M minutes, keeping the images so far (0 = no limit)")
      ->capture_default_str();
  cmd->add_option("--stop-after", o.stop_after,
                  "stop after N inner iterations in total (0 = the whole schedule)")
      ->capture_default_str();
  cmd->add_flag("--resume", a.resume, "continue from DIR/checkpoint");
  cmd->add_flag("--no-resume", a.no_resume, "start afresh even if DIR/checkpoint exists");
  cmd->add_option("--feature-model", a.feature_model,
                  "herding/kcenter: model.safetensors for the features (default: train one)");
  cmd->add_option("--feature-epochs", a.feature_epochs,
                  "herding/kcenter: epochs of the feature ConvNet when none is given")
      ->capture_default_str();
  cmd->add_flag("--evaluate", a.evaluate, "run the evaluation protocol afterwards");
  add_eval_flags(*cmd, a.eval);
  cmd->add_option("--out", a.out, "output directory")->required();
}

int run_condense(const CondenseArgs& a) {
  const int threads = apply_common(a.common);
  DATAOPT_CHECK(!a.out.empty(), "--out: an output directory is required");
  DATAOPT_CHECK(!(a.resume && a.no_resume), "--resume and --no-resume exclude each other");
  const fs::path out(a.out);
  condense::CondenseOptions o = a.options;
  o.init = condense::parse_init_kind(a.init);
  o.metric = condense::parse_match_metric(a.metric);
  o.progress = !a.common.quiet;
  o.resume = a.resume;
  const std::string& m = a.method;
  const bool coreset = m == "random" || m == "first-k" || m == "herding" || m == "kcenter";
  DATAOPT_CHECK(m == "idc" || m == "mf-init" || coreset, "--method '", m,
                "': expected idc, random, first-k, herding, kcenter or mf-init");
  o.validate();
  a.eval.validate();
  DATAOPT_CHECK(a.feature_epochs >= 1, "--feature-epochs must be >= 1");
  const fs::path ckpt = out / kCheckpointDir;
  if (m == "idc" && fs::exists(ckpt / "condense_checkpoint.safetensors") && !a.resume &&
      !a.no_resume) {
    DATAOPT_CHECK(false, out.string(), " holds a condensation checkpoint: pass --resume to ",
                  "continue it or --no-resume to start afresh");
  }

  data::Dataset train = data::load_dataset(a.data, data::Split::kTrain, a.data_dir);
  data::Dataset test = data::load_dataset(a.data, data::Split::kTest, a.data_dir);
  if (a.train_size > 0) train = train.head(a.train_size);
  if (a.test_size > 0) test = test.head(a.test_size);
  const auto stats = data::channel_stats(train.images);
  if (o.mean.empty()) {
    o.mean = stats.mean;
    o.std = stats.std;
  }
  log::info("data ", a.data, ": ", train.size(), " train / ", test.size(), " test, ",
            train.num_classes(), " classes; ", threads, " threads");
  fs::create_directories(out);

  nlohmann::json summary = {{"method", m == "idc" ? (o.factor > 1 ? "idc" : "idc-i") : m},
                            {"data", a.data},
                            {"data_dir", a.data_dir},
                            {"train_size", train.size()},
                            {"ipc", o.ipc},
                            {"threads", threads}};
  condense::SyntheticSet set;
  if (m == "idc") {
    const auto r = condense::condense_idc(train, o, ckpt);
    set = r.set;
    const int64_t total = o.outer_iterations() * o.inner_loop;
    summary["factor"] = o.factor;
    summary["iterations"] = r.inner_iterations;
    summary["schedule_iterations"] = total;
    summary["fraction_of_schedule"] =
        static_cast<double>(r.inner_iterations) / static_cast<double>(total);
    summary["finished"] = r.finished;
    summary["stopped_by"] = r.stopped_by;
    summary["resumed_from"] = r.resumed_from;
    summary["seconds"] = r.total_seconds;
    summary["seconds_this_run"] = r.seconds;
    summary["loss_history"] = r.loss_history;
    summary["options"] = nlohmann::json::parse(o.to_json());
    summary["lr_img_effective"] = o.effective_lr_img(train.height());
    std::printf("condensed: %lld of %lld inner iterations in %.0f s%s\n",
                static_cast<long long>(r.inner_iterations), static_cast<long long>(total),
                r.total_seconds, r.stopped_by == "budget" ? " (time budget reached)" : "");
  } else {
    const auto start = std::chrono::steady_clock::now();
    if (m == "mf-init") {
      set = condense::init_synthetic(train, {.ipc = o.ipc, .factor = o.factor,
                                             .init = condense::InitKind::kMix});
      summary["factor"] = o.factor;
    } else {
      at::Tensor idx;
      if (m == "first-k") idx = condense::select_first_k(train.labels, train.num_classes(), o.ipc);
      if (m == "random")
        idx = condense::select_random(train.labels, train.num_classes(), o.ipc, o.seed);
      if (m == "herding" || m == "kcenter") {
        const at::Tensor f = coreset_features(a, train, test, out);
        idx = m == "herding"
                  ? condense::select_herding(f, train.labels, train.num_classes(), o.ipc)
                  : condense::select_kcenter(f, train.labels, train.num_classes(), o.ipc);
      }
      set = condense::synthetic_from_indices(train, idx, o.ipc);
      summary["factor"] = 1;
      summary["indices"] = std::vector<int64_t>(idx.data_ptr<int64_t>(),
                                                idx.data_ptr<int64_t>() + idx.numel());
    }
    summary["iterations"] = 0;
    summary["seconds"] =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    set.metadata["method"] = m;
  }
  set.metadata["data"] = a.data;
  summary["stored_values"] = set.stored_values();
  summary["decoded_images"] = set.ipc * set.factor * set.factor * set.num_classes();
  write_synthetic_outputs(out, set);
  if (a.evaluate) evaluate_into(summary, set, test, a.eval, stats.mean, stats.std, a.common.quiet);
  write_json(out / "summary.json", summary);
  std::printf("wrote %s\n", (out / "synthetic.safetensors").c_str());
  return 0;
}

void add_evaluate_synthetic_command(CLI::App& app, EvaluateSyntheticArgs& a) {
  auto* cmd = app.add_subcommand(
      "evaluate-synthetic",
      "Train ConvNet-3 models from scratch on DIR/synthetic.safetensors (the IDC protocol:\n"
      "1000 epochs, DSA + CutMix) and add the test accuracy to DIR/summary.json.\n"
      "Example: dataopt evaluate-synthetic runs/idc10 --repeats 3 --eval-epochs 300");
  add_common_flags(*cmd, a.common);
  cmd->add_option("dir", a.dir, "directory written by 'dataopt condense'")->required();
  cmd->add_option("--data", a.data, "test data set (default: the one in DIR/summary.json)");
  cmd->add_option("--data-dir", a.data_dir, "directory with the data set's IDX files");
  cmd->add_option("--test-size", a.test_size, "use the first N test examples (0 = all)");
  add_eval_flags(*cmd, a.eval);
  cmd->add_option("--device", a.eval.device, "cpu or cuda[:i]")->capture_default_str();
}

int run_evaluate_synthetic(const EvaluateSyntheticArgs& a) {
  apply_common(a.common);
  const fs::path dir(a.dir);
  const fs::path file = dir / "synthetic.safetensors";
  DATAOPT_CHECK(fs::exists(file), file.string(), ": not found (run 'dataopt condense --out ",
                a.dir, "' first)");
  const condense::SyntheticSet set = condense::load_synthetic(file);
  nlohmann::json summary = fs::exists(dir / "summary.json") ? read_json(dir / "summary.json")
                                                            : nlohmann::json::object();
  std::string data = a.data, data_dir = a.data_dir;
  if (data.empty()) data = summary.value("data", std::string("fashion-mnist"));
  if (data_dir.empty()) data_dir = summary.value("data_dir", std::string());
  const data::Dataset train = data::load_dataset(data, data::Split::kTrain, data_dir);
  data::Dataset test = data::load_dataset(data, data::Split::kTest, data_dir);
  if (a.test_size > 0) test = test.head(a.test_size);
  const auto stats = data::channel_stats(train.images);
  evaluate_into(summary, set, test, a.eval, stats.mean, stats.std, a.common.quiet);
  write_json(dir / "summary.json", summary);
  return 0;
}

// Shared with `dataopt pipeline` (outputs.h).
nlohmann::json synthetic_eval_json(const condense::SyntheticEval& r) {
  double nll = 0, ece = 0;
  for (size_t i = 0; i < r.nlls.size(); ++i) {
    nll += r.nlls[i] / static_cast<double>(r.nlls.size());
    ece += r.eces[i] / static_cast<double>(r.eces.size());
  }
  return {{"accuracy_mean", r.accuracy_mean},
          {"accuracy_std", r.accuracy_std},
          {"accuracies", r.accuracies},
          {"repeats", r.repeats},
          {"epochs", r.epochs},
          {"protocol", r.epochs == 1000 ? "full (1000 epochs)"
                                        : "shortened (" + std::to_string(r.epochs) + " epochs)"},
          {"nll_mean", nll},
          {"ece_mean", ece},
          {"train_images", r.train_images},
          {"seconds", r.seconds}};
}

void write_synthetic_outputs(const fs::path& out, const condense::SyntheticSet& set) {
  condense::save_synthetic(out / "synthetic.safetensors", set);
  write_png(out / "synthetic.png",
            data::image_grid(set.images, {.columns = set.ipc, .scale = 2}));
}

}  // namespace dataopt::cli
