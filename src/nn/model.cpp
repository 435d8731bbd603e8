#include "dataopt/nn/model.h"

#include <ATen/CPUGeneratorImpl.h>
#include <nlohmann/json.hpp>

#include "dataopt/core/check.h"
#include "dataopt/core/tensor_check.h"
#include "nn/detail/builtin_models.h"
#include "nn/detail/torch_model.h"

namespace dataopt::nn {

std::vector<std::string> model_names() {
  return {"convnet", "resnet18", "resnet-small", "mlp"};
}

void ModelOptions::validate() const {
  const auto names = model_names();
  std::string known;
  for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
  DATAOPT_CHECK(std::find(names.begin(), names.end(), name) != names.end(),
                "unknown model '", name, "' (known: ", known, ")");
  DATAOPT_CHECK(in_channels >= 1, "model: in_channels must be >= 1, got ",
                in_channels);
  DATAOPT_CHECK(image_size >= 4, "model: image_size must be >= 4, got ",
                image_size);
  DATAOPT_CHECK(num_classes >= 2, "model: num_classes must be >= 2, got ",
                num_classes);
  DATAOPT_CHECK(width >= 0 && depth >= 0,
                "model: width and depth must be >= 0 (0 = default)");
  DATAOPT_CHECK(norm == "instance" || norm == "batch" || norm == "none",
                "model: norm must be instance, batch or none, got '", norm,
                "'");
  DATAOPT_CHECK(mean.size() == std.size() &&
                    (mean.empty() ||
                     static_cast<int64_t>(mean.size()) == in_channels),
                "model: mean/std must have one value per input channel (",
                in_channels, "), got ", mean.size(), "/", std.size());
  for (double s : std) DATAOPT_CHECK(s > 0, "model: std must be > 0, got ", s);
}

// ---- Model (non-virtual helpers over module()) ----

at::Tensor Model::forward(const at::Tensor& images) {
  return head(features(images));
}

at::Tensor Model::features(const at::Tensor& images) {
  DATAOPT_CHECK(images.dim() == 4 && images.size(1) == options_.in_channels,
                "model '", options_.name, "': input must be [N, ",
                options_.in_channels, ", H, W], got ", shape_str(images));
  at::Tensor h = normalize_input(images);
  for (int64_t i = 0; i < n_stages(); ++i) h = stage(i, h);
  return to_features(h);
}

std::vector<at::Tensor> Model::parameters() { return module().parameters(); }

int64_t Model::parameter_count() {
  int64_t n = 0;
  for (const auto& p : module().parameters()) n += p.numel();
  return n;
}

void Model::train(bool on) { module().train(on); }
bool Model::is_training() { return module().is_training(); }

void Model::to(const std::string& device) {
  module().to(torch::Device(device));
}

std::string Model::device() {
  for (const auto& p : module().parameters()) return p.device().str();
  return "cpu";
}

TensorFile Model::state_dict() {
  TensorFile out;
  for (const auto& item : module().named_parameters()) {
    out.add(item.key(), item.value().detach());
  }
  for (const auto& item : module().named_buffers()) {
    out.add(item.key(), item.value().detach());
  }
  return out;
}

void Model::load_state_dict(const TensorFile& state) {
  torch::NoGradGuard no_grad;
  size_t used = 0;
  auto copy = [&](const std::string& name, torch::Tensor& dst) {
    DATAOPT_CHECK(state.contains(name), "model '", options_.name,
                  "': state has no tensor '", name, "'");
    const at::Tensor& src = state.get(name);
    DATAOPT_CHECK(src.sizes() == dst.sizes(), "model '", options_.name,
                  "': tensor '", name, "' has shape ", shape_str(src),
                  ", expected ", shape_str(dst));
    dst.copy_(src);
    ++used;
  };
  for (auto& item : module().named_parameters()) copy(item.key(), item.value());
  for (auto& item : module().named_buffers()) copy(item.key(), item.value());
  DATAOPT_CHECK(used == state.tensors.size(), "model '", options_.name,
                "': state has ", state.tensors.size() - used,
                " unexpected tensors");
}

// ---- factory, save/load ----

std::shared_ptr<Model> make_model(const ModelOptions& options) {
  options.validate();
  // Seed the initialisation without disturbing the caller's random stream
  // (restored on every exit, exceptions included).
  struct GlobalSeedGuard {
    at::Generator gen = at::detail::getDefaultCPUGenerator();
    at::Tensor saved;
    explicit GlobalSeedGuard(uint64_t seed) {
      std::lock_guard<std::mutex> lock(gen.mutex());
      saved = gen.get_state();
      gen.set_current_seed(seed);
    }
    ~GlobalSeedGuard() {
      std::lock_guard<std::mutex> lock(gen.mutex());
      gen.set_state(saved);
    }
  } guard(options.seed);
  std::shared_ptr<Model> model;
  if (options.name == "convnet") {
    model = detail::make_convnet(options);
  } else if (options.name == "resnet18" || options.name == "resnet-small") {
    model = detail::make_resnet(options);
  } else {
    model = detail::make_mlp(options);
  }
  return model;
}

std::string to_json(const ModelOptions& o) {
  nlohmann::json j = {{"name", o.name},         {"in_channels", o.in_channels},
                      {"image_size", o.image_size},
                      {"num_classes", o.num_classes},
                      {"width", o.width},       {"depth", o.depth},
                      {"norm", o.norm},         {"mean", o.mean},
                      {"std", o.std},           {"seed", o.seed}};
  return j.dump();
}

ModelOptions model_options_from_json(const std::string& text) {
  ModelOptions o;
  try {
    const auto j = nlohmann::json::parse(text);
    o.name = j.at("name").get<std::string>();
    o.in_channels = j.at("in_channels").get<int64_t>();
    o.image_size = j.at("image_size").get<int64_t>();
    o.num_classes = j.at("num_classes").get<int64_t>();
    o.width = j.value("width", int64_t{0});
    o.depth = j.value("depth", int64_t{0});
    o.norm = j.value("norm", std::string("instance"));
    o.mean = j.value("mean", std::vector<double>{});
    o.std = j.value("std", std::vector<double>{});
    o.seed = j.value("seed", uint64_t{0});
  } catch (const nlohmann::json::exception& e) {
    DATAOPT_CHECK(false, "invalid model description '", text, "': ", e.what());
  }
  o.validate();
  return o;
}

void save_model(const std::filesystem::path& path, Model& model,
                const std::map<std::string, std::string>& metadata) {
  TensorFile file = model.state_dict();
  file.metadata = metadata;
  file.metadata["format"] = "dataopt.model";
  file.metadata["model"] = to_json(model.options());
  write_safetensors(path, file);
}

std::shared_ptr<Model> load_model(const std::filesystem::path& path) {
  const TensorFile file = read_safetensors(path);
  const auto it = file.metadata.find("model");
  DATAOPT_CHECK(it != file.metadata.end(), path.string(),
                ": not a dataopt model (no 'model' entry in __metadata__)");
  auto model = make_model(model_options_from_json(it->second));
  model->load_state_dict(file);
  return model;
}

// ---- TorchModel ----

namespace detail {

TorchModel::TorchModel(const ModelOptions& options) : Model(options) {
  std::vector<double> mean = options.mean, std = options.std;
  if (mean.empty()) {
    mean.assign(options.in_channels, 0.0);
    std.assign(options.in_channels, 1.0);
  }
  input_mean_ = register_buffer(
      "input_mean",
      torch::tensor(mean, torch::kDouble).to(torch::kFloat).view({1, -1, 1, 1}));
  input_std_ = register_buffer(
      "input_std",
      torch::tensor(std, torch::kDouble).to(torch::kFloat).view({1, -1, 1, 1}));
}

at::Tensor TorchModel::normalize_input(const at::Tensor& images) {
  return (images - input_mean_) / input_std_;
}

}  // namespace detail
}  // namespace dataopt::nn
