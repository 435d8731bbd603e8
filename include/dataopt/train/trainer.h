#pragma once
/// \file
/// Mini-batch training of an image classifier, with checkpoints every epoch
/// and resume, and a hook that transforms each batch (mixup plugs in here).
///
///   train::TrainOptions opts{.epochs = 10, .batch_size = 128, .lr = 0.01};
///   opts.checkpoint_dir = "out/ckpt";            // resume from here if present
///   train::Trainer trainer(model, opts);
///   trainer.set_batch_hook([](train::Batch& b, nn::Model&) { ... });
///   train::TrainResult r = trainer.fit(train_set, &test_set);

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dataopt/core/tensor_fwd.h"
#include "dataopt/data/dataset.h"
#include "dataopt/nn/model.h"
#include "dataopt/train/evaluate.h"

namespace dataopt::train {

enum class OptimizerKind { kSgd, kAdam };
enum class ScheduleKind {
  /// Constant learning rate.
  kConstant,
  /// Multiply by `gamma` at each epoch in `milestones`.
  kStep,
  /// Cosine decay from lr to 0 over all epochs (per step).
  kCosine,
};

OptimizerKind parse_optimizer(const std::string& text);
ScheduleKind parse_schedule(const std::string& text);
std::string to_string(OptimizerKind kind);
std::string to_string(ScheduleKind kind);

struct TrainOptions {
  /// Passes over the training set.
  int64_t epochs = 10;
  /// Examples per mini-batch.
  int64_t batch_size = 128;
  /// Initial learning rate.
  double lr = 0.01;
  /// SGD momentum (Adam: beta1 stays 0.9).
  double momentum = 0.9;
  /// L2 weight decay.
  double weight_decay = 5e-4;
  /// Nesterov momentum (SGD).
  bool nesterov = false;
  /// "sgd" or "adam".
  OptimizerKind optimizer = OptimizerKind::kSgd;
  /// Learning-rate schedule.
  ScheduleKind schedule = ScheduleKind::kCosine;
  /// Epochs at which a step schedule multiplies by gamma (default: 50%, 75%).
  std::vector<int64_t> milestones;
  /// Step-schedule factor.
  double gamma = 0.1;
  /// Random flips and 2-pixel shifts (per-example, seeded).
  bool augment = false;
  /// Drop the last incomplete batch.
  bool drop_last = false;
  /// Seed of shuffling and augmentation; epoch k uses derive_seed(seed, k).
  uint64_t seed = 0;
  /// "cpu" or "cuda[:i]".
  std::string device = "cpu";
  /// Where checkpoint.pt is written each epoch; "" = no checkpoints.
  std::filesystem::path checkpoint_dir;
  /// Resume from checkpoint_dir/checkpoint.pt when it exists.
  bool resume = true;
  /// Evaluate on the test set after every epoch (else only at the end).
  bool eval_every_epoch = true;
  /// Show a progress bar per epoch.
  bool progress = true;
  /// Anything else that shapes the weights (e.g. the mixing options, set by
  /// the caller as text): part of the checkpoint fingerprint, so a checkpoint
  /// of a run with another tag is not resumed.
  std::string run_tag;

  void validate() const;
};

/// One training batch as the hook sees it.
struct Batch {
  /// Raw images [B, C, H, W] on the training device.
  at::Tensor images;
  /// Hard labels [B] int64.
  at::Tensor labels;
  /// Soft targets [B, K] summing to 1; undefined = one-hot of labels.
  at::Tensor targets;
  /// Indices of the examples in the training set [B].
  at::Tensor indices;
  int64_t epoch = 0;
  /// Global step (batches since the start of training).
  int64_t step = 0;
  /// A loss term the hook computed (e.g. the clean loss of a saliency pass),
  /// added to the step's loss; undefined = none.
  at::Tensor aux_loss;
};

/// Transforms a batch in place before the forward pass (e.g. mixing).
using BatchHook = std::function<void(Batch& batch, nn::Model& model)>;
/// Replaces the default loss, cross-entropy against targets (or labels).
using LossFn = std::function<at::Tensor(nn::Model& model, const Batch& batch)>;

struct EpochStats {
  int64_t epoch = 0;  // 1-based
  double train_loss = 0;
  double train_accuracy = 0;
  double lr = 0;
  double seconds = 0;
  /// Test metrics (n == 0 if not evaluated this epoch).
  EvalResult test;
};

struct TrainResult {
  std::vector<EpochStats> history;
  /// Final test metrics (n == 0 without a test set).
  EvalResult test;
  int64_t epochs = 0;
  /// Seconds of training in this run (excludes epochs restored from a checkpoint).
  double train_seconds = 0;
  /// Epoch the run resumed from (0 = fresh start).
  int64_t resumed_from = 0;
};

/// Soft-target cross-entropy: mean over the batch of -sum_k t_k log softmax(z)_k.
at::Tensor soft_cross_entropy(const at::Tensor& logits, const at::Tensor& targets);

class Trainer {
 public:
  Trainer(std::shared_ptr<nn::Model> model, TrainOptions options);
  ~Trainer();

  void set_batch_hook(BatchHook hook);
  void set_loss_fn(LossFn loss);
  void set_epoch_callback(std::function<void(const EpochStats&)> callback);

  /// Trains for options.epochs (continuing a checkpoint if there is one).
  TrainResult fit(const data::Dataset& train, const data::Dataset* test = nullptr);

  nn::Model& model() { return *model_; }
  const TrainOptions& options() const { return options_; }
  /// Learning rate at a fractional epoch position (for the schedule).
  double lr_at(int64_t epoch, int64_t step_in_epoch, int64_t steps_per_epoch) const;

 private:
  struct State;
  std::shared_ptr<nn::Model> model_;
  TrainOptions options_;
  BatchHook hook_;
  LossFn loss_;
  std::function<void(const EpochStats&)> on_epoch_;
  std::unique_ptr<State> state_;
};

}  // namespace dataopt::train
