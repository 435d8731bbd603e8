// Pre-activation ResNet (He et al. 2016), the CIFAR layout used by Puzzle Mix
// and Co-Mixup: 3x3 stem conv, four stages of pre-activation basic blocks
// (BN -> ReLU -> conv3x3 -> BN -> ReLU -> conv3x3, 1x1 projection shortcut on
// the pre-activated input when the shape changes), strides 1/2/2/2, then
// BN -> ReLU -> global average pool -> linear.
//   resnet18:     width 64, blocks [2, 2, 2, 2]  (11.2M parameters)
//   resnet-small: width 16, blocks [1, 1, 1, 1]  (trains in minutes on CPU)

#include "nn/detail/builtin_models.h"
#include "nn/detail/torch_model.h"

namespace dataopt::nn::detail {
namespace {

class PreActBlockImpl : public torch::nn::Module {
 public:
  PreActBlockImpl(int64_t in, int64_t out, int64_t stride) {
    bn1_ = register_module("bn1", torch::nn::BatchNorm2d(in));
    conv1_ = register_module(
        "conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3)
                                       .stride(stride)
                                       .padding(1)
                                       .bias(false)));
    bn2_ = register_module("bn2", torch::nn::BatchNorm2d(out));
    conv2_ = register_module(
        "conv2", torch::nn::Conv2d(
                     torch::nn::Conv2dOptions(out, out, 3).padding(1).bias(false)));
    if (stride != 1 || in != out) {
      shortcut_ = register_module(
          "shortcut", torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 1)
                                            .stride(stride)
                                            .bias(false)));
    }
  }

  torch::Tensor forward(const torch::Tensor& x) {
    const torch::Tensor a = torch::relu(bn1_->forward(x));
    const torch::Tensor skip = shortcut_ ? shortcut_->forward(a) : x;
    torch::Tensor h = conv1_->forward(a);
    h = conv2_->forward(torch::relu(bn2_->forward(h)));
    return h + skip;
  }

 private:
  torch::nn::BatchNorm2d bn1_{nullptr}, bn2_{nullptr};
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr}, shortcut_{nullptr};
};
TORCH_MODULE(PreActBlock);

class PreActResNet : public TorchModel {
 public:
  explicit PreActResNet(const ModelOptions& o) : TorchModel(o) {
    const bool small = o.name == "resnet-small";
    const int64_t width = o.width > 0 ? o.width : (small ? 16 : 64);
    const int64_t per_stage = o.depth > 0 ? o.depth : (small ? 1 : 2);
    stem_ = register_module(
        "stem", torch::nn::Conv2d(torch::nn::Conv2dOptions(o.in_channels, width, 3)
                                      .padding(1)
                                      .bias(false)));
    int64_t in = width;
    for (int64_t s = 0; s < 4; ++s) {
      const int64_t out = width << s;
      auto layer = torch::nn::Sequential();
      for (int64_t b = 0; b < per_stage; ++b) {
        layer->push_back(PreActBlock(in, out, (b == 0 && s > 0) ? 2 : 1));
        in = out;
      }
      layers_.push_back(register_module("layer" + std::to_string(s + 1), layer));
    }
    bn_ = register_module("bn", torch::nn::BatchNorm2d(in));
    feature_dim_ = in;
    fc_ = register_module("fc", torch::nn::Linear(in, o.num_classes));
  }

  // Stage 0 is the stem, stages 1-4 the residual layers.
  int64_t n_stages() const override { return 5; }
  at::Tensor stage(int64_t i, const at::Tensor& h) override {
    if (i == 0) return stem_->forward(h);
    return layers_.at(static_cast<size_t>(i - 1))->forward(h);
  }
  at::Tensor to_features(const at::Tensor& h) override {
    return torch::adaptive_avg_pool2d(torch::relu(bn_->forward(h)), {1, 1})
        .flatten(1);
  }
  at::Tensor head(const at::Tensor& f) override { return fc_->forward(f); }
  int64_t feature_dim() const override { return feature_dim_; }

 private:
  int64_t feature_dim_ = 0;
  torch::nn::Conv2d stem_{nullptr};
  std::vector<torch::nn::Sequential> layers_;
  torch::nn::BatchNorm2d bn_{nullptr};
  torch::nn::Linear fc_{nullptr};
};

}  // namespace

std::shared_ptr<Model> make_resnet(const ModelOptions& options) {
  return std::make_shared<PreActResNet>(options);
}

}  // namespace dataopt::nn::detail
