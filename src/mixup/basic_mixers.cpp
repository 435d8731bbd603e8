// Input Mixup and CutMix (spec mixup.md section 3): one lam ~ Beta(alpha,
// alpha) and one random permutation per batch, as the PuzzleMix repository's
// baselines.

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "dataopt/core/check.h"
#include "mixup/detail/basic_mixers.h"
#include "mixup/detail/mix_util.h"

namespace dataopt::mixup::detail {

Mixed InputMixup::mix(const MixBatch& batch, int64_t num_classes, at::Generator& gen) const {
  check_batch(batch, num_classes, "mixup");
  const int64_t b = batch.images.size(0);
  std::mt19937_64 rng = scalar_stream(gen);
  const at::Tensor perm = torch::randperm(b, gen, torch::kLong).to(batch.images.device());
  const double lam = sample_beta(rng, options_.alpha);
  Mixed out;
  out.images = lam * batch.images + (1 - lam) * batch.images.index_select(0, perm);
  out.targets = mix_targets(batch.labels, perm, torch::tensor(static_cast<float>(lam)), num_classes);
  out.masks = torch::full({b, batch.images.size(2), batch.images.size(3)}, lam,
                          batch.images.options());
  out.partners = perm;
  return out;
}

Box cutmix_box(int64_t height, int64_t width, double lam, std::mt19937_64& rng) {
  // The box covers a fraction 1 - lam of the image, centred uniformly, then
  // clipped to the image (so the realised ratio is recomputed from its area).
  const double cut = std::sqrt(1.0 - lam);
  const auto cut_h = static_cast<int64_t>(static_cast<double>(height) * cut);
  const auto cut_w = static_cast<int64_t>(static_cast<double>(width) * cut);
  const int64_t cy = std::uniform_int_distribution<int64_t>(0, height - 1)(rng);
  const int64_t cx = std::uniform_int_distribution<int64_t>(0, width - 1)(rng);
  Box box;
  box.y0 = std::clamp<int64_t>(cy - cut_h / 2, 0, height);
  box.y1 = std::clamp<int64_t>(cy + cut_h / 2, 0, height);
  box.x0 = std::clamp<int64_t>(cx - cut_w / 2, 0, width);
  box.x1 = std::clamp<int64_t>(cx + cut_w / 2, 0, width);
  return box;
}

Mixed CutMix::mix(const MixBatch& batch, int64_t num_classes, at::Generator& gen) const {
  check_batch(batch, num_classes, "cutmix");
  const int64_t b = batch.images.size(0), h = batch.images.size(2), w = batch.images.size(3);
  std::mt19937_64 rng = scalar_stream(gen);
  const at::Tensor perm = torch::randperm(b, gen, torch::kLong).to(batch.images.device());
  const double lam = sample_beta(rng, options_.alpha);
  const Box box = cutmix_box(h, w, lam, rng);
  using torch::indexing::Slice;
  at::Tensor mask = torch::ones({b, h, w}, batch.images.options());
  mask.index_put_({Slice(), Slice(box.y0, box.y1), Slice(box.x0, box.x1)}, 0.0);
  const double ratio = 1.0 - static_cast<double>((box.y1 - box.y0) * (box.x1 - box.x0)) /
                                 static_cast<double>(h * w);
  Mixed out;
  const at::Tensor m = mask.unsqueeze(1);
  out.images = m * batch.images + (1 - m) * batch.images.index_select(0, perm);
  out.targets =
      mix_targets(batch.labels, perm, torch::tensor(static_cast<float>(ratio)), num_classes);
  out.masks = mask;
  out.partners = perm;
  return out;
}

}  // namespace dataopt::mixup::detail
