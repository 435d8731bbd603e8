// The IDC condensation loop (official condense.py: condense; train.py:
// train_epoch with n_data), with checkpoints that make an interrupted run
// resume to exactly the result of an uninterrupted one: every random draw
// comes from one generator whose state is saved, the matching networks are
// seeded per outer iteration, and both SGDs are written out by hand so that
// their momentum buffers are plain tensors to save.

#include "dataopt/condense/condenser.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>

#include "dataopt/core/check.h"
#include "dataopt/core/log.h"
#include "dataopt/core/progress.h"
#include "dataopt/core/rng.h"
#include "dataopt/core/safetensors.h"
#include "dataopt/data/cutmix.h"
#include "dataopt/data/diff_augment.h"
#include "dataopt/data/normalize.h"
#include "dataopt/nn/model.h"

namespace dataopt::condense {
namespace fs = std::filesystem;

void CondenseOptions::validate() const {
  DATAOPT_CHECK(ipc >= 1, "--ipc must be >= 1, got ", ipc);
  DATAOPT_CHECK(factor >= 1, "--factor must be >= 1, got ", factor);
  DATAOPT_CHECK(niter >= 1, "--niter must be >= 1, got ", niter);
  DATAOPT_CHECK(inner_loop >= 1, "--inner-loop must be >= 1, got ", inner_loop);
  DATAOPT_CHECK(niter * 100 >= inner_loop, "--niter * 100 must be >= --inner-loop");
  DATAOPT_CHECK(n_data >= 0, "--n-data must be >= 0, got ", n_data);
  DATAOPT_CHECK(batch_real >= 1, "--batch-real must be >= 1, got ", batch_real);
  DATAOPT_CHECK(batch_syn_max >= 1, "--batch-syn-max must be >= 1, got ", batch_syn_max);
  DATAOPT_CHECK(lr_img > 0 && std::isfinite(lr_img), "--lr-img must be > 0, got ", lr_img);
  DATAOPT_CHECK(lr_img_size_base > 0, "lr_img_size_base must be > 0");
  DATAOPT_CHECK(mom_img >= 0 && mom_img < 1, "--mom-img must be in [0, 1), got ", mom_img);
  DATAOPT_CHECK(net_width >= 1 && net_depth >= 1, "the matching network needs width and depth >= 1");
  DATAOPT_CHECK(net_lr > 0, "--net-lr must be > 0, got ", net_lr);
  DATAOPT_CHECK(cutmix_p >= 0 && cutmix_p <= 1, "--cutmix-p must be in [0, 1], got ", cutmix_p);
  DATAOPT_CHECK(cutmix_beta > 0, "--cutmix-beta must be > 0, got ", cutmix_beta);
  DATAOPT_CHECK(mean.size() == std.size(), "mean and std need the same number of channels");
  DATAOPT_CHECK(checkpoint_every >= 1, "--checkpoint-every must be >= 1");
  DATAOPT_CHECK(budget_minutes >= 0, "--budget-minutes must be >= 0, got ", budget_minutes);
  DATAOPT_CHECK(stop_after >= 0, "stop_after must be >= 0");
  data::DiffAugmentOptions{.strategy = aug_match}.validate();
  data::DiffAugmentOptions{.strategy = aug_net}.validate();
}

int64_t CondenseOptions::outer_iterations() const { return niter * 100 / inner_loop; }

double CondenseOptions::effective_lr_img(int64_t h) const {
  if (!tune_lr_img) return lr_img;
  const double r = static_cast<double>(h) / lr_img_size_base;
  return lr_img * (static_cast<double>(ipc) / 10.0) * r * r;
}

std::string CondenseOptions::to_json() const {
  nlohmann::json j = {
      {"ipc", ipc}, {"factor", factor}, {"init", to_string(init)},
      {"metric", to_string(metric)}, {"bias", bias}, {"fc", fc}, {"niter", niter},
      {"inner_loop", inner_loop}, {"n_data", n_data}, {"batch_real", batch_real},
      {"batch_syn_max", batch_syn_max}, {"lr_img", lr_img}, {"tune_lr_img", tune_lr_img},
      {"lr_img_size_base", lr_img_size_base}, {"mom_img", mom_img}, {"net_width", net_width},
      {"net_depth", net_depth}, {"net_norm", net_norm}, {"net_lr", net_lr},
      {"net_momentum", net_momentum}, {"net_weight_decay", net_weight_decay},
      {"aug_match", aug_match}, {"aug_net", aug_net}, {"cutmix_beta", cutmix_beta},
      {"cutmix_p", cutmix_p}, {"mean", mean}, {"std", std}, {"seed", seed}};
  return j.dump();
}

namespace {

constexpr const char* kCheckpointName = "condense_checkpoint.safetensors";

// Everything that changes during the run.
struct LoopState {
  at::Tensor images;      // [ipc*K, C, H, W], on the device
  at::Tensor img_buf;     // SGD momentum of the images
  std::shared_ptr<nn::Model> net;
  std::vector<at::Tensor> net_bufs;
  at::Generator gen;
  int64_t inner_done = 0;
  double seconds_before = 0;
};

nn::ModelOptions net_options(const CondenseOptions& o, const data::Dataset& train, int64_t outer) {
  return {.name = "convnet",
          .in_channels = train.channels(),
          .image_size = train.height(),
          .num_classes = train.num_classes(),
          .width = o.net_width,
          .depth = o.net_depth,
          .norm = o.net_norm,
          .seed = derive_seed(o.seed, static_cast<uint64_t>(outer))};
}

std::string fingerprint(const CondenseOptions& o, const data::Dataset& train) {
  return o.to_json() + "|" + std::to_string(train.size()) + "x" +
         std::to_string(train.channels()) + "x" + std::to_string(train.height()) + "x" +
         std::to_string(train.width()) + "|k" + std::to_string(train.num_classes());
}

void save_checkpoint(const fs::path& dir, const LoopState& s, const std::string& fp,
                     double seconds) {
  TensorFile f;
  f.add("images", s.images.cpu());
  f.add("img_momentum", s.img_buf.cpu());
  f.add("generator_state", s.gen.get_state());
  if (s.net) {
    for (auto& [name, t] : s.net->state_dict().tensors) f.add("net." + name, t.cpu());
    for (size_t i = 0; i < s.net_bufs.size(); ++i)
      f.add("net_momentum." + std::to_string(i), s.net_bufs[i].cpu());
  }
  f.metadata["fingerprint"] = fp;
  f.metadata["inner_done"] = std::to_string(s.inner_done);
  f.metadata["seconds"] = std::to_string(seconds);
  fs::create_directories(dir);
  write_safetensors(dir / kCheckpointName, f);
}

// Restores `s` from a checkpoint of the same run; false if there is none
// (or it belongs to other options, which is logged).
bool load_checkpoint(const fs::path& dir, LoopState& s, const std::string& fp,
                     const CondenseOptions& o, const data::Dataset& train,
                     const torch::Device& device) {
  const fs::path path = dir / kCheckpointName;
  if (!fs::exists(path)) return false;
  const TensorFile f = read_safetensors(path);
  const auto it = f.metadata.find("fingerprint");
  if (it == f.metadata.end() || it->second != fp) {
    log::warn(path.string(), ": written with other options or data; starting afresh");
    return false;
  }
  s.images = f.get("images").to(device).clone();
  s.img_buf = f.get("img_momentum").to(device).clone();
  s.gen.set_state(f.get("generator_state"));
  s.inner_done = std::stoll(f.metadata.at("inner_done"));
  s.seconds_before = std::stod(f.metadata.at("seconds"));
  s.net.reset();
  s.net_bufs.clear();
  if (s.inner_done % o.inner_loop != 0) {
    s.net = nn::make_model(net_options(o, train, s.inner_done / o.inner_loop));
    s.net->to(device.str());
    TensorFile net_state;
    for (const auto& [name, t] : f.tensors) {
      if (name.rfind("net.", 0) == 0) net_state.add(name.substr(4), t);
    }
    s.net->load_state_dict(net_state);
    for (size_t i = 0; f.contains("net_momentum." + std::to_string(i)); ++i)
      s.net_bufs.push_back(f.get("net_momentum." + std::to_string(i)).to(device).clone());
  }
  return true;
}

// Seconds since the last lap.
class Stopwatch {
 public:
  double lap() {
    const auto now = std::chrono::steady_clock::now();
    const double s = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    return s;
  }

 private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

// `n` distinct random indices among `pool` (int64, CPU).
at::Tensor draw(const at::Tensor& pool, int64_t n, at::Generator& gen) {
  const int64_t m = pool.size(0);
  const at::Tensor perm = torch::randperm(m, gen, torch::kLong);
  return pool.index_select(0, perm.slice(0, 0, std::min(n, m)));
}

class Loop {
 public:
  Loop(const data::Dataset& train, const CondenseOptions& o)
      : train_(train),
        o_(o),
        device_(o.device),
        aug_match_({.strategy = o.aug_match, .batch = true}),
        aug_net_({.strategy = o.aug_net, .batch = false}) {
    const int64_t k = train.num_classes();
    for (int64_t c = 0; c < k; ++c) class_idx_.push_back((train.labels == c).nonzero().flatten());
    all_idx_ = torch::arange(train.size(), torch::kLong);
    std::vector<double> mean = o.mean, sd = o.std;
    if (mean.empty()) {
      const auto stats = data::channel_stats(train.images);
      mean = stats.mean;
      sd = stats.std;
    }
    DATAOPT_CHECK(static_cast<int64_t>(mean.size()) == train.channels(),
                  "condense: mean/std have ", mean.size(), " channels, the data ",
                  train.channels());
    const auto opts = torch::TensorOptions().dtype(torch::kFloat32).device(device_);
    mean_ = torch::tensor(mean, torch::kFloat64).to(opts).view({1, -1, 1, 1});
    std_ = torch::tensor(sd, torch::kFloat64).to(opts).view({1, -1, 1, 1});
    lr_img_ = o.effective_lr_img(train.height());
  }

  at::Tensor normalize(const at::Tensor& x) const { return (x - mean_) / std_; }

  // One matching step and image update per class; returns the mean loss.
  double match_classes(LoopState& s, const std::vector<at::Tensor>& params, CondenseStages& t) {
    double total = 0;
    const int64_t ipc = o_.ipc, k = train_.num_classes();
    Stopwatch w;
    for (int64_t c = 0; c < k; ++c) {
      const at::Tensor xr =
          train_.images.index_select(0, draw(class_idx_[c], o_.batch_real, s.gen)).to(device_);
      at::Tensor leaf = s.images.slice(0, c * ipc, (c + 1) * ipc).detach().requires_grad_(true);
      at::Tensor xs = decode_zoom(leaf, o_.factor);
      if (xs.size(0) > o_.batch_syn_max) {
        const at::Tensor pick =
            torch::randperm(xs.size(0), s.gen, torch::kLong).slice(0, 0, o_.batch_syn_max);
        xs = xs.index_select(0, pick.to(device_));
      }
      const int64_t nr = xr.size(0), ns = xs.size(0);
      t.data += w.lap();
      const at::Tensor z = aug_match_(normalize(torch::cat({xr, xs})), s.gen);
      t.augment += w.lap();
      const auto lab = [&](int64_t n) {
        return torch::full({n}, c, torch::TensorOptions().dtype(torch::kLong).device(device_));
      };
      const at::Tensor loss = gradient_match_loss(*s.net, params, z.slice(0, 0, nr), lab(nr),
                                                  z.slice(0, nr, nr + ns), lab(ns), o_.metric);
      total += loss.item<double>();
      t.match_loss += w.lap();
      const at::Tensor g = torch::autograd::grad({loss}, {leaf})[0];
      // The official optimiser holds all stored images as one tensor and
      // steps once per class with zero gradient outside the class: every
      // class step also moves the other classes by their decaying momentum.
      torch::NoGradGuard ng;
      s.img_buf.mul_(o_.mom_img);
      s.img_buf.slice(0, c * ipc, (c + 1) * ipc).add_(g);
      s.images.sub_(lr_img_ * s.img_buf);
      t.image_grad += w.lap();
    }
    return total / static_cast<double>(k);
  }

  // The network trains on n_data real examples (batches of batch_real),
  // per-sample augmentation and CutMix, SGD with momentum and weight decay.
  void train_net(LoopState& s) {
    int64_t seen = 0;
    auto params = s.net->parameters();
    while (seen < o_.n_data) {
      const at::Tensor idx = draw(all_idx_, o_.batch_real, s.gen);
      at::Tensor x = train_.images.index_select(0, idx).to(device_);
      at::Tensor y = train_.labels.index_select(0, idx).to(device_);
      {
        torch::NoGradGuard ng;
        x = aug_net_(normalize(x), s.gen);
      }
      at::Tensor loss;
      const double r = torch::rand({1}, s.gen).item<double>();
      if (r < o_.cutmix_p) {
        const data::CutMixed m = data::cutmix(x, o_.cutmix_beta, s.gen);
        const at::Tensor out = s.net->forward(m.images);
        loss = m.ratio * torch::cross_entropy_loss(out, y) +
               (1 - m.ratio) * torch::cross_entropy_loss(out, y.index_select(0, m.perm));
      } else {
        loss = torch::cross_entropy_loss(s.net->forward(x), y);
      }
      const auto grads = torch::autograd::grad({loss}, params);
      torch::NoGradGuard ng;
      for (size_t i = 0; i < params.size(); ++i) {
        at::Tensor d = grads[i] + o_.net_weight_decay * params[i];
        s.net_bufs[i].mul_(o_.net_momentum).add_(d);
        params[i].sub_(o_.net_lr * s.net_bufs[i]);
      }
      seen += y.size(0);
    }
  }

  void fresh_net(LoopState& s, int64_t outer) {
    s.net = nn::make_model(net_options(o_, train_, outer));
    s.net->to(device_.str());
    s.net->train(true);
    s.net_bufs.clear();
    for (const auto& p : s.net->parameters()) s.net_bufs.push_back(torch::zeros_like(p));
    torch::NoGradGuard ng;
    s.images.clamp_(0.0, 1.0);
  }

 private:
  const data::Dataset& train_;
  const CondenseOptions& o_;
  torch::Device device_;
  data::DiffAugment aug_match_;
  data::DiffAugment aug_net_;
  std::vector<at::Tensor> class_idx_;
  at::Tensor all_idx_;
  at::Tensor mean_, std_;
  double lr_img_ = 0;
};

}  // namespace

CondenseResult condense_idc(const data::Dataset& train, const CondenseOptions& o,
                            const fs::path& checkpoint_dir, const CondenseCallback& callback) {
  o.validate();
  train.validate();
  const torch::Device device(o.device);
  const SyntheticSet init = init_synthetic(train, {.ipc = o.ipc, .factor = o.factor,
                                                   .init = o.init, .seed = o.seed});
  const std::string fp = fingerprint(o, train);
  LoopState s{.images = init.images.to(device).clone(),
              .img_buf = torch::zeros_like(init.images).to(device),
              .gen = make_generator(derive_seed(o.seed, 0x1dcULL))};
  CondenseResult r;
  if (!checkpoint_dir.empty() && o.resume && load_checkpoint(checkpoint_dir, s, fp, o, train, device)) {
    r.resumed_from = s.inner_done;
    log::info("condense: resuming at inner iteration ", s.inner_done);
  }
  Loop loop(train, o);
  const int64_t total = o.outer_iterations() * o.inner_loop;
  int64_t end = total;
  if (o.stop_after > 0) end = std::min(end, o.stop_after);
  const auto start = std::chrono::steady_clock::now();
  const auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  std::optional<Progress> bar;
  if (o.progress)
    bar.emplace("condense ipc " + std::to_string(o.ipc) + " f" + std::to_string(o.factor),
                end - s.inner_done, 20);
  std::vector<at::Tensor> params;
  if (s.net) params = matched_parameters(*s.net, {.bias = o.bias, .fc = o.fc});
  while (s.inner_done < end) {
    if (s.inner_done % o.inner_loop == 0) {
      loop.fresh_net(s, s.inner_done / o.inner_loop);
      params = matched_parameters(*s.net, {.bias = o.bias, .fc = o.fc});
    }
    const double loss = loop.match_classes(s, params, r.stages);
    if (o.n_data > 0) {
      Stopwatch w;
      loop.train_net(s);
      r.stages.net_update += w.lap();
    }
    ++s.inner_done;
    r.loss_history.push_back(loss);
    if (callback) callback(s.inner_done, total, loss);
    if (o.progress) {
      char status[96];
      std::snprintf(status, sizeof status, "iter %lld/%lld  loss %.1f",
                    static_cast<long long>(s.inner_done), static_cast<long long>(total), loss);
      bar->update(1, status);
    }
    const bool over_budget = o.budget_minutes > 0 && elapsed() >= o.budget_minutes * 60.0;
    if (!checkpoint_dir.empty() &&
        (s.inner_done % o.checkpoint_every == 0 || s.inner_done == end || over_budget)) {
      save_checkpoint(checkpoint_dir, s, fp, s.seconds_before + elapsed());
    }
    if (over_budget && s.inner_done < end) {
      r.stopped_by = "budget";
      break;
    }
  }
  if (bar) bar->finish();
  r.inner_iterations = s.inner_done;
  r.finished = s.inner_done >= total;
  if (!r.finished && r.stopped_by.empty()) r.stopped_by = "stop_after";
  r.seconds = elapsed();
  r.total_seconds = s.seconds_before + r.seconds;
  r.set = init;
  r.set.images = s.images.detach().cpu().clamp(0.0, 1.0).contiguous();
  r.set.metadata["method"] = o.factor > 1 ? "idc" : "idc-i";
  r.set.metadata["options"] = o.to_json();
  r.set.metadata["inner_iterations"] = std::to_string(r.inner_iterations);
  return r;
}

}  // namespace dataopt::condense
