#pragma once
// Private base of the built-in models: a torch::nn::Module that implements
// dataopt::nn::Model, with the input normalisation as two buffers.

#include <torch/torch.h>

#include "dataopt/nn/model.h"

namespace dataopt::nn::detail {

class TorchModel : public torch::nn::Module, public Model {
 public:
  explicit TorchModel(const ModelOptions& options);

  at::Tensor normalize_input(const at::Tensor& images) override;
  torch::nn::Module& module() override { return *this; }

 protected:
  torch::Tensor input_mean_;
  torch::Tensor input_std_;
};

}  // namespace dataopt::nn::detail
