#pragma once
/// \file
/// The only LibTorch header public dataopt headers may include: at::Tensor
/// (= torch::Tensor) without the 13 s cost of <torch/torch.h>.

#include <ATen/core/Tensor.h>
