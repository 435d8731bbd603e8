// Input Mixup and CutMix (spec mixup.md section 3): one lam ~ Beta(alpha,
// alpha) and one random permutation per batch, as the PuzzleMix repository's
// baselines.

#include <torch/torch.h>

#include "dataopt/core/check.h"
#include "dataopt/data/cutmix.h"
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

Mixed CutMix::mix(const MixBatch& batch, int64_t num_classes, at::Generator& gen) const {
  check_batch(batch, num_classes, "cutmix");
  const data::CutMixed c = data::cutmix(batch.images, options_.alpha, gen);
  Mixed out;
  out.images = c.images;
  out.targets =
      mix_targets(batch.labels, c.perm, torch::tensor(static_cast<float>(c.ratio)), num_classes);
  out.masks = c.mask;
  out.partners = c.perm;
  return out;
}

}  // namespace dataopt::mixup::detail
