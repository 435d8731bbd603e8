#include <torch/torch.h>

#include "dataopt/core/check.h"
#include "dataopt/train/cross_fit.h"
#include "test_support.h"

namespace dataopt::train {

class CrossFit : public test::SeedingFixture {};

TEST_F(CrossFit, StratifiedFoldsAreBalancedPerClassAndSeeded) {
  const at::Tensor labels = torch::arange(90, torch::kLong).remainder(3);
  const at::Tensor folds = stratified_folds(labels, 3, 5);
  for (int64_t c = 0; c < 3; ++c) {
    const at::Tensor f = folds.index_select(0, (labels == c).nonzero().squeeze(1));
    EXPECT_TRUE(torch::equal(torch::bincount(f, {}, 3), torch::full({3}, 10, torch::kLong)));
  }
  EXPECT_TRUE(torch::equal(folds, stratified_folds(labels, 3, 5)));
  EXPECT_FALSE(torch::equal(folds, stratified_folds(labels, 3, 6)));
  EXPECT_THROW(stratified_folds(labels, 1, 0), Error);
  EXPECT_THROW(stratified_folds(labels.slice(0, 0, 2), 3, 0), Error);
}

TEST_F(CrossFit, EveryRowIsPredictedByAModelThatDidNotSeeIt) {
  const data::Dataset ds = test::make_band_dataset(240, 4, 8, 1, 3);
  const nn::ModelOptions mo{.name = "convnet", .image_size = 8, .num_classes = 4,
                            .width = 8, .depth = 2};
  const TrainOptions to{.epochs = 6, .batch_size = 16, .lr = 0.05, .progress = false};
  const Predictions p = cross_fit_predict(ds, mo, to, 3);
  EXPECT_EQ(p.probs.sizes(), (std::vector<int64_t>{240, 4}));
  EXPECT_EQ(p.features.sizes(), (std::vector<int64_t>{240, 32}));
  EXPECT_TENSOR_NEAR(p.probs.sum(1), torch::ones({240}), 1e-5);
  // The band problem is easy: held-out predictions are mostly right.
  EXPECT_GT(p.probs.argmax(1).eq(ds.labels).to(torch::kDouble).mean().item<double>(), 0.8);
}

}  // namespace dataopt::train
