// Puzzle Mix as the official mixup_graph runs it (spec mixup.md 1.1-1.8):
// draws (block_num, permutation, lam), pooled saliency unaries, the
// data-smoothness term and its re-parametrisation, one graph cut per image
// (in parallel), optional adversarial noise, optimal transport, mixing.

#include <torch/torch.h>

#include <ATen/Parallel.h>

#include "dataopt/core/check.h"
#include "dataopt/mixup/graph_cut.h"
#include "dataopt/mixup/transport.h"
#include "mixup/detail/mix_util.h"
#include "mixup/detail/puzzle_mix.h"

namespace dataopt::mixup::detail {
namespace {

using torch::indexing::None;
using torch::indexing::Slice;

std::span<const float> span_of(const at::Tensor& t, int64_t i) {
  const at::Tensor row = t[i];
  return {row.data_ptr<float>(), static_cast<size_t>(row.numel())};
}

// Per-image normalisation to sum 1 over the grid.
at::Tensor normalise(const at::Tensor& u) { return u / u.sum({1, 2}, true); }

}  // namespace

PuzzleTerms puzzle_terms(const at::Tensor& images, const at::Tensor& saliency,
                         const at::Tensor& perm, int64_t block_num, const PuzzleOptions& options) {
  const int64_t size = images.size(3);
  const int64_t block_size = size / block_num;
  PuzzleTerms t;
  t.saliency1 = normalise(torch::avg_pool2d(saliency.unsqueeze(1), block_size).squeeze(1));
  t.saliency2 = t.saliency1.index_select(0, perm);
  at::Tensor u1 = t.saliency1.clone(), u2 = t.saliency2.clone();

  // neigh_penalty: boundary rows / columns of the blocks, pooled by neigh.
  const int64_t neigh = std::min(options.neigh_size, block_size);
  const int64_t k = block_size / neigh;
  const int64_t g = block_num * k;
  const at::Tensor p1 = torch::avg_pool2d(images, neigh);  // input 1
  const at::Tensor p0 = p1.index_select(0, perm);           // input 2
  const at::Tensor first = torch::arange(k - 1, g - 1, k, torch::kLong).to(images.device());
  const at::Tensor second = first + 1;
  const double scale = puzzle_beta_n(options.cut.beta, block_num) * options.gamma;
  const int64_t b = images.size(0);
  // a = label of the upper / left block (1 = input 1, 0 = input 2), c of the other.
  auto vertical = [&](const at::Tensor& a, const at::Tensor& c) {
    const at::Tensor d = (a.index_select(2, first) - c.index_select(2, second)).abs().mean(1);
    return d.reshape({b, block_num - 1, block_num, k}).mean(3) * scale;
  };
  auto horizontal = [&](const at::Tensor& a, const at::Tensor& c) {
    const at::Tensor d = (a.index_select(3, first) - c.index_select(3, second)).abs().mean(1);
    return d.reshape({b, block_num, k, block_num - 1}).mean(2) * scale;
  };
  const at::Tensor v00 = vertical(p0, p0), v01 = vertical(p0, p1);
  const at::Tensor v10 = vertical(p1, p0), v11 = vertical(p1, p1);
  const at::Tensor h00 = horizontal(p0, p0), h01 = horizontal(p0, p1);
  const at::Tensor h10 = horizontal(p1, p0), h11 = horizontal(p1, p1);
  // Re-parametrisation (exact up to a constant): the part of each edge cost
  // that depends on one end only moves into that block's unary.
  u2.index({Slice(), Slice(0, -1), Slice()}) += (v10 + v11) / 2;
  u1.index({Slice(), Slice(0, -1), Slice()}) += (v01 + v00) / 2;
  u2.index({Slice(), Slice(1, None), Slice()}) += (v01 + v11) / 2;
  u1.index({Slice(), Slice(1, None), Slice()}) += (v10 + v00) / 2;
  u2.index({Slice(), Slice(), Slice(0, -1)}) += (h10 + h11) / 2;
  u1.index({Slice(), Slice(), Slice(0, -1)}) += (h01 + h00) / 2;
  u2.index({Slice(), Slice(), Slice(1, None)}) += (h01 + h11) / 2;
  u1.index({Slice(), Slice(), Slice(1, None)}) += (h10 + h00) / 2;
  t.cost_input1 = u2;  // choosing input 1 throws input 2's saliency away
  t.cost_input2 = u1;
  t.pairwise_v = (v10 + v01 - v11 - v00) / 2;
  t.pairwise_h = (h10 + h01 - h11 - h00) / 2;
  return t;
}

at::Tensor puzzle_cuts(const PuzzleTerms& terms, float lam, const GraphCutOptions& options) {
  const at::Tensor c1 = terms.cost_input1.to(torch::kCPU).contiguous();
  const at::Tensor c2 = terms.cost_input2.to(torch::kCPU).contiguous();
  const at::Tensor pv = terms.pairwise_v.to(torch::kCPU).contiguous();
  const at::Tensor ph = terms.pairwise_h.to(torch::kCPU).contiguous();
  const int64_t b = c1.size(0), block_num = c1.size(1);
  at::Tensor mask = torch::empty({b, block_num, block_num}, torch::kFloat);
  at::parallel_for(0, b, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) {
      const PuzzleCutInput in{.block_num = block_num,
                              .cost_input1 = span_of(c1, i),
                              .cost_input2 = span_of(c2, i),
                              .pairwise_v = span_of(pv, i),
                              .pairwise_h = span_of(ph, i),
                              .lam = lam};
      const PuzzleCut cut = puzzle_graph_cut(in, options);
      std::copy(cut.mask.begin(), cut.mask.end(), mask[i].data_ptr<float>());
    }
  });
  return mask;
}

at::Tensor transport_batch(const at::Tensor& images, const at::Tensor& masks,
                           const at::Tensor& saliency, double eps, const at::Tensor& fill) {
  const int64_t b = images.size(0), c = images.size(1), s = images.size(3);
  const int64_t n = masks.size(1), cs = s / n, cells = n * n;
  const at::Tensor m = masks.to(torch::kCPU, torch::kFloat).contiguous();
  const at::Tensor sal = saliency.to(torch::kCPU, torch::kFloat).contiguous();
  std::vector<TransportPlan> plans(static_cast<size_t>(b));
  at::parallel_for(0, b, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) plans[i] = mask_transport(span_of(m, i), span_of(sal, i), n, eps);
  });
  at::Tensor index = torch::empty({b, cells}, torch::kLong);
  auto acc = index.accessor<int64_t, 2>();
  for (int64_t i = 0; i < b; ++i) {
    for (int64_t j = 0; j < cells; ++j) {
      const int64_t src = plans[i].source[j];
      acc[i][j] = src < 0 ? cells : src;  // cell `cells` is the fill patch
    }
  }
  index = index.to(images.device());
  const at::Tensor patches = images.reshape({b, c, n, cs, n, cs})
                                 .permute({0, 2, 4, 1, 3, 5})
                                 .reshape({b, cells, c, cs, cs});
  at::Tensor filler = torch::zeros({b, 1, c, cs, cs}, images.options());
  if (fill.defined()) filler += fill.to(images.options()).reshape({1, 1, c, 1, 1});
  const at::Tensor all = torch::cat({patches, filler}, 1);
  const at::Tensor moved =
      all.gather(1, index.reshape({b, cells, 1, 1, 1}).expand({b, cells, c, cs, cs}));
  return moved.reshape({b, n, n, c, cs, cs}).permute({0, 3, 1, 4, 2, 5}).reshape({b, c, s, s});
}

Mixed PuzzleMix::mix(const MixBatch& batch, int64_t num_classes, at::Generator& gen) const {
  const int64_t size = check_saliency_batch(batch, num_classes, "puzzle");
  const at::Tensor& x = batch.images;
  const int64_t b = x.size(0);
  // Draws in the official order: block_num, permutation, lam.
  std::mt19937_64 rng = scalar_stream(gen);
  const int64_t block_num = block_grid(options_.block_num, size, rng, "puzzle", "block_num");
  const at::Tensor perm = torch::randperm(b, gen, torch::kLong).to(x.device());
  const auto lam = static_cast<float>(sample_beta(rng, options_.alpha));

  const PuzzleTerms terms = puzzle_terms(x, batch.saliency, perm, block_num, options_);
  at::Tensor mask = puzzle_cuts(terms, lam, options_.cut);
  mask = mask.to(x.device());

  at::Tensor x1 = x, x2 = x.index_select(0, perm);
  if (batch.noise.defined()) {
    if (batch.noise_first) x1 = (x1 + batch.noise).clamp(0, 1);
    if (batch.noise_second) x2 = (x2 + batch.noise.index_select(0, perm)).clamp(0, 1);
  }
  if (options_.transport) {
    const int64_t block_size = size / block_num;
    at::Tensor mt = mask, s1 = terms.saliency1, s2 = terms.saliency2;
    if (options_.t_size > 0 && options_.t_size < block_size) {
      DATAOPT_CHECK(size % options_.t_size == 0, "puzzle: image size ", size,
                    " is not divisible by t_size ", options_.t_size);
      const int64_t up = block_size / options_.t_size;
      mt = mask.repeat_interleave(up, 1).repeat_interleave(up, 2);
      s1 = normalise(torch::avg_pool2d(batch.saliency.unsqueeze(1), options_.t_size).squeeze(1));
      s2 = s1.index_select(0, perm);
    }
    x1 = transport_batch(x1, mt, s1, options_.t_eps, batch.fill);
    x2 = transport_batch(x2, 1 - mt, s2, options_.t_eps, batch.fill);
  }
  const int64_t block_size = size / block_num;
  const at::Tensor full = mask.repeat_interleave(block_size, 1).repeat_interleave(block_size, 2);
  Mixed out;
  out.images = full.unsqueeze(1) * x1 + (1 - full.unsqueeze(1)) * x2;
  out.targets = mix_targets(batch.labels, perm, mask.mean({1, 2}), num_classes);
  out.masks = full;
  out.partners = perm;
  return out;
}

}  // namespace dataopt::mixup::detail
