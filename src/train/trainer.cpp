#include "dataopt/train/trainer.h"

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

#include "dataopt/core/check.h"
#include "dataopt/core/log.h"
#include "dataopt/core/progress.h"
#include "dataopt/core/rng.h"
#include "dataopt/core/tensor_check.h"
#include "train/detail/checkpoint.h"

namespace dataopt::train {
namespace {

std::string format_fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace
namespace fs = std::filesystem;

OptimizerKind parse_optimizer(const std::string& text) {
  if (text == "sgd") return OptimizerKind::kSgd;
  if (text == "adam") return OptimizerKind::kAdam;
  DATAOPT_CHECK(false, "unknown optimizer '", text, "' (expected sgd or adam)");
  return OptimizerKind::kSgd;
}

ScheduleKind parse_schedule(const std::string& text) {
  if (text == "constant") return ScheduleKind::kConstant;
  if (text == "step") return ScheduleKind::kStep;
  if (text == "cosine") return ScheduleKind::kCosine;
  DATAOPT_CHECK(false, "unknown schedule '", text,
                "' (expected constant, step or cosine)");
  return ScheduleKind::kConstant;
}

std::string to_string(OptimizerKind kind) {
  return kind == OptimizerKind::kSgd ? "sgd" : "adam";
}

std::string to_string(ScheduleKind kind) {
  switch (kind) {
    case ScheduleKind::kConstant: return "constant";
    case ScheduleKind::kStep: return "step";
    case ScheduleKind::kCosine: return "cosine";
  }
  return "?";
}

void TrainOptions::validate() const {
  DATAOPT_CHECK(epochs >= 1, "epochs must be >= 1, got ", epochs);
  DATAOPT_CHECK(batch_size >= 1, "batch_size must be >= 1, got ", batch_size);
  DATAOPT_CHECK(lr > 0 && std::isfinite(lr), "lr must be > 0, got ", lr);
  DATAOPT_CHECK(momentum >= 0 && momentum < 1, "momentum must be in [0, 1), got ",
                momentum);
  DATAOPT_CHECK(weight_decay >= 0, "weight_decay must be >= 0, got ",
                weight_decay);
  DATAOPT_CHECK(gamma > 0, "gamma must be > 0, got ", gamma);
  for (auto m : milestones) {
    DATAOPT_CHECK(m >= 1, "milestones must be >= 1, got ", m);
  }
  DATAOPT_CHECK(device == "cpu" || device.rfind("cuda", 0) == 0,
                "device must be cpu or cuda[:i], got '", device, "'");
}

at::Tensor soft_cross_entropy(const at::Tensor& logits,
                              const at::Tensor& targets) {
  return -(targets * torch::log_softmax(logits, 1)).sum(1).mean();
}

namespace {

nlohmann::json eval_json(const EvalResult& r) {
  return {{"accuracy", r.accuracy}, {"nll", r.nll}, {"ece", r.ece}, {"n", r.n}};
}

EvalResult eval_from_json(const nlohmann::json& j) {
  EvalResult r;
  r.accuracy = j.value("accuracy", 0.0);
  r.nll = j.value("nll", 0.0);
  r.ece = j.value("ece", 0.0);
  r.n = j.value("n", int64_t{0});
  return r;
}

std::string history_to_json(const std::vector<EpochStats>& history) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& e : history) {
    arr.push_back({{"epoch", e.epoch},
                   {"train_loss", e.train_loss},
                   {"train_accuracy", e.train_accuracy},
                   {"lr", e.lr},
                   {"seconds", e.seconds},
                   {"test", eval_json(e.test)}});
  }
  return arr.dump();
}

// Everything that determines the weights a run produces: a checkpoint is only
// resumed by a run with the same fingerprint.
std::string fingerprint(const nn::ModelOptions& model, const TrainOptions& o) {
  nlohmann::json train = {
      {"epochs", o.epochs},       {"batch_size", o.batch_size},
      {"lr", o.lr},               {"momentum", o.momentum},
      {"weight_decay", o.weight_decay}, {"nesterov", o.nesterov},
      {"optimizer", static_cast<int>(o.optimizer)},
      {"schedule", static_cast<int>(o.schedule)},
      {"milestones", o.milestones}, {"gamma", o.gamma},
      {"augment", o.augment},     {"drop_last", o.drop_last},
      {"seed", o.seed}};
  if (!o.run_tag.empty()) train["tag"] = o.run_tag;
  return nlohmann::json({{"model", nlohmann::json::parse(nn::to_json(model))},
                         {"train", train}})
      .dump();
}

std::vector<EpochStats> history_from_json(const std::string& text) {
  std::vector<EpochStats> out;
  for (const auto& j : nlohmann::json::parse(text)) {
    EpochStats e;
    e.epoch = j.at("epoch").get<int64_t>();
    e.train_loss = j.at("train_loss").is_number() ? j.at("train_loss").get<double>() : NAN;
    e.train_accuracy = j.at("train_accuracy").is_number()
                           ? j.at("train_accuracy").get<double>()
                           : NAN;
    e.lr = j.at("lr").get<double>();
    e.seconds = j.at("seconds").get<double>();
    e.test = eval_from_json(j.at("test"));
    out.push_back(e);
  }
  return out;
}

// Random horizontal flips and shifts of up to 2 pixels (zero padding).
at::Tensor augment_batch(const at::Tensor& x, at::Generator& gen) {
  const int64_t b = x.size(0), h = x.size(2), w = x.size(3);
  const int64_t pad = 2;
  const at::Tensor flip =
      torch::rand({b}, gen, torch::TensorOptions().dtype(torch::kFloat)) < 0.5;
  const at::Tensor shifts =
      torch::randint(0, 2 * pad + 1, {b, 2}, gen, torch::kLong);
  at::Tensor padded = torch::constant_pad_nd(x, {pad, pad, pad, pad}, 0.0);
  at::Tensor out = torch::empty_like(x);
  const auto flip_a = flip.accessor<bool, 1>();
  const auto shift_a = shifts.accessor<int64_t, 2>();
  for (int64_t i = 0; i < b; ++i) {
    at::Tensor crop = padded[i]
                          .narrow(1, shift_a[i][0], h)
                          .narrow(2, shift_a[i][1], w);
    out[i].copy_(flip_a[i] ? crop.flip({2}) : crop);
  }
  return out;
}

}  // namespace

struct Trainer::State {
  std::unique_ptr<torch::optim::Optimizer> optimizer;
};

Trainer::Trainer(std::shared_ptr<nn::Model> model, TrainOptions options)
    : model_(std::move(model)),
      options_(std::move(options)),
      state_(std::make_unique<State>()) {
  DATAOPT_CHECK(model_ != nullptr, "Trainer: model is null");
  options_.validate();
  if (options_.schedule == ScheduleKind::kStep && options_.milestones.empty()) {
    options_.milestones = {std::max<int64_t>(1, options_.epochs / 2),
                           std::max<int64_t>(1, options_.epochs * 3 / 4)};
  }
}

Trainer::~Trainer() = default;

void Trainer::set_batch_hook(BatchHook hook) { hook_ = std::move(hook); }
void Trainer::set_loss_fn(LossFn loss) { loss_ = std::move(loss); }
void Trainer::set_epoch_callback(std::function<void(const EpochStats&)> cb) {
  on_epoch_ = std::move(cb);
}

double Trainer::lr_at(int64_t epoch, int64_t step_in_epoch,
                      int64_t steps_per_epoch) const {
  switch (options_.schedule) {
    case ScheduleKind::kConstant:
      return options_.lr;
    case ScheduleKind::kStep: {
      double lr = options_.lr;
      for (auto m : options_.milestones) {
        if (epoch >= m) lr *= options_.gamma;
      }
      return lr;
    }
    case ScheduleKind::kCosine: {
      const double t = static_cast<double>(epoch * steps_per_epoch + step_in_epoch);
      const double total = static_cast<double>(options_.epochs * steps_per_epoch);
      return 0.5 * options_.lr * (1.0 + std::cos(M_PI * t / total));
    }
  }
  return options_.lr;
}

TrainResult Trainer::fit(const data::Dataset& train, const data::Dataset* test) {
  train.validate();
  DATAOPT_CHECK(train.size() > 0, "Trainer::fit: empty training set");
  const auto& mo = model_->options();
  DATAOPT_CHECK(train.channels() == mo.in_channels && train.height() == mo.image_size &&
                    train.width() == mo.image_size,
                "Trainer::fit: model expects [N, ", mo.in_channels, ", ",
                mo.image_size, ", ", mo.image_size, "] images, data set has ",
                shape_str(train.images));
  DATAOPT_CHECK(train.num_classes() == mo.num_classes, "Trainer::fit: model has ",
                mo.num_classes, " classes, data set ", train.num_classes());
  if (test != nullptr) test->validate();

  const torch::Device device(options_.device);
  model_->to(options_.device);
  auto& module = model_->module();
  if (options_.optimizer == OptimizerKind::kSgd) {
    state_->optimizer = std::make_unique<torch::optim::SGD>(
        module.parameters(), torch::optim::SGDOptions(options_.lr)
                                 .momentum(options_.momentum)
                                 .weight_decay(options_.weight_decay)
                                 .nesterov(options_.nesterov));
  } else {
    state_->optimizer = std::make_unique<torch::optim::Adam>(
        module.parameters(), torch::optim::AdamOptions(options_.lr)
                                 .betas({0.9, 0.999})
                                 .weight_decay(options_.weight_decay));
  }
  auto& optimizer = *state_->optimizer;

  TrainResult result;
  const std::string model_json = fingerprint(mo, options_);
  fs::path ckpt;
  int64_t start_epoch = 0;
  if (!options_.checkpoint_dir.empty()) {
    ckpt = options_.checkpoint_dir / "checkpoint.pt";
    if (options_.resume && fs::exists(ckpt)) {
      const auto info =
          detail::load_checkpoint(ckpt, module, optimizer, model_json);
      start_epoch = std::min(info.epoch, options_.epochs);
      result.history = history_from_json(info.history_json);
      result.history.resize(static_cast<size_t>(start_epoch));
      result.resumed_from = start_epoch;
      log::info("resuming from ", ckpt.string(), " after epoch ", start_epoch);
    }
  }

  const int64_t n = train.size();
  const int64_t bs = options_.batch_size;
  const int64_t steps = options_.drop_last ? std::max<int64_t>(1, n / bs)
                                           : (n + bs - 1) / bs;
  for (int64_t epoch = start_epoch; epoch < options_.epochs; ++epoch) {
    const auto t0 = std::chrono::steady_clock::now();
    at::Generator gen = make_generator(derive_seed(options_.seed, epoch));
    const at::Tensor perm = torch::randperm(n, gen, torch::kLong);
    model_->train(true);
    std::unique_ptr<Progress> bar;
    if (options_.progress) {
      bar = std::make_unique<Progress>("epoch " + std::to_string(epoch + 1) +
                                           "/" + std::to_string(options_.epochs),
                                       steps, 4);
    }
    double loss_sum = 0, correct = 0;
    int64_t seen = 0;
    double lr = options_.lr;
    for (int64_t s = 0; s < steps; ++s) {
      const int64_t lo = s * bs, hi = std::min(n, lo + bs);
      Batch batch;
      batch.indices = perm.slice(0, lo, hi);
      at::Tensor x = train.images.index_select(0, batch.indices);
      if (options_.augment) x = augment_batch(x, gen);
      batch.images = x.to(device);
      batch.labels = train.labels.index_select(0, batch.indices).to(device);
      batch.epoch = epoch;
      batch.step = epoch * steps + s;
      lr = lr_at(epoch, s, steps);
      for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);
      if (hook_) hook_(batch, *model_);

      at::Tensor loss;
      if (loss_) {
        loss = loss_(*model_, batch);
      } else {
        const at::Tensor logits = model_->forward(batch.images);
        loss = batch.targets.defined()
                   ? soft_cross_entropy(logits, batch.targets)
                   : torch::cross_entropy_loss(logits, batch.labels);
        correct += logits.argmax(1).eq(batch.labels).sum().item<double>();
      }
      if (batch.aux_loss.defined()) loss = loss + batch.aux_loss;
      DATAOPT_CHECK(std::isfinite(loss.item<double>()), "training diverged: loss is ",
                    loss.item<double>(), " at epoch ", epoch + 1, " step ", s + 1,
                    " (try a smaller lr)");
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      const int64_t b = hi - lo;
      loss_sum += loss.item<double>() * static_cast<double>(b);
      seen += b;
      if (bar) {
        char status[64];
        std::snprintf(status, sizeof status, "loss %.4f", loss_sum / seen);
        bar->update(1, status);
      }
    }
    EpochStats stats;
    stats.epoch = epoch + 1;
    stats.train_loss = loss_sum / static_cast<double>(seen);
    stats.train_accuracy = loss_ ? NAN : correct / static_cast<double>(seen);
    stats.lr = lr;
    stats.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    result.train_seconds += stats.seconds;
    const bool last = epoch + 1 == options_.epochs;
    if (test != nullptr && (options_.eval_every_epoch || last)) {
      stats.test = evaluate(*model_, *test);
    }
    // Training accuracy is unknown with a custom loss (mixing): not shown.
    std::string status = "loss " + format_fixed(stats.train_loss, 4);
    if (!std::isnan(stats.train_accuracy)) {
      status += "  train acc " + format_fixed(100 * stats.train_accuracy, 2) + "%";
    }
    if (stats.test.n > 0) status += "  test acc " + format_fixed(100 * stats.test.accuracy, 2) + "%";
    if (bar) bar->finish(status);
    result.history.push_back(stats);
    if (!ckpt.empty()) {
      detail::save_checkpoint(ckpt, module, optimizer,
                              {epoch + 1, history_to_json(result.history), model_json});
    }
    if (on_epoch_) on_epoch_(stats);
  }
  result.epochs = options_.epochs;
  if (test != nullptr) {
    if (!result.history.empty() && result.history.back().test.n > 0) {
      result.test = result.history.back().test;
    } else {
      result.test = evaluate(*model_, *test);
    }
  }
  return result;
}

}  // namespace dataopt::train
