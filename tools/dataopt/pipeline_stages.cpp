// The six stages of `dataopt pipeline` (see pipeline.h). Each returns the
// numbers the report shows; files go into the stage's directory.

#include <torch/torch.h>

#include <cmath>
#include <cstdio>

#include "audit_outputs.h"
#include "dataopt/condense/condenser.h"
#include "dataopt/condense/evaluate.h"
#include "dataopt/condense/synthetic_set.h"
#include "dataopt/core/check.h"
#include "dataopt/core/json_io.h"
#include "dataopt/core/log.h"
#include "dataopt/core/npy.h"
#include "dataopt/core/png.h"
#include "dataopt/data/label_decisions.h"
#include "dataopt/data/normalize.h"
#include "dataopt/data/pad.h"
#include "dataopt/mixup/mix_training.h"
#include "dataopt/nn/model.h"
#include "dataopt/relgraph/audit.h"
#include "dataopt/train/detection_metrics.h"
#include "dataopt/train/evaluate.h"
#include "dataopt/train/metrics.h"
#include "dataopt/train/trainer.h"
#include "outputs.h"
#include "pipeline.h"

namespace dataopt::cli::pipeline {

const std::vector<std::string>& stage_names() {
  static const std::vector<std::string> names = {"train",   "audit",    "clean",
                                                 "retrain", "condense", "mix"};
  return names;
}

fs::path stage_dir(const fs::path& out, int k) {
  return out / (std::to_string(k) + "_" + stage_names().at(k - 1));
}

namespace {

// Mean and sample standard deviation (0 for one value).
std::pair<double, double> mean_std(const std::vector<double>& v) {
  double m = 0;
  for (double x : v) m += x / static_cast<double>(v.size());
  double q = 0;
  for (double x : v) q += (x - m) * (x - m);
  return {m, v.size() > 1 ? std::sqrt(q / static_cast<double>(v.size() - 1)) : 0.0};
}

nlohmann::json eval_json(const train::EvalResult& e) {
  return {{"test_accuracy", e.accuracy}, {"test_nll", e.nll}, {"test_ece", e.ece}};
}

std::shared_ptr<nn::Model> new_model(const PipelineArgs& a, const data::Dataset& train,
                                     uint64_t seed) {
  const auto stats = data::channel_stats(train.images);
  return nn::make_model({.name = a.model, .in_channels = train.channels(),
                         .image_size = train.height(), .num_classes = train.num_classes(),
                         .width = a.width, .mean = stats.mean, .std = stats.std, .seed = seed});
}

// Precision of the top k of `score` against `truth`, at `points` values of k
// up to `k_max`.
nlohmann::json precision_curve(const at::Tensor& score, const at::Tensor& truth, int64_t k_max,
                               int64_t points) {
  const at::Tensor order = score.argsort(0, /*descending=*/true);
  const at::Tensor hits = truth.index_select(0, order).to(torch::kDouble).cumsum(0);
  std::vector<int64_t> ks;
  std::vector<double> precision;
  for (int64_t p = 1; p <= points; ++p) {
    const int64_t k = std::max<int64_t>(1, k_max * p / points);
    ks.push_back(k);
    precision.push_back(hits[k - 1].item<double>() / static_cast<double>(k));
  }
  return {{"k", ks}, {"precision", precision}};
}

}  // namespace

nlohmann::json run_train_stage(const Context& c, const data::Dataset& train, const fs::path& dir) {
  const PipelineArgs& a = c.args;
  nlohmann::json seeds = nlohmann::json::array();
  std::vector<double> acc, nll, ece;
  for (int64_t s = 0; s < a.seeds; ++s) {
    const fs::path sd = dir / ("seed_" + std::to_string(s));
    const fs::path metrics_file = sd / "metrics.json";
    nlohmann::json m;
    if (fs::exists(metrics_file)) {
      m = read_json(metrics_file);  // this seed finished before an interruption
    } else {
      const uint64_t seed = a.train.seed + static_cast<uint64_t>(s);
      auto model = new_model(a, train, seed);
      train::TrainOptions t = a.train;
      t.seed = seed;
      t.checkpoint_dir = sd;
      t.resume = true;
      t.progress = !a.common.quiet;
      const auto r = train::Trainer(model, t).fit(train, &c.data.test);
      nn::save_model(sd / "model.safetensors", *model);
      m = eval_json(r.test);
      m["seed"] = seed;
      m["epochs"] = r.epochs;
      m["train_seconds"] = r.train_seconds;
      m["train_size"] = train.size();
      write_json(metrics_file, m);
    }
    std::printf("   seed %lld: test accuracy %.4f (nll %.4f, ece %.4f)\n",
                static_cast<long long>(s), m["test_accuracy"].get<double>(),
                m["test_nll"].get<double>(), m["test_ece"].get<double>());
    acc.push_back(m["test_accuracy"]);
    nll.push_back(m["test_nll"]);
    ece.push_back(m["test_ece"]);
    seeds.push_back(m);
  }
  const auto [am, as] = mean_std(acc);
  const auto [nm, ns] = mean_std(nll);
  const auto [em, es] = mean_std(ece);
  return {{"seeds", seeds},          {"train_size", train.size()},
          {"test_accuracy", am},     {"test_accuracy_std", as},
          {"test_nll", nm},          {"test_nll_std", ns},
          {"test_ece", em},          {"test_ece_std", es},
          {"epochs", a.train.epochs}};
}

nlohmann::json run_audit_stage(const Context& c, const fs::path& dir) {
  const PipelineArgs& a = c.args;
  const data::Dataset& train = c.data.train;
  auto model = nn::load_model(stage_dir(c.out, 1) / "seed_0" / "model.safetensors");
  const auto p = train::predict(*model, train, {.features = true, .progress = !a.common.quiet});
  AuditRun run;
  fill_from_predictions(run, p, train);
  if (c.data.is_noisy.defined()) {
    run.original_labels = c.data.original_labels;
    run.is_noisy = c.data.is_noisy;
  }
  run.settings = {{"mode", "pipeline"}, {"train_size", train.size()},
                  {"noise_rate", a.noise_rate}, {"model", a.model}, {"seed", a.train.seed}};
  relgraph::AuditOptions o;
  o.graph.top_k = 8;  // partners for `dataopt view`
  o.graph.device = a.train.device;
  o.graph.progress = !a.common.quiet;
  o.validate();
  AuditOutputOptions oo;
  oo.embedding.seed = a.train.seed;
  oo.embedding.progress = !a.common.quiet;
  const auto t0 = std::chrono::steady_clock::now();
  const relgraph::AuditResult res = score_and_write(run, o, dir, oo);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const at::Tensor nrg = res.score("nrg");
  // Every score the clean stage may rank by.
  for (const char* name : {"nrg", "nrg_loss", "loss"}) {
    write_npy(dir / (std::string("score_") + name + ".npy"), res.score(name));
  }
  const int64_t n = train.size();
  const int64_t estimated = res.nrg.estimated_noisy.sum().item<int64_t>();
  nlohmann::json r = {{"estimated_noisy", estimated},
                      {"estimated_noise_rate", static_cast<double>(estimated) / n},
                      {"train_accuracy_on_given_labels", train::accuracy(p.probs, train.labels)},
                      {"audit_seconds", seconds},
                      {"suspects_png", "2_audit/suspects.png"},
                      {"injected", c.data.is_noisy.defined()}};
  if (c.data.is_noisy.defined()) {
    const at::Tensor truth = c.data.is_noisy;
    const int64_t flipped = truth.sum().item<int64_t>();
    r["flipped"] = flipped;
    nlohmann::json methods = nlohmann::json::object();
    for (const auto& [name, s] : res.scores) {
      const auto m = train::detection_metrics(s, truth);
      methods[name] = {{"auroc", m.auroc}, {"ap", m.ap}};
    }
    r["methods"] = methods;
    const int64_t k_max = std::min(n, std::max<int64_t>(2 * flipped, estimated));
    r["precision_curve"] = {
        {"nrg", precision_curve(nrg, truth, k_max, 40)},
        {"nrg_loss", precision_curve(res.score("nrg_loss"), truth, k_max, 40)},
        {"loss", precision_curve(res.score("loss"), truth, k_max, 40)}};
    if (estimated > 0) {
      const at::Tensor top = std::get<1>(nrg.topk(estimated));
      r["precision_at_estimated"] =
          truth.index_select(0, top).to(torch::kDouble).mean().item<double>();
    }
  }
  return r;
}

namespace {

data::Dataset cleaned_set(const Context& c, const std::vector<data::LabelDecision>& decisions) {
  return data::apply_label_decisions(c.data.train, decisions);
}

}  // namespace

nlohmann::json run_clean_stage(const Context& c, const nlohmann::json& audit, const fs::path& dir) {
  const PipelineArgs& a = c.args;
  const data::Dataset& train = c.data.train;
  const int64_t n = train.size();
  const fs::path audit_dir = stage_dir(c.out, 2);
  const at::Tensor score =
      read_npy(audit_dir / ("score_" + a.clean_score + ".npy")).to(torch::kFloat);
  const at::Tensor pred = read_npy(audit_dir / "probs.npy").argmax(1);
  DATAOPT_CHECK(score.numel() == n && pred.numel() == n, audit_dir.string(),
                ": score_", a.clean_score, ".npy / probs.npy do not match the ", n, " training examples (rerun stage 2)");
  // How many to touch comes from the relation graph's own estimate of the
  // noisy set, never from the injected ground truth.
  const int64_t estimated = audit.at("estimated_noisy").get<int64_t>();
  const int64_t cap = static_cast<int64_t>(std::floor(a.max_clean * static_cast<double>(n)));
  const int64_t k = a.clean == "none" ? 0 : std::min(estimated, cap);
  if (a.clean != "none" && estimated > cap) {
    log::warn("clean: the relation graph estimates ", estimated, " of ", n,
              " labels wrong; touching only ", cap, " (--max-clean ", a.max_clean,
              "). So high an estimate usually means the stage-1 model is too weak: train longer");
  }
  const at::Tensor flagged = k > 0 ? std::get<0>(std::get<1>(score.topk(k)).sort()) : torch::empty({0}, torch::kLong);
  std::vector<data::LabelDecision> decisions;
  int64_t unchanged = 0;
  for (int64_t j = 0; j < flagged.numel(); ++j) {
    const int64_t i = flagged[j].item<int64_t>();
    const int64_t given = train.labels[i].item<int64_t>();
    if (a.clean == "remove") {
      decisions.push_back({.index = i, .label = given, .action = data::LabelAction::kRemove});
    } else if (pred[i].item<int64_t>() != given) {
      decisions.push_back(
          {.index = i, .label = pred[i].item<int64_t>(), .action = data::LabelAction::kRelabel});
    } else {
      ++unchanged;  // the model agrees with the given label: nothing to change
    }
  }
  data::write_label_decisions(dir / "decisions.csv", decisions);
  c.data.cleaned = cleaned_set(c, decisions);
  nlohmann::json r = {{"policy", a.clean},
                      {"score", a.clean_score},
                      {"flagged", k},
                      {"estimated_noisy", estimated},
                      {"capped", a.clean != "none" && estimated > cap},
                      {"max_clean", a.max_clean},
                      {"removed", a.clean == "remove" ? k : 0},
                      {"relabelled", a.clean == "relabel" ? k - unchanged : 0},
                      {"unchanged", unchanged},
                      {"train_size_after", c.data.cleaned.size()},
                      {"decisions_csv", "3_clean/decisions.csv"}};
  if (c.data.is_noisy.defined()) {
    const at::Tensor truth = c.data.is_noisy;
    const double flipped = truth.sum().item<double>();
    const double hit = k > 0 ? truth.index_select(0, flagged).sum().item<double>() : 0.0;
    r["precision"] = k > 0 ? hit / static_cast<double>(k) : 0.0;
    r["recall"] = flipped > 0 ? hit / flipped : 0.0;
    // Wrong labels left in the cleaned set, against the original labels.
    at::Tensor keep = torch::ones({n}, torch::kBool);
    at::Tensor labels = train.labels.clone();
    for (const auto& d : decisions) {
      if (d.action == data::LabelAction::kRemove) keep[d.index] = false;
      if (d.action == data::LabelAction::kRelabel) labels[d.index] = d.label;
    }
    const at::Tensor wrong = labels.ne(c.data.original_labels).logical_and(keep);
    r["noise_before"] = flipped / static_cast<double>(n);
    r["noise_after"] = wrong.sum().item<double>() / keep.sum().item<double>();
  }
  std::printf("   %s: %lld flagged, training set %lld -> %lld\n", a.clean.c_str(),
              static_cast<long long>(k), static_cast<long long>(n),
              static_cast<long long>(c.data.cleaned.size()));
  return r;
}

void load_cleaned(const Context& c, const fs::path& clean_dir) {
  const auto decisions = data::read_label_decisions(
      clean_dir / "decisions.csv", c.data.train.size(), c.data.train.num_classes());
  c.data.cleaned = cleaned_set(c, decisions);
}

nlohmann::json run_condense_stage(const Context& c, const fs::path& dir) {
  const PipelineArgs& a = c.args;
  const data::Dataset& train = c.data.cleaned;
  const auto stats = data::channel_stats(train.images);
  condense::SyntheticSet set;
  nlohmann::json r;
  const fs::path done = dir / "condensed.json";
  if (fs::exists(done) && fs::exists(dir / "synthetic.safetensors")) {
    // Condensed before an interruption during the evaluation: do not extend it.
    set = condense::load_synthetic(dir / "synthetic.safetensors");
    r = read_json(done);
  } else {
    condense::CondenseOptions o;
    o.ipc = a.ipc;
    o.factor = a.factor;
    o.budget_minutes = a.condense_minutes;
    o.seed = a.train.seed;
    o.device = a.train.device;
    o.mean = stats.mean;
    o.std = stats.std;
    o.progress = !a.common.quiet;
    o.resume = true;
    o.validate();
    const auto cr = condense::condense_idc(train, o, dir / "checkpoint");
    set = cr.set;
    set.metadata["method"] = a.factor > 1 ? "idc" : "idc-i";
    write_synthetic_outputs(dir, set);
    r = {{"method", a.factor > 1 ? "idc" : "idc-i"},
         {"ipc", a.ipc},
         {"factor", a.factor},
         {"iterations", cr.inner_iterations},
         {"schedule_iterations", o.outer_iterations() * o.inner_loop},
         {"condense_seconds", cr.total_seconds},
         {"condense_minutes_budget", a.condense_minutes},
         {"stopped_by", cr.stopped_by},
         {"stored_values", set.stored_values()},
         {"decoded_images", set.ipc * set.factor * set.factor * set.num_classes()},
         {"full_train_values", train.images.numel()},
         {"synthetic_png", "5_condense/synthetic.png"}};
    write_json(done, r);
  }
  condense::EvalOptions e;
  e.epochs = a.eval_epochs;
  e.repeats = 1;
  e.mean = stats.mean;
  e.std = stats.std;
  e.seed = a.train.seed;
  e.device = a.train.device;
  e.progress = !a.common.quiet;
  e.validate();
  const auto ev = condense::evaluate_synthetic(set.decode(), c.data.test, e);
  r["evaluation"] = synthetic_eval_json(ev);
  r["test_accuracy"] = ev.accuracy_mean;
  r["test_nll"] = ev.nlls.empty() ? 0.0 : ev.nlls[0];
  r["test_ece"] = ev.eces.empty() ? 0.0 : ev.eces[0];
  std::printf("   IDC: %lld inner iterations, %lld images -> test accuracy %.4f (%lld epochs)\n",
              static_cast<long long>(r["iterations"].get<int64_t>()),
              static_cast<long long>(r["decoded_images"].get<int64_t>()), ev.accuracy_mean,
              static_cast<long long>(a.eval_epochs));
  return r;
}

nlohmann::json run_mix_stage(const Context& c, const fs::path& dir) {
  const PipelineArgs& a = c.args;
  // Puzzle Mix / Co-Mixup cut images into 2-16 blocks: pad to a multiple of 16.
  const int64_t h = c.data.cleaned.height();
  const int64_t pad = h % 16 == 0 ? 0 : (h / 16 + 1) * 16;
  data::Dataset train = pad > 0 ? data::pad_to(c.data.cleaned, pad) : c.data.cleaned;
  data::Dataset test = pad > 0 ? data::pad_to(c.data.test, pad) : c.data.test;
  MixArgs m;
  m.kind = a.mix;
  m.pad_to = pad;
  const mixup::MixOptions mix = m.resolved();
  auto model = new_model(a, train, a.train.seed);
  train::TrainOptions t = a.train;
  if (a.mix_epochs > 0) t.epochs = a.mix_epochs;
  t.checkpoint_dir = dir;
  t.resume = true;
  t.progress = !a.common.quiet;
  t.run_tag = m.tag();
  train::Trainer trainer(model, t);
  mixup::attach_mixing(trainer, mix, train.num_classes(), a.train.seed);
  const auto r = trainer.fit(train, &test);
  nn::save_model(dir / "model.safetensors", *model);
  // The picture shows the first of a few draws whose batch is really mixed
  // (one lam per batch: a draw near 0 or 1 shows almost unmixed images).
  at::Tensor grid;
  uint64_t picture_seed = a.train.seed;
  for (int attempt = 0; attempt < 8; ++attempt, ++picture_seed) {
    double own = 0;
    grid = mixed_examples_grid(train, mix, model, 12, picture_seed, &own);
    if (own > 0.2 && own < 0.8) break;
  }
  write_png(dir / "mixed.png", grid);
  nlohmann::json out = eval_json(r.test);
  out["mix"] = a.mix;
  out["mix_options"] = m.tag();
  out["pad_to"] = pad;
  out["epochs"] = t.epochs;
  out["train_seconds"] = r.train_seconds;
  out["mixed_png"] = "6_mix/mixed.png";
  out["mixed_png_seed"] = picture_seed;
  std::printf("   %s: test accuracy %.4f (nll %.4f, ece %.4f)\n", a.mix.c_str(), r.test.accuracy,
              r.test.nll, r.test.ece);
  return out;
}

}  // namespace dataopt::cli::pipeline
