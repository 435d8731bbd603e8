#include "dataopt/core/rng.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <limits>

namespace dataopt {

void seed_all(uint64_t seed) { torch::manual_seed(seed); }

at::Generator make_generator(uint64_t seed) {
  return at::make_generator<at::CPUGeneratorImpl>(seed);
}

uint64_t derive_seed(uint64_t seed, uint64_t stream) {
  // SplitMix64 finaliser over seed and stream.
  uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (stream + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::mt19937_64 scalar_stream(at::Generator& gen) {
  const int64_t seed =
      torch::randint(0, std::numeric_limits<int64_t>::max(), {1}, gen, torch::kLong).item<int64_t>();
  return std::mt19937_64(static_cast<uint64_t>(seed));
}

double sample_beta(std::mt19937_64& rng, double alpha) {
  std::gamma_distribution<double> g(alpha, 1.0);
  const double a = g(rng), b = g(rng);
  return a + b > 0 ? a / (a + b) : 0.5;
}

}  // namespace dataopt
