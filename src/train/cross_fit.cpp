#include "dataopt/train/cross_fit.h"

#include "dataopt/core/check.h"
#include "dataopt/core/log.h"
#include "dataopt/core/rng.h"

namespace dataopt::train {

at::Tensor stratified_folds(const at::Tensor& labels, int64_t folds, uint64_t seed) {
  DATAOPT_CHECK(folds >= 2, "folds must be >= 2, got ", folds);
  DATAOPT_CHECK(labels.dim() == 1, "stratified_folds: labels must be [N]");
  const int64_t n = labels.size(0);
  DATAOPT_CHECK(n >= folds, "folds (", folds, ") must not exceed the examples (", n, ")");
  at::Generator gen = make_generator(seed);
  const at::Tensor perm = torch::randperm(n, gen, torch::kLong);
  // Stable sort of the shuffled labels groups each class, still shuffled.
  const at::Tensor order =
      perm.index_select(0, std::get<1>(labels.cpu().index_select(0, perm).sort(/*stable=*/true, /*dim=*/0, /*descending=*/false)));
  at::Tensor fold = torch::empty({n}, torch::kLong);
  fold.index_put_({order}, torch::arange(n, torch::kLong).remainder(folds));
  return fold;
}

Predictions cross_fit_predict(const data::Dataset& data, const nn::ModelOptions& model,
                              const TrainOptions& train, int64_t folds) {
  data.validate();
  const at::Tensor fold = stratified_folds(data.labels, folds, train.seed);
  Predictions out;
  for (int64_t k = 0; k < folds; ++k) {
    const at::Tensor held = (fold == k).nonzero().squeeze(1);
    const at::Tensor rest = (fold != k).nonzero().squeeze(1);
    log::info("cross-fitting fold ", k + 1, "/", folds, ": train on ", rest.numel(),
              ", predict ", held.numel());
    nn::ModelOptions mo = model;
    mo.seed = derive_seed(model.seed, 1000 + k);
    TrainOptions to = train;
    to.seed = derive_seed(train.seed, 1000 + k);
    to.checkpoint_dir.clear();
    auto m = nn::make_model(mo);
    Trainer(m, to).fit(data.subset(rest));
    const Predictions p =
        predict(*m, data.subset(held), {.features = true, .progress = false});
    if (!out.logits.defined()) {
      out.logits = torch::empty({data.size(), p.logits.size(1)});
      out.features = torch::empty({data.size(), p.features.size(1)});
    }
    out.logits.index_copy_(0, held, p.logits);
    out.features.index_copy_(0, held, p.features);
  }
  out.probs = torch::softmax(out.logits, 1);
  return out;
}

}  // namespace dataopt::train
