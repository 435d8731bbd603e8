#include "dataopt/data/normalize.h"

#include "dataopt/core/check.h"
#include "dataopt/core/tensor_check.h"

namespace dataopt::data {

namespace {
at::Tensor stats_tensor(const std::vector<double>& v, const at::Tensor& like,
                        int64_t dims) {
  at::Tensor t = torch::tensor(v, like.options().dtype(torch::kDouble))
                     .to(like.scalar_type());
  return dims == 4 ? t.view({1, -1, 1, 1}) : t.view({-1, 1, 1});
}

void check_images(const at::Tensor& images, const ChannelStats& stats) {
  DATAOPT_CHECK(images.dim() == 4 || images.dim() == 3,
                "normalize: images must be [N, C, H, W] or [C, H, W], got ",
                shape_str(images));
  const int64_t c = images.size(images.dim() - 3);
  DATAOPT_CHECK(static_cast<int64_t>(stats.mean.size()) == c &&
                    stats.std.size() == stats.mean.size(),
                "normalize: ", c, " channels but stats for ", stats.mean.size());
  for (double s : stats.std) {
    DATAOPT_CHECK(s > 0, "normalize: channel std must be > 0, got ", s);
  }
}
}  // namespace

ChannelStats channel_stats(const at::Tensor& images) {
  check_shape(images, {-1, -1, -1, -1}, "channel_stats images");
  DATAOPT_CHECK(images.size(0) > 0, "channel_stats: empty image set");
  const at::Tensor x = images.to(torch::kDouble).transpose(0, 1).flatten(1);
  ChannelStats stats;
  const at::Tensor mean = x.mean(1);
  const at::Tensor std = x.std(1, /*unbiased=*/false);
  for (int64_t c = 0; c < x.size(0); ++c) {
    stats.mean.push_back(mean[c].item<double>());
    stats.std.push_back(std::max(std[c].item<double>(), 1e-8));
  }
  return stats;
}

at::Tensor normalize(const at::Tensor& images, const ChannelStats& stats) {
  check_images(images, stats);
  return (images - stats_tensor(stats.mean, images, images.dim())) /
         stats_tensor(stats.std, images, images.dim());
}

at::Tensor denormalize(const at::Tensor& images, const ChannelStats& stats) {
  check_images(images, stats);
  return images * stats_tensor(stats.std, images, images.dim()) +
         stats_tensor(stats.mean, images, images.dim());
}

}  // namespace dataopt::data
