#include <torch/torch.h>

#include "dataopt/core/check.h"
#include "dataopt/core/npy.h"
#include "dataopt/nn/model.h"
#include "dataopt/train/evaluate.h"
#include "dataopt/train/trainer.h"
#include "test_support.h"

namespace dataopt::train {
namespace fs = std::filesystem;

class TrainerTest : public test::SeedingFixture {
 protected:
  data::Dataset train_ = test::make_band_dataset(256, 4, 8, 1, 1);
  data::Dataset test_ = test::make_band_dataset(128, 4, 8, 1, 2);

  std::shared_ptr<nn::Model> model(const std::string& name = "convnet") {
    return nn::make_model({.name = name, .image_size = 8, .num_classes = 4,
                           .width = 8, .depth = 2, .seed = 3});
  }
  TrainOptions opts(int64_t epochs, bool augment = false) {
    return {.epochs = epochs, .batch_size = 32, .lr = 0.05, .augment = augment,
            .seed = 11, .progress = false};
  }
};

TEST_F(TrainerTest, LearnsASeparableToyProblem) {
  auto m = model();
  Trainer t(m, opts(4));
  const TrainResult r = t.fit(train_, &test_);
  EXPECT_EQ(r.history.size(), 4u);
  EXPECT_LT(r.history.back().train_loss, r.history.front().train_loss);
  EXPECT_GT(r.test.accuracy, 0.9);
  EXPECT_EQ(r.test.n, 128);
}

TEST_F(TrainerTest, ResumedRunGivesTheSameWeightsAsUninterrupted) {
  test::TempDir dir;
  // Uninterrupted: 3 epochs.
  auto full = model();
  Trainer(full, opts(3, true)).fit(train_);

  // Interrupted after 2 epochs (a run asked for 2 with the same schedule
  // length is not the same: emulate the stop by an epoch callback that throws).
  auto first = model();
  TrainOptions o = opts(3, true);
  o.checkpoint_dir = dir.path();
  Trainer stopped(first, o);
  stopped.set_epoch_callback([](const EpochStats& s) {
    if (s.epoch == 2) throw Error("simulated interruption", __FILE__, __LINE__);
  });
  EXPECT_THROW(stopped.fit(train_), Error);
  ASSERT_TRUE(fs::exists(dir / "checkpoint.pt"));

  auto resumed = model();  // fresh weights, overwritten by the checkpoint
  Trainer again(resumed, o);
  const TrainResult r = again.fit(train_);
  EXPECT_EQ(r.resumed_from, 2);
  EXPECT_EQ(r.history.size(), 3u);
  const auto a = full->state_dict(), b = resumed->state_dict();
  ASSERT_EQ(a.tensors.size(), b.tensors.size());
  for (size_t i = 0; i < a.tensors.size(); ++i) {
    EXPECT_TRUE(torch::equal(a.tensors[i].second, b.tensors[i].second))
        << a.tensors[i].first;
  }
}

TEST_F(TrainerTest, CheckpointForAnotherModelIsRejected) {
  test::TempDir dir;
  TrainOptions o = opts(1);
  o.checkpoint_dir = dir.path();
  Trainer(model(), o).fit(train_);
  auto other = nn::make_model({.name = "mlp", .image_size = 8, .num_classes = 4});
  EXPECT_THROW(Trainer(other, o).fit(train_), Error);
}

TEST_F(TrainerTest, BatchHookSeesBatchesAndSoftTargetsTrain) {
  auto m = model();
  Trainer t(m, opts(4));
  int64_t calls = 0, seen = 0;
  t.set_batch_hook([&](Batch& b, nn::Model&) {
    ++calls;
    seen += b.images.size(0);
    EXPECT_EQ(b.labels.size(0), b.images.size(0));
    // Label smoothing as a soft-target transform.
    b.targets = torch::one_hot(b.labels, 4).to(torch::kFloat) * 0.9 + 0.025;
  });
  const TrainResult r = t.fit(train_, &test_);
  EXPECT_EQ(calls, 4 * 8);
  EXPECT_EQ(seen, 4 * 256);
  EXPECT_GT(r.test.accuracy, 0.8);
}

TEST_F(TrainerTest, SchedulesAndValidation) {
  TrainOptions o = opts(10);
  o.schedule = ScheduleKind::kStep;
  Trainer t(model(), o);
  EXPECT_DOUBLE_EQ(t.lr_at(0, 0, 5), 0.05);
  EXPECT_DOUBLE_EQ(t.lr_at(5, 0, 5), 0.005);
  EXPECT_NEAR(t.lr_at(8, 0, 5), 0.0005, 1e-12);
  o.schedule = ScheduleKind::kCosine;
  Trainer c(model(), o);
  EXPECT_DOUBLE_EQ(c.lr_at(0, 0, 5), 0.05);
  EXPECT_NEAR(c.lr_at(5, 0, 5), 0.025, 1e-12);
  o.epochs = 0;
  EXPECT_THROW(Trainer(model(), o), Error);
  auto wrong = nn::make_model({.name = "mlp", .image_size = 8, .num_classes = 7});
  EXPECT_THROW(Trainer(wrong, opts(1)).fit(train_), Error);
}

TEST_F(TrainerTest, PredictReturnsFeaturesAndProbabilities) {
  auto m = model();
  const Predictions p = predict(*m, test_, {.batch_size = 50, .features = true});
  EXPECT_EQ(p.probs.sizes(), (std::vector<int64_t>{128, 4}));
  EXPECT_EQ(p.features.sizes(), (std::vector<int64_t>{128, m->feature_dim()}));
  EXPECT_TENSOR_NEAR(p.probs.sum(1), torch::ones({128}), 1e-5);
  EXPECT_TENSOR_NEAR(m->head(p.features), p.logits, 1e-4, 1e-5);
}

}  // namespace dataopt::train
