#pragma once
/// \file
/// The targeted-cause-discovery network: an axial transformer over a grid of
/// R observations x C variables (row attention across variables tied over
/// observations, column attention across observations tied over variables,
/// both without 1/sqrt(d) scaling), and a U V^T head giving a C x C matrix of
/// logits: entry (i, j) is the logit that variable j causes variable i.
/// Parameter names are those of the official PyTorch state_dict, so the
/// released checkpoint (safetensors) loads as is.
///
///   auto model = causal::TcdModel::load("tcd_discrete.safetensors");
///   at::Tensor logits = model.forward(values, knocked_out);  // [B, C, C]

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "dataopt/core/tensor_fwd.h"

namespace dataopt::causal {

namespace detail {
struct TcdNet;
}

struct TcdModelOptions {
  /// Width d of every token (the released model: 16).
  int64_t embed_dim = 16;
  /// Attention heads (16: head dimension 1).
  int64_t n_heads = 16;
  /// Hidden width of the feed-forward blocks and the head.
  int64_t ffn_embed_dim = 96;
  /// Axial transformer layers.
  int64_t n_layers = 10;
  /// Seed of the random initialisation (ignored by load()).
  uint64_t seed = 0;

  void validate() const;
};

class TcdModel {
 public:
  /// A randomly initialised model (PyTorch's default initialisation).
  explicit TcdModel(const TcdModelOptions& options = {});

  /// Loads a safetensors file with the official tensor names. The
  /// architecture comes from the file's metadata (n_heads, embed_dim,
  /// ffn_embed_dim, transformer_num_layers) when present. Every tensor must
  /// match a parameter in name and shape and every parameter must be present;
  /// otherwise dataopt::Error lists what differs.
  static TcdModel load(const std::filesystem::path& path);
  /// Writes the parameters under the official names, with the architecture
  /// and `metadata` in `__metadata__`, atomically.
  void save(const std::filesystem::path& path,
            const std::map<std::string, std::string>& metadata = {}) const;

  /// values [B, R, C] float (preprocessed expression), knocked_out [B, R, C]
  /// bool or integer 0/1 -> logits [B, C, C] float32. Inference callers
  /// should hold a torch::NoGradGuard.
  at::Tensor forward(const at::Tensor& values,
                     const at::Tensor& knocked_out) const;

  const TcdModelOptions& options() const { return options_; }
  int64_t parameter_count() const;
  /// Named parameters in registration order (official names).
  std::vector<std::pair<std::string, at::Tensor>> named_parameters() const;
  /// Training / evaluation mode (the model has no dropout; kept for clarity).
  void train(bool on = true);
  /// Moves the parameters to "cpu" or "cuda[:i]".
  void to(const std::string& device);
  std::string device() const;

 private:
  TcdModelOptions options_;
  std::shared_ptr<detail::TcdNet> net_;
};

}  // namespace dataopt::causal
