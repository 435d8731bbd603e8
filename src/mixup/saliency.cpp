#include "dataopt/mixup/saliency.h"

#include <torch/torch.h>

#include "dataopt/core/tensor_check.h"
#include "dataopt/nn/model.h"

namespace dataopt::mixup {

Saliency input_saliency(nn::Model& model, const at::Tensor& images, const at::Tensor& labels,
                        const SaliencyOptions& options) {
  check_shape(images, {-1, -1, -1, -1}, "saliency: images");
  check_shape(labels, {images.size(0)}, "saliency: labels");
  const bool was_training = model.is_training();
  const bool keep_clean = options.clean_lam > 0;
  model.train(keep_clean);
  const at::Tensor x = images.detach().requires_grad_(true);
  const at::Tensor logits = model.forward(x);
  at::Tensor loss = torch::cross_entropy_loss(logits, labels);
  if (keep_clean) {
    // Rebalances CE against the BCE of the mixed loss (official issue #8).
    loss = loss * (2.0 * options.clean_lam / static_cast<double>(logits.size(1)));
  }
  const at::Tensor grad =
      torch::autograd::grad({loss}, {x}, /*grad_outputs=*/{}, /*retain_graph=*/keep_clean)[0];
  model.train(was_training);

  // d loss / d normalised input = d loss / d raw input * std (per channel).
  at::Tensor g = grad;
  const auto& std_ = model.options().std;
  if (!std_.empty()) {
    g = g * torch::tensor(std_, grad.options().dtype(torch::kDouble))
                .to(grad.scalar_type())
                .reshape({1, -1, 1, 1});
  }
  Saliency out;
  out.saliency = g.pow(2).mean(1).sqrt().detach();
  out.clean_loss = keep_clean ? loss : at::Tensor();
  out.input_grad = grad.detach();
  return out;
}

}  // namespace dataopt::mixup
