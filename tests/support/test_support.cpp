#include "test_support.h"

#include <atomic>
#include <unistd.h>

#include "dataopt/core/rng.h"
#include "dataopt/data/idx.h"

namespace dataopt::test {
namespace fs = std::filesystem;

void SeedingFixture::SetUp() {
  torch::manual_seed(0);
  at::set_num_threads(1);
}

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  path_ = fs::temp_directory_path() /
          ("dataopt_test_" + std::to_string(getpid()) + "_" +
           std::to_string(counter.fetch_add(1)));
  fs::remove_all(path_);
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

::testing::AssertionResult tensors_near(const at::Tensor& a, const at::Tensor& b,
                                        double rtol, double atol) {
  if (a.sizes() != b.sizes()) {
    return ::testing::AssertionFailure()
           << "shapes differ: " << a.sizes() << " vs " << b.sizes();
  }
  const at::Tensor x = a.to(torch::kDouble).cpu(), y = b.to(torch::kDouble).cpu();
  const at::Tensor both_nan = x.isnan() & y.isnan();
  const at::Tensor close = (x - y).abs() <= atol + rtol * y.abs();
  const at::Tensor ok = close | both_nan;
  if (ok.all().item<bool>()) return ::testing::AssertionSuccess();
  const at::Tensor diff = torch::where(ok, torch::zeros_like(x), (x - y).abs());
  const int64_t worst = diff.flatten().argmax().item<int64_t>();
  return ::testing::AssertionFailure()
         << (~ok).sum().item<int64_t>() << " of " << x.numel()
         << " elements differ; worst at flat index " << worst << ": "
         << x.flatten()[worst].item<double>() << " vs "
         << y.flatten()[worst].item<double>();
}

data::Dataset make_band_dataset(int64_t n, int64_t classes, int64_t size,
                                int64_t channels, uint64_t seed) {
  at::Generator gen = make_generator(seed);
  data::Dataset ds;
  ds.labels = torch::randint(0, classes, {n}, gen, torch::kLong);
  ds.images = 0.3 * torch::rand({n, channels, size, size}, gen, torch::kFloat);
  const int64_t band = std::max<int64_t>(1, size / classes);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t k = ds.labels[i].item<int64_t>();
    const int64_t row = (k * band) % size;
    ds.images[i].narrow(1, row, band).add_(0.6);
  }
  ds.images.clamp_(0, 1);
  ds.class_names = data::numbered_class_names(classes);
  ds.name = "bands";
  return ds;
}

void write_tiny_idx_dataset(const fs::path& dir, int64_t n_train, int64_t n_test,
                            int64_t size) {
  fs::create_directories(dir);
  auto make = [&](int64_t n, uint64_t seed, const std::string& prefix) {
    const data::Dataset ds = make_band_dataset(n, 10, size, 1, seed);
    data::write_idx(dir / (prefix + "-images-idx3-ubyte.gz"),
                    (ds.images.squeeze(1) * 255).round().to(torch::kByte));
    data::write_idx(dir / (prefix + "-labels-idx1-ubyte.gz"),
                    ds.labels.to(torch::kByte));
  };
  make(n_train, 1, "train");
  make(n_test, 2, "t10k");
}

}  // namespace dataopt::test
