#pragma once
// Constructors of the built-in architectures (used by make_model only).

#include <memory>

#include "dataopt/nn/model.h"

namespace dataopt::nn::detail {

std::shared_ptr<Model> make_convnet(const ModelOptions& options);
std::shared_ptr<Model> make_resnet(const ModelOptions& options);
std::shared_ptr<Model> make_mlp(const ModelOptions& options);

}  // namespace dataopt::nn::detail
