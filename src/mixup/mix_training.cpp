#include "dataopt/mixup/mix_training.h"

#include <torch/torch.h>

#include "dataopt/core/check.h"
#include "dataopt/core/rng.h"
#include "dataopt/mixup/saliency.h"
#include "dataopt/nn/model.h"
#include "dataopt/train/trainer.h"
#include "mixup/detail/mix_util.h"

namespace dataopt::mixup {
namespace {

// Stream index that keeps the mixing draws apart from the trainer's own.
constexpr uint64_t kMixStream = 0x6d69787570ULL;  // "mixup"

at::Generator step_generator(uint64_t seed, int64_t step) {
  return make_generator(derive_seed(derive_seed(seed, kMixStream), static_cast<uint64_t>(step)));
}

// Adversarial start (spec 1.6): uniform noise of size eps/255 kept inside
// [0, 1]; after the saliency pass one signed-gradient step, clipped, scaled.
at::Tensor random_start(const at::Tensor& x, double eps, at::Generator& gen) {
  const double e = eps / 255.0;
  const at::Tensor u = torch::rand(x.sizes(), gen, x.options()) * (2 * e) - e;
  return (x + u).clamp(0, 1) - x;
}

}  // namespace

at::Tensor softmax_bce(const at::Tensor& logits, const at::Tensor& targets) {
  return torch::binary_cross_entropy(torch::softmax(logits, 1), targets);
}

ManifoldOut manifold_forward(nn::Model& model, const at::Tensor& images, const at::Tensor& labels,
                             int64_t num_classes, double alpha, at::Generator& gen) {
  std::mt19937_64 rng = detail::scalar_stream(gen);
  ManifoldOut out;
  out.layer = std::uniform_int_distribution<int64_t>(0, std::min<int64_t>(2, model.n_stages()))(rng);
  out.lam = detail::sample_beta(rng, alpha);
  const at::Tensor perm = torch::randperm(images.size(0), gen, torch::kLong).to(images.device());
  auto mix = [&](const at::Tensor& h) { return out.lam * h + (1 - out.lam) * h.index_select(0, perm); };
  at::Tensor h = model.normalize_input(images);
  if (out.layer == 0) h = mix(h);
  for (int64_t i = 0; i < model.n_stages(); ++i) {
    h = model.stage(i, h);
    if (i + 1 == out.layer) h = mix(h);
  }
  out.logits = model.head(model.to_features(h));
  out.targets = detail::mix_targets(labels, perm, torch::tensor(static_cast<float>(out.lam)),
                                    num_classes);
  return out;
}

void attach_mixing(train::Trainer& trainer, const MixOptions& options, int64_t num_classes,
                   uint64_t seed) {
  options.validate();
  if (options.kind == MixKind::kNone) return;
  if (options.kind == MixKind::kManifold) {
    const double alpha = options.basic.alpha;
    trainer.set_loss_fn([=](nn::Model& model, const train::Batch& batch) {
      at::Generator gen = step_generator(seed, batch.step);
      const ManifoldOut m =
          manifold_forward(model, batch.images, batch.labels, num_classes, alpha, gen);
      return softmax_bce(m.logits, m.targets);
    });
    return;
  }
  std::shared_ptr<const Mixer> mixer = make_mixer(options);
  const double clean_lam = options.kind == MixKind::kPuzzle    ? options.puzzle.clean_lam
                           : options.kind == MixKind::kCoMixup ? options.comix.clean_lam
                                                               : 0.0;
  const double adv_p = options.kind == MixKind::kPuzzle ? options.puzzle.adv_p : 0.0;
  const double adv_eps = options.puzzle.adv_eps;
  trainer.set_batch_hook([=](train::Batch& batch, nn::Model& model) {
    at::Generator gen = step_generator(seed, batch.step);
    MixBatch mb{.images = batch.images, .labels = batch.labels};
    const auto& mean = model.options().mean;
    if (!mean.empty()) mb.fill = torch::tensor(mean).to(batch.images.options());
    if (mixer->needs_saliency()) {
      std::mt19937_64 rng = detail::scalar_stream(gen);
      std::bernoulli_distribution adv(adv_p);
      mb.noise_first = adv(rng);
      mb.noise_second = adv(rng);
      at::Tensor x = batch.images;
      if (mb.noise_first || mb.noise_second) {
        mb.noise = random_start(batch.images, adv_eps, gen);
        x = batch.images + mb.noise;
      }
      const Saliency s = input_saliency(model, x, batch.labels, {.clean_lam = clean_lam});
      mb.saliency = s.saliency;
      batch.aux_loss = s.clean_loss;
      if (mb.noise.defined()) {
        const double e = adv_eps / 255.0;
        at::Tensor noise = (mb.noise + (adv_eps + 2) / 255.0 * s.input_grad.sign()).clamp(-e, e);
        noise = noise * torch::rand({noise.size(0), 1, 1, 1}, gen, noise.options());
        mb.noise = noise;
      }
    }
    const Mixed m = mixer->mix(mb, num_classes, gen);
    batch.images = m.images;
    batch.targets = m.targets;
  });
  trainer.set_loss_fn([](nn::Model& model, const train::Batch& batch) {
    return softmax_bce(model.forward(batch.images), batch.targets);
  });
}

}  // namespace dataopt::mixup
