#pragma once
/// \file
/// The classifier interface every image model implements, and the factory
/// that creates models by name.
///
///   auto model = nn::make_model({.name = "convnet", .in_channels = 1,
///                                .image_size = 28, .num_classes = 10});
///   at::Tensor logits = model->forward(images);      // raw pixels in [0, 1]
///   at::Tensor feats  = model->features(images);     // penultimate [N, D]
///   nn::save_model("model.safetensors", *model);
///
/// Models take raw pixels: the per-channel normalisation (`mean`, `std`) is
/// the first operation of the model and is saved with its weights.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dataopt/core/safetensors.h"
#include "dataopt/core/tensor_fwd.h"

namespace torch::nn {
class Module;
}

namespace dataopt::nn {

struct ModelOptions {
  /// Architecture: "convnet", "resnet18", "resnet-small", "mlp".
  std::string name = "convnet";
  /// Input channels.
  int64_t in_channels = 1;
  /// Input height = width.
  int64_t image_size = 28;
  /// Number of classes (output logits).
  int64_t num_classes = 10;
  /// Width (conv channels / hidden units); 0 = the architecture's default
  /// (convnet 128, resnet18 64, resnet-small 16, mlp 512).
  int64_t width = 0;
  /// Depth: convnet conv blocks (default 3), mlp hidden layers (default 2),
  /// resnet blocks per stage (default resnet18 2, resnet-small 1).
  int64_t depth = 0;
  /// Normalisation layer of the convnet: "instance" (default), "batch", "none".
  std::string norm = "instance";
  /// Per-channel input normalisation; empty = identity.
  std::vector<double> mean;
  std::vector<double> std;
  /// Seed of the weight initialisation (the global generator is restored).
  uint64_t seed = 0;

  void validate() const;
};

/// Names accepted by ModelOptions::name.
std::vector<std::string> model_names();

/// An image classifier: raw images [N, C, H, W] -> logits [N, K]. The network
/// is a sequence of stages (conv blocks, residual layers, hidden layers);
/// mixing methods that work on hidden states (manifold mixup) run them one by
/// one: forward == head(to_features(stage(n-1, ... stage(0, normalize(x))))).
class Model {
 public:
  virtual ~Model() = default;

  /// Logits [N, K].
  at::Tensor forward(const at::Tensor& images);
  /// Penultimate features [N, D].
  at::Tensor features(const at::Tensor& images);

  /// Applies the stored input normalisation.
  virtual at::Tensor normalize_input(const at::Tensor& images) = 0;
  virtual int64_t n_stages() const = 0;
  /// Runs stage i on the output of stage i-1 (or the normalised input).
  virtual at::Tensor stage(int64_t i, const at::Tensor& h) = 0;
  /// Last stage's output -> features [N, D].
  virtual at::Tensor to_features(const at::Tensor& h) = 0;
  /// Features [N, D] -> logits [N, K].
  virtual at::Tensor head(const at::Tensor& features) = 0;

  virtual int64_t feature_dim() const = 0;
  const ModelOptions& options() const { return options_; }

  /// The underlying LibTorch module (parameters, buffers, train/eval, to()).
  virtual torch::nn::Module& module() = 0;

  std::vector<at::Tensor> parameters();
  int64_t parameter_count();
  void train(bool on = true);
  bool is_training();
  /// Moves parameters and buffers ("cpu", "cuda", "cuda:1").
  void to(const std::string& device);
  std::string device();

  /// Parameters and buffers by name, in registration order.
  TensorFile state_dict();
  /// Copies tensors into the model; throws dataopt::Error on a missing,
  /// unexpected or wrongly shaped tensor.
  void load_state_dict(const TensorFile& state);

 protected:
  explicit Model(ModelOptions options) : options_(std::move(options)) {}
  ModelOptions options_;
};

/// Creates a model with freshly initialised weights (PyTorch defaults).
std::shared_ptr<Model> make_model(const ModelOptions& options);

/// Writes weights and the ModelOptions (in `__metadata__`) as safetensors,
/// atomically; `metadata` adds entries.
void save_model(const std::filesystem::path& path, Model& model,
                const std::map<std::string, std::string>& metadata = {});

/// Recreates a model saved by save_model.
std::shared_ptr<Model> load_model(const std::filesystem::path& path);

/// ModelOptions <-> JSON text (for metadata and checkpoints).
std::string to_json(const ModelOptions& options);
ModelOptions model_options_from_json(const std::string& text);

}  // namespace dataopt::nn
