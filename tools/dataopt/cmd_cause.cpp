// dataopt cause: targeted cause discovery from interventional (knockout)
// data: simulate a data set on a regulatory network, score the causes of
// target variables with the released model, evaluate against the truth and
// the baselines, train a model from scratch.

#include <CLI/CLI.hpp>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "dataopt/causal/baselines.h"
#include "dataopt/causal/cause_metrics.h"
#include "dataopt/causal/graph.h"
#include "dataopt/causal/interventional_data.h"
#include "dataopt/causal/preprocess.h"
#include "dataopt/causal/tcd_model.h"
#include "dataopt/core/atomic_file.h"
#include "dataopt/core/check.h"
#include "dataopt/core/json_io.h"
#include "dataopt/core/log.h"
#include "dataopt/core/npy.h"
#include "dataopt/core/safetensors.h"
#include "dataopt/core/tensor_check.h"

namespace dataopt::cli {
namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kLevels{"clean", "dropout", "counts"};

void add_simulator_flags(CLI::App& c, causal::SimulatorOptions& s) {
  c.add_option("--observational", s.n_observational, "cells without knockout")
      ->capture_default_str();
  c.add_option("--cells", s.cells_per_knockout, "cells per single-gene knockout (every gene)")
      ->capture_default_str();
  c.add_option("--cell-types", s.n_cell_types, "cell types (master regulator rates differ)")
      ->capture_default_str();
  c.add_option("--b-min", s.b_min, "master regulator production ~ U(b_min, b_max)")
      ->capture_default_str();
  c.add_option("--b-max", s.b_max, "")->capture_default_str();
  c.add_option("--k-min", s.k_min, "interaction strength ~ U(k_min, k_max)")
      ->capture_default_str();
  c.add_option("--k-max", s.k_max, "")->capture_default_str();
  c.add_option("--p-activation", s.p_activation, "P(activation) for edges without a sign")
      ->capture_default_str();
  c.add_option("--hill", s.hill, "Hill coefficient")->capture_default_str();
  c.add_option("--decay", s.decay, "decay rate")->capture_default_str();
  c.add_option("--noise", s.noise, "intrinsic noise")->capture_default_str();
  c.add_option("--outlier-prob", s.outlier_prob, "probability that a gene is an outlier")
      ->capture_default_str();
  c.add_option("--outlier-mean", s.outlier_mean, "outlier lognormal mean")->capture_default_str();
  c.add_option("--outlier-scale", s.outlier_scale, "outlier lognormal scale")
      ->capture_default_str();
  c.add_option("--lib-size-mean", s.lib_size_mean, "library size lognormal mean")
      ->capture_default_str();
  c.add_option("--lib-size-scale", s.lib_size_scale, "library size lognormal scale")
      ->capture_default_str();
  c.add_option("--dropout-shape", s.dropout_shape, "dropout logistic slope")
      ->capture_default_str();
  c.add_option("--dropout-percentile", s.dropout_percentile, "dropout midpoint percentile")
      ->capture_default_str();
}

void add_inference_flags(CLI::App& c, causal::InferenceOptions& o) {
  c.add_option("--num-vars", o.num_vars, "variables per window")->capture_default_str();
  c.add_option("--obs-size", o.obs_size, "observations per window")->capture_default_str();
  c.add_option("--en-obs", o.en_obs, "observation subsets per window")->capture_default_str();
  c.add_option("--en-vars", o.en_vars, "rounds of variable partitions")->capture_default_str();
  c.add_option("--anchor-size", o.anchor_size, "top variables kept in every window")
      ->capture_default_str();
  c.add_option("--device", o.device, "cpu or cuda[:i]")->capture_default_str();
  c.add_flag("--read-column", o.read_column,
             "score by the target's logit column (j -> t read as entry (j, t)) instead of the "
             "official row; see docs/methods/causal.md");
}

}  // namespace

void add_cause_command(CLI::App& app, CauseArgs& a) {
  auto* cmd = app.add_subcommand(
      "cause",
      "Targeted cause discovery from knockout data (Kim et al., TMLR 2025): score every "
      "variable as a cause (direct or indirect) of a target.\n"
      "Examples:\n"
      "  dataopt cause simulate --graph ecoli --genes 300 --out runs/ecoli300\n"
      "  dataopt cause infer --data runs/ecoli300 --targets 40 "
      "--model tcd_discrete.safetensors --out runs/ecoli300/tcd\n"
      "  dataopt cause eval --data runs/ecoli300 --scores runs/ecoli300/tcd");
  cmd->require_subcommand(1);

  auto* sim = cmd->add_subcommand(
      "simulate", "Simulate single-cell expression with a knockout of every gene on a network; "
                  "write expression.npy, genes.txt, cells.csv, graph.tsv, causes.npy, "
                  "summary.json");
  add_common_flags(*sim, a.common);
  sim->add_option("--graph", a.graph,
                  "ecoli, yeast (the shipped networks), er, sf, sf-in, sbm (random DAGs) or a "
                  "TSV file regulator<TAB>target[<TAB>sign]")
      ->capture_default_str();
  sim->add_option("--genes", a.genes,
                  "network files: keep a connected piece of this many genes (0 = all)")
      ->capture_default_str();
  sim->add_option("--n-vars", a.n_vars, "random graphs: number of variables")
      ->capture_default_str();
  sim->add_option("--edges-per-var", a.edges_per_var, "random graphs: expected edges per variable")
      ->capture_default_str();
  add_simulator_flags(*sim, a.simulator);
  sim->add_option("--level", a.level, "clean, dropout or counts (UMI)")
      ->capture_default_str()
      ->check(CLI::IsMember(kLevels));
  sim->add_option("--seed", a.simulator.seed, "seed of the graph and the simulation")
      ->capture_default_str();
  sim->add_option("--out", a.out, "output directory")->required();
  sim->callback([&a] { a.action = "simulate"; });

  auto* inf = cmd->add_subcommand(
      "infer", "Score the causes of target variables with a cause-discovery model; write "
               "scores.npy, targets.txt, causes.csv (ranked) and infer.json (settings, timings)");
  add_common_flags(*inf, a.common);
  inf->add_option("--data", a.data, "directory written by 'dataopt cause simulate' (or the same "
                                    "files for your own data)")
      ->required();
  inf->add_option("--model", a.model,
                  "model file, e.g. the released tcd_discrete.safetensors or 'dataopt cause "
                  "train' output")
      ->required();
  inf->add_option("--target", a.target, "target variable name(s), comma-separated")
      ->delimiter(',');
  inf->add_option("--targets", a.targets,
                  "all, or N: N targets evenly spaced over the variables with at least one "
                  "cause (all variables when the data has no causes.npy)");
  add_inference_flags(*inf, a.inference);
  inf->add_option("--shift", a.shift,
                  "preprocessing shift (default: the model's metadata, else 10)");
  inf->add_option("--out", a.out, "output directory")->required();
  inf->callback([&a] { a.action = "infer"; });

  auto* ev = cmd->add_subcommand(
      "eval", "AUROC and AP per target (x100, averaged) of the scores and of the baselines "
              "(correlation, knockout effect, chance) against DATA/causes.npy; write "
              "summary.json and per_target.csv into the scores directory (or --out)");
  add_common_flags(*ev, a.common);
  ev->add_option("--data", a.data, "data directory with causes.npy")->required();
  ev->add_option("--scores", a.scores, "directory written by 'dataopt cause infer'")->required();
  ev->add_option("--out", a.out, "output directory (default: the scores directory)");
  ev->callback([&a] { a.action = "eval"; });

  auto* tr = cmd->add_subcommand(
      "train", "Train a cause-discovery model from scratch on simulated random graphs; write "
               "model.safetensors and metrics.json");
  add_common_flags(*tr, a.common);
  auto& t = a.training;
  tr->add_option("--graph", t.graph, "er, sf, sf-in or sbm")
      ->capture_default_str()
      ->check(CLI::IsMember({"er", "sf", "sf-in", "sbm"}));
  tr->add_option("--n-vars", t.n_vars, "variables per environment")->capture_default_str();
  tr->add_option("--edges-per-var", t.edges_per_var, "expected edges per variable")
      ->capture_default_str();
  tr->add_option("--n-envs", t.n_envs, "simulated environments (every tenth held out)")
      ->capture_default_str();
  tr->add_option("--num-vars", t.num_vars, "variables per sample")->capture_default_str();
  tr->add_option("--obs-size", t.obs_size, "observations per sample")->capture_default_str();
  tr->add_option("--steps", t.steps, "optimisation steps")->capture_default_str();
  tr->add_option("--batch-size", t.batch_size, "samples per step")->capture_default_str();
  tr->add_option("--lr", t.lr, "AdamW learning rate (cosine schedule)")->capture_default_str();
  tr->add_option("--weight-decay", t.weight_decay, "AdamW weight decay (matrices only)")
      ->capture_default_str();
  tr->add_option("--grad-clip", t.grad_clip, "gradient norm clip")->capture_default_str();
  tr->add_option("--val-samples", t.val_samples, "validation samples")->capture_default_str();
  tr->add_option("--val-every", t.val_every, "steps between validations")->capture_default_str();
  tr->add_option("--layers", t.model.n_layers, "axial layers")->capture_default_str();
  tr->add_option("--embed-dim", t.model.embed_dim, "token width")->capture_default_str();
  tr->add_option("--heads", t.model.n_heads, "attention heads")->capture_default_str();
  tr->add_option("--ffn-embed-dim", t.model.ffn_embed_dim, "feed-forward width")
      ->capture_default_str();
  add_simulator_flags(*tr, t.simulator);
  tr->add_option("--level", a.train_level, "clean, dropout or counts")
      ->capture_default_str()
      ->check(CLI::IsMember(kLevels));
  tr->add_option("--shift", t.preprocess.shift, "preprocessing shift")->capture_default_str();
  tr->add_option("--device", t.device, "cpu or cuda[:i]")->capture_default_str();
  tr->add_option("--seed", t.seed, "seed")->capture_default_str();
  tr->add_option("--out", a.out, "output directory")->required();
  tr->callback([&a] { a.action = "train"; });
}

namespace {

fs::path networks_dir() {
  if (const char* env = std::getenv("DATAOPT_NETWORKS_DIR")) return env;
  return DATAOPT_NETWORKS_DIR;
}

causal::Graph build_graph(const CauseArgs& a, int64_t* removed) {
  causal::Graph g;
  const uint64_t seed = a.simulator.seed;
  if (a.graph == "er") {
    g = causal::erdos_renyi_dag(a.n_vars, a.edges_per_var, seed);
  } else if (a.graph == "sf" || a.graph == "sf-in") {
    g = causal::scale_free_dag(a.n_vars, std::max<int64_t>(1, std::llround(a.edges_per_var)), seed,
                               a.graph == "sf-in");
  } else if (a.graph == "sbm") {
    g = causal::stochastic_block_dag(a.n_vars, a.edges_per_var, 5, seed);
  } else {
    fs::path file = a.graph;
    if (a.graph == "ecoli") file = networks_dir() / "ecoli_regulondb_6_7.tsv";
    if (a.graph == "yeast") file = networks_dir() / "yeast_balaji2006.tsv";
    DATAOPT_CHECK(fs::exists(file), "--graph: ", file.string(),
                  " not found (expected ecoli, yeast, er, sf, sf-in, sbm or a TSV file; "
                  "set DATAOPT_NETWORKS_DIR to the folder with the network files)");
    g = causal::load_graph_tsv(file);
    g = causal::make_acyclic(g, removed);
    if (a.genes > 0) g = causal::induced_subgraph(g, causal::select_connected(g, a.genes));
    return g;
  }
  *removed = 0;
  return g;
}

int run_simulate(const CauseArgs& a) {
  DATAOPT_CHECK(a.genes >= 0, "--genes: expected >= 0, got ", a.genes);
  DATAOPT_CHECK(a.n_vars >= 2, "--n-vars: expected >= 2, got ", a.n_vars);
  const fs::path out(a.out);
  causal::SimulatorOptions so = a.simulator;
  so.level = causal::parse_noise_level(a.level);
  so.validate();
  int64_t removed = 0;
  const causal::Graph g = build_graph(a, &removed);
  log::info("graph ", a.graph, ": ", g.n, " variables, ", g.num_edges(), " edges",
            removed > 0 ? " (" + std::to_string(removed) + " self-loop / cycle edges removed)" : "");
  const auto t0 = std::chrono::steady_clock::now();
  const causal::SimulatedData sim = causal::simulate(g, so);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  fs::create_directories(out);
  causal::InterventionalData d{.expression = sim.expression, .intervention = sim.intervention,
                               .names = g.names, .cell_type = sim.cell_type};
  causal::save_interventional_data(out, d);
  causal::save_graph_tsv(out / "graph.tsv", g);
  const auto anc = causal::ancestor_matrix(g);
  const torch::Tensor causes =
      torch::from_blob(const_cast<uint8_t*>(anc.data()), {g.n, g.n}, torch::kUInt8).clone();
  write_npy(out / "causes.npy", causes);
  const int64_t with_cause = (causes.sum(1) > 0).sum().item<int64_t>();
  const double zeros = sim.expression.eq(0).to(torch::kDouble).mean().item<double>();
  nlohmann::json summary = {
      {"graph", a.graph}, {"genes", g.n}, {"edges", g.num_edges()},
      {"edges_removed_to_break_cycles", removed}, {"n_obs", sim.expression.size(0)},
      {"observational", so.n_observational}, {"cells_per_knockout", so.cells_per_knockout},
      {"cell_types", so.n_cell_types}, {"level", a.level}, {"seed", so.seed},
      {"targets_with_a_cause", with_cause}, {"zero_fraction", zeros},
      {"simulate_seconds", seconds}};
  write_json(out / "summary.json", summary);
  std::printf("simulated %lld cells x %lld genes (%lld edges, %lld genes with a cause, %.0f%% "
              "zeros) in %.1f s -> %s\n",
              static_cast<long long>(sim.expression.size(0)), static_cast<long long>(g.n),
              static_cast<long long>(g.num_edges()), static_cast<long long>(with_cause),
              100 * zeros, seconds, out.string().c_str());
  return 0;
}

// Targets: names, "all", or N evenly spaced over those with a cause.
std::vector<int64_t> resolve_targets(const CauseArgs& a, const causal::InterventionalData& d) {
  DATAOPT_CHECK(a.target.empty() || a.targets.empty(),
                "--target and --targets: give one of them, not both");
  std::vector<int64_t> out;
  for (const auto& name : a.target) out.push_back(d.index_of(name));
  if (!a.target.empty()) return out;
  DATAOPT_CHECK(!a.targets.empty(),
                "no targets: give --target GENE[,GENE...] or --targets all|N");
  if (a.targets == "all") {
    for (int64_t v = 0; v < d.n_var(); ++v) out.push_back(v);
    return out;
  }
  int64_t n = 0;
  try {
    size_t used = 0;
    n = std::stoll(a.targets, &used);
    DATAOPT_CHECK(used == a.targets.size(), "");
  } catch (const std::exception&) {
    DATAOPT_CHECK(false, "--targets: expected 'all' or a number, got '", a.targets, "'");
  }
  DATAOPT_CHECK(n >= 1, "--targets: expected >= 1, got ", n);
  std::vector<int64_t> pool;
  const fs::path truth = fs::path(a.data) / "causes.npy";
  if (fs::exists(truth)) {
    const torch::Tensor c = read_npy(truth);
    check_shape(c, {d.n_var(), d.n_var()}, truth.string());
    const torch::Tensor has = c.ne(0).sum(1) > 0;
    for (int64_t v = 0; v < d.n_var(); ++v) {
      if (has[v].item<bool>()) pool.push_back(v);
    }
  } else {
    for (int64_t v = 0; v < d.n_var(); ++v) pool.push_back(v);
  }
  DATAOPT_CHECK(!pool.empty(), truth.string(), ": no variable has a cause");
  const int64_t k = std::min<int64_t>(n, static_cast<int64_t>(pool.size()));
  for (int64_t i = 0; i < k; ++i) out.push_back(pool[i * static_cast<int64_t>(pool.size()) / k]);
  return out;
}

int run_infer(const CauseArgs& a) {
  const int threads = apply_common(a.common);
  const fs::path out(a.out);
  const causal::InterventionalData d = causal::load_interventional_data(a.data);
  const std::vector<int64_t> targets = resolve_targets(a, d);
  const causal::TcdModel model = [&] {
    causal::TcdModel m = causal::TcdModel::load(a.model);
    m.to(a.inference.device);
    return m;
  }();
  double shift = a.shift;
  if (std::isnan(shift)) {
    const auto md = read_safetensors(a.model).metadata;
    shift = md.count("shift") ? std::stod(md.at("shift")) : 10.0;
  }
  causal::InferenceOptions io = a.inference;
  io.progress = !a.common.quiet;
  io.validate();
  const torch::Tensor values = causal::standardize_counts(d.expression, {.shift = shift});
  log::info(targets.size(), " targets, ", causal::forwards_per_target(d.n_var(), io),
            " windows of ", io.en_obs, " x ", io.obs_size, " x ", io.num_vars, " per target");
  const auto t0 = std::chrono::steady_clock::now();
  const torch::Tensor scores = causal::infer_causes(model, values, d.intervention, targets, io);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  fs::create_directories(out);
  write_npy(out / "scores.npy", scores);
  write_file_atomic(out / "targets.txt", [&](std::ostream& s) {
    for (int64_t t : targets) s << d.names[t] << '\n';
  });
  write_file_atomic(out / "causes.csv", [&](std::ostream& s) {
    s << "target,rank,variable,score\n";
    for (size_t i = 0; i < targets.size(); ++i) {
      const torch::Tensor row = scores[i].clone();
      row[targets[i]] = -INFINITY;  // a variable is not its own cause
      const torch::Tensor order = row.argsort(0, /*descending=*/true);
      for (int64_t r = 0; r + 1 < d.n_var(); ++r) {
        const int64_t v = order[r].item<int64_t>();
        s << d.names[targets[i]] << ',' << r + 1 << ',' << d.names[v] << ','
          << scores[i][v].item<float>() << '\n';
      }
    }
  });
  nlohmann::json summary = {
      {"model", a.model}, {"data", a.data}, {"targets", targets.size()},
      {"n_var", d.n_var()}, {"n_obs", d.n_obs()}, {"shift", shift},
      {"num_vars", io.num_vars}, {"obs_size", io.obs_size}, {"en_obs", io.en_obs},
      {"en_vars", io.en_vars}, {"anchor_size", io.anchor_size}, {"read_column", io.read_column},
      {"windows_per_target", causal::forwards_per_target(d.n_var(), io)},
      {"threads", threads}, {"seconds", seconds},
      {"seconds_per_target", seconds / std::max<size_t>(1, targets.size())}};
  write_json(out / "infer.json", summary);
  std::printf("scored %zu targets over %lld variables in %.1f s (%.2f s per target) -> %s\n",
              targets.size(), static_cast<long long>(d.n_var()), seconds,
              seconds / std::max<size_t>(1, targets.size()), (out / "causes.csv").c_str());
  return 0;
}

int run_eval(const CauseArgs& a) {
  apply_common(a.common);
  const fs::path data_dir(a.data), scores_dir(a.scores);
  const fs::path out = a.out.empty() ? scores_dir : fs::path(a.out);
  const causal::InterventionalData d = causal::load_interventional_data(data_dir);
  const fs::path truth_path = data_dir / "causes.npy";
  DATAOPT_CHECK(fs::exists(truth_path), truth_path.string(),
                ": missing (the ground-truth cause matrix written by 'dataopt cause simulate')");
  const torch::Tensor causes = read_npy(truth_path);
  check_shape(causes, {d.n_var(), d.n_var()}, truth_path.string());
  const torch::Tensor scores = read_npy(scores_dir / "scores.npy");
  std::vector<int64_t> targets;
  {
    std::ifstream in(scores_dir / "targets.txt");
    DATAOPT_CHECK(in.good(), (scores_dir / "targets.txt").string(),
                  ": cannot open (written by 'dataopt cause infer')");
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) targets.push_back(d.index_of(line));
    }
  }
  check_shape(scores, {static_cast<int64_t>(targets.size()), d.n_var()},
              (scores_dir / "scores.npy").string());
  double shift = 10.0;
  if (fs::exists(scores_dir / "infer.json")) {
    shift = read_json(scores_dir / "infer.json").value("shift", 10.0);
  }
  const torch::Tensor values = causal::standardize_counts(d.expression, {.shift = shift});

  nlohmann::json methods;
  std::vector<std::pair<std::string, causal::CauseMetrics>> rows;
  rows.emplace_back("tcd", causal::cause_metrics(scores, causes, targets));
  for (auto b : {causal::CauseBaseline::kCorrelation, causal::CauseBaseline::kKnockoutEffect}) {
    rows.emplace_back(causal::to_string(b),
                      causal::cause_metrics(
                          causal::baseline_scores(b, values, d.intervention, targets), causes,
                          targets));
  }
  for (const auto& [name, m] : rows) methods[name] = {{"auroc", m.auroc}, {"ap", m.ap}};
  const auto& ref = rows[0].second;
  methods["chance"] = {{"auroc", 50.0}, {"ap", ref.chance_ap}};
  fs::create_directories(out);
  nlohmann::json summary = {{"methods", methods}, {"targets", ref.counted.size()},
                            {"targets_scored", targets.size()}, {"n_var", d.n_var()},
                            {"data", a.data}, {"scores", a.scores}};
  write_json(out / "summary.json", summary);
  write_file_atomic(out / "per_target.csv", [&](std::ostream& s) {
    s << "target";
    for (const auto& [name, m] : rows) s << ',' << name << "_auroc," << name << "_ap";
    s << '\n';
    for (size_t i = 0; i < ref.counted.size(); ++i) {
      s << d.names[ref.counted[i]];
      for (const auto& [name, m] : rows) s << ',' << m.per_target_auroc[i] << ',' << m.per_target_ap[i];
      s << '\n';
    }
  });
  std::printf("%-16s %8s %8s   (%zu targets with a cause, %lld variables)\n", "method", "AUROC",
              "AP", ref.counted.size(), static_cast<long long>(d.n_var()));
  for (const auto& [name, m] : rows) std::printf("%-16s %8.2f %8.2f\n", name.c_str(), m.auroc, m.ap);
  std::printf("%-16s %8.2f %8.2f\n", "chance", 50.0, ref.chance_ap);
  return 0;
}

int run_train_tcd(const CauseArgs& a) {
  apply_common(a.common);
  causal::TcdTrainOptions o = a.training;
  o.simulator.level = causal::parse_noise_level(a.train_level);
  o.progress = !a.common.quiet;
  o.validate();
  const fs::path out(a.out);
  const causal::TcdTrainResult r = causal::train_tcd(o);
  fs::create_directories(out);
  r.model.save(out / "model.safetensors",
               {{"shift", std::to_string(o.preprocess.shift)}, {"graph", o.graph},
                {"n_vars", std::to_string(o.n_vars)}, {"num_vars", std::to_string(o.num_vars)},
                {"obs_size", std::to_string(o.obs_size)}, {"steps", std::to_string(o.steps)},
                {"level", a.train_level}, {"source", "dataopt cause train"}});
  write_json(out / "metrics.json",
             {{"train_loss", r.train_loss}, {"val_loss", r.val_loss},
              {"best_val_loss", r.best_val_loss}, {"best_step", r.best_step},
              {"seconds", r.seconds}, {"parameters", r.model.parameter_count()},
              {"graph", o.graph}, {"n_vars", o.n_vars}, {"n_envs", o.n_envs},
              {"num_vars", o.num_vars}, {"obs_size", o.obs_size}, {"steps", o.steps},
              {"layers", o.model.n_layers}, {"level", a.train_level}});
  std::printf("trained %lld parameters for %lld steps in %.0f s: best validation loss %.4f "
              "(step %lld) -> %s\n",
              static_cast<long long>(r.model.parameter_count()), static_cast<long long>(o.steps),
              r.seconds, r.best_val_loss, static_cast<long long>(r.best_step),
              (out / "model.safetensors").c_str());
  return 0;
}

}  // namespace

int run_cause(const CauseArgs& a) {
  if (a.action == "simulate") {
    apply_common(a.common);
    return run_simulate(a);
  }
  if (a.action == "infer") return run_infer(a);
  if (a.action == "eval") return run_eval(a);
  if (a.action == "train") return run_train_tcd(a);
  DATAOPT_CHECK(false, "dataopt cause: expected simulate, infer, eval or train");
  return 1;
}

}  // namespace dataopt::cli
