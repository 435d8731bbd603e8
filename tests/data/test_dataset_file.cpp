// data::load_dataset_file / save_dataset_file (own data for the pipeline)
// and data::cutmix (shared by mixup and condense).

#include <torch/torch.h>

#include "dataopt/core/check.h"
#include "dataopt/core/rng.h"
#include "dataopt/core/safetensors.h"
#include "dataopt/data/cutmix.h"
#include "dataopt/data/dataset_file.h"
#include "test_support.h"

namespace dataopt::data {
namespace {

class DatasetFileTest : public test::SeedingFixture {
 protected:
  test::TempDir dir_;
};

std::string error_of_loading(const std::filesystem::path& p) {
  try {
    load_dataset_file(p);
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for " << p;
  return "";
}

TEST_F(DatasetFileTest, RoundTripsBothSplits) {
  DatasetSplits s{test::make_band_dataset(30, 3, 8, 1, 0), test::make_band_dataset(12, 3, 8, 1, 1)};
  s.train.class_names = s.test.class_names = {"cat", "dog", "owl"};
  const auto path = dir_ / "d.safetensors";
  save_dataset_file(path, s);
  const DatasetSplits r = load_dataset_file(path);
  EXPECT_EQ(r.train.size(), 30);
  EXPECT_EQ(r.test.size(), 12);
  EXPECT_EQ(r.train.class_names, (std::vector<std::string>{"cat", "dog", "owl"}));
  EXPECT_TRUE(torch::equal(r.train.labels, s.train.labels));
  // Stored as bytes: within half a grey level.
  EXPECT_LE((r.train.images - s.train.images).abs().max().item<float>(), 0.5f / 255 + 1e-6f);
}

TEST_F(DatasetFileTest, FloatImagesAndDefaultClassNames) {
  TensorFile f;
  f.add("train_images", torch::rand({20, 3, 4, 4}));
  f.add("train_labels", torch::arange(20, torch::kInt) % 4);
  f.add("test_images", torch::rand({5, 3, 4, 4}));
  f.add("test_labels", torch::zeros({5}, torch::kLong));
  write_safetensors(dir_ / "f.safetensors", f);
  const DatasetSplits r = load_dataset_file(dir_ / "f.safetensors");
  EXPECT_EQ(r.train.num_classes(), 4);
  EXPECT_EQ(r.train.class_names[3], "3");
  EXPECT_EQ(r.train.channels(), 3);
}

TEST_F(DatasetFileTest, BadFilesNameTheFileAndTheTensor) {
  EXPECT_NE(error_of_loading(dir_ / "none.safetensors").find("none.safetensors"),
            std::string::npos);
  auto write = [&](const std::string& name, auto edit) {
    TensorFile f;
    f.add("train_images", torch::rand({20, 1, 4, 4}));
    f.add("train_labels", torch::arange(20, torch::kLong) % 2);
    f.add("test_images", torch::rand({5, 1, 4, 4}));
    f.add("test_labels", torch::zeros({5}, torch::kLong));
    edit(f);
    write_safetensors(dir_ / name, f);
    return dir_ / name;
  };
  auto replace = [](TensorFile& f, const std::string& key, at::Tensor t) {
    for (auto& [k, v] : f.tensors)
      if (k == key) v = t;
  };
  const auto no_test = write("a.safetensors", [](TensorFile& f) { f.tensors.pop_back(); });
  EXPECT_NE(error_of_loading(no_test).find("test_labels"), std::string::npos);
  const auto nan = write("b.safetensors", [&](TensorFile& f) {
    at::Tensor x = torch::rand({20, 1, 4, 4});
    x[3][0][1][1] = NAN;
    replace(f, "train_images", x);
  });
  EXPECT_NE(error_of_loading(nan).find("NaN"), std::string::npos);
  const auto short_labels = write("c.safetensors", [&](TensorFile& f) {
    replace(f, "train_labels", torch::zeros({19}, torch::kLong));
  });
  EXPECT_NE(error_of_loading(short_labels).find("train_labels"), std::string::npos);
  const auto bad_size = write("d.safetensors", [&](TensorFile& f) {
    replace(f, "test_images", torch::rand({5, 1, 5, 5}));
  });
  EXPECT_NE(error_of_loading(bad_size).find("differ"), std::string::npos);
}

TEST(CutMix, BoxAreaMatchesTheRatioAndPartnersFillIt) {
  at::Generator gen = make_generator(3);
  const at::Tensor x = torch::arange(4, torch::kFloat).reshape({4, 1, 1, 1}).expand({4, 1, 8, 8}).contiguous();
  const CutMixed c = cutmix(x, 1.0, gen);
  ASSERT_EQ(c.perm.numel(), 4);
  const double own = c.mask.to(torch::kDouble).mean().item<double>();
  EXPECT_NEAR(own, c.ratio, 1e-12);
  for (int64_t i = 0; i < 4; ++i) {
    const at::Tensor m = c.mask[i].to(torch::kBool);
    const float mine = static_cast<float>(i);
    const float partner = static_cast<float>(c.perm[i].item<int64_t>());
    EXPECT_TRUE(c.images[i][0].masked_select(m).eq(mine).all().item<bool>());
    EXPECT_TRUE(c.images[i][0].masked_select(m.logical_not()).eq(partner).all().item<bool>());
  }
  // The same generator state gives the same mix.
  at::Generator g1 = make_generator(9), g2 = make_generator(9);
  EXPECT_TRUE(torch::equal(cutmix(x, 1.0, g1).images, cutmix(x, 1.0, g2).images));
}

}  // namespace
}  // namespace dataopt::data
