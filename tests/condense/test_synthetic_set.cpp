// Multi-formation decoding and initialisation against hand-computed values,
// and the synthetic-set file format (round trip, corrupt and foreign files).

#include <torch/torch.h>

#include <fstream>

#include "dataopt/condense/synthetic_set.h"
#include "dataopt/core/check.h"
#include "dataopt/core/safetensors.h"
#include "test_support.h"

namespace dataopt::condense {
namespace {

class SyntheticSetTest : public test::SeedingFixture {};

TEST_F(SyntheticSetTest, FactorOneIsTheIdentity) {
  const at::Tensor x = torch::rand({3, 1, 6, 6});
  EXPECT_TRUE(torch::equal(decode_zoom(x, 1), x));
}

TEST_F(SyntheticSetTest, FactorTwoUpsamplesEachQuadrantBilinearly) {
  // Image 0 holds 0..15 row-major; image 1 its negative.
  const at::Tensor a = torch::arange(16, torch::kFloat32).view({1, 1, 4, 4});
  const at::Tensor x = torch::cat({a, -a});
  const at::Tensor d = decode_zoom(x, 2);
  ASSERT_EQ(d.sizes(), (std::vector<int64_t>{8, 1, 4, 4}));
  // Crop-major: image 0 crop (0,0), image 1 crop (0,0), image 0 crop (0,1), ...
  // Bilinear 2 -> 4 with align_corners=false samples the source at
  // -0.25, 0.25, 0.75, 1.25 (clamped): weights 1 | .75,.25 | .25,.75 | 1.
  const auto up = [](double p, double q) {
    return std::vector<double>{p, 0.75 * p + 0.25 * q, 0.25 * p + 0.75 * q, q};
  };
  // Crop (0,1) of image 0 is [[2, 3], [6, 7]]: its first output row.
  const auto row = up(2, 3);
  for (int64_t j = 0; j < 4; ++j) EXPECT_NEAR(d[2][0][0][j].item<double>(), row[j], 1e-6);
  // Its first output column interpolates 2 and 6.
  const auto col = up(2, 6);
  for (int64_t i = 0; i < 4; ++i) EXPECT_NEAR(d[2][0][i][0].item<double>(), col[i], 1e-6);
  // Image 1's crops are the negatives of image 0's.
  EXPECT_TENSOR_NEAR(d[1], -d[0]);
  EXPECT_TENSOR_NEAR(d[7], -d[6]);
  // Crop (1,1) of image 0 ([[10, 11], [14, 15]]) has corner 15.
  EXPECT_NEAR(d[6][0][3][3].item<double>(), 15.0, 1e-6);
  EXPECT_TRUE(torch::equal(decode_labels(torch::tensor({3, 5}), 2),
                           torch::tensor({3, 5, 3, 5, 3, 5, 3, 5})));
}

TEST_F(SyntheticSetTest, OddSizesArePaddedWithOneHalf) {
  const at::Tensor x = torch::zeros({1, 1, 5, 5});
  const at::Tensor d = decode_zoom(x, 2);  // padded to 6x6, crops of 3x3
  ASSERT_EQ(d.sizes(), (std::vector<int64_t>{4, 1, 5, 5}));
  EXPECT_NEAR(d[0].max().item<double>(), 0.0, 1e-7);  // crop (0,0) holds no padding
  EXPECT_GT(d[3].max().item<double>(), 0.4);          // crop (1,1) does
}

TEST_F(SyntheticSetTest, MixInitTilesShrunkRealImages) {
  // ipc 1, factor 2: real image k fills cell k (row-major).
  const at::Tensor real = torch::tensor({0.1f, 0.2f, 0.3f, 0.4f}).view({4, 1, 1, 1}).expand({4, 1, 4, 4});
  const at::Tensor s = mix_init(real.contiguous(), 1, 2);
  ASSERT_EQ(s.sizes(), (std::vector<int64_t>{1, 1, 4, 4}));
  EXPECT_NEAR(s[0][0][0][0].item<double>(), 0.1, 1e-6);
  EXPECT_NEAR(s[0][0][0][3].item<double>(), 0.2, 1e-6);
  EXPECT_NEAR(s[0][0][3][0].item<double>(), 0.3, 1e-6);
  EXPECT_NEAR(s[0][0][3][3].item<double>(), 0.4, 1e-6);
  // Nearest-neighbour shrinking of a 4x4 image to 2x2 keeps pixels 0 and 2.
  const at::Tensor pattern = torch::arange(16, torch::kFloat32).view({1, 1, 4, 4}).repeat({4, 1, 1, 1});
  const at::Tensor t = mix_init(pattern, 1, 2);
  EXPECT_TRUE(torch::equal(t[0][0].slice(0, 0, 2).slice(1, 0, 2),
                           torch::tensor({0.f, 2.f, 8.f, 10.f}).view({2, 2})));
}

TEST_F(SyntheticSetTest, InitTakesTheFirstImagesOfEachClass) {
  const data::Dataset train = test::make_band_dataset(60, 3, 8);
  const SyntheticSet s = init_synthetic(train, {.ipc = 2, .factor = 1});
  EXPECT_EQ(s.metadata.at("init"), "real");
  ASSERT_EQ(s.images.size(0), 6);
  for (int64_t c = 0; c < 3; ++c) {
    const at::Tensor idx = (train.labels == c).nonzero().flatten();
    EXPECT_TRUE(torch::equal(s.images[2 * c], train.images[idx[0].item<int64_t>()]));
    EXPECT_TRUE(torch::equal(s.images[2 * c + 1], train.images[idx[1].item<int64_t>()]));
  }
  const SyntheticSet m = init_synthetic(train, {.ipc = 1, .factor = 2});
  EXPECT_EQ(m.metadata.at("init"), "mix");
  const data::Dataset d = m.decode();
  EXPECT_EQ(d.size(), 3 * 4);
  EXPECT_EQ(m.stored_values(), 3 * 8 * 8);
  EXPECT_THROW(init_synthetic(train, {.ipc = 30, .factor = 2}), Error);
  const SyntheticSet n = init_synthetic(train, {.ipc = 1, .factor = 1, .init = InitKind::kNoise});
  EXPECT_GE(n.images.min().item<double>(), 0.0);
  EXPECT_LE(n.images.max().item<double>(), 1.0);
}

TEST_F(SyntheticSetTest, FileRoundTripAndBadFiles) {
  test::TempDir dir;
  const data::Dataset train = test::make_band_dataset(40, 2, 8);
  SyntheticSet s = init_synthetic(train, {.ipc = 2, .factor = 2});
  s.metadata["method"] = "idc";
  save_synthetic(dir / "s.safetensors", s);
  EXPECT_TRUE(is_synthetic_file(dir / "s.safetensors"));
  const SyntheticSet t = load_synthetic(dir / "s.safetensors");
  EXPECT_TRUE(torch::equal(t.images, s.images));
  EXPECT_EQ(t.factor, 2);
  EXPECT_EQ(t.ipc, 2);
  EXPECT_EQ(t.class_names, s.class_names);
  EXPECT_EQ(t.metadata.at("method"), "idc");

  // A safetensors file of something else.
  TensorFile other;
  other.add("w", torch::zeros({2}));
  write_safetensors(dir / "w.safetensors", other);
  EXPECT_FALSE(is_synthetic_file(dir / "w.safetensors"));
  try {
    load_synthetic(dir / "w.safetensors");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("w.safetensors"), std::string::npos);
  }
  // Truncated.
  {
    std::ifstream in(dir / "s.safetensors", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    std::ofstream out(dir / "cut.safetensors", std::ios::binary);
    out << bytes.substr(0, bytes.size() / 2);
  }
  EXPECT_THROW(load_synthetic(dir / "cut.safetensors"), Error);
  // NaN pixels are refused.
  s.images[0][0][0][0] = std::nanf("");
  EXPECT_THROW(save_synthetic(dir / "nan.safetensors", s), Error);
}

}  // namespace
}  // namespace dataopt::condense
