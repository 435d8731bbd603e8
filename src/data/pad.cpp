#include "dataopt/data/pad.h"

#include <torch/torch.h>

#include "dataopt/core/check.h"

namespace dataopt::data {

Dataset pad_to(const Dataset& dataset, int64_t size) {
  const int64_t h = dataset.images.size(2), w = dataset.images.size(3);
  DATAOPT_CHECK(size >= h && size >= w, "--pad-to ", size, ": smaller than the images (", h, "x",
                w, ")");
  if (size == h && size == w) return dataset;
  const int64_t top = (size - h) / 2, left = (size - w) / 2;
  Dataset out = dataset;
  out.images = torch::constant_pad_nd(dataset.images,
                                      {left, size - w - left, top, size - h - top}, 0.0);
  return out;
}

}  // namespace dataopt::data
