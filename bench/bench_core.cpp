// Micro benchmarks of core I/O and metrics (google-benchmark).

#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <filesystem>

#include "dataopt/core/npy.h"
#include "dataopt/core/safetensors.h"
#include "dataopt/train/metrics.h"

namespace {

std::filesystem::path scratch(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("dataopt_bench_" + name);
}

void BM_NpyRoundTrip(benchmark::State& state) {
  const at::Tensor t = torch::randn({state.range(0), 256});
  const auto path = scratch("t.npy");
  for (auto _ : state) {
    dataopt::write_npy(path, t);
    benchmark::DoNotOptimize(dataopt::read_npy(path));
  }
  state.SetBytesProcessed(state.iterations() * t.nbytes() * 2);
  std::filesystem::remove(path);
}
BENCHMARK(BM_NpyRoundTrip)->Arg(1024)->Arg(16384);

void BM_SafetensorsRoundTrip(benchmark::State& state) {
  dataopt::TensorFile f;
  for (int i = 0; i < 16; ++i) f.add("w" + std::to_string(i), torch::randn({256, 256}));
  const auto path = scratch("m.safetensors");
  for (auto _ : state) {
    dataopt::write_safetensors(path, f);
    benchmark::DoNotOptimize(dataopt::read_safetensors(path));
  }
  std::filesystem::remove(path);
}
BENCHMARK(BM_SafetensorsRoundTrip);

void BM_ExpectedCalibrationError(benchmark::State& state) {
  const at::Tensor p = torch::softmax(torch::randn({state.range(0), 10}), 1);
  const at::Tensor y = torch::randint(0, 10, {state.range(0)}, torch::kLong);
  for (auto _ : state) {
    benchmark::DoNotOptimize(dataopt::train::expected_calibration_error(p, y));
  }
}
BENCHMARK(BM_ExpectedCalibrationError)->Arg(10000)->Arg(60000);

}  // namespace

BENCHMARK_MAIN();
