#pragma once
/// \file
/// IDC's matching objective (spec section 2): the distance between the
/// gradients of the classification loss on a real batch and on a synthetic
/// batch of one class, summed over the matched parameters (the conv weights
/// by default). Differentiable w.r.t. the synthetic batch.
///
///   auto params = condense::matched_parameters(model, {});
///   at::Tensor loss = condense::gradient_match_loss(model, params, x_real, y_real,
///                                                   x_syn, y_syn, MatchMetric::kL1);
///   at::Tensor g = torch::autograd::grad({loss}, {synthetic_pixels})[0];

#include <string>
#include <vector>

#include "dataopt/core/tensor_fwd.h"
#include "dataopt/nn/model.h"

namespace dataopt::condense {

enum class MatchMetric {
  /// sum (a - b)^2 over the whole tensor.
  kMse,
  /// sum |a - b| (IDC's Fashion-MNIST / MNIST setting).
  kL1,
  /// sum over output channels of the mean |a - b| of that channel.
  kL1Mean,
  /// sum over output channels of 1 - cos(a_o, b_o) (DC's distance).
  kCos,
};
MatchMetric parse_match_metric(const std::string& text);
std::string to_string(MatchMetric metric);

/// Distance between two gradients of the same shape.
at::Tensor gradient_distance(const at::Tensor& a, const at::Tensor& b, MatchMetric metric);

struct MatchedParams {
  /// Also match 1-D parameters (biases, norm affine; official --bias).
  bool bias = false;
  /// Also match 2-D parameters (the classifier; official --fc).
  bool fc = false;
};

/// The parameters whose gradients are matched: 4-D (conv) weights, plus 1-D
/// and 2-D ones as asked, in registration order.
std::vector<at::Tensor> matched_parameters(nn::Model& model, const MatchedParams& which);

/// sum_i dist(grad_i CE(model(x_real), y_real), grad_i CE(model(x_syn), y_syn))
/// over `params`. The real gradients are constants; the synthetic ones keep
/// their graph, so the result is differentiable w.r.t. x_syn (double backward).
at::Tensor gradient_match_loss(nn::Model& model, const std::vector<at::Tensor>& params,
                               const at::Tensor& x_real, const at::Tensor& y_real,
                               const at::Tensor& x_syn, const at::Tensor& y_syn,
                               MatchMetric metric);

}  // namespace dataopt::condense
