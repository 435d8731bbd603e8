#include <torch/torch.h>

#include "dataopt/core/atomic_file.h"
#include "dataopt/core/check.h"
#include "dataopt/core/npy.h"
#include "dataopt/data/dataset.h"
#include "dataopt/data/normalize.h"
#include "dataopt/data/tabular.h"
#include "test_support.h"

namespace dataopt::data {

class DatasetTest : public test::SeedingFixture {};

TEST_F(DatasetTest, SubsetHeadAndValidate) {
  const Dataset ds = test::make_band_dataset(50, 5);
  EXPECT_NO_THROW(ds.validate());
  const Dataset sub = ds.subset(torch::tensor({4, 0, 7}, torch::kLong));
  EXPECT_EQ(sub.size(), 3);
  EXPECT_TRUE(torch::equal(sub.images[0], ds.images[4]));
  EXPECT_EQ(sub.labels[2].item<int64_t>(), ds.labels[7].item<int64_t>());
  EXPECT_EQ(ds.head(10).size(), 10);
  EXPECT_EQ(ds.head(100).size(), 50);
  EXPECT_THROW(ds.subset(torch::tensor({50}, torch::kLong)), Error);

  Dataset bad = ds;
  bad.labels = bad.labels.slice(0, 0, 10);
  EXPECT_THROW(bad.validate(), Error);
  bad = ds;
  bad.labels[0] = 5;
  EXPECT_THROW(bad.validate(), Error);
}

TEST_F(DatasetTest, NormalizeUsesPerChannelStats) {
  const at::Tensor x = torch::rand({20, 3, 4, 4}) * torch::tensor({1.0f, 2.0f, 3.0f}).view({1, 3, 1, 1});
  const auto stats = channel_stats(x);
  ASSERT_EQ(stats.mean.size(), 3u);
  const at::Tensor y = normalize(x, stats);
  const at::Tensor per_channel = y.transpose(0, 1).flatten(1);
  EXPECT_TENSOR_NEAR(per_channel.mean(1), torch::zeros({3}), 0, 1e-5);
  EXPECT_TENSOR_NEAR(per_channel.std(1, false), torch::ones({3}), 0, 1e-4);
  EXPECT_TENSOR_NEAR(denormalize(y, stats), x, 1e-5, 1e-6);
  EXPECT_THROW(normalize(torch::rand({2, 2, 4, 4}), stats), Error);
}

TEST_F(DatasetTest, FeatureFilesFromNpyAndCsv) {
  test::TempDir dir;
  const at::Tensor x = torch::randn({6, 3});
  write_npy(dir / "x.npy", x);
  write_npy(dir / "y.npy", torch::tensor({0, 1, 2, 0, 1, 2}, torch::kLong));
  const auto t = load_feature_file(dir / "x.npy", dir / "y.npy");
  EXPECT_TRUE(torch::equal(t.features, x));
  EXPECT_EQ(t.labels.numel(), 6);

  write_text_atomic(dir / "ok.csv", "a,b\n1,2\n3,4\n5,6\n");
  write_text_atomic(dir / "y.csv", "label\n0\n1\n1\n");
  const auto c = load_feature_file(dir / "ok.csv", dir / "y.csv");
  EXPECT_EQ(c.features.sizes(), (std::vector<int64_t>{3, 2}));
  EXPECT_FLOAT_EQ(c.features[2][1].item<float>(), 6.0f);
  // A missing value (NaN) in features is bad input for feature files.
  write_text_atomic(dir / "x.csv", "a,b\n1,2\n3,NA\n5,6\n");
  EXPECT_THROW(load_feature_file(dir / "x.csv", dir / "y.csv"), Error);

  std::vector<std::string> names;
  const at::Tensor m = read_csv_matrix(dir / "x.csv", {}, &names);
  EXPECT_TRUE(std::isnan(m[1][1].item<float>()));
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b"}));

  write_text_atomic(dir / "ragged.csv", "a,b\n1,2\n3\n");
  try {
    read_csv_matrix(dir / "ragged.csv");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("ragged.csv:3"), std::string::npos);
  }
  write_text_atomic(dir / "text.csv", "a,b\n1,x\n");
  EXPECT_THROW(read_csv_matrix(dir / "text.csv"), Error);
  write_npy(dir / "y5.npy", torch::zeros({5}, torch::kLong));
  EXPECT_THROW(load_feature_file(dir / "x.npy", dir / "y5.npy"), Error);
}

}  // namespace dataopt::data
