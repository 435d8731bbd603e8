#include <torch/torch.h>

#include "dataopt/core/check.h"
#include "dataopt/data/label_noise.h"
#include "test_support.h"

namespace dataopt::data {

class LabelNoise : public test::SeedingFixture {
 protected:
  at::Tensor labels_ = torch::arange(1000, torch::kLong).remainder(10);
};

TEST_F(LabelNoise, SymmetricFlipsExactlyRateAndRecordsIndices) {
  const auto r = inject_label_noise(labels_, 10, {.rate = 0.1, .seed = 3});
  EXPECT_EQ(r.flipped.numel(), 100);
  // Recorded indices are exactly where labels changed, ascending.
  const at::Tensor changed = r.labels.ne(labels_).nonzero().squeeze(1);
  EXPECT_TRUE(torch::equal(changed, r.flipped));
  EXPECT_TRUE(torch::equal(r.is_noisy.nonzero().squeeze(1), r.flipped));
  EXPECT_TRUE(torch::equal(std::get<0>(r.flipped.sort()), r.flipped));
  EXPECT_GE(r.labels.min().item<int64_t>(), 0);
  EXPECT_LT(r.labels.max().item<int64_t>(), 10);
}

TEST_F(LabelNoise, SymmetricSpreadsOverOtherClasses) {
  const auto big = torch::zeros({20000}, torch::kLong);
  const auto r = inject_label_noise(big, 5, {.rate = 0.5, .seed = 1});
  const at::Tensor counts = torch::bincount(r.labels.index_select(0, r.flipped), {}, 5);
  EXPECT_EQ(counts[0].item<int64_t>(), 0);
  for (int k = 1; k < 5; ++k) {
    EXPECT_NEAR(counts[k].item<int64_t>(), 2500, 200) << k;
  }
}

TEST_F(LabelNoise, PairNoiseMapsToNextClass) {
  const auto r = inject_label_noise(labels_, 10,
                                    {.rate = 0.2, .kind = NoiseKind::kPair, .seed = 0});
  EXPECT_EQ(r.flipped.numel(), 200);
  const at::Tensor before = labels_.index_select(0, r.flipped);
  const at::Tensor after = r.labels.index_select(0, r.flipped);
  EXPECT_TRUE(torch::equal(after, (before + 1).remainder(10)));
}

TEST_F(LabelNoise, SameSeedSameResultDifferentSeedDifferent) {
  const auto a = inject_label_noise(labels_, 10, {.rate = 0.3, .seed = 42});
  const auto b = inject_label_noise(labels_, 10, {.rate = 0.3, .seed = 42});
  const auto c = inject_label_noise(labels_, 10, {.rate = 0.3, .seed = 43});
  EXPECT_TRUE(torch::equal(a.labels, b.labels));
  EXPECT_TRUE(torch::equal(a.flipped, b.flipped));
  EXPECT_FALSE(torch::equal(a.flipped, c.flipped));
}

TEST_F(LabelNoise, ZeroRateAndBadInput) {
  const auto r = inject_label_noise(labels_, 10, {.rate = 0.0});
  EXPECT_EQ(r.flipped.numel(), 0);
  EXPECT_TRUE(torch::equal(r.labels, labels_));
  EXPECT_THROW(inject_label_noise(labels_, 10, {.rate = 1.0}), Error);
  EXPECT_THROW(inject_label_noise(labels_, 10, {.rate = -0.1}), Error);
  EXPECT_THROW(inject_label_noise(labels_, 5, {.rate = 0.1}), Error);  // label 9 >= 5
  EXPECT_THROW(inject_label_noise(labels_.to(torch::kFloat), 10, {}), Error);
  EXPECT_EQ(parse_noise_kind("asymmetric"), NoiseKind::kPair);
  EXPECT_THROW(parse_noise_kind("gaussian"), Error);
}

}  // namespace dataopt::data
