// The evaluation protocol on a tiny learnable set: it trains, is reproducible
// for a seed, reports mean and spread, and refuses mismatched data.

#include <torch/torch.h>

#include "dataopt/condense/evaluate.h"
#include "dataopt/core/check.h"
#include "test_support.h"

namespace dataopt::condense {
namespace {

class EvaluateTest : public test::SeedingFixture {};

EvalOptions tiny_eval() {
  EvalOptions e;
  e.epochs = 20;
  e.batch_size = 16;
  e.width = 8;
  e.repeats = 2;
  e.progress = false;
  e.lr = 0.05;
  return e;
}

TEST_F(EvaluateTest, TrainsAndIsReproducible) {
  const data::Dataset train = test::make_band_dataset(60, 3, 8, 1, 1);
  const data::Dataset test_set = test::make_band_dataset(90, 3, 8, 1, 2);
  const SyntheticEval a = evaluate_synthetic(train, test_set, tiny_eval());
  ASSERT_EQ(a.accuracies.size(), 2u);
  EXPECT_EQ(a.repeats, 2);
  EXPECT_EQ(a.epochs, 20);
  EXPECT_EQ(a.train_images, 60);
  EXPECT_GT(a.accuracy_mean, 0.5);  // chance is 1/3
  const double m = (a.accuracies[0] + a.accuracies[1]) / 2;
  EXPECT_NEAR(a.accuracy_mean, m, 1e-12);
  EXPECT_NEAR(a.accuracy_std, std::abs(a.accuracies[0] - a.accuracies[1]) / std::sqrt(2.0), 1e-12);
  const SyntheticEval b = evaluate_synthetic(train, test_set, tiny_eval());
  EXPECT_EQ(a.accuracies, b.accuracies);
}

TEST_F(EvaluateTest, RefusesMismatchedData) {
  const data::Dataset train = test::make_band_dataset(30, 3, 8);
  const data::Dataset bigger = test::make_band_dataset(30, 3, 12);
  EXPECT_THROW(evaluate_synthetic(train, bigger, tiny_eval()), Error);
  EvalOptions e = tiny_eval();
  e.repeats = 0;
  EXPECT_THROW(evaluate_synthetic(train, train, e), Error);
  e = tiny_eval();
  e.dsa = "color_warp";
  EXPECT_THROW(evaluate_synthetic(train, train, e), Error);
}

}  // namespace
}  // namespace dataopt::condense
