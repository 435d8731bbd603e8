// The mixers on tiny batches: targets are distributions that match the mixed
// area, images are the stated composition, Puzzle Mix's terms match a naive
// loop and its re-parametrisation preserves energy differences, transport on
// tensors equals the plain-buffer reference, the saliency gradient matches
// finite differences, Manifold Mixup at the input equals Input Mixup, and
// training with every mixer runs and is reproducible.

#include <torch/torch.h>

#include "dataopt/core/check.h"
#include "dataopt/core/rng.h"
#include "dataopt/mixup/graph_cut.h"
#include "dataopt/mixup/mix_training.h"
#include "dataopt/mixup/mixer.h"
#include "dataopt/mixup/saliency.h"
#include "dataopt/mixup/transport.h"
#include "dataopt/nn/model.h"
#include "dataopt/train/trainer.h"
#include "mixup/detail/mix_util.h"
#include "mixup/detail/puzzle_mix.h"
#include "test_support.h"

namespace dataopt::mixup {
namespace {

class MixerTest : public test::SeedingFixture {
 protected:
  at::Tensor images(int64_t b, int64_t c, int64_t s) { return torch::rand({b, c, s, s}); }
  at::Tensor labels(int64_t b, int64_t k) { return torch::randint(0, k, {b}, torch::kLong); }
};

void expect_targets_valid(const Mixed& m, const at::Tensor& labels, int64_t k) {
  ASSERT_EQ(m.targets.sizes(), at::IntArrayRef({labels.size(0), k}));
  EXPECT_TENSOR_NEAR(m.targets.sum(1), torch::ones({labels.size(0)}), 1e-5, 1e-6);
  EXPECT_GE(m.targets.min().item<float>(), 0.0f);
  // The weight of the own label is at least the own image's area share (more
  // when both inputs have the same label).
  const at::Tensor own = m.targets.gather(1, labels.unsqueeze(1)).squeeze(1);
  EXPECT_TRUE((own + 1e-5 >= m.masks.mean({1, 2})).all().item<bool>());
}

TEST_F(MixerTest, InputMixupIsAConvexCombinationWithMatchingTargets) {
  const at::Tensor x = images(6, 3, 8), y = labels(6, 5);
  at::Generator gen = make_generator(1);
  const auto mixer = make_mixer({.kind = MixKind::kInputMixup});
  const Mixed m = mixer->mix({.images = x, .labels = y}, 5, gen);
  const double lam = m.masks[0][0][0].item<double>();
  EXPECT_TENSOR_NEAR(m.images, lam * x + (1 - lam) * x.index_select(0, m.partners), 1e-5, 1e-6);
  const at::Tensor expect = lam * torch::one_hot(y, 5) +
                            (1 - lam) * torch::one_hot(y.index_select(0, m.partners), 5);
  EXPECT_TENSOR_NEAR(m.targets, expect.to(torch::kFloat), 1e-5, 1e-6);
  expect_targets_valid(m, y, 5);
}

TEST_F(MixerTest, CutMixPastesOneBoxAndWeighsTargetsByArea) {
  const at::Tensor x = images(8, 1, 16), y = labels(8, 4);
  for (uint64_t seed = 0; seed < 5; ++seed) {
    at::Generator gen = make_generator(seed);
    const Mixed m = make_mixer({.kind = MixKind::kCutMix})->mix({.images = x, .labels = y}, 4, gen);
    const at::Tensor mask = m.masks.unsqueeze(1);
    EXPECT_TENSOR_NEAR(m.images, mask * x + (1 - mask) * x.index_select(0, m.partners));
    // One box, the same for the whole batch.
    EXPECT_TRUE(m.masks.eq(m.masks[0]).all().item<bool>());
    const double area = m.masks[0].mean().item<double>();
    const at::Tensor expect = area * torch::one_hot(y, 4) +
                              (1 - area) * torch::one_hot(y.index_select(0, m.partners), 4);
    EXPECT_TENSOR_NEAR(m.targets, expect.to(torch::kFloat), 1e-5, 1e-6);
  }
}

// neigh_penalty by plain loops: for the vertical edge between block (r, c)
// and (r + 1, c), the mean over channels and the k pooled columns of block c
// of |P_a(last pooled row of r) - P_b(first pooled row of r + 1)|.
float naive_vertical(const at::Tensor& pa, const at::Tensor& pb, int64_t r, int64_t c, int64_t k) {
  double s = 0;
  const int64_t ch = pa.size(0);
  for (int64_t q = 0; q < ch; ++q) {
    for (int64_t j = c * k; j < (c + 1) * k; ++j) {
      s += std::abs(pa[q][(r + 1) * k - 1][j].item<double>() - pb[q][(r + 1) * k][j].item<double>());
    }
  }
  return static_cast<float>(s / static_cast<double>(ch * k));
}

TEST_F(MixerTest, PuzzleTermsPreserveEnergyDifferencesOfTheOriginalProblem) {
  // Binary labellings of a 2 x 2 grid (1 = input 1): the original energy
  // (saliency thrown away + gamma beta_n |P_a - P_b| on each edge) and the
  // re-parametrised one (cost unaries + P [l_p != l_q]) differ by a constant.
  const int64_t b = 3, bn = 2, s = 16;
  const at::Tensor x = images(b, 2, s), sal = torch::rand({b, s, s});
  const at::Tensor perm = torch::tensor({2, 0, 1}, torch::kLong);
  PuzzleOptions o;
  const detail::PuzzleTerms t = detail::puzzle_terms(x, sal, perm, bn, o);
  const int64_t neigh = 4, k = (s / bn) / neigh;
  const at::Tensor p1 = torch::avg_pool2d(x, neigh), p0 = p1.index_select(0, perm);
  const double scale = puzzle_beta_n(o.cut.beta, bn) * o.gamma;
  for (int64_t i = 0; i < b; ++i) {
    // Edge cost between site p (label lp) above/left of site q (label lq).
    auto edge = [&](bool vertical, int64_t r, int64_t c, int lp, int lq) {
      const at::Tensor a = lp ? p1[i] : p0[i], bb = lq ? p1[i] : p0[i];
      if (vertical) return scale * naive_vertical(a, bb, r, c, k);
      return scale * naive_vertical(a.transpose(1, 2), bb.transpose(1, 2), c, r, k);
    };
    std::vector<double> diffs;
    for (int code = 0; code < 16; ++code) {
      auto l = [&](int64_t r, int64_t c) { return (code >> (r * bn + c)) & 1; };
      double orig = 0, rep = 0;
      for (int64_t r = 0; r < bn; ++r) {
        for (int64_t c = 0; c < bn; ++c) {
          orig += l(r, c) ? t.saliency2[i][r][c].item<double>() : t.saliency1[i][r][c].item<double>();
          rep += l(r, c) ? t.cost_input1[i][r][c].item<double>() : t.cost_input2[i][r][c].item<double>();
          if (r + 1 < bn) {
            orig += edge(true, r, c, l(r, c), l(r + 1, c));
            rep += l(r, c) != l(r + 1, c) ? t.pairwise_v[i][r][c].item<double>() : 0.0;
          }
          if (c + 1 < bn) {
            orig += edge(false, r, c, l(r, c), l(r, c + 1));
            rep += l(r, c) != l(r, c + 1) ? t.pairwise_h[i][r][c].item<double>() : 0.0;
          }
        }
      }
      diffs.push_back(orig - rep);
    }
    for (double d : diffs) EXPECT_NEAR(d, diffs[0], 1e-6);
  }
}

TEST_F(MixerTest, PuzzleMixMasksAreTheGraphCutsAndTargetsTheirArea) {
  const int64_t b = 6, s = 16, k = 4;
  const at::Tensor x = images(b, 3, s), y = labels(b, k), sal = torch::rand({b, s, s});
  for (int64_t bn : {2, 4, 8}) {
    PuzzleOptions o;
    o.block_num = bn;
    o.transport = false;
    at::Generator gen = make_generator(static_cast<uint64_t>(bn));
    const Mixed m = make_mixer({.kind = MixKind::kPuzzle, .puzzle = o})
                        ->mix({.images = x, .labels = y, .saliency = sal}, k, gen);
    const at::Tensor mask = m.masks.unsqueeze(1);
    EXPECT_TENSOR_NEAR(m.images, mask * x + (1 - mask) * x.index_select(0, m.partners));
    expect_targets_valid(m, y, k);
    // Blocks are constant, with values in {0, 0.5, 1}.
    const at::Tensor blocks = torch::avg_pool2d(m.masks.unsqueeze(1), s / bn).squeeze(1);
    const at::Tensor up = blocks.repeat_interleave(s / bn, 1).repeat_interleave(s / bn, 2);
    EXPECT_TENSOR_NEAR(up, m.masks);
    EXPECT_TRUE((blocks * 2).sub((blocks * 2).round()).abs().max().item<float>() < 1e-6);
    // The same masks as calling the graph cut directly on the same terms,
    // with the mixer's draws replayed (stream seed, permutation, lam).
    at::Generator replay = make_generator(static_cast<uint64_t>(bn));
    std::mt19937_64 rng = detail::scalar_stream(replay);
    const at::Tensor perm = torch::randperm(b, replay, torch::kLong);
    EXPECT_TRUE(perm.equal(m.partners));
    const auto lam = static_cast<float>(detail::sample_beta(rng, o.alpha));
    const detail::PuzzleTerms t = detail::puzzle_terms(x, sal, perm, bn, o);
    auto span = [](const at::Tensor& a) {
      return std::span<const float>(a.data_ptr<float>(), static_cast<size_t>(a.numel()));
    };
    for (int64_t i = 0; i < b; ++i) {
      const at::Tensor c1 = t.cost_input1[i].contiguous(), c2 = t.cost_input2[i].contiguous();
      const at::Tensor pv = t.pairwise_v[i].contiguous(), ph = t.pairwise_h[i].contiguous();
      const PuzzleCut cut = puzzle_graph_cut({.block_num = bn, .cost_input1 = span(c1),
                                              .cost_input2 = span(c2), .pairwise_v = span(pv),
                                              .pairwise_h = span(ph), .lam = lam});
      const at::Tensor expect = torch::from_blob(const_cast<float*>(cut.mask.data()), {bn, bn},
                                                 torch::kFloat);
      EXPECT_TENSOR_NEAR(blocks[i], expect, 0, 1e-6) << "bn " << bn << " image " << i;
    }
  }
}

TEST_F(MixerTest, PuzzleMixRejectsBlockGridsThatDoNotDivideTheImage) {
  PuzzleOptions o;
  o.block_num = 8;
  at::Generator gen = make_generator(0);
  const at::Tensor x = images(2, 1, 28);
  try {
    make_mixer({.kind = MixKind::kPuzzle, .puzzle = o})
        ->mix({.images = x, .labels = labels(2, 3), .saliency = torch::rand({2, 28, 28})}, 3, gen);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not divisible by block_num 8"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("--pad-to 32"), std::string::npos);
  }
  EXPECT_THROW(make_mixer({.kind = MixKind::kPuzzle})
                   ->mix({.images = images(2, 1, 16), .labels = labels(2, 3)}, 3, gen),
               Error);
}

TEST_F(MixerTest, TransportOnTensorsEqualsThePlainBufferReference) {
  const int64_t b = 4, c = 3, s = 16, n = 4;
  const at::Tensor x = images(b, c, s);
  const at::Tensor masks = (torch::rand({b, n, n}) * 3).floor() / 2;  // {0, .5, 1}
  at::Tensor sal = torch::rand({b, n, n});
  sal = sal / sal.sum({1, 2}, true);
  const at::Tensor fill = torch::tensor({0.25f, 0.5f, 0.75f});
  const at::Tensor got = detail::transport_batch(x, masks, sal, 0.8, fill);
  for (int64_t i = 0; i < b; ++i) {
    const at::Tensor mi = masks[i].contiguous(), si = sal[i].contiguous(), xi = x[i].contiguous();
    const TransportPlan plan = mask_transport({mi.data_ptr<float>(), 16}, {si.data_ptr<float>(), 16}, n, 0.8);
    std::vector<float> ref = transport_patches({xi.data_ptr<float>(), static_cast<size_t>(xi.numel())}, c, s, plan);
    at::Tensor r = torch::from_blob(ref.data(), {c, s, s}, torch::kFloat).clone();
    // Cells without a source: the reference leaves 0, we put the fill colour.
    for (int64_t j = 0; j < n * n; ++j) {
      if (plan.source[j] >= 0) continue;
      using torch::indexing::Slice;
      const int64_t cs = s / n, r0 = (j / n) * cs, c0 = (j % n) * cs;
      for (int64_t q = 0; q < c; ++q) {
        r.index_put_({q, Slice(r0, r0 + cs), Slice(c0, c0 + cs)}, fill[q].item<float>());
      }
    }
    EXPECT_TENSOR_NEAR(got[i], r, 0, 0);
  }
}

TEST_F(MixerTest, SaliencyGradientMatchesFiniteDifferences) {
  auto model = nn::make_model({.name = "mlp", .in_channels = 2, .image_size = 4, .num_classes = 3,
                               .width = 8, .depth = 1, .mean = {0.5, 0.4}, .std = {0.2, 0.3}, .seed = 1});
  model->module().to(torch::kDouble);
  const at::Tensor x = torch::rand({2, 2, 4, 4}, torch::kDouble), y = torch::tensor({0, 2});
  const Saliency s = input_saliency(*model, x, y);
  auto loss = [&](const at::Tensor& xx) {
    torch::NoGradGuard ng;
    return torch::cross_entropy_loss(model->forward(xx), y).item<double>();
  };
  const double h = 1e-6;
  for (int64_t idx : {0, 5, 17, 40, 63}) {
    at::Tensor xp = x.clone(), xm = x.clone();
    xp.view(-1)[idx] += h;
    xm.view(-1)[idx] -= h;
    const double fd = (loss(xp) - loss(xm)) / (2 * h);
    EXPECT_NEAR(s.input_grad.view(-1)[idx].item<double>(), fd, 1e-6);
  }
  // Saliency = sqrt(mean_c (grad * std_c)^2).
  const at::Tensor g = s.input_grad * torch::tensor({0.2, 0.3}, torch::kDouble).reshape({1, 2, 1, 1});
  EXPECT_TENSOR_NEAR(s.saliency, g.pow(2).mean(1).sqrt());
  EXPECT_FALSE(s.clean_loss.defined());
  const Saliency kept = input_saliency(*model, x, y, {.clean_lam = 1.0});
  ASSERT_TRUE(kept.clean_loss.defined());
  EXPECT_NEAR(kept.clean_loss.item<double>(), 2.0 / 3.0 * loss(x), 1e-9);
}

TEST_F(MixerTest, ManifoldMixupAtTheInputEqualsInputMixup) {
  auto model = nn::make_model({.name = "mlp", .image_size = 4, .num_classes = 3, .width = 8,
                               .depth = 2, .seed = 2});
  const at::Tensor x = images(5, 1, 4), y = labels(5, 3);
  int at_input = 0;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    at::Generator gen = make_generator(seed);
    const ManifoldOut m = manifold_forward(*model, x, y, 3, 2.0, gen);
    EXPECT_TENSOR_NEAR(m.targets.sum(1), torch::ones({5}), 1e-5, 1e-6);
    // Replay the draws (stream seed, layer, lam, permutation).
    at::Generator replay = make_generator(seed);
    std::mt19937_64 rng = detail::scalar_stream(replay);
    const int64_t layer = std::uniform_int_distribution<int64_t>(0, 2)(rng);
    const double lam = detail::sample_beta(rng, 2.0);
    const at::Tensor perm = torch::randperm(5, replay, torch::kLong);
    ASSERT_EQ(layer, m.layer);
    EXPECT_DOUBLE_EQ(lam, m.lam);
    if (layer != 0) continue;
    torch::NoGradGuard ng;
    const at::Tensor direct = model->forward(lam * x + (1 - lam) * x.index_select(0, perm));
    EXPECT_TENSOR_NEAR(m.logits, direct, 1e-4, 1e-5);
    ++at_input;
  }
  EXPECT_GT(at_input, 0);
}

class MixTrainingTest : public test::SeedingFixture {};

TEST_F(MixTrainingTest, EveryMixerTrainsAndIsReproducible) {
  // 16 x 16 images: every block grid (2, 4, 8, 16) divides them.
  const data::Dataset train = test::make_band_dataset(48, 4, 16, 1, 1);
  for (MixKind kind : {MixKind::kInputMixup, MixKind::kManifold, MixKind::kCutMix,
                       MixKind::kPuzzle, MixKind::kCoMixup}) {
    auto run = [&] {
      auto model = nn::make_model({.name = "convnet", .image_size = 16, .num_classes = 4,
                                   .width = 8, .depth = 2, .seed = 3});
      train::Trainer t(model, {.epochs = 2, .batch_size = 16, .lr = 0.05, .seed = 5,
                               .progress = false});
      MixOptions o{.kind = kind};
      o.puzzle.adv_p = 0.5;
      o.puzzle.clean_lam = 1.0;
      o.comix.part = 8;
      attach_mixing(t, o, 4, 7);
      const train::TrainResult r = t.fit(train);
      EXPECT_TRUE(std::isfinite(r.history.back().train_loss)) << mix_kind_name(kind);
      return model->state_dict();
    };
    const TensorFile a = run(), b = run();
    ASSERT_EQ(a.tensors.size(), b.tensors.size());
    for (size_t i = 0; i < a.tensors.size(); ++i) {
      EXPECT_TENSOR_NEAR(a.tensors[i].second, b.tensors[i].second, 0, 0)
          << mix_kind_name(kind) << " " << a.tensors[i].first;
    }
  }
}

TEST_F(MixTrainingTest, NamesRoundTripAndUnknownNamesAreRejected) {
  for (const char* n : {"none", "mixup", "manifold", "cutmix", "puzzle", "comix"}) {
    EXPECT_EQ(mix_kind_name(parse_mix_kind(n)), n);
  }
  try {
    parse_mix_kind("puzzlemix");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'puzzlemix'"), std::string::npos);
  }
}

}  // namespace
}  // namespace dataopt::mixup
