// ConvNet-D of the dataset-condensation literature (DC/DSA/DM/IDC):
// D x [conv3x3 (width, bias) -> norm -> ReLU -> avgpool 2x2] -> linear.
// Instance norm is GroupNorm(width, width) with affine parameters, as the
// official code. For 1-channel 28x28 inputs the first conv pads by 3, so the
// map is 32x32 and Fashion-MNIST gives 4x4xwidth = 2048 features (317,706
// parameters at width 128).

#include "nn/detail/builtin_models.h"
#include "dataopt/core/check.h"
#include "nn/detail/torch_model.h"

namespace dataopt::nn::detail {
namespace {

class ConvNet : public TorchModel {
 public:
  explicit ConvNet(const ModelOptions& o) : TorchModel(o) {
    width_ = o.width > 0 ? o.width : 128;
    depth_ = o.depth > 0 ? o.depth : 3;
    int64_t size = o.image_size;
    int64_t in = o.in_channels;
    for (int64_t d = 0; d < depth_; ++d) {
      // The official 28x28 grayscale quirk: pad the first conv by 3.
      const int64_t pad = (d == 0 && o.in_channels == 1 && size == 28) ? 3 : 1;
      size = size + 2 * pad - 2;
      auto block = torch::nn::Sequential();
      block->push_back(torch::nn::Conv2d(
          torch::nn::Conv2dOptions(in, width_, 3).padding(pad).bias(true)));
      if (o.norm == "instance") {
        block->push_back(torch::nn::GroupNorm(
            torch::nn::GroupNormOptions(width_, width_).affine(true)));
      } else if (o.norm == "batch") {
        block->push_back(torch::nn::BatchNorm2d(width_));
      }
      block->push_back(torch::nn::ReLU());
      block->push_back(torch::nn::AvgPool2d(torch::nn::AvgPool2dOptions(2)));
      DATAOPT_CHECK(size >= 2, "convnet: image_size ", o.image_size,
                    " is too small for depth ", depth_);
      size /= 2;
      blocks_.push_back(register_module("block" + std::to_string(d), block));
      in = width_;
    }
    feature_dim_ = width_ * size * size;
    fc_ = register_module("fc", torch::nn::Linear(feature_dim_, o.num_classes));
  }

  int64_t n_stages() const override { return depth_; }
  at::Tensor stage(int64_t i, const at::Tensor& h) override {
    return blocks_.at(static_cast<size_t>(i))->forward(h);
  }
  at::Tensor to_features(const at::Tensor& h) override { return h.flatten(1); }
  at::Tensor head(const at::Tensor& f) override { return fc_->forward(f); }
  int64_t feature_dim() const override { return feature_dim_; }

 private:
  int64_t width_ = 0;
  int64_t depth_ = 0;
  int64_t feature_dim_ = 0;
  std::vector<torch::nn::Sequential> blocks_;
  torch::nn::Linear fc_{nullptr};
};

}  // namespace

std::shared_ptr<Model> make_convnet(const ModelOptions& options) {
  return std::make_shared<ConvNet>(options);
}

}  // namespace dataopt::nn::detail
