// CutMix of one batch (the PuzzleMix and IDC repositories' rand_bbox).

#include "dataopt/data/cutmix.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "dataopt/core/check.h"
#include "dataopt/core/rng.h"
#include "dataopt/core/tensor_check.h"

namespace dataopt::data {

CutMixBox cutmix_box(int64_t height, int64_t width, double lam, std::mt19937_64& rng) {
  // The box covers a fraction 1 - lam of the image, centred uniformly, then
  // clipped to the image (so the realised ratio is recomputed from its area).
  const double cut = std::sqrt(1.0 - lam);
  const auto cut_h = static_cast<int64_t>(static_cast<double>(height) * cut);
  const auto cut_w = static_cast<int64_t>(static_cast<double>(width) * cut);
  const int64_t cy = std::uniform_int_distribution<int64_t>(0, height - 1)(rng);
  const int64_t cx = std::uniform_int_distribution<int64_t>(0, width - 1)(rng);
  CutMixBox box;
  box.y0 = std::clamp<int64_t>(cy - cut_h / 2, 0, height);
  box.y1 = std::clamp<int64_t>(cy + cut_h / 2, 0, height);
  box.x0 = std::clamp<int64_t>(cx - cut_w / 2, 0, width);
  box.x1 = std::clamp<int64_t>(cx + cut_w / 2, 0, width);
  return box;
}

CutMixed cutmix(const at::Tensor& images, double alpha, at::Generator& gen) {
  check_shape(images, {-1, -1, -1, -1}, "cutmix images");
  DATAOPT_CHECK(alpha > 0, "cutmix: alpha must be > 0, got ", alpha);
  const int64_t b = images.size(0), h = images.size(2), w = images.size(3);
  std::mt19937_64 rng = scalar_stream(gen);
  const at::Tensor perm = torch::randperm(b, gen, torch::kLong).to(images.device());
  const double lam = sample_beta(rng, alpha);
  const CutMixBox box = cutmix_box(h, w, lam, rng);
  using torch::indexing::Slice;
  CutMixed out;
  out.mask = torch::ones({b, h, w}, images.options());
  out.mask.index_put_({Slice(), Slice(box.y0, box.y1), Slice(box.x0, box.x1)}, 0.0);
  out.ratio = 1.0 - static_cast<double>((box.y1 - box.y0) * (box.x1 - box.x0)) /
                        static_cast<double>(h * w);
  const at::Tensor m = out.mask.unsqueeze(1);
  out.images = m * images + (1 - m) * images.index_select(0, perm);
  out.perm = perm;
  return out;
}

}  // namespace dataopt::data
