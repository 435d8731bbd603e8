#pragma once
/// \file
/// Zero padding of whole data sets, e.g. Fashion-MNIST 28 x 28 -> 32 x 32 so
/// that the 2/4/8/16 block grids of Puzzle Mix and Co-Mixup divide the images
/// (spec mixup.md section 5). The background of Fashion-MNIST is 0, so the
/// padding looks like more background.

#include <cstdint>

#include "dataopt/data/dataset.h"

namespace dataopt::data {

/// The images centred in size x size (zeros around; the extra row/column of
/// an odd margin goes to the bottom/right). size must be >= the image size.
Dataset pad_to(const Dataset& dataset, int64_t size);

}  // namespace dataopt::data
