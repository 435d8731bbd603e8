#include "dataopt/causal/inference.h"

#include <torch/torch.h>

#include <algorithm>
#include <numeric>
#include <optional>

#include "dataopt/causal/tcd_model.h"
#include "dataopt/core/check.h"
#include "dataopt/core/progress.h"
#include "dataopt/core/tensor_check.h"

namespace dataopt::causal {

void InferenceOptions::validate() const {
  DATAOPT_CHECK(anchor_size >= 0, "InferenceOptions.anchor_size: expected >= 0, got ",
                anchor_size);
  DATAOPT_CHECK(num_vars >= anchor_size + 2,
                "InferenceOptions.num_vars: expected >= anchor_size + 2 = ", anchor_size + 2,
                ", got ", num_vars);
  DATAOPT_CHECK(obs_size >= 1, "InferenceOptions.obs_size: expected >= 1, got ", obs_size);
  DATAOPT_CHECK(en_obs >= 1, "InferenceOptions.en_obs: expected >= 1, got ", en_obs);
  DATAOPT_CHECK(en_vars >= 1, "InferenceOptions.en_vars: expected >= 1, got ", en_vars);
}

namespace {

// Anchors actually used: never all of the other variables, so that every
// window still has a chunk to score (matters only when n_var <= anchor_size + 1).
int64_t effective_anchors(int64_t n_var, int64_t anchor_size) {
  return std::max<int64_t>(0, std::min(anchor_size, n_var - 2));
}

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// The flush-to-zero mode is per thread (MXCSR): set it on the calling thread
// and on each of LibTorch's intra-op threads (one chunk per thread).
bool set_flush_denormal_all_threads(bool on) {
  const bool ok = at::globalContext().setFlushDenormal(on);
  const int64_t n = at::get_num_threads();
  at::parallel_for(0, n, 1, [on](int64_t, int64_t) { at::globalContext().setFlushDenormal(on); });
  return ok;
}

}  // namespace

std::vector<int64_t> window_variables(int64_t n_var, const std::vector<int64_t>& anchors,
                                      int64_t chunk, int64_t round, int64_t num_vars) {
  std::vector<char> is_anchor(n_var, 0);
  for (int64_t a : anchors) is_anchor[a] = 1;
  std::vector<int64_t> left;
  for (int64_t v = 0; v < n_var; ++v) {
    if (!is_anchor[v]) left.push_back(v);
  }
  std::vector<int64_t> cand;
  cand.reserve(left.size());
  for (int64_t i = 0; i < round; ++i) {
    for (size_t j = i; j < left.size(); j += round) cand.push_back(left[j]);
  }
  const int64_t chunk_size = num_vars - static_cast<int64_t>(anchors.size());
  const int64_t n = static_cast<int64_t>(cand.size());
  const int64_t offset = std::max<int64_t>(0, chunk_size * (chunk + 1) - n);
  // The official slice cand[chunk_size*c - offset : ...] wraps a negative
  // start around when there are fewer than chunk_size candidates (n_var <
  // num_vars), silently leaving variables out; start at 0 instead.
  const int64_t begin = std::max<int64_t>(0, chunk_size * chunk - offset);
  const int64_t end = std::min<int64_t>(n, chunk_size * (chunk + 1) - offset);
  std::vector<int64_t> out(anchors);
  for (int64_t i = begin; i < end; ++i) out.push_back(cand[i]);
  return out;
}

std::vector<int64_t> window_rows(const Regimes& regimes, const std::vector<int64_t>& variables,
                                 int64_t offset, int64_t obs_size) {
  std::vector<int64_t> pool(regimes.observational);
  for (int64_t v : variables) {
    const auto& rows = regimes.knockout_rows.at(v);
    pool.insert(pool.end(), rows.begin(), rows.end());
  }
  DATAOPT_CHECK(!pool.empty(), "infer_causes: no observational cells and no knockout cells of ",
                "the window's variables to sample from");
  const int64_t n = static_cast<int64_t>(pool.size());
  // The official sample_data: hop = len(pool) // obs_size (floor); at least 1
  // so that a pool smaller than a window does not repeat one row.
  const int64_t hop = std::max<int64_t>(1, n / obs_size);
  std::vector<int64_t> out(obs_size);
  for (int64_t i = 0; i < obs_size; ++i) out[i] = pool[(i * hop + offset) % n];
  return out;
}

std::vector<int64_t> select_anchors(int64_t target, const std::vector<double>& acc,
                                    const std::vector<int64_t>& count, int64_t anchor_size) {
  const int64_t n = static_cast<int64_t>(acc.size());
  std::vector<double> score(n);
  for (int64_t v = 0; v < n; ++v) score[v] = acc[v] / (static_cast<double>(count[v]) + 1e-8);
  std::vector<int64_t> order;
  for (int64_t v = 0; v < n; ++v) {
    if (v != target) order.push_back(v);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return score[a] > score[b]; });
  order.resize(std::min<size_t>(order.size(), static_cast<size_t>(anchor_size)));
  std::vector<int64_t> out{target};
  out.insert(out.end(), order.begin(), order.end());
  return out;
}

int64_t forwards_per_target(int64_t n_var, const InferenceOptions& o) {
  const int64_t a = 1 + effective_anchors(n_var, o.anchor_size);
  const int64_t chunk_size = o.num_vars - a;
  return o.en_vars * ceil_div(n_var - a, chunk_size);
}

namespace {

std::vector<double> score_target(const TcdModel& model, const torch::Tensor& values,
                                 const torch::Tensor& intervention, const Regimes& regimes,
                                 int64_t target, const InferenceOptions& o) {
  const int64_t n = values.size(1);
  const auto dev = torch::Device(model.device());
  std::vector<double> acc(n, 0.0);
  std::vector<int64_t> cnt(n, 0);
  const int64_t n_anchor = effective_anchors(n, o.anchor_size);
  for (int64_t round = 1; round <= o.en_vars; ++round) {
    const auto anchors = select_anchors(target, acc, cnt, n_anchor);
    const int64_t chunk_size = o.num_vars - static_cast<int64_t>(anchors.size());
    const int64_t n_chunk = ceil_div(n - static_cast<int64_t>(anchors.size()), chunk_size);
    for (int64_t c = 0; c < n_chunk; ++c) {
      const auto vars = window_variables(n, anchors, c, round, o.num_vars);
      const torch::Tensor cols = torch::tensor(vars, torch::kLong);
      std::vector<torch::Tensor> xs, ms;
      for (int64_t off = 0; off < o.en_obs; ++off) {
        const torch::Tensor rows =
            torch::tensor(window_rows(regimes, vars, off, o.obs_size), torch::kLong);
        xs.push_back(values.index_select(0, rows).index_select(1, cols));
        ms.push_back(intervention.index_select(0, rows).index_select(1, cols));
      }
      const torch::Tensor logits =
          model.forward(torch::stack(xs).to(dev), torch::stack(ms).to(dev)).mean(0);
      const torch::Tensor line = o.read_column ? logits.select(1, 0) : logits[0];
      const torch::Tensor row = line.to(torch::kCPU, torch::kDouble).contiguous();
      const double* r = row.data_ptr<double>();
      for (size_t k = 0; k < vars.size(); ++k) {
        acc[vars[k]] += r[k];
        cnt[vars[k]] += 1;
      }
    }
  }
  for (int64_t v = 0; v < n; ++v) acc[v] = cnt[v] > 0 ? acc[v] / cnt[v] : 0.0;
  return acc;
}

}  // namespace

at::Tensor infer_causes(const TcdModel& model, const at::Tensor& values,
                        const at::Tensor& intervention, const std::vector<int64_t>& targets,
                        const InferenceOptions& options) {
  options.validate();
  DATAOPT_CHECK(values.defined() && values.dim() == 2,
                "infer_causes: values must be [n_obs, n_var], got ", shape_str(values));
  const int64_t n_obs = values.size(0), n_var = values.size(1);
  check_shape(intervention, {n_obs, n_var}, "infer_causes: intervention");
  DATAOPT_CHECK(n_obs >= options.obs_size, "infer_causes: expected at least ", options.obs_size,
                " observations (obs_size), got ", n_obs);
  DATAOPT_CHECK(n_var >= 20, "infer_causes: expected at least 20 variables, got ", n_var);
  const torch::Tensor x = values.to(torch::kCPU, torch::kFloat).contiguous();
  check_finite(x, "infer_causes: values");
  const torch::Tensor m = intervention.to(torch::kCPU, torch::kBool).contiguous();
  for (int64_t t : targets) {
    DATAOPT_CHECK(t >= 0 && t < n_var, "infer_causes: target ", t, " out of range [0, ", n_var,
                  ")");
  }
  const Regimes regimes = make_regimes(m);
  torch::NoGradGuard no_grad;
  // Subnormal floats (tiny attention weights, dropout-heavy inputs) are many
  // times slower on x86; flushing them to zero leaves the scores unchanged.
  const bool flushed = set_flush_denormal_all_threads(true);

  const int64_t n_targets = static_cast<int64_t>(targets.size());
  torch::Tensor out = torch::zeros({n_targets, n_var}, torch::kFloat);
  std::optional<Progress> bar;
  if (options.progress) bar.emplace("cause scores", n_targets);
  try {
    for (int64_t i = 0; i < n_targets; ++i) {
      const auto s = score_target(model, x, m, regimes, targets[i], options);
      float* o = out[i].data_ptr<float>();
      for (int64_t v = 0; v < n_var; ++v) o[v] = static_cast<float>(s[v]);
      if (bar) bar->update(1);
    }
  } catch (...) {
    if (flushed) set_flush_denormal_all_threads(false);
    throw;
  }
  if (bar) bar->finish();
  if (flushed) set_flush_denormal_all_threads(false);
  return out;
}

}  // namespace dataopt::causal
