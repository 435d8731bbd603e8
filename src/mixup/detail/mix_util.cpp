#include "mixup/detail/mix_util.h"

#include "dataopt/core/check.h"
#include "dataopt/core/tensor_check.h"

namespace dataopt::mixup::detail {

at::Tensor mix_targets(const at::Tensor& labels, const at::Tensor& perm, const at::Tensor& ratio,
                       int64_t num_classes) {
  const at::Tensor y1 = torch::one_hot(labels, num_classes).to(torch::kFloat);
  const at::Tensor y2 = y1.index_select(0, perm);
  const at::Tensor r = ratio.dim() == 0 ? ratio : ratio.reshape({-1, 1});
  return r * y1 + (1 - r) * y2;
}

void check_batch(const MixBatch& batch, int64_t num_classes, const char* who) {
  check_shape(batch.images, {-1, -1, -1, -1}, std::string(who) + ": images");
  check_dtype(batch.images, at::kFloat, std::string(who) + ": images");
  check_shape(batch.labels, {batch.images.size(0)}, std::string(who) + ": labels");
  check_dtype(batch.labels, at::kLong, std::string(who) + ": labels");
  DATAOPT_CHECK(batch.images.size(0) >= 1, who, ": empty batch");
  DATAOPT_CHECK(num_classes >= 2, who, ": num_classes must be >= 2, got ", num_classes);
  const auto [lo, hi] = torch::aminmax(batch.labels);
  DATAOPT_CHECK(lo.item<int64_t>() >= 0 && hi.item<int64_t>() < num_classes, who,
                ": labels must lie in [0, ", num_classes, "), got [", lo.item<int64_t>(), ", ",
                hi.item<int64_t>(), "]");
  check_finite(batch.images, std::string(who) + ": images");
}

int64_t check_saliency_batch(const MixBatch& batch, int64_t num_classes, const char* who) {
  check_batch(batch, num_classes, who);
  const int64_t b = batch.images.size(0), size = batch.images.size(3);
  DATAOPT_CHECK(batch.images.size(2) == size, who, ": images must be square, got ",
                batch.images.size(2), "x", size);
  DATAOPT_CHECK(batch.saliency.defined(), who, ": the batch has no saliency (see saliency.h)");
  DATAOPT_CHECK(batch.saliency.sizes() == at::IntArrayRef({b, size, size}), who,
                ": saliency must be [", b, ", ", size, ", ", size, "], got ",
                batch.saliency.sizes());
  return size;
}

int64_t block_grid(int64_t fixed, int64_t size, std::mt19937_64& rng, const char* who,
                   const char* flag) {
  const int64_t bn =
      fixed != 0 ? fixed : int64_t{1} << std::uniform_int_distribution<int>(1, 4)(rng);
  DATAOPT_CHECK(size % bn == 0, who, ": image size ", size, " is not divisible by ", flag, " ",
                bn, " (pad the images, e.g. --pad-to 32 for 28x28 Fashion-MNIST)");
  return bn;
}

}  // namespace dataopt::mixup::detail
