#pragma once
/// \file
/// CutMix (Yun et al., 2019) of one batch: a box covering about 1 - lam of
/// each image (lam ~ Beta(alpha, alpha)) is pasted from a permuted partner.
/// Shared by mixup's CutMix mixer and the condensation networks / evaluation.
///
///   data::CutMixed c = data::cutmix(images, 1.0, gen);
///   loss = c.ratio * ce(model(c.images), y) + (1 - c.ratio) * ce(model(c.images), y[c.perm]);

#include <cstdint>
#include <random>

#include "dataopt/core/tensor_fwd.h"

namespace dataopt::data {

/// Rows [y0, y1) and columns [x0, x1) of the pasted box.
struct CutMixBox {
  int64_t y0 = 0, y1 = 0, x0 = 0, x1 = 0;
};

/// The box of side sqrt(1 - lam) * size centred uniformly, clipped to the image.
CutMixBox cutmix_box(int64_t height, int64_t width, double lam, std::mt19937_64& rng);

struct CutMixed {
  /// [B, C, H, W]: each image with the box taken from images[perm].
  at::Tensor images;
  /// [B] int64 partner of each image.
  at::Tensor perm;
  /// Share of each image that is its own (1 - box area / image area).
  double ratio = 1;
  /// [B, H, W]: 1 where the pixel is the image's own, 0 in the box.
  at::Tensor mask;
};

/// One permutation, one lam and one box per batch, all drawn from `gen`.
CutMixed cutmix(const at::Tensor& images, double alpha, at::Generator& gen);

}  // namespace dataopt::data
