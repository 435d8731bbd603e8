// dataopt pipeline: the data-optimization loop. Trains on the given (possibly
// noisy) labels, audits them with the relation graph, cleans, retrains,
// condenses the cleaned set and trains with saliency-guided mixing, then
// writes DIR/report.html and DIR/report.json. Every stage resumes.

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>

#include "commands.h"
#include "dataopt/core/check.h"
#include "dataopt/core/json_io.h"
#include "dataopt/core/log.h"
#include "dataopt/data/dataset_file.h"
#include "dataopt/data/label_noise.h"
#include "dataopt/data/registry.h"
#include "pipeline.h"

namespace dataopt::cli {
namespace fs = std::filesystem;

void add_pipeline_command(CLI::App& app, PipelineArgs& a) {
  auto* cmd = app.add_subcommand(
      "pipeline",
      "The data-optimization loop: train on the given labels, audit them with the relation "
      "graph, clean, retrain, condense the cleaned set (IDC), train with saliency-guided "
      "mixing; writes DIR/report.html and DIR/report.json. Rerunning continues where it "
      "stopped.\n"
      "Examples:\n"
      "  dataopt pipeline --data fashion-mnist --noise-rate 0.1 --out runs/pipeline\n"
      "  dataopt pipeline --data-file mine.safetensors --noise-rate 0 --out runs/mine");
  add_common_flags(*cmd, a.common);
  cmd->add_option("--data", a.data, "data set name (see 'dataopt info')")->capture_default_str();
  cmd->add_option("--data-dir", a.data_dir, "directory with the data set's IDX files");
  cmd->add_option("--data-file", a.data_file,
                  "own data: a safetensors file with train_images, train_labels, test_images, "
                  "test_labels (replaces --data)");
  cmd->add_option("--train-size", a.train_size, "use the first N training examples (0 = all)");
  cmd->add_option("--test-size", a.test_size, "use the first N test examples (0 = all)");
  cmd->add_option("--noise-rate", a.noise_rate,
                  "fraction of training labels to flip before stage 1 (0 = use the labels "
                  "as given)")
      ->capture_default_str();
  cmd->add_option("--noise-kind", a.noise_kind, "symmetric or pair")
      ->capture_default_str()->check(CLI::IsMember({"symmetric", "pair", "asymmetric"}));
  cmd->add_option("--noise-seed", a.noise_seed, "seed of the injected noise")->capture_default_str();
  cmd->add_option("--model", a.model, "model of stages 1, 4 and 6")->capture_default_str();
  cmd->add_option("--width", a.width, "model width (0 = default)");
  add_training_flags(*cmd, a.train, /*resume_flag=*/false);
  cmd->add_option("--seeds", a.seeds,
                  "models trained in stages 1 and 4 (the spread of the gain from cleaning)")
      ->capture_default_str();
  cmd->add_option("--clean", a.clean,
                  "stage 3: remove the flagged examples, relabel them to the model's "
                  "prediction, or none")
      ->capture_default_str()->check(CLI::IsMember({"remove", "relabel", "none"}));
  cmd->add_option("--max-clean", a.max_clean,
                  "stage 3: largest fraction of the training set to remove or relabel")
      ->capture_default_str();
  cmd->add_option("--clean-score", a.clean_score,
                  "stage 3: score that ranks the examples: nrg, nrg_loss or loss (how many are "
                  "touched is the relation graph's estimate)")
      ->capture_default_str()->check(CLI::IsMember({"nrg", "nrg_loss", "loss"}));
  cmd->add_option("--ipc", a.ipc, "stage 5: IDC stored images per class")->capture_default_str();
  cmd->add_option("--factor", a.factor, "stage 5: IDC multi-formation factor")
      ->capture_default_str();
  cmd->add_option("--eval-epochs", a.eval_epochs,
                  "stage 5: epochs of the model trained on the condensed set (the paper's "
                  "protocol: 1000)")
      ->capture_default_str();
  cmd->add_option("--condense-minutes", a.condense_minutes,
                  "stage 5: minutes of IDC (0 = a fifth of --budget-minutes, else 3)")
      ->capture_default_str();
  cmd->add_option("--mix", a.mix, "stage 6: puzzle or comix")
      ->capture_default_str()->check(CLI::IsMember({"puzzle", "comix"}));
  cmd->add_option("--mix-epochs", a.mix_epochs, "stage 6: epochs (0 = --epochs)")
      ->capture_default_str();
  cmd->add_option("--budget-minutes", a.budget_minutes,
                  "overall budget (0 = none): IDC gets a fifth of it; the training stages "
                  "run their epochs")
      ->capture_default_str();
  cmd->add_option("--stop-after", a.stop_after,
                  "stop after stage N (1-6; 0 = all); a rerun continues from there")
      ->capture_default_str();
  cmd->add_option("--out", a.out, "output directory")->required();
}

namespace {

using pipeline::Context;
using pipeline::Data;

void validate(const PipelineArgs& a) {
  DATAOPT_CHECK(!a.out.empty(), "--out: an output directory is required");
  DATAOPT_CHECK(a.noise_rate >= 0 && a.noise_rate < 1, "--noise-rate must be in [0, 1), got ",
                a.noise_rate);
  DATAOPT_CHECK(a.seeds >= 1 && a.seeds <= 10, "--seeds must be in [1, 10], got ", a.seeds);
  DATAOPT_CHECK(a.max_clean >= 0 && a.max_clean <= 1, "--max-clean must be in [0, 1], got ",
                a.max_clean);
  DATAOPT_CHECK(a.ipc >= 1, "--ipc must be >= 1, got ", a.ipc);
  DATAOPT_CHECK(a.factor >= 1 && a.factor <= 4, "--factor must be in [1, 4], got ", a.factor);
  DATAOPT_CHECK(a.eval_epochs >= 1, "--eval-epochs must be >= 1, got ", a.eval_epochs);
  DATAOPT_CHECK(a.condense_minutes >= 0, "--condense-minutes must be >= 0");
  DATAOPT_CHECK(a.budget_minutes >= 0, "--budget-minutes must be >= 0");
  DATAOPT_CHECK(a.mix_epochs >= 0, "--mix-epochs must be >= 0");
  DATAOPT_CHECK(a.stop_after >= 0 && a.stop_after <= 6, "--stop-after must be in [0, 6], got ",
                a.stop_after);
  DATAOPT_CHECK(a.clean == "remove" || a.clean == "relabel" || a.clean == "none", "--clean '",
                a.clean, "': expected remove, relabel or none");
  DATAOPT_CHECK(a.clean_score == "nrg" || a.clean_score == "nrg_loss" || a.clean_score == "loss",
                "--clean-score '", a.clean_score, "': expected nrg, nrg_loss or loss");
  DATAOPT_CHECK(a.mix == "puzzle" || a.mix == "comix", "--mix '", a.mix,
                "': expected puzzle or comix");
  a.train.validate();
}

Data load_data(const PipelineArgs& a) {
  Data d;
  if (!a.data_file.empty()) {
    auto s = data::load_dataset_file(a.data_file);
    d.train = std::move(s.train);
    d.test = std::move(s.test);
  } else {
    d.train = data::load_dataset(a.data, data::Split::kTrain, a.data_dir);
    d.test = data::load_dataset(a.data, data::Split::kTest, a.data_dir);
  }
  if (a.train_size > 0) d.train = d.train.head(a.train_size);
  if (a.test_size > 0) d.test = d.test.head(a.test_size);
  DATAOPT_CHECK(d.train.size() >= 10 * d.train.num_classes(), "the training set has ",
                d.train.size(), " examples; the pipeline needs at least 10 per class");
  if (a.noise_rate > 0) {
    d.original_labels = d.train.labels;
    const auto noisy = data::inject_label_noise(
        d.train.labels, d.train.num_classes(),
        {.rate = a.noise_rate, .kind = data::parse_noise_kind(a.noise_kind), .seed = a.noise_seed});
    d.train.labels = noisy.labels;
    d.is_noisy = noisy.is_noisy;
  }
  return d;
}

// The settings each stage depends on (its own and those upstream), as JSON:
// a stage reruns exactly when these change.
std::vector<nlohmann::json> stage_inputs(const PipelineArgs& a, const Data& d) {
  const auto& t = a.train;
  nlohmann::json data = {{"data", a.data_file.empty() ? a.data : a.data_file},
                         {"data_dir", a.data_dir},
                         {"train_size", d.train.size()},
                         {"test_size", d.test.size()},
                         {"noise_rate", a.noise_rate},
                         {"noise_kind", a.noise_kind},
                         {"noise_seed", a.noise_seed}};
  nlohmann::json training = {{"model", a.model}, {"width", a.width}, {"epochs", t.epochs},
                             {"batch_size", t.batch_size}, {"lr", t.lr},
                             {"momentum", t.momentum}, {"weight_decay", t.weight_decay},
                             {"schedule", train::to_string(t.schedule)},
                             {"augment", t.augment}, {"seed", t.seed}, {"seeds", a.seeds}};
  std::vector<nlohmann::json> in(7);
  in[1] = {{"data", data}, {"training", training}};
  in[2] = in[1];
  in[3] = in[2];
  const nlohmann::json cleaning = {
      {"policy", a.clean}, {"max_clean", a.max_clean}, {"score", a.clean_score}};
  in[3]["clean"] = cleaning;
  in[4] = in[3];
  in[5] = {{"data", data}, {"training", training}, {"clean", cleaning}, {"ipc", a.ipc},
           {"factor", a.factor}, {"eval_epochs", a.eval_epochs},
           {"condense_minutes", a.condense_minutes}};
  in[6] = {{"data", data}, {"training", training}, {"clean", cleaning}, {"mix", a.mix},
           {"mix_epochs", a.mix_epochs}};
  return in;
}

std::string clock_text(double seconds) {
  const long s = std::lround(seconds);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02ld:%02ld", s / 60, s % 60);
  return buf;
}

}  // namespace

int run_pipeline(const PipelineArgs& args) {
  PipelineArgs a = args;
  const int threads = apply_common(a.common);
  a.train.progress = !a.common.quiet;
  validate(a);
  if (a.condense_minutes <= 0) a.condense_minutes = a.budget_minutes > 0 ? a.budget_minutes / 5 : 3;
  const fs::path out(a.out);
  fs::create_directories(out);
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };

  Data data = load_data(a);
  const Context ctx{.args = a, .data = data, .out = out, .threads = threads};
  const auto inputs = stage_inputs(a, data);
  const auto& names = pipeline::stage_names();
  log::info("pipeline: ", data.train.size(), " training / ", data.test.size(), " test examples, ",
            data.is_noisy.defined() ? data.is_noisy.sum().item<int64_t>() : 0,
            " labels flipped; ", threads, " threads; output ", out.string());

  nlohmann::json report = {
      {"settings", inputs[6]},
      {"settings_all",
       {{"condense_minutes", a.condense_minutes}, {"budget_minutes", a.budget_minutes},
        {"ipc", a.ipc}, {"factor", a.factor}, {"threads", threads}}},
      {"stages", nlohmann::json::object()}};
  const int last = a.stop_after > 0 ? static_cast<int>(a.stop_after) : 6;
  for (int k = 1; k <= last; ++k) {
    const std::string& name = names[k - 1];
    const fs::path dir = pipeline::stage_dir(out, k);
    const fs::path record = dir / "stage.json";
    std::printf("== pipeline stage %d/6: %s  (%s elapsed)\n", k, name.c_str(),
                clock_text(elapsed()).c_str());
    std::fflush(stdout);
    nlohmann::json result;
    if (fs::exists(record)) {
      const nlohmann::json saved = read_json(record);
      if (saved.value("inputs", nlohmann::json()) == inputs[k]) {
        result = saved.at("result");
        result["resumed"] = true;
        std::printf("   done before (%s): not recomputed\n", record.c_str());
      }
    }
    if (result.is_null()) {
      // Checkpoints of a stage that ran with other settings are not resumed.
      const fs::path started = dir / "inputs.json";
      if (fs::exists(started) && read_json(started) != inputs[k]) fs::remove_all(dir);
      fs::create_directories(dir);
      write_json(started, inputs[k]);
      const auto t0 = std::chrono::steady_clock::now();
      switch (k) {
        case 1: result = pipeline::run_train_stage(ctx, data.train, dir); break;
        case 2: result = pipeline::run_audit_stage(ctx, dir); break;
        case 3: result = pipeline::run_clean_stage(ctx, report["stages"]["audit"], dir); break;
        case 4: result = pipeline::run_train_stage(ctx, data.cleaned, dir); break;
        case 5: result = pipeline::run_condense_stage(ctx, dir); break;
        case 6: result = pipeline::run_mix_stage(ctx, dir); break;
      }
      result["stage_seconds"] =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      write_json(record, {{"inputs", inputs[k]}, {"result", result}});
      result["resumed"] = false;
    } else if (k == 3) {
      pipeline::load_cleaned(ctx, dir);
    }
    report["stages"][name] = result;
    report["elapsed_seconds"] = elapsed();
    report["stopped_after"] = k;
    pipeline::write_report(out, report);
  }
  std::printf("== pipeline: %d of 6 stages in %s; report: %s\n", last, clock_text(elapsed()).c_str(),
              (out / "report.html").c_str());
  return 0;
}

}  // namespace dataopt::cli
