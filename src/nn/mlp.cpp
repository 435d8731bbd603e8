// Multi-layer perceptron on flattened images: depth x [linear -> ReLU], then
// a linear classifier. Features are the last hidden layer.

#include "nn/detail/builtin_models.h"
#include "nn/detail/torch_model.h"

namespace dataopt::nn::detail {
namespace {

class Mlp : public TorchModel {
 public:
  explicit Mlp(const ModelOptions& o) : TorchModel(o) {
    width_ = o.width > 0 ? o.width : 512;
    const int64_t depth = o.depth > 0 ? o.depth : 2;
    int64_t in = o.in_channels * o.image_size * o.image_size;
    for (int64_t d = 0; d < depth; ++d) {
      hidden_.push_back(register_module("hidden" + std::to_string(d),
                                        torch::nn::Linear(in, width_)));
      in = width_;
    }
    fc_ = register_module("fc", torch::nn::Linear(width_, o.num_classes));
  }

  int64_t n_stages() const override {
    return static_cast<int64_t>(hidden_.size());
  }
  at::Tensor stage(int64_t i, const at::Tensor& h) override {
    const at::Tensor x = i == 0 ? h.flatten(1) : h;
    return torch::relu(hidden_.at(static_cast<size_t>(i))->forward(x));
  }
  at::Tensor to_features(const at::Tensor& h) override { return h; }
  at::Tensor head(const at::Tensor& f) override { return fc_->forward(f); }
  int64_t feature_dim() const override { return width_; }

 private:
  int64_t width_ = 0;
  std::vector<torch::nn::Linear> hidden_;
  torch::nn::Linear fc_{nullptr};
};

}  // namespace

std::shared_ptr<Model> make_mlp(const ModelOptions& options) {
  return std::make_shared<Mlp>(options);
}

}  // namespace dataopt::nn::detail
