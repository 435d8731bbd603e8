#include <torch/torch.h>

#include "dataopt/core/progress.h"
#include "dataopt/core/rng.h"
#include "dataopt/core/threads.h"
#include "test_support.h"

namespace dataopt {

TEST(Rng, SameSeedSameStreamDifferentSeedDifferent) {
  auto a = make_generator(7), b = make_generator(7), c = make_generator(8);
  const auto x = torch::randn({16}, a), y = torch::randn({16}, b),
             z = torch::randn({16}, c);
  EXPECT_TRUE(torch::equal(x, y));
  EXPECT_FALSE(torch::equal(x, z));
  EXPECT_EQ(derive_seed(1, 2), derive_seed(1, 2));
  EXPECT_NE(derive_seed(1, 2), derive_seed(1, 3));
  EXPECT_NE(derive_seed(1, 2), derive_seed(2, 2));
}

TEST(Threads, SetAndRestore) {
  const int before = get_num_threads();
  EXPECT_GE(num_cores(), 1);
  EXPECT_EQ(set_num_threads(1), 1);
  EXPECT_EQ(set_num_threads(0), num_cores());
  set_num_threads(before);
}

TEST(Progress, PlainModePrintsThinnedLines) {
  Progress::force_plain(true);
  testing::internal::CaptureStderr();
  {
    Progress bar("work", 100, 10);
    for (int i = 0; i < 100; ++i) bar.update(1);
    bar.finish("done");
  }
  const std::string out = testing::internal::GetCapturedStderr();
  Progress::force_plain(false);
  const auto lines = std::count(out.begin(), out.end(), '\n');
  EXPECT_GE(lines, 9);
  EXPECT_LE(lines, 11);
  EXPECT_EQ(out.find('\r'), std::string::npos);
  EXPECT_NE(out.find("100/100"), std::string::npos);
  EXPECT_NE(out.find("done"), std::string::npos);
}

}  // namespace dataopt
