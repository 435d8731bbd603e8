// Gradient matching (distances by hand, the gradient reaching the synthetic
// pixels, finite differences through the double backward) and the
// condensation loop (runs, moves the pixels, resume equals an uninterrupted
// run, budget and options errors).

#include <torch/torch.h>

#include "dataopt/condense/condenser.h"
#include "dataopt/condense/gradient_match.h"
#include "dataopt/core/check.h"
#include "dataopt/nn/model.h"
#include "test_support.h"

namespace dataopt::condense {
namespace {

class CondenserTest : public test::SeedingFixture {};

TEST_F(CondenserTest, DistancesByHand) {
  const at::Tensor a = torch::tensor({1.0, 2.0, 3.0, 4.0}).view({2, 2});
  const at::Tensor b = torch::tensor({1.0, 0.0, 3.0, 1.0}).view({2, 2});
  EXPECT_NEAR(gradient_distance(a, b, MatchMetric::kMse).item<double>(), 4 + 9, 1e-12);
  EXPECT_NEAR(gradient_distance(a, b, MatchMetric::kL1).item<double>(), 2 + 3, 1e-12);
  // Per output channel means: (0 + 2) / 2 + (0 + 3) / 2.
  EXPECT_NEAR(gradient_distance(a, b, MatchMetric::kL1Mean).item<double>(), 2.5, 1e-12);
  // Row 0: cos((1,2),(1,0)) = 1/sqrt(5); row 1: cos((3,4),(3,1)) = 13/(5 sqrt(10)).
  const double expect = (1 - 1 / std::sqrt(5.0)) + (1 - 13 / (5 * std::sqrt(10.0)));
  EXPECT_NEAR(gradient_distance(a, b, MatchMetric::kCos).item<double>(), expect, 1e-5);
  EXPECT_THROW(parse_match_metric("l3"), Error);
  EXPECT_THROW(gradient_distance(a, b.view({4}), MatchMetric::kL1), Error);
}

TEST_F(CondenserTest, MatchedParametersAreTheConvWeights) {
  auto model = nn::make_model({.name = "convnet", .image_size = 8, .num_classes = 3, .width = 4});
  EXPECT_EQ(matched_parameters(*model, {}).size(), 3u);
  for (const auto& p : matched_parameters(*model, {})) EXPECT_EQ(p.dim(), 4);
  EXPECT_EQ(matched_parameters(*model, {.fc = true}).size(), 4u);
  // + conv biases and norm weights and biases (3 blocks x 3) and the fc bias.
  EXPECT_EQ(matched_parameters(*model, {.bias = true}).size(), 13u);
}

TEST_F(CondenserTest, MatchLossGradientMatchesFiniteDifferences) {
  auto model = nn::make_model({.name = "convnet", .image_size = 8, .num_classes = 3, .width = 4,
                               .depth = 2, .seed = 3});
  model->module().to(torch::kFloat64);
  const auto params = matched_parameters(*model, {});
  const at::Tensor xr = torch::rand({5, 1, 8, 8}, torch::kFloat64);
  const at::Tensor yr = torch::full({5}, 1, torch::kLong);
  at::Tensor xs = torch::rand({2, 1, 8, 8}, torch::kFloat64).requires_grad_(true);
  const at::Tensor ys = torch::full({2}, 1, torch::kLong);
  const auto loss_at = [&](const at::Tensor& x) {
    return gradient_match_loss(*model, params, xr, yr, x, ys, MatchMetric::kMse);
  };
  const at::Tensor g = torch::autograd::grad({loss_at(xs)}, {xs})[0];
  ASSERT_GT(g.abs().sum().item<double>(), 0.0);
  const double eps = 1e-6;
  for (int64_t k : {0, 7, 21, 64 + 30, 127}) {
    at::Tensor xp = xs.detach().clone(), xm = xs.detach().clone();
    xp.view({-1})[k] += eps;
    xm.view({-1})[k] -= eps;
    const double fd =
        (loss_at(xp.requires_grad_(true)).item<double>() - loss_at(xm.requires_grad_(true)).item<double>()) /
        (2 * eps);
    EXPECT_NEAR(g.view({-1})[k].item<double>(), fd, 1e-5 + 1e-3 * std::abs(fd)) << "pixel " << k;
  }
  // l1 reaches the pixels too.
  const at::Tensor g1 = torch::autograd::grad(
      {gradient_match_loss(*model, params, xr, yr, xs, ys, MatchMetric::kL1)}, {xs})[0];
  EXPECT_GT(g1.abs().sum().item<double>(), 0.0);
}

CondenseOptions tiny_options() {
  CondenseOptions o;
  o.ipc = 1;
  o.factor = 2;
  o.niter = 1;  // 100 inner iterations in the schedule; tests stop early
  o.inner_loop = 4;
  o.n_data = 16;
  o.batch_real = 8;
  o.net_width = 4;
  o.lr_img = 10;  // large enough to move 8x8 pixels visibly
  o.tune_lr_img = false;
  o.checkpoint_every = 1;
  o.progress = false;
  o.seed = 7;
  return o;
}

TEST_F(CondenserTest, CondensationMovesThePixelsAndStaysInRange) {
  const data::Dataset train = test::make_band_dataset(120, 3, 8);
  CondenseOptions o = tiny_options();
  o.stop_after = 3;
  int64_t calls = 0;
  const CondenseResult r = condense_idc(train, o, {}, [&](int64_t done, int64_t total, double loss) {
    ++calls;
    EXPECT_EQ(total, 100);
    EXPECT_TRUE(std::isfinite(loss));
    EXPECT_EQ(done, calls);
  });
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(r.inner_iterations, 3);
  EXPECT_FALSE(r.finished);
  EXPECT_EQ(r.stopped_by, "stop_after");
  EXPECT_EQ(r.loss_history.size(), 3u);
  const SyntheticSet init = init_synthetic(train, {.ipc = 1, .factor = 2});
  EXPECT_GT((r.set.images - init.images).abs().max().item<double>(), 1e-4);
  EXPECT_GE(r.set.images.min().item<double>(), 0.0);
  EXPECT_LE(r.set.images.max().item<double>(), 1.0);
  EXPECT_EQ(r.set.metadata.at("method"), "idc");
}

TEST_F(CondenserTest, ResumeEqualsAnUninterruptedRun) {
  const data::Dataset train = test::make_band_dataset(120, 3, 8);
  CondenseOptions o = tiny_options();
  o.stop_after = 6;  // crosses an outer iteration (inner_loop 4)
  const CondenseResult whole = condense_idc(train, o);

  test::TempDir dir;
  CondenseOptions first = o;
  first.stop_after = 3;  // interrupted in the middle of the first network
  const CondenseResult a = condense_idc(train, first, dir.path());
  EXPECT_EQ(a.inner_iterations, 3);
  const CondenseResult b = condense_idc(train, o, dir.path());
  EXPECT_EQ(b.resumed_from, 3);
  EXPECT_EQ(b.inner_iterations, 6);
  EXPECT_TRUE(torch::equal(b.set.images, whole.set.images));
  // Other options do not resume from this checkpoint.
  CondenseOptions other = o;
  other.mom_img = 0.4;
  EXPECT_EQ(condense_idc(train, other, dir.path()).resumed_from, 0);
}

TEST_F(CondenserTest, BadOptionsAreRefused) {
  const data::Dataset train = test::make_band_dataset(60, 3, 8);
  CondenseOptions o = tiny_options();
  o.ipc = 0;
  EXPECT_THROW(condense_idc(train, o), Error);
  o = tiny_options();
  o.aug_match = "color_blur";
  EXPECT_THROW(condense_idc(train, o), Error);
  o = tiny_options();
  o.budget_minutes = -1;
  EXPECT_THROW(condense_idc(train, o), Error);
  EXPECT_NEAR(CondenseOptions{}.effective_lr_img(28), 1e-4 * 0.765625, 1e-12);
  EXPECT_EQ(CondenseOptions{}.outer_iterations(), 2000);
}

}  // namespace
}  // namespace dataopt::condense
