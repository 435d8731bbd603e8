// Targeted cause discovery: seconds per forward pass of the released model
// (one inference window: en_obs x obs_size x num_vars) and per target of the
// ensembled local inference on a simulated network, for 1 and 2 threads.
// Prints a table and writes JSON.
//
//   bench_causal --model tcd_discrete.safetensors --vars 300 --out bench/results/causal.json

#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench_util.h"
#include "dataopt/causal/graph.h"
#include "dataopt/causal/inference.h"
#include "dataopt/causal/preprocess.h"
#include "dataopt/causal/simulator.h"
#include "dataopt/causal/tcd_model.h"
#include "dataopt/core/json_io.h"
#include "dataopt/core/threads.h"

using namespace dataopt;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string arg(int argc, char** argv, const std::string& name, const std::string& def) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == name) return argv[i + 1];
  }
  return def;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string model_path = arg(argc, argv, "--model", "");
  const int64_t n_var = std::stoll(arg(argc, argv, "--vars", "300"));
  const int64_t repeats = std::stoll(arg(argc, argv, "--repeats", "3"));
  const int64_t grid = std::stoll(arg(argc, argv, "--grid", "200"));
  const int64_t en_obs = std::stoll(arg(argc, argv, "--en-obs", "10"));
  const int64_t targets = std::stoll(arg(argc, argv, "--targets", "2"));
  const auto threads_list = bench::parse_int_list(arg(argc, argv, "--threads", "1,2"));
  const std::string out = arg(argc, argv, "--out", "");
  const std::string profile = arg(argc, argv, "--profile", "");

  const causal::TcdModel model =
      model_path.empty() ? causal::TcdModel(causal::TcdModelOptions{}) : causal::TcdModel::load(model_path);
  torch::NoGradGuard no_grad;
  nlohmann::json rows = nlohmann::json::array();
  std::printf("%-28s %8s %12s %14s\n", "case", "threads", "median s", "GMAC/s");
  // ~7 GMAC per 200 x 200 sample for the released model (spec section 3).
  const double d = model.options().embed_dim, h = model.options().n_heads;
  const double f = model.options().ffn_embed_dim, layers = model.options().n_layers;
  const double tokens = static_cast<double>(grid) * grid;
  const double macs_per_sample =
      layers * (2 * 2 * h * grid * grid * grid * (d / h) + tokens * (8 * d * d + 2 * d * f));

  torch::manual_seed(0);
  const torch::Tensor x = torch::rand({en_obs, grid, grid}) * 12;
  const torch::Tensor m = torch::rand({en_obs, grid, grid}) < 0.005;
  for (int64_t threads : threads_list) {
    set_num_threads(static_cast<int>(threads));
    std::vector<double> s;
    model.forward(x, m);  // warm-up
    for (int64_t r = 0; r < repeats; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      model.forward(x, m);
      s.push_back(seconds_since(t0));
    }
    const double med = bench::median(s);
    const double gmacs = macs_per_sample * en_obs / med / 1e9;
    std::printf("%-28s %8lld %12.3f %14.1f\n", "forward (one window)",
                static_cast<long long>(threads), med, gmacs);
    rows.push_back({{"case", "forward"}, {"threads", threads}, {"grid", grid},
                    {"en_obs", en_obs}, {"seconds", s}, {"median_seconds", med},
                    {"gmac_per_s", gmacs}});
  }
  if (!profile.empty()) {
    torch::autograd::profiler::RecordProfile guard(profile);
    model.forward(x, m);
  }

  // The ensembled inference on a simulated 300-gene scale-free network.
  if (targets > 0) {
    const causal::Graph g = causal::scale_free_dag(n_var, 2, 0);
    const causal::SimulatedData sim = causal::simulate(g, {.n_observational = 2000});
    const torch::Tensor values = causal::standardize_counts(sim.expression);
    std::vector<int64_t> t;
    for (int64_t i = 0; i < targets; ++i) t.push_back(n_var - 1 - i);
    struct Case {
      const char* name;
      int64_t threads;
    };
    for (const Case c : {Case{"inference, 1 thread", 1}, Case{"inference, 2 threads", 2}}) {
      set_num_threads(static_cast<int>(c.threads));
      causal::InferenceOptions io{.en_obs = en_obs, .progress = false};
      const auto t0 = std::chrono::steady_clock::now();
      causal::infer_causes(model, values, sim.intervention, t, io);
      const double per_target = seconds_since(t0) / targets;
      std::printf("%-28s %8lld %12.3f %14s\n", c.name, static_cast<long long>(c.threads),
                  per_target, "(s/target)");
      rows.push_back({{"case", c.name}, {"threads", c.threads},
                      {"n_var", n_var}, {"targets", targets}, {"en_obs", en_obs},
                      {"windows_per_target", causal::forwards_per_target(n_var, io)},
                      {"seconds_per_target", per_target}});
    }
  }
  if (!out.empty()) write_json(out, {{"benchmark", "causal"}, {"rows", rows}});
  return 0;
}
