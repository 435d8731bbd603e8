#pragma once
// Shared test helpers: a fixture that seeds LibTorch, tensor comparisons,
// scratch directories and tiny synthetic data sets.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "dataopt/core/tensor_fwd.h"
#include "dataopt/data/dataset.h"

namespace dataopt::test {

/// Seeds LibTorch (seed 0) and uses one thread, for reproducible tests.
class SeedingFixture : public ::testing::Test {
 protected:
  void SetUp() override;
};

/// A fresh empty directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const {
    return path_ / name;
  }

 private:
  std::filesystem::path path_;
};

/// NaN-aware comparison: same shape, |a - b| <= atol + rtol |b|, NaN == NaN.
::testing::AssertionResult tensors_near(const at::Tensor& a, const at::Tensor& b,
                                        double rtol = 1e-5, double atol = 1e-7);
#define EXPECT_TENSOR_NEAR(a, b, ...) \
  EXPECT_TRUE(::dataopt::test::tensors_near((a), (b), ##__VA_ARGS__))

/// A learnable toy image set: class k has a bright k-th horizontal band plus
/// noise. [n, channels, size, size] in [0, 1], labels 0..classes-1.
data::Dataset make_band_dataset(int64_t n, int64_t classes, int64_t size = 8,
                                int64_t channels = 1, uint64_t seed = 0);

/// Writes a tiny IDX data set (train + t10k images/labels, gzip) into `dir`.
void write_tiny_idx_dataset(const std::filesystem::path& dir, int64_t n_train,
                            int64_t n_test, int64_t size = 28);

}  // namespace dataopt::test
