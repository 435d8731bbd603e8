// The condensed-set evaluation protocol (IDC test.py: test_data; train.py:
// train with DSA and CutMix), on the project's Trainer.

#include "dataopt/condense/evaluate.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <optional>

#include "dataopt/core/check.h"
#include "dataopt/core/log.h"
#include "dataopt/core/progress.h"
#include "dataopt/core/rng.h"
#include "dataopt/data/cutmix.h"
#include "dataopt/data/diff_augment.h"
#include "dataopt/data/normalize.h"
#include "dataopt/nn/model.h"
#include "dataopt/train/trainer.h"

namespace dataopt::condense {

void EvalOptions::validate() const {
  DATAOPT_CHECK(epochs >= 1, "--eval-epochs must be >= 1, got ", epochs);
  DATAOPT_CHECK(batch_size >= 1, "evaluation batch size must be >= 1, got ", batch_size);
  DATAOPT_CHECK(lr > 0, "evaluation lr must be > 0, got ", lr);
  DATAOPT_CHECK(repeats >= 1, "--repeats must be >= 1, got ", repeats);
  DATAOPT_CHECK(cutmix_p >= 0 && cutmix_p <= 1, "evaluation cutmix_p must be in [0, 1]");
  DATAOPT_CHECK(cutmix_beta > 0, "evaluation cutmix_beta must be > 0");
  DATAOPT_CHECK(mean.size() == std.size(), "evaluation mean and std need the same length");
  if (dsa != "none") data::DiffAugmentOptions{.strategy = dsa}.validate();
}

SyntheticEval evaluate_synthetic(const data::Dataset& train, const data::Dataset& test,
                                 const EvalOptions& o) {
  o.validate();
  train.validate();
  test.validate();
  DATAOPT_CHECK(train.channels() == test.channels() && train.height() == test.height() &&
                    train.width() == test.width(),
                "evaluate_synthetic: training images ", train.channels(), "x", train.height(),
                "x", train.width(), " do not match the test images ", test.channels(), "x",
                test.height(), "x", test.width());
  DATAOPT_CHECK(train.num_classes() == test.num_classes(), "evaluate_synthetic: ",
                train.num_classes(), " classes in the synthetic set, ", test.num_classes(),
                " in the test set");
  data::ChannelStats stats;
  if (o.mean.empty()) {
    stats = data::channel_stats(test.images);
  } else {
    stats.mean = o.mean;
    stats.std = o.std;
  }
  const torch::Device device(o.device);
  const auto fopts = torch::TensorOptions().dtype(torch::kFloat32).device(device);
  const at::Tensor mean = torch::tensor(stats.mean, torch::kFloat64).to(fopts).view({1, -1, 1, 1});
  const at::Tensor sd = torch::tensor(stats.std, torch::kFloat64).to(fopts).view({1, -1, 1, 1});
  const data::DiffAugment dsa({.strategy = o.dsa == "none" ? "none" : o.dsa, .batch = false});

  SyntheticEval r;
  r.epochs = o.epochs;
  r.repeats = o.repeats;
  r.train_images = train.size();
  const auto start = std::chrono::steady_clock::now();
  for (int64_t rep = 0; rep < o.repeats; ++rep) {
    const uint64_t seed = derive_seed(o.seed, static_cast<uint64_t>(rep));
    auto model = nn::make_model({.name = o.model,
                                 .in_channels = train.channels(),
                                 .image_size = train.height(),
                                 .num_classes = train.num_classes(),
                                 .width = o.width,
                                 .depth = o.depth,
                                 .mean = stats.mean,
                                 .std = stats.std,
                                 .seed = seed});
    train::TrainOptions t;
    t.epochs = o.epochs;
    t.batch_size = o.batch_size;
    t.lr = o.lr;
    t.momentum = o.momentum;
    t.weight_decay = o.weight_decay;
    t.schedule = train::ScheduleKind::kStep;
    t.milestones = {std::max<int64_t>(1, o.epochs * 2 / 3), std::max<int64_t>(1, o.epochs * 5 / 6)};
    t.gamma = o.gamma;
    t.seed = seed;
    t.device = o.device;
    t.eval_every_epoch = false;
    t.progress = false;
    train::Trainer trainer(model, t);
    auto gen = std::make_shared<at::Generator>(make_generator(derive_seed(seed, 0xe7a1ULL)));
    const int64_t k = train.num_classes();
    trainer.set_batch_hook([&, gen](train::Batch& b, nn::Model&) {
      torch::NoGradGuard ng;
      // The official pipeline augments normalised images (zero fill = the
      // mean); the model normalises its input itself, so go back to pixels.
      if (o.dsa != "none") b.images = dsa((b.images - mean) / sd, *gen) * sd + mean;
      if (o.cutmix_p > 0 && torch::rand({1}, *gen).item<double>() < o.cutmix_p) {
        const data::CutMixed m = data::cutmix(b.images, o.cutmix_beta, *gen);
        const at::Tensor own = torch::one_hot(b.labels, k).to(b.images.scalar_type());
        b.images = m.images;
        b.targets = m.ratio * own + (1 - m.ratio) * own.index_select(0, m.perm);
      }
    });
    std::optional<Progress> bar;
    if (o.progress) {
      bar.emplace("evaluate " + std::to_string(rep + 1) + "/" + std::to_string(o.repeats),
                  o.epochs, 10);
      trainer.set_epoch_callback([&bar](const train::EpochStats& e) {
        char status[64];
        std::snprintf(status, sizeof status, "loss %.3f", e.train_loss);
        bar->update(1, status);
      });
    }
    const train::TrainResult res = trainer.fit(train, &test);
    if (bar) bar->finish("test accuracy " + std::to_string(res.test.accuracy));
    r.accuracies.push_back(res.test.accuracy);
    r.nlls.push_back(res.test.nll);
    r.eces.push_back(res.test.ece);
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double sum = 0;
  for (double a : r.accuracies) sum += a;
  r.accuracy_mean = sum / static_cast<double>(r.accuracies.size());
  double sq = 0;
  for (double a : r.accuracies) sq += (a - r.accuracy_mean) * (a - r.accuracy_mean);
  r.accuracy_std =
      r.accuracies.size() > 1 ? std::sqrt(sq / static_cast<double>(r.accuracies.size() - 1)) : 0;
  return r;
}

}  // namespace dataopt::condense
