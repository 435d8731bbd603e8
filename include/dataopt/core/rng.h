#pragma once
/// \file
/// Seeding. Every Options struct has a `seed`; the same seed gives the same
/// result. Derived streams (per epoch, per fold) come from derive_seed so that
/// resuming at epoch k replays exactly what an uninterrupted run would do.

#include <cstdint>
#include <random>

#include <ATen/core/Generator.h>

namespace dataopt {

/// Seeds LibTorch's global CPU generator (and CUDA's when present).
void seed_all(uint64_t seed);

/// A fresh CPU generator with the given seed (independent of the global one).
at::Generator make_generator(uint64_t seed);

/// Mixes a base seed with a stream index (SplitMix64): well-separated seeds
/// for epoch k, fold k, ...
uint64_t derive_seed(uint64_t seed, uint64_t stream);

/// A scalar random stream seeded by one draw of `gen`, for the draws the
/// official codes make with numpy (a mixing ratio, a box position), so that
/// all of a step's randomness still comes from one generator.
std::mt19937_64 scalar_stream(at::Generator& gen);

/// Beta(alpha, alpha) as two gamma variates.
double sample_beta(std::mt19937_64& rng, double alpha);

}  // namespace dataopt
