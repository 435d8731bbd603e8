#include "dataopt/causal/tcd_trainer.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <optional>

#include "dataopt/causal/graph.h"
#include "dataopt/causal/interventional_data.h"
#include "dataopt/core/check.h"
#include "dataopt/core/log.h"
#include "dataopt/core/progress.h"
#include "dataopt/core/rng.h"

namespace dataopt::causal {

void TcdTrainOptions::validate() const {
  DATAOPT_CHECK(graph == "er" || graph == "sf" || graph == "sf-in" || graph == "sbm",
                "TcdTrainOptions.graph: expected er, sf, sf-in or sbm, got '", graph, "'");
  DATAOPT_CHECK(n_vars >= 4, "TcdTrainOptions.n_vars: expected >= 4, got ", n_vars);
  DATAOPT_CHECK(edges_per_var > 0, "TcdTrainOptions.edges_per_var: expected > 0, got ",
                edges_per_var);
  DATAOPT_CHECK(n_envs >= 2, "TcdTrainOptions.n_envs: expected >= 2, got ", n_envs);
  DATAOPT_CHECK(num_vars >= 2 && num_vars <= n_vars, "TcdTrainOptions.num_vars: expected in [2, ",
                n_vars, "] (n_vars), got ", num_vars);
  DATAOPT_CHECK(obs_size >= 2, "TcdTrainOptions.obs_size: expected >= 2, got ", obs_size);
  DATAOPT_CHECK(steps >= 1, "TcdTrainOptions.steps: expected >= 1, got ", steps);
  DATAOPT_CHECK(batch_size >= 1, "TcdTrainOptions.batch_size: expected >= 1, got ", batch_size);
  DATAOPT_CHECK(lr > 0, "TcdTrainOptions.lr: expected > 0, got ", lr);
  DATAOPT_CHECK(weight_decay >= 0, "TcdTrainOptions.weight_decay: expected >= 0, got ",
                weight_decay);
  DATAOPT_CHECK(grad_clip > 0, "TcdTrainOptions.grad_clip: expected > 0, got ", grad_clip);
  DATAOPT_CHECK(val_samples >= 1, "TcdTrainOptions.val_samples: expected >= 1, got ",
                val_samples);
  DATAOPT_CHECK(val_every >= 1, "TcdTrainOptions.val_every: expected >= 1, got ", val_every);
  model.validate();
  simulator.validate();
  preprocess.validate();
}

namespace {

struct Environment {
  torch::Tensor values;        // [n_obs, n] preprocessed
  torch::Tensor intervention;  // [n_obs, n] bool
  torch::Tensor causes;        // [n, n] float, row t = causes of t
  Regimes regimes;
};

Graph random_graph(const TcdTrainOptions& o, uint64_t seed) {
  if (o.graph == "er") return erdos_renyi_dag(o.n_vars, o.edges_per_var, seed);
  if (o.graph == "sbm") return stochastic_block_dag(o.n_vars, o.edges_per_var, 5, seed);
  const auto k = std::max<int64_t>(1, std::llround(o.edges_per_var));
  return scale_free_dag(o.n_vars, k, seed, o.graph == "sf-in");
}

Environment make_environment(const TcdTrainOptions& o, int64_t index) {
  const Graph g = random_graph(o, derive_seed(o.seed, 2 * index));
  SimulatorOptions so = o.simulator;
  so.seed = derive_seed(o.seed, 2 * index + 1);
  const SimulatedData d = simulate(g, so);
  Environment env;
  env.values = standardize_counts(d.expression, o.preprocess);
  env.intervention = d.intervention;
  const auto anc = ancestor_matrix(g);
  env.causes = torch::tensor(std::vector<float>(anc.begin(), anc.end())).view({g.n, g.n});
  env.regimes = make_regimes(d.intervention);
  return env;
}

struct Sample {
  torch::Tensor values, intervention, label;
};

// One training sample: `num_vars` variables that were knocked out and
// `obs_size` cells from the observational pool plus their knockout cells.
Sample draw_sample(const Environment& env, const TcdTrainOptions& o, at::Generator& gen) {
  const int64_t n = env.values.size(1);
  const torch::Tensor vars = torch::randperm(n, gen, torch::kLong).narrow(0, 0, o.num_vars);
  std::vector<int64_t> pool(env.regimes.observational);
  const int64_t* v = vars.data_ptr<int64_t>();
  for (int64_t i = 0; i < o.num_vars; ++i) {
    const auto& rows = env.regimes.knockout_rows[v[i]];
    pool.insert(pool.end(), rows.begin(), rows.end());
  }
  DATAOPT_ASSERT(!pool.empty(), "no cells to sample from");
  const int64_t p = static_cast<int64_t>(pool.size());
  torch::Tensor pick = p >= o.obs_size
                           ? torch::randperm(p, gen, torch::kLong).narrow(0, 0, o.obs_size)
                           : torch::randint(p, {o.obs_size}, gen, torch::kLong);
  const torch::Tensor rows = torch::tensor(pool, torch::kLong).index_select(0, pick);
  return {env.values.index_select(0, rows).index_select(1, vars),
          env.intervention.index_select(0, rows).index_select(1, vars),
          env.causes.index_select(0, vars).index_select(1, vars)};
}

Sample stack(const std::vector<Sample>& s, const torch::Device& dev) {
  std::vector<torch::Tensor> a, b, c;
  for (const auto& x : s) {
    a.push_back(x.values);
    b.push_back(x.intervention);
    c.push_back(x.label);
  }
  return {torch::stack(a).to(dev), torch::stack(b).to(dev), torch::stack(c).to(dev)};
}

torch::Tensor off_diagonal_loss(const torch::Tensor& logits, const torch::Tensor& label) {
  const int64_t c = logits.size(-1);
  const torch::Tensor keep =
      (1 - torch::eye(c, logits.options())).expand_as(logits);
  const torch::Tensor l = torch::binary_cross_entropy_with_logits(
      logits, label, {}, {}, at::Reduction::None);
  return (l * keep).sum() / keep.sum();
}

}  // namespace

TcdTrainResult train_tcd(const TcdTrainOptions& o) {
  o.validate();
  const auto t0 = std::chrono::steady_clock::now();
  const torch::Device dev(o.device);
  std::vector<Environment> train_envs, val_envs;
  {
    std::optional<Progress> bar;
    if (o.progress) bar.emplace("simulate environments", o.n_envs);
    for (int64_t e = 0; e < o.n_envs; ++e) {
      (e % 10 == 8 ? val_envs : train_envs).push_back(make_environment(o, e));
      if (bar) bar->update(1);
    }
  }
  if (val_envs.empty()) {  // fewer than 9 environments: hold out the last one
    val_envs.push_back(std::move(train_envs.back()));
    train_envs.pop_back();
  }

  TcdModel model(o.model);
  model.to(o.device);
  model.train(true);
  std::vector<torch::Tensor> decay, no_decay;
  for (const auto& [name, p] : model.named_parameters()) {
    (p.dim() >= 2 ? decay : no_decay).push_back(p);
  }
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(decay, std::make_unique<torch::optim::AdamWOptions>(
                                 torch::optim::AdamWOptions(o.lr).weight_decay(o.weight_decay)));
  groups.emplace_back(no_decay, std::make_unique<torch::optim::AdamWOptions>(
                                    torch::optim::AdamWOptions(o.lr).weight_decay(0.0)));
  torch::optim::AdamW opt(std::move(groups), torch::optim::AdamWOptions(o.lr));

  at::Generator gen = make_generator(derive_seed(o.seed, 1u << 20));
  std::vector<Sample> val;
  for (int64_t i = 0; i < o.val_samples; ++i) {
    val.push_back(draw_sample(val_envs[i % val_envs.size()], o, gen));
  }
  const Sample val_batch = stack(val, dev);

  TcdTrainResult result{.model = model};
  result.best_val_loss = INFINITY;
  std::vector<std::pair<std::string, torch::Tensor>> best;
  double running = 0;
  int64_t running_n = 0;
  std::optional<Progress> bar;
  if (o.progress) bar.emplace("train", o.steps);
  for (int64_t step = 1; step <= o.steps; ++step) {
    const double lr = 0.5 * o.lr * (1 + std::cos(M_PI * (step - 1) / o.steps));
    for (auto& g : opt.param_groups()) {
      static_cast<torch::optim::AdamWOptions&>(g.options()).lr(lr);
    }
    std::vector<Sample> batch;
    for (int64_t b = 0; b < o.batch_size; ++b) {
      const int64_t e = torch::randint(static_cast<int64_t>(train_envs.size()), {1}, gen)
                            .item<int64_t>();
      batch.push_back(draw_sample(train_envs[e], o, gen));
    }
    const Sample s = stack(batch, dev);
    opt.zero_grad();
    const torch::Tensor loss = off_diagonal_loss(model.forward(s.values, s.intervention), s.label);
    loss.backward();
    std::vector<torch::Tensor> all(decay);
    all.insert(all.end(), no_decay.begin(), no_decay.end());
    torch::nn::utils::clip_grad_norm_(all, o.grad_clip);
    opt.step();
    running += loss.item<double>();
    ++running_n;
    if (step % o.val_every == 0 || step == o.steps) {
      torch::NoGradGuard ng;
      model.train(false);
      const double vl =
          off_diagonal_loss(model.forward(val_batch.values, val_batch.intervention), val_batch.label)
              .item<double>();
      model.train(true);
      result.train_loss.push_back(running / running_n);
      result.val_loss.push_back(vl);
      running = 0;
      running_n = 0;
      if (vl < result.best_val_loss) {
        result.best_val_loss = vl;
        result.best_step = step;
        best.clear();
        for (const auto& [name, p] : model.named_parameters()) best.emplace_back(name, p.detach().clone());
      }
      if (bar) bar->update(0, "val loss " + std::to_string(vl));
    }
    if (bar) bar->update(1);
  }
  if (bar) bar->finish();
  {
    torch::NoGradGuard ng;
    auto params = model.named_parameters();
    for (size_t i = 0; i < params.size(); ++i) params[i].second.copy_(best[i].second);
  }
  model.train(false);
  result.model = model;
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

}  // namespace dataopt::causal
