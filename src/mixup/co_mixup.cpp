// Co-Mixup as the official mixup_process runs it (spec mixup.md 2.1-2.4):
// saliency pooled to the block grid, salient-location distances, partitions
// of m_part inputs matched in parallel, outputs mixed block-wise, targets
// weighted by area.

#include <torch/torch.h>

#include <ATen/Parallel.h>

#include "dataopt/core/check.h"
#include "dataopt/mixup/comixup_match.h"
#include "mixup/detail/co_mixup.h"
#include "mixup/detail/mix_util.h"

namespace dataopt::mixup::detail {

at::Tensor salient_location_distances(const at::Tensor& saliency) {
  const int64_t h = saliency.size(1), w = saliency.size(2);
  const int64_t kh = std::min<int64_t>(8, h), kw = std::min<int64_t>(8, w);
  const at::Tensor z = torch::avg_pool2d(saliency.unsqueeze(1), {kh, kw}, 1).squeeze(1);
  const int64_t zw = z.size(2);
  const at::Tensor arg = z.flatten(1).argmax(1);
  const at::Tensor loc = torch::stack({arg.div(zw, "floor"), arg.remainder(zw)}, 1).to(torch::kFloat);
  return (loc.unsqueeze(1) - loc.unsqueeze(0)).abs().sum(2);
}

Mixed CoMixup::mix(const MixBatch& batch, int64_t num_classes, at::Generator& gen) const {
  const int64_t size = check_saliency_batch(batch, num_classes, "comix");
  const at::Tensor& x = batch.images;
  const int64_t b = x.size(0);
  std::mt19937_64 rng = scalar_stream(gen);
  const int64_t bn = block_grid(options_.block_num, size, rng, "comix", "m_block_num");

  const at::Tensor dist = salient_location_distances(batch.saliency).to(torch::kCPU).contiguous();
  const at::Tensor pooled =
      torch::avg_pool2d(batch.saliency.unsqueeze(1), size / bn).squeeze(1).to(torch::kCPU).contiguous();
  const int64_t part = options_.part;
  const int64_t n_parts = (b + part - 1) / part;
  struct Part {
    int64_t lo = 0, m = 0;
    std::vector<float> alpha, dist;
    uint64_t seed = 0;
    CoMixupMatch match;
  };
  std::vector<Part> parts(static_cast<size_t>(n_parts));
  for (int64_t p = 0; p < n_parts; ++p) {  // draws in partition order, before the parallel part
    Part& pt = parts[p];
    pt.lo = p * part;
    pt.m = std::min(part, b - pt.lo);
    pt.alpha = comixup_dirichlet(pt.m, options_.alpha, rng);
    pt.seed = rng();
    const at::Tensor d = dist.slice(0, pt.lo, pt.lo + pt.m).slice(1, pt.lo, pt.lo + pt.m).contiguous();
    pt.dist.assign(d.data_ptr<float>(), d.data_ptr<float>() + d.numel());
  }
  at::parallel_for(0, n_parts, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t p = lo; p < hi; ++p) {
      Part& pt = parts[p];
      const float* sal = pooled.data_ptr<float>() + pt.lo * bn * bn;
      pt.match = comixup_match({.n_input = pt.m, .height = bn, .width = bn,
                                .saliency = {sal, static_cast<size_t>(pt.m * bn * bn)},
                                .dist = pt.dist, .alpha = pt.alpha, .seed = pt.seed},
                               options_.match);
    }
  });

  std::vector<at::Tensor> images, targets, own, partner;
  const at::Tensor onehot = torch::one_hot(batch.labels, num_classes).to(x.options());
  for (const Part& pt : parts) {
    const int64_t n_out = pt.match.n_output;
    at::Tensor mk = torch::from_blob(const_cast<float*>(pt.match.masks.data()),
                                     {n_out, bn, bn, pt.m}, torch::kFloat)
                        .clone()
                        .to(x.device());
    const at::Tensor full = mk.repeat_interleave(size / bn, 1).repeat_interleave(size / bn, 2);
    const at::Tensor xs = x.slice(0, pt.lo, pt.lo + pt.m);
    images.push_back(torch::einsum("jhwi,ichw->jchw", {full, xs}));
    const at::Tensor area = mk.sum({1, 2});  // [n_out, m] blocks per input
    const at::Tensor t = area.matmul(onehot.slice(0, pt.lo, pt.lo + pt.m));
    targets.push_back(t / t.sum(1, true));
    // For pictures: the two inputs with the largest shares of each output.
    const auto top = area.topk(std::min<int64_t>(2, pt.m), 1);
    const at::Tensor first = std::get<1>(top).select(1, 0);
    const at::Tensor second = pt.m > 1 ? std::get<1>(top).select(1, 1) : first;
    own.push_back(full.gather(3, first.reshape({-1, 1, 1, 1}).expand({n_out, size, size, 1})).squeeze(3));
    partner.push_back(second + pt.lo);
  }
  Mixed out;
  out.images = torch::cat(images);
  out.targets = torch::cat(targets);
  out.masks = torch::cat(own);
  out.partners = torch::cat(partner);
  return out;
}

}  // namespace dataopt::mixup::detail
