#pragma once
/// \file
/// Accuracy under the fast gradient sign attack (FGSM), as the Puzzle Mix
/// evaluation reports it: x' = clamp(x + eps * sign(grad_x CE(f(x), y)), 0, 1)
/// in pixel space, one step, eps given in 1/255 units (8 = 8/255).

#include <cstdint>

#include "dataopt/data/dataset.h"

namespace dataopt::nn {
class Model;
}

namespace dataopt::train {

/// Fraction of `data` classified correctly after the attack (model in eval
/// mode; its mode is restored).
double fgsm_accuracy(nn::Model& model, const data::Dataset& data, double eps_255,
                     int64_t batch_size = 256);

}  // namespace dataopt::train
