#include <torch/torch.h>

#include <set>
#include <utility>

#include "dataopt/core/check.h"
#include "dataopt/core/rng.h"
#include "dataopt/data/diff_augment.h"
#include "test_support.h"

namespace dataopt::data {
namespace {

at::Tensor augment(const DiffAugmentOptions& o, const at::Tensor& x, uint64_t seed) {
  at::Generator gen = make_generator(seed);
  return DiffAugment(o)(x, gen);
}

// One image repeated n times.
at::Tensor repeated(int64_t n, int64_t c, int64_t size) {
  return torch::randn({1, c, size, size}, torch::kDouble).repeat({n, 1, 1, 1});
}

// out[i, j] = x[i + tx, j + ty], zero outside; x is [C, H, W].
at::Tensor hand_shift(const at::Tensor& x, int64_t tx, int64_t ty) {
  const int64_t H = x.size(1), W = x.size(2);
  at::Tensor out = torch::zeros_like(x);
  for (int64_t i = 0; i < H; ++i) {
    for (int64_t j = 0; j < W; ++j) {
      if (i + tx >= 0 && i + tx < H && j + ty >= 0 && j + ty < W) {
        out.select(1, i).select(1, j).copy_(x.select(1, i + tx).select(1, j + ty));
      }
    }
  }
  return out;
}

// max |autograd - central difference| of sum(w * aug(x)) for a fixed draw.
double gradient_error(const DiffAugmentOptions& o, const at::Tensor& x0, uint64_t seed,
                      double* grad_norm) {
  const DiffAugment aug(o);
  const at::Tensor w = torch::randn(x0.sizes(), torch::kDouble);
  auto f = [&](const at::Tensor& x) {
    at::Generator gen = make_generator(seed);  // same draw for every evaluation
    return (w * aug(x, gen)).sum();
  };
  const at::Tensor x = x0.clone().requires_grad_(true);
  const at::Tensor g = torch::autograd::grad({f(x)}, {x})[0];
  at::Tensor fd = torch::zeros_like(x0);
  const double eps = 1e-6;
  torch::NoGradGuard no_grad;
  for (int64_t k = 0; k < x0.numel(); ++k) {
    at::Tensor plus = x0.clone(), minus = x0.clone();
    plus.view(-1)[k].add_(eps);
    minus.view(-1)[k].sub_(eps);
    fd.view(-1)[k].copy_((f(plus) - f(minus)) / (2 * eps));
  }
  *grad_norm = g.abs().sum().item<double>();
  return (g - fd).abs().max().item<double>();
}

}  // namespace

class DiffAugmentTest : public test::SeedingFixture {};

TEST_F(DiffAugmentTest, UnknownTokenNamesItAndListsKnownOps) {
  try {
    DiffAugment({.strategy = "color_blur_crop"});
    FAIL() << "expected dataopt::Error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("'blur'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("cutout"), std::string::npos) << msg;
    EXPECT_NE(msg.find("rotate"), std::string::npos) << msg;
  }
  EXPECT_THROW(DiffAugmentOptions{.strategy = "color__crop"}.validate(), Error);
  EXPECT_THROW(DiffAugmentOptions{.strategy = "none_crop"}.validate(), Error);
  EXPECT_THROW(DiffAugmentOptions{.flip_p = 1.5}.validate(), Error);
  EXPECT_THROW(DiffAugmentOptions{.scale_ratio = 0.8}.validate(), Error);
  EXPECT_THROW(DiffAugmentOptions{.cutout_fraction = -0.1}.validate(), Error);
  EXPECT_NO_THROW(
      DiffAugmentOptions{.strategy = "Color_Crop_Flip_Scale_Rotate"}.validate());
  EXPECT_NO_THROW(DiffAugmentOptions{.strategy = "translate"}.validate());
}

TEST_F(DiffAugmentTest, RejectsBadInput) {
  const DiffAugment aug(DiffAugmentOptions{});
  at::Generator gen = make_generator(0);
  EXPECT_THROW(aug(torch::zeros({3, 8, 8}), gen), Error);
  EXPECT_THROW(aug(torch::zeros({2, 1, 8, 8}, torch::kLong), gen), Error);
}

TEST_F(DiffAugmentTest, NoneIsIdentity) {
  const at::Tensor x = torch::randn({4, 3, 8, 8});
  for (const char* s : {"none", "", "NONE"}) {
    const DiffAugment aug({.strategy = s});
    EXPECT_FALSE(aug.enabled());
    at::Generator gen = make_generator(1);
    EXPECT_TRUE(torch::equal(aug(x, gen), x)) << s;
  }
}

TEST_F(DiffAugmentTest, BatchModeSharesOneDrawAcrossTheBatch) {
  const at::Tensor x = repeated(6, 3, 8);
  for (const char* s : {"color_crop_cutout", "color_crop_cutout_flip_scale_rotate",
                        "flip_rotate", "scale_translate"}) {
    for (uint64_t seed = 0; seed < 5; ++seed) {
      const at::Tensor y = augment({.strategy = s, .batch = true}, x, seed);
      ASSERT_EQ(y.sizes(), x.sizes());
      // (translate may draw a zero shift)
      if (std::string(s) != "scale_translate") {
        EXPECT_FALSE(torch::equal(y, x)) << s;
      }
      for (int64_t i = 1; i < 6; ++i) {
        EXPECT_TRUE(torch::allclose(y[i], y[0], 0, 1e-12)) << s << " seed " << seed;
      }
    }
  }
}

TEST_F(DiffAugmentTest, PerSampleModeDrawsPerImage) {
  const at::Tensor x = repeated(6, 1, 8);
  for (const char* s : {"color_crop_cutout", "flip_scale_rotate", "crop", "cutout"}) {
    const at::Tensor y = augment({.strategy = s, .batch = false}, x, 3);
    bool differ = false;
    for (int64_t i = 1; i < 6; ++i) differ |= !torch::allclose(y[i], y[0]);
    EXPECT_TRUE(differ) << s;
  }
}

TEST_F(DiffAugmentTest, SameSeedSameOutputOtherSeedOther) {
  const at::Tensor x = torch::randn({4, 3, 8, 8});
  const DiffAugmentOptions o{.strategy = "color_crop_cutout_flip_scale_rotate"};
  const at::Tensor a = augment(o, x, 11), b = augment(o, x, 11), c = augment(o, x, 12);
  EXPECT_TRUE(torch::equal(a, b));
  EXPECT_FALSE(torch::equal(a, c));
  // The global generator plays no part.
  torch::manual_seed(99);
  EXPECT_TRUE(torch::equal(augment(o, x, 11), a));
}

TEST_F(DiffAugmentTest, FlipFollowsProbability) {
  const at::Tensor x = torch::randn({5, 2, 6, 7});
  for (bool batch : {true, false}) {
    EXPECT_TRUE(
        torch::equal(augment({.strategy = "flip", .batch = batch, .flip_p = 1.0}, x, 0),
                     torch::flip(x, {3})));
    EXPECT_TRUE(torch::equal(
        augment({.strategy = "flip", .batch = batch, .flip_p = 0.0}, x, 0), x));
  }
  // p = 0.5 per sample: each image is either flipped or not, and both occur.
  const at::Tensor big = torch::randn({200, 1, 4, 4});
  const at::Tensor y = augment({.strategy = "flip"}, big, 5);
  const at::Tensor flipped = (y - torch::flip(big, {3})).abs().amax({1, 2, 3}).eq(0);
  const at::Tensor same = (y - big).abs().amax({1, 2, 3}).eq(0);
  EXPECT_TRUE((flipped | same).all().item<bool>());
  const int64_t n_flipped = flipped.sum().item<int64_t>();
  EXPECT_GT(n_flipped, 70);
  EXPECT_LT(n_flipped, 130);
}

TEST_F(DiffAugmentTest, CropIsAnIntegerShiftWithZeroFill) {
  const at::Tensor x = torch::randn({24, 2, 8, 8}, torch::kDouble);
  const int64_t s = 2;  // int(8 * 0.25 + 0.5)
  const at::Tensor y = augment({.strategy = "crop", .crop_fraction = 0.25}, x, 4);
  std::set<std::pair<int64_t, int64_t>> seen;
  for (int64_t n = 0; n < x.size(0); ++n) {
    bool found = false;
    for (int64_t tx = -s; tx <= s && !found; ++tx) {
      for (int64_t ty = -s; ty <= s && !found; ++ty) {
        if (torch::equal(y[n], hand_shift(x[n], tx, ty))) {
          found = true;
          seen.insert({tx, ty});
        }
      }
    }
    EXPECT_TRUE(found) << "image " << n << " is not a shift by at most " << s;
  }
  EXPECT_GE(seen.size(), 8u);  // per-sample draws cover many shifts
  // Translate shifts columns only.
  const at::Tensor t = augment({.strategy = "translate", .crop_fraction = 0.25}, x, 4);
  for (int64_t n = 0; n < x.size(0); ++n) {
    bool found = false;
    for (int64_t ty = -s; ty <= s; ++ty)
      found |= torch::equal(t[n], hand_shift(x[n], 0, ty));
    EXPECT_TRUE(found) << "image " << n;
  }
}

TEST_F(DiffAugmentTest, CutoutZeroesAClippedSquareOfTheExpectedSize) {
  for (int64_t size : {8, 6}) {
    const int64_t cs = static_cast<int64_t>(size * 0.5 + 0.5);  // 4 (even), 3 (odd)
    const at::Tensor x =
        torch::rand({64, 3, size, size}, torch::kDouble) + 1.0;  // no zeros
    const at::Tensor y = augment({.strategy = "cutout"}, x, 9);
    int full = 0;
    for (int64_t n = 0; n < x.size(0); ++n) {
      const at::Tensor zero = y[n].eq(0);  // [C, H, W]
      // The same pixels are cut in every channel, and the rest is untouched.
      EXPECT_TRUE(torch::equal(zero[0], zero[1]) && torch::equal(zero[0], zero[2]));
      EXPECT_TRUE(torch::equal(y[n].masked_select(~zero), x[n].masked_select(~zero)));
      const at::Tensor rows = zero[0].any(1).nonzero().flatten();
      const at::Tensor cols = zero[0].any(0).nonzero().flatten();
      const int64_t nr = rows.numel(), nc = cols.numel();
      ASSERT_GT(nr * nc, 0) << "nothing cut in image " << n;
      // A rectangle (contiguous rows x contiguous columns)...
      EXPECT_EQ(zero[0].sum().item<int64_t>(), nr * nc);
      EXPECT_EQ(rows[-1].item<int64_t>() - rows[0].item<int64_t>() + 1, nr);
      EXPECT_EQ(cols[-1].item<int64_t>() - cols[0].item<int64_t>() + 1, nc);
      // ...of side cs, shorter only where it is clipped at the border.
      const bool row_clipped =
          rows[0].item<int64_t>() == 0 || rows[-1].item<int64_t>() == size - 1;
      const bool col_clipped =
          cols[0].item<int64_t>() == 0 || cols[-1].item<int64_t>() == size - 1;
      EXPECT_TRUE(nr == cs || (nr < cs && row_clipped)) << nr;
      EXPECT_TRUE(nc == cs || (nc < cs && col_clipped)) << nc;
      full += (nr == cs && nc == cs);
    }
    EXPECT_GT(full, 10) << size;
  }
}

TEST_F(DiffAugmentTest, ZeroStrengthWarpsAreTheIdentity) {
  // scale_ratio 1 and rotate_degrees 0 give the identity affine map, which
  // grid_sample (align_corners = false) reproduces up to rounding.
  const at::Tensor x = torch::randn({3, 2, 6, 6}, torch::kDouble);
  EXPECT_TENSOR_NEAR(augment({.strategy = "scale", .scale_ratio = 1.0}, x, 0), x, 0,
                     1e-12);
  EXPECT_TENSOR_NEAR(augment({.strategy = "rotate", .rotate_degrees = 0.0}, x, 0), x, 0,
                     1e-12);
}

TEST_F(DiffAugmentTest, ColorIsAnAffineMapPerImageForOneChannel) {
  // With one channel saturation is the identity: y = a (x - m) + m + b with
  // contrast a in [0.5, 1.5) and brightness b in [-0.5, 0.5).
  const at::Tensor x = torch::randn({8, 1, 5, 5}, torch::kDouble);
  const at::Tensor y = augment({.strategy = "color"}, x, 2);
  const at::Tensor xm = x.mean({1, 2, 3}, true), ym = y.mean({1, 2, 3}, true);
  const at::Tensor a =
      ((y - ym) * (x - xm)).sum({1, 2, 3}) / (x - xm).pow(2).sum({1, 2, 3});
  EXPECT_TENSOR_NEAR(y - ym, a.view({-1, 1, 1, 1}) * (x - xm), 0, 1e-12);
  EXPECT_TRUE((a >= 0.5).all().item<bool>() && (a < 1.5).all().item<bool>());
  const at::Tensor b = (ym - xm).flatten();
  EXPECT_TRUE((b >= -0.5).all().item<bool>() && (b < 0.5).all().item<bool>());
}

TEST_F(DiffAugmentTest, ThreeChannelsSaturationMixesChannels) {
  const at::Tensor x = torch::randn({4, 3, 6, 6}, torch::kDouble);
  const at::Tensor y = augment({.strategy = "color"}, x, 2);
  ASSERT_EQ(y.sizes(), x.sizes());
  EXPECT_TRUE(y.is_contiguous());
  // Saturation rescales the deviation from the channel mean differently from
  // the spatial mean, so y is no longer an affine map of x per image.
  const at::Tensor xm = x.mean({1, 2, 3}, true), ym = y.mean({1, 2, 3}, true);
  const at::Tensor a =
      ((y - ym) * (x - xm)).sum({1, 2, 3}) / (x - xm).pow(2).sum({1, 2, 3});
  EXPECT_GT((y - ym - a.view({-1, 1, 1, 1}) * (x - xm)).abs().max().item<double>(), 1e-3);
  // Float input, full pipeline, 3 channels.
  const at::Tensor f = torch::randn({4, 3, 8, 8});
  const at::Tensor g =
      augment({.strategy = "color_crop_cutout_flip_scale_rotate", .batch = true}, f, 1);
  EXPECT_EQ(g.scalar_type(), torch::kFloat);
  EXPECT_TRUE(g.is_contiguous());
  EXPECT_TRUE(torch::isfinite(g).all().item<bool>());
}

TEST_F(DiffAugmentTest, GradientsMatchFiniteDifferences) {
  const at::Tensor x1 = torch::randn({1, 1, 6, 6}, torch::kDouble);
  const at::Tensor x3 = torch::randn({2, 3, 4, 4}, torch::kDouble);
  for (const char* s : {"color_crop_cutout", "scale", "rotate", "flip_translate",
                        "color_crop_flip_scale_rotate"}) {
    for (bool batch : {true, false}) {
      for (uint64_t seed : {0, 1, 2}) {
        double norm = 0;
        const DiffAugmentOptions o{.strategy = s, .batch = batch};
        EXPECT_LT(gradient_error(o, x1, seed, &norm), 1e-6) << s << " seed " << seed;
        EXPECT_GT(norm, 0.0) << s;
        EXPECT_LT(gradient_error(o, x3, seed, &norm), 1e-6) << s << " 3ch seed " << seed;
      }
    }
  }
}

TEST_F(DiffAugmentTest, SameDrawOnCudaAsOnCpu) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  const at::Tensor x = torch::randn({4, 3, 8, 8});
  const DiffAugmentOptions o{.strategy = "color_crop_cutout_flip_scale_rotate"};
  for (uint64_t seed : {0, 1, 2, 3}) {
    const at::Tensor cpu = augment(o, x, seed);
    const at::Tensor cuda = augment(o, x.cuda(), seed);
    EXPECT_TRUE(cuda.is_cuda());
    EXPECT_TENSOR_NEAR(cuda.cpu(), cpu, 1e-4, 1e-5);
  }
}

}  // namespace dataopt::data
