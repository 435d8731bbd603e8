#include "dataopt/train/evaluate.h"

#include "dataopt/core/check.h"
#include "dataopt/core/progress.h"
#include "dataopt/train/metrics.h"

namespace dataopt::train {

Predictions predict(nn::Model& model, const data::Dataset& data,
                    const PredictOptions& options) {
  DATAOPT_CHECK(options.batch_size >= 1, "predict: batch_size must be >= 1");
  data.validate();
  torch::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.train(false);
  const torch::Device device(model.device());
  const int64_t n = data.size();
  std::vector<at::Tensor> logits, feats;
  std::unique_ptr<Progress> bar;
  const int64_t n_batches = (n + options.batch_size - 1) / options.batch_size;
  if (options.progress) bar = std::make_unique<Progress>("predict", n_batches);
  for (int64_t start = 0; start < n; start += options.batch_size) {
    const int64_t end = std::min(n, start + options.batch_size);
    const at::Tensor x = data.images.slice(0, start, end).to(device);
    const at::Tensor f = model.features(x);
    logits.push_back(model.head(f).to(torch::kCPU, torch::kFloat));
    if (options.features) feats.push_back(f.to(torch::kCPU, torch::kFloat));
    if (bar) bar->update(1);
  }
  if (bar) bar->finish();
  model.train(was_training);
  Predictions out;
  const int64_t k = data.num_classes();
  out.logits = logits.empty() ? torch::empty({0, k}) : torch::cat(logits);
  out.probs = torch::softmax(out.logits, 1);
  if (options.features) {
    out.features = feats.empty() ? torch::empty({0, model.feature_dim()})
                                 : torch::cat(feats);
  }
  return out;
}

EvalResult evaluate(nn::Model& model, const data::Dataset& data,
                    int64_t batch_size) {
  DATAOPT_CHECK(data.size() > 0, "evaluate: empty data set ", data.name);
  const Predictions p = predict(model, data, {.batch_size = batch_size});
  EvalResult r;
  r.n = data.size();
  r.accuracy = accuracy(p.probs, data.labels);
  // NLL from log-softmax directly: exact even where probabilities underflow.
  const at::Tensor logp = torch::log_softmax(p.logits.to(torch::kDouble), 1);
  r.nll = -logp.gather(1, data.labels.view({-1, 1})).mean().item<double>();
  r.ece = expected_calibration_error(p.probs, data.labels, 15);
  return r;
}

}  // namespace dataopt::train
