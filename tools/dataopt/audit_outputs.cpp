#include "audit_outputs.h"

#include <chrono>
#include <cstdio>

#include "dataopt/core/atomic_file.h"
#include "dataopt/core/check.h"
#include "dataopt/core/json_io.h"
#include "dataopt/core/log.h"
#include "dataopt/core/npy.h"
#include "dataopt/core/png.h"
#include "dataopt/data/image_grid.h"
#include "dataopt/data/normalize.h"
#include "dataopt/data/registry.h"
#include "dataopt/data/tabular.h"
#include "dataopt/nn/model.h"
#include "dataopt/relgraph/baselines.h"
#include "dataopt/train/detection_metrics.h"
#include "dataopt/train/evaluate.h"

namespace dataopt::cli {
namespace fs = std::filesystem;

at::Tensor read_npy_or_csv(const std::string& path) {
  const std::string ext = fs::path(path).extension().string();
  if (ext == ".npy") return read_npy(path);
  DATAOPT_CHECK(ext == ".csv", path, ": expected a .npy or .csv file");
  std::ifstream in(path);
  DATAOPT_CHECK(in.is_open(), "cannot open ", path);
  std::string first;
  std::getline(in, first);
  const bool header = first.find_first_of("abcdfghijklmnopqrstuvwxyzABCDFGHIJKLMOPQRSTUVWXYZ_") !=
                      std::string::npos;
  return data::read_csv_matrix(path, {.header = header});
}

namespace {

nlohmann::json metrics_json(const train::DetectionMetrics& m) {
  return {{"auroc", m.auroc}, {"ap", m.ap}, {"tnr95", m.tnr95}};
}

void print_table(const nlohmann::json& methods) {
  std::printf("%-26s %8s %8s %8s\n", "method", "AUROC", "AP", "TNR95");
  for (const auto& [name, m] : methods.items()) {
    std::printf("%-26s %8.4f %8.4f %8.4f\n", name.c_str(), m["auroc"].get<double>(),
                m["ap"].get<double>(), m["tnr95"].get<double>());
  }
}

// scores.csv: one row per example, one column per method.
void write_scores_csv(const fs::path& path, const AuditRun& run,
                      const std::vector<std::pair<std::string, at::Tensor>>& scores) {
  const int64_t n = run.labels.size(0);
  const at::Tensor pred = run.probs.argmax(1);
  write_file_atomic(path, [&](std::ostream& out) {
    out << "index,given_label,predicted_label";
    if (run.original_labels.defined()) out << ",original_label";
    if (run.is_noisy.defined()) out << ",is_noisy";
    for (const auto& [name, s] : scores) out << "," << name;
    out << "\n";
    const auto* given = run.labels.data_ptr<int64_t>();
    const auto* p = pred.data_ptr<int64_t>();
    std::vector<const float*> cols;
    std::vector<at::Tensor> keep;
    for (const auto& [name, s] : scores) {
      keep.push_back(s.to(torch::kFloat).contiguous());
      cols.push_back(keep.back().data_ptr<float>());
    }
    char buf[32];
    for (int64_t i = 0; i < n; ++i) {
      out << i << "," << given[i] << "," << p[i];
      if (run.original_labels.defined()) out << "," << run.original_labels[i].item<int64_t>();
      if (run.is_noisy.defined()) out << "," << (run.is_noisy[i].item<bool>() ? 1 : 0);
      for (const float* c : cols) {
        std::snprintf(buf, sizeof buf, ",%.7g", c[i]);
        out << buf;
      }
      out << "\n";
    }
  });
}

void write_suspects_png(const fs::path& path, const AuditRun& run, const at::Tensor& score,
                        int64_t top) {
  const int64_t k = std::min<int64_t>(top, score.size(0));
  const at::Tensor idx = std::get<1>(score.topk(k));
  const at::Tensor pred = run.probs.argmax(1);
  data::ImageGridOptions g{.columns = 10, .scale = 2, .padding = 3};
  for (int64_t r = 0; r < k; ++r) {
    const int64_t i = idx[r].item<int64_t>();
    g.captions.push_back(std::to_string(run.labels[i].item<int64_t>()) + ">" +
                         std::to_string(pred[i].item<int64_t>()));
    uint32_t colour = 0x999999;
    if (run.is_noisy.defined()) colour = run.is_noisy[i].item<bool>() ? 0xd62728 : 0x2ca02c;
    g.frames.push_back(colour);
  }
  write_png(path, data::image_grid(run.images.index_select(0, idx), g));
}

// What `dataopt view` reads besides scores.csv: the 2D map, the partners
// and the thumbnails. Returns their description for summary.json.
nlohmann::json write_viewer_files(const fs::path& out, const AuditRun& run,
                                  const relgraph::AuditResult& res,
                                  const AuditOutputOptions& output) {
  const auto t0 = std::chrono::steady_clock::now();
  write_npy(out / "embedding.npy", relgraph::embed_2d(run.features, output.embedding));
  nlohmann::json viewer = {
      {"embedding", relgraph::to_string(output.embedding.method)},
      {"embedding_seconds",
       std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()},
      {"class_names", run.class_names}};
  const relgraph::Partners& p = res.partners;
  if (p.complementary_index.defined()) {
    // [N, 2, k]: row 0 complementary (strongest positive edges first), row 1
    // conflicting (most negative first); index -1 where there is none.
    write_npy(out / "partners_index.npy",
              torch::stack({p.complementary_index, p.conflicting_index}, 1));
    write_npy(out / "partners_value.npy",
              torch::stack({p.complementary_value, p.conflicting_value}, 1).to(torch::kFloat));
    viewer["top_k"] = p.complementary_index.size(1);
  }
  if (output.images && run.images.defined()) {
    at::Tensor img = run.images.mul(255).round_().clamp_(0, 255).to(torch::kByte);
    if (img.size(1) == 1) img = img.squeeze(1);  // [N, H, W] grey
    write_npy(out / "images.npy", img);
  }
  return viewer;
}

}  // namespace

void fill_from_predictions(AuditRun& run, const train::Predictions& p, const data::Dataset& d) {
  run.features = p.features;
  run.probs = p.probs;
  run.logits = p.logits;
  run.labels = d.labels;
  run.images = d.images;
  run.class_names = d.class_names;
}

relgraph::AuditResult score_and_write(const AuditRun& run, const relgraph::AuditOptions& options,
                     const fs::path& out, const AuditOutputOptions& output) {
  auto res = relgraph::audit_label_noise(run.features, run.probs, run.labels, options);
  auto scores = res.scores;
  nlohmann::json seconds = res.seconds;
  if (run.train_seconds > 0) seconds["train"] = run.train_seconds;
  if (run.cross_fit_probs.defined()) {
    // Out-of-sample probabilities from K models; the features stay the
    // in-sample ones (the K models' feature spaces are not comparable).
    auto cf = relgraph::audit_label_noise(run.features, run.cross_fit_probs, run.labels, options);
    for (const auto& [name, s] : cf.scores) scores.emplace_back("cf_" + name, s);
    for (const auto& [name, s] : cf.seconds) seconds["cf_" + name] = s;
  }
  nlohmann::json methods = nlohmann::json::object();
  nlohmann::json summary = {{"settings", run.settings}, {"seconds", seconds}};
  summary["nrg_estimated_noisy"] = res.nrg.estimated_noisy.sum().item<int64_t>();
  const int64_t flagged = res.flagged.defined() ? res.flagged.sum().item<int64_t>() : 0;
  nlohmann::json cl = {{"flagged", flagged}, {"filter_by", to_string(options.confident_learning.filter_by)}};
  if (run.is_noisy.defined() && run.is_noisy.any().item<bool>() &&
      !run.is_noisy.all().item<bool>()) {
    for (const auto& [name, s] : scores) {
      methods[name] = metrics_json(train::detection_metrics(s, run.is_noisy));
    }
    if (res.flagged.defined()) {
      const double hit = res.flagged.logical_and(run.is_noisy).sum().item<double>();
      cl["precision"] = flagged > 0 ? hit / flagged : 0.0;
      cl["recall"] = hit / run.is_noisy.sum().item<double>();
    }
    print_table(methods);
  }
  summary["methods"] = methods;
  summary["confident_learning_flagged"] = cl;
  std::printf("confident learning flagged %lld examples", static_cast<long long>(flagged));
  if (cl.contains("precision")) {
    std::printf(" (precision %.3f, recall %.3f)", cl["precision"].get<double>(),
                cl["recall"].get<double>());
  }
  std::printf("\n");

  write_scores_csv(out / "scores.csv", run, scores);
  write_npy(out / "probs.npy", run.probs);
  write_npy(out / "labels.npy", run.labels);
  if (run.original_labels.defined()) write_npy(out / "original_labels.npy", run.original_labels);
  if (run.images.defined()) {
    write_suspects_png(out / "suspects.png", run, res.score("nrg"), output.top);
  }
  summary["viewer"] = write_viewer_files(out, run, res, output);
  write_json(out / "summary.json", summary);
  std::printf("wrote %s\n", (out / "summary.json").c_str());
  return res;
}

int audit_outliers(const AuditArgs& a, const relgraph::AuditOptions& options,
                   const train::TrainOptions& topts, const fs::path& out) {
  data::Dataset train_all = data::load_dataset(a.train.data, data::Split::kTrain, a.train.data_dir);
  data::Dataset test_set = data::load_dataset(a.train.data, data::Split::kTest, a.train.data_dir);
  if (a.train.train_size > 0) train_all = train_all.head(a.train.train_size);
  if (a.train.test_size > 0) test_set = test_set.head(a.train.test_size);
  const int64_t k = train_all.num_classes();
  at::Tensor held = torch::zeros({k}, torch::kBool);
  for (int64_t c : a.holdout_classes) {
    DATAOPT_CHECK(c >= 0 && c < k, "--holdout-classes: class ", c, " is not in [0, ", k, ")");
    held[c] = true;
  }
  DATAOPT_CHECK(held.sum().item<int64_t>() < k - 1,
                "--holdout-classes: at least two classes must remain for training");
  // Keep the in-distribution classes, renumbered 0..K'-1.
  at::Tensor remap = torch::full({k}, -1, torch::kLong);
  std::vector<std::string> names;
  for (int64_t c = 0; c < k; ++c) {
    if (!held[c].item<bool>()) {
      remap[c] = static_cast<int64_t>(names.size());
      names.push_back(train_all.class_names[static_cast<size_t>(c)]);
    }
  }
  const at::Tensor keep = (~held.index_select(0, train_all.labels)).nonzero().squeeze(1);
  data::Dataset train_set = train_all.subset(keep);
  train_set.labels = remap.index_select(0, train_set.labels);
  train_set.class_names = names;
  const at::Tensor is_ood = held.index_select(0, test_set.labels);

  const auto stats = data::channel_stats(train_set.images);
  auto model = nn::make_model({.name = a.train.model, .in_channels = train_set.channels(),
                               .image_size = train_set.height(),
                               .num_classes = train_set.num_classes(), .mean = stats.mean,
                               .std = stats.std, .seed = a.train.opts.seed});
  train::TrainOptions to = topts;
  to.checkpoint_dir = out / "checkpoint";
  const auto t0 = std::chrono::steady_clock::now();
  train::Trainer(model, to).fit(train_set);
  const double train_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  nn::save_model(out / "model.safetensors", *model);
  const auto ptrain = train::predict(*model, train_set, {.features = true});
  // Test images of held-out classes carry labels the model does not know:
  // predict() only needs them to be in range, so give them class 0.
  data::Dataset test_in = test_set;
  test_in.labels = remap.index_select(0, test_set.labels).clamp_min(0);
  test_in.class_names = names;
  const auto ptest = train::predict(*model, test_in, {.features = true});

  std::vector<std::pair<std::string, at::Tensor>> scores;
  nlohmann::json seconds = {{"train", train_seconds}};
  auto timed = [&](const std::string& name, const std::function<at::Tensor()>& f) {
    const auto s0 = std::chrono::steady_clock::now();
    scores.emplace_back(name, f());
    seconds[name] = std::chrono::duration<double>(std::chrono::steady_clock::now() - s0).count();
  };
  timed("nrg", [&] {
    relgraph::RelationGraph g(ptrain.features, ptrain.probs, train_set.labels, options.graph);
    return g.outlier_scores(ptest.features, ptest.probs);
  });
  relgraph::OodInputs in{.logits = ptest.logits, .features = ptest.features,
                         .train_features = ptrain.features, .train_labels = train_set.labels};
  for (auto b : relgraph::all_ood_baselines()) {
    timed(relgraph::to_string(b), [&] { return relgraph::ood_baseline_score(b, in); });
  }
  nlohmann::json methods = nlohmann::json::object();
  for (const auto& [name, s] : scores) {
    methods[name] = metrics_json(train::detection_metrics(s, is_ood));
  }
  print_table(methods);
  AuditRun run;
  run.labels = test_set.labels;
  run.probs = ptest.probs;
  run.is_noisy = is_ood;
  write_scores_csv(out / "ood_scores.csv", run, scores);
  nlohmann::json settings = {{"mode", "outliers"}, {"data", a.train.data},
                             {"holdout_classes", a.holdout_classes},
                             {"train_size", train_set.size()}, {"test_size", test_set.size()},
                             {"model", a.train.model}, {"epochs", a.train.opts.epochs},
                             {"ood_pow", options.graph.ood_pow}};
  write_json(out / "summary.json",
             {{"methods", methods}, {"settings", settings}, {"seconds", seconds}});
  std::printf("wrote %s\n", (out / "summary.json").c_str());
  return 0;
}

}  // namespace dataopt::cli
