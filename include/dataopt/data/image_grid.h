#pragma once
/// \file
/// Tiles images into one picture, with an optional caption of digits and a
/// coloured frame per tile (e.g. "given > predicted" for suspected label
/// errors).
///
///   at::Tensor grid = data::image_grid(images, {.columns = 10, .scale = 2});
///   dataopt::write_png("suspects.png", grid);

#include <cstdint>
#include <string>
#include <vector>

#include "dataopt/core/tensor_fwd.h"

namespace dataopt::data {

struct ImageGridOptions {
  /// Tiles per row.
  int64_t columns = 10;
  /// Pixel replication factor of each image.
  int64_t scale = 2;
  /// Pixels between tiles.
  int64_t padding = 2;
  /// One caption per image (digits, '>', '-', ' ' only); empty = none.
  std::vector<std::string> captions;
  /// One RGB frame colour per image (0xRRGGBB); empty = no frames.
  std::vector<uint32_t> frames;
};

/// images [N, C, H, W] float in [0, 1] (C = 1 or 3) -> RGB uint8 [H', W', 3].
at::Tensor image_grid(const at::Tensor& images, const ImageGridOptions& options = {});

}  // namespace dataopt::data
