#include "dataopt/causal/tcd_model.h"

#include <torch/torch.h>

#include <set>
#include <sstream>

#include "dataopt/core/check.h"
#include "dataopt/core/safetensors.h"
#include "dataopt/core/tensor_check.h"

// The module tree mirrors the official PyTorch model (model/axial_cause.py)
// so that named_parameters() yields the state_dict keys of the released
// checkpoint: encoder.{embed_value, embed_intv, emb_layer_norm_before,
// projection, layers.N.{row_attn, col_attn, ffn}.{layer, layer_norm},
// emb_layer_norm_after}, top_layer.head{1,2}.{linear, layer_norm, linear2}.
// Tensors are kept batch-first, [B, R, C, d], instead of the official
// [R, C, B, d]; the arithmetic is the same.

namespace dataopt::causal {
namespace detail {
namespace {

// Tied self-attention on x [B, R, C, d] (token-major), without the
// 1/sqrt(d) scaling (the official layers use use_scaling=False). Across
// variables (`across_variables`, the official row attention): logits summed
// over the R observations; across observations (column attention): summed
// over the C variables.
//
// The projections are computed channel-major, [B, H, hd, R, C], so that for
// head dimension 1 both attentions are plain batched products of contiguous
// (or transposed-contiguous) matrices: no permuted copies of the grid.
struct TiedAttentionImpl : torch::nn::Module {
  TiedAttentionImpl(int64_t d, int64_t heads, bool across_variables)
      : heads(heads), across_variables(across_variables) {
    k_proj = register_module("k_proj", torch::nn::Linear(d, d));
    v_proj = register_module("v_proj", torch::nn::Linear(d, d));
    q_proj = register_module("q_proj", torch::nn::Linear(d, d));
    out_proj = register_module("out_proj", torch::nn::Linear(d, d));
  }

  torch::Tensor forward(const torch::Tensor& x) {
    const int64_t b = x.size(0), r = x.size(1), c = x.size(2), d = x.size(3);
    const int64_t hd = d / heads;
    // [B, R*C, d] -> [B, d, R*C] per projection: W times x^T (a transposed
    // view, a valid BLAS operand), bias fused into the product.
    const int64_t rc = r * c;
    const torch::Tensor xt = x.reshape({b, rc, d}).transpose(1, 2);
    auto project = [&](const torch::nn::Linear& l) {
      return torch::baddbmm(l->bias.view({1, d, 1}).expand({b, d, rc}), l->weight.expand({b, d, d}),
                            xt)
          .view({b, heads, hd, r, c});
    };
    torch::Tensor q = project(q_proj), k = project(k_proj), v = project(v_proj), ctx;
    if (across_variables) {
      // Q, K as [B, H, hd*R, C]: logits[i, j] = sum_{dd, r} q[dd, r, i] k[dd, r, j].
      q = q.reshape({b, heads, hd * r, c});
      k = k.reshape({b, heads, hd * r, c});
      const torch::Tensor probs = torch::matmul(q.transpose(-1, -2), k).softmax(-1);  // [B,H,C,C]
      ctx = torch::matmul(v.reshape({b, heads, hd * r, c}), probs.transpose(-1, -2));
    } else {
      // Each observation's features as a row of [B, H, R, hd*C].
      auto rows = [&](const torch::Tensor& t) {
        return hd == 1 ? t.reshape({b, heads, r, c})
                       : t.permute({0, 1, 3, 2, 4}).reshape({b, heads, r, hd * c});
      };
      const torch::Tensor probs =
          torch::matmul(rows(q), rows(k).transpose(-1, -2)).softmax(-1);  // [B, H, R, R]
      ctx = torch::matmul(probs, rows(v));
      if (hd != 1) ctx = ctx.view({b, heads, r, hd, c}).permute({0, 1, 3, 2, 4});
    }
    // [B, d, R*C] -> token-major [B, R*C, d] through out_proj.
    // (A transposed view is a valid BLAS operand; bias fused into the product.)
    const torch::Tensor out = torch::baddbmm(
        out_proj->bias.view({1, 1, d}).expand({b, rc, d}), ctx.reshape({b, d, rc}).transpose(1, 2),
        out_proj->weight.t().expand({b, d, d}));
    return out.view({b, r, c, d});
  }

  int64_t heads;
  bool across_variables;
  torch::nn::Linear k_proj{nullptr}, v_proj{nullptr}, q_proj{nullptr}, out_proj{nullptr};
};
TORCH_MODULE(TiedAttention);

struct FeedForwardImpl : torch::nn::Module {
  FeedForwardImpl(int64_t d, int64_t hidden) {
    fc1 = register_module("fc1", torch::nn::Linear(d, hidden));
    fc2 = register_module("fc2", torch::nn::Linear(hidden, d));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    if (torch::GradMode::is_enabled()) return fc2(torch::gelu(fc1(x)));
    // Inference: run the hidden layer in blocks of tokens that stay in cache
    // instead of writing the whole [tokens, ffn] activation to memory.
    const int64_t d = x.size(-1);
    const torch::Tensor flat = x.reshape({-1, d});
    torch::Tensor out = torch::empty_like(flat);
    constexpr int64_t kBlock = 4096;
    const torch::Tensor w1 = fc1->weight.t(), w2 = fc2->weight.t();
    for (int64_t i = 0; i < flat.size(0); i += kBlock) {
      const int64_t n = std::min(kBlock, flat.size(0) - i);
      torch::Tensor dst = out.narrow(0, i, n);
      torch::addmm_out(dst, fc2->bias, torch::gelu(torch::addmm(fc1->bias, flat.narrow(0, i, n), w1)),
                       w2);
    }
    return out.view(x.sizes());
  }
  torch::nn::Linear fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(FeedForward);

// x + layer(LayerNorm(x)) (pre-LN residual block).
template <typename Layer>
struct ResidualImpl : torch::nn::Module {
  ResidualImpl(Layer inner, int64_t d) {
    layer = register_module("layer", inner);
    layer_norm = register_module("layer_norm",
                                 torch::nn::LayerNorm(torch::nn::LayerNormOptions({d})));
  }
  torch::Tensor forward(const torch::Tensor& x) { return x + layer->forward(layer_norm(x)); }
  Layer layer{nullptr};
  torch::nn::LayerNorm layer_norm{nullptr};
};

struct AxialLayerImpl : torch::nn::Module {
  AxialLayerImpl(int64_t d, int64_t heads, int64_t ffn) {
    // Row attention mixes the C variables of each observation (logits summed
    // over observations); column attention mixes the R observations of each
    // variable.
    row_attn = register_module(
        "row_attn", std::make_shared<ResidualImpl<TiedAttention>>(TiedAttention(d, heads, true), d));
    col_attn = register_module(
        "col_attn", std::make_shared<ResidualImpl<TiedAttention>>(TiedAttention(d, heads, false), d));
    this->ffn = register_module(
        "ffn", std::make_shared<ResidualImpl<FeedForward>>(FeedForward(d, ffn), d));
  }
  torch::Tensor forward(torch::Tensor x) {
    x = row_attn->forward(x);
    x = col_attn->forward(x);
    return ffn->forward(x);
  }
  std::shared_ptr<ResidualImpl<TiedAttention>> row_attn, col_attn;
  std::shared_ptr<ResidualImpl<FeedForward>> ffn;
};
TORCH_MODULE(AxialLayer);

struct EncoderImpl : torch::nn::Module {
  explicit EncoderImpl(const TcdModelOptions& o) {
    const int64_t d = o.embed_dim;
    embed_value = register_module("embed_value", torch::nn::Linear(1, d));
    embed_intv = register_module("embed_intv", torch::nn::Embedding(2, d));
    projection = register_module("projection", torch::nn::Linear(2 * d, d));
    emb_layer_norm_before = register_module(
        "emb_layer_norm_before", torch::nn::LayerNorm(torch::nn::LayerNormOptions({2 * d})));
    layers = register_module("layers", torch::nn::ModuleList());
    for (int64_t i = 0; i < o.n_layers; ++i) {
      layers->push_back(AxialLayer(d, o.n_heads, o.ffn_embed_dim));
    }
    emb_layer_norm_after = register_module(
        "emb_layer_norm_after", torch::nn::LayerNorm(torch::nn::LayerNormOptions({d})));
  }

  torch::Tensor forward(const torch::Tensor& values, const torch::Tensor& intv) {
    torch::Tensor x = torch::cat(
        {embed_value(values.unsqueeze(-1)), embed_intv(intv.to(torch::kLong))}, -1);
    x = projection(emb_layer_norm_before(x));
    for (const auto& layer : *layers) x = layer->as<AxialLayer>()->forward(x);
    return emb_layer_norm_after(x);
  }

  torch::nn::Linear embed_value{nullptr}, projection{nullptr};
  torch::nn::Embedding embed_intv{nullptr};
  torch::nn::LayerNorm emb_layer_norm_before{nullptr}, emb_layer_norm_after{nullptr};
  torch::nn::ModuleList layers{nullptr};
};
TORCH_MODULE(Encoder);

// Mean over observations, then Linear -> GELU -> LayerNorm -> Linear.
struct HeadImpl : torch::nn::Module {
  HeadImpl(int64_t d, int64_t hidden) {
    linear = register_module("linear", torch::nn::Linear(d, hidden));
    layer_norm = register_module("layer_norm",
                                 torch::nn::LayerNorm(torch::nn::LayerNormOptions({hidden})));
    linear2 = register_module("linear2", torch::nn::Linear(hidden, d));
  }
  torch::Tensor forward(const torch::Tensor& features) {
    return linear2(layer_norm(torch::gelu(linear(features.mean(1)))));
  }
  torch::nn::Linear linear{nullptr}, linear2{nullptr};
  torch::nn::LayerNorm layer_norm{nullptr};
};
TORCH_MODULE(Head);

struct TopLayerImpl : torch::nn::Module {
  TopLayerImpl(int64_t d, int64_t hidden) {
    head1 = register_module("head1", Head(d, hidden));
    head2 = register_module("head2", Head(d, hidden));
  }
  torch::Tensor forward(const torch::Tensor& features) {
    return torch::matmul(head1(features), head2(features).transpose(-1, -2));
  }
  Head head1{nullptr}, head2{nullptr};
};
TORCH_MODULE(TopLayer);

}  // namespace

struct TcdNet : torch::nn::Module {
  explicit TcdNet(const TcdModelOptions& o) {
    encoder = register_module("encoder", Encoder(o));
    top_layer = register_module("top_layer", TopLayer(o.embed_dim, o.ffn_embed_dim));
  }
  Encoder encoder{nullptr};
  TopLayer top_layer{nullptr};
};

}  // namespace detail

void TcdModelOptions::validate() const {
  DATAOPT_CHECK(embed_dim >= 1, "TcdModelOptions.embed_dim: expected >= 1, got ", embed_dim);
  DATAOPT_CHECK(n_heads >= 1 && embed_dim % n_heads == 0,
                "TcdModelOptions.n_heads: expected a divisor of embed_dim ", embed_dim,
                ", got ", n_heads);
  DATAOPT_CHECK(ffn_embed_dim >= 1, "TcdModelOptions.ffn_embed_dim: expected >= 1, got ",
                ffn_embed_dim);
  DATAOPT_CHECK(n_layers >= 0, "TcdModelOptions.n_layers: expected >= 0, got ", n_layers);
}

TcdModel::TcdModel(const TcdModelOptions& options) : options_(options) {
  options_.validate();
  torch::manual_seed(options_.seed);
  net_ = std::make_shared<detail::TcdNet>(options_);
  net_->eval();
}

namespace {

int64_t metadata_int(const TensorFile& f, const std::string& key, int64_t fallback,
                     const std::filesystem::path& path) {
  auto it = f.metadata.find(key);
  if (it == f.metadata.end()) return fallback;
  try {
    size_t used = 0;
    const int64_t v = std::stoll(it->second, &used);
    if (used == it->second.size()) return v;
  } catch (const std::exception&) {
  }
  DATAOPT_CHECK(false, path.string(), ": metadata ", key, " must be an integer, got '",
                it->second, "'");
  return fallback;
}

}  // namespace

TcdModel TcdModel::load(const std::filesystem::path& path) {
  const TensorFile file = read_safetensors(path);
  TcdModelOptions o;
  o.n_heads = metadata_int(file, "n_heads", o.n_heads, path);
  o.embed_dim = metadata_int(file, "embed_dim", o.embed_dim, path);
  o.ffn_embed_dim = metadata_int(file, "ffn_embed_dim", o.ffn_embed_dim, path);
  o.n_layers = metadata_int(file, "transformer_num_layers", o.n_layers, path);
  TcdModel model(o);

  torch::NoGradGuard no_grad;
  std::set<std::string> used;
  std::ostringstream problems;
  int n_problems = 0;
  for (auto& item : model.net_->named_parameters()) {
    const std::string& name = item.key();
    if (!file.contains(name)) {
      if (n_problems++ < 8) problems << "\n  missing tensor " << name;
      continue;
    }
    const at::Tensor& t = file.get(name);
    if (t.sizes() != item.value().sizes()) {
      if (n_problems++ < 8) {
        problems << "\n  " << name << ": expected shape " << item.value().sizes() << ", got "
                 << t.sizes();
      }
      continue;
    }
    item.value().copy_(t.to(torch::kFloat));
    used.insert(name);
  }
  for (const auto& [name, t] : file.tensors) {
    if (!used.count(name) && !model.net_->named_parameters().contains(name)) {
      if (n_problems++ < 8) problems << "\n  unexpected tensor " << name;
    }
  }
  DATAOPT_CHECK(n_problems == 0, path.string(), ": not a targeted-cause-discovery model (",
                n_problems, " problems):", problems.str());
  return model;
}

void TcdModel::save(const std::filesystem::path& path,
                    const std::map<std::string, std::string>& metadata) const {
  TensorFile f;
  for (const auto& item : net_->named_parameters()) {
    f.add(item.key(), item.value().detach().to(torch::kCPU).contiguous());
  }
  f.metadata = metadata;
  f.metadata["n_heads"] = std::to_string(options_.n_heads);
  f.metadata["embed_dim"] = std::to_string(options_.embed_dim);
  f.metadata["ffn_embed_dim"] = std::to_string(options_.ffn_embed_dim);
  f.metadata["output_dim"] = std::to_string(options_.embed_dim);
  f.metadata["transformer_num_layers"] = std::to_string(options_.n_layers);
  write_safetensors(path, f);
}

at::Tensor TcdModel::forward(const at::Tensor& values, const at::Tensor& knocked_out) const {
  DATAOPT_CHECK(values.defined() && values.dim() == 3,
                "TcdModel::forward: values must be [B, R, C], got ", shape_str(values));
  check_shape(knocked_out, {values.size(0), values.size(1), values.size(2)}, "knocked_out");
  DATAOPT_CHECK(values.size(2) >= 1 && values.size(1) >= 1,
                "TcdModel::forward: values must have at least one row and column, got ",
                shape_str(values));
  const auto dev = net_->encoder->projection->weight.device();
  const torch::Tensor x = net_->encoder->forward(values.to(dev, torch::kFloat),
                                                 knocked_out.to(dev));
  return net_->top_layer->forward(x);
}

int64_t TcdModel::parameter_count() const {
  int64_t n = 0;
  for (const auto& p : net_->parameters()) n += p.numel();
  return n;
}

std::vector<std::pair<std::string, at::Tensor>> TcdModel::named_parameters() const {
  std::vector<std::pair<std::string, at::Tensor>> out;
  for (const auto& item : net_->named_parameters()) out.emplace_back(item.key(), item.value());
  return out;
}

void TcdModel::train(bool on) { net_->train(on); }

void TcdModel::to(const std::string& device) { net_->to(torch::Device(device)); }

std::string TcdModel::device() const {
  return net_->encoder->projection->weight.device().str();
}

}  // namespace dataopt::causal
