#include "dataopt/train/robustness.h"

#include <torch/torch.h>

#include "dataopt/core/check.h"
#include "dataopt/nn/model.h"

namespace dataopt::train {

double fgsm_accuracy(nn::Model& model, const data::Dataset& data, double eps_255,
                     int64_t batch_size) {
  DATAOPT_CHECK(eps_255 >= 0, "--fgsm-eps must be >= 0, got ", eps_255);
  DATAOPT_CHECK(batch_size >= 1, "fgsm: batch size must be >= 1");
  const bool was_training = model.is_training();
  model.train(false);
  const auto device = torch::Device(model.device());
  const double eps = eps_255 / 255.0;
  int64_t correct = 0;
  for (int64_t lo = 0; lo < data.size(); lo += batch_size) {
    const int64_t hi = std::min(data.size(), lo + batch_size);
    const at::Tensor x = data.images.slice(0, lo, hi).to(device).requires_grad_(true);
    const at::Tensor y = data.labels.slice(0, lo, hi).to(device);
    const at::Tensor loss = torch::cross_entropy_loss(model.forward(x), y);
    const at::Tensor g = torch::autograd::grad({loss}, {x})[0];
    torch::NoGradGuard no_grad;
    const at::Tensor adv = (x.detach() + eps * g.sign()).clamp(0, 1);
    correct += model.forward(adv).argmax(1).eq(y).sum().item<int64_t>();
  }
  model.train(was_training);
  return data.size() > 0 ? static_cast<double>(correct) / static_cast<double>(data.size()) : 0.0;
}

}  // namespace dataopt::train
