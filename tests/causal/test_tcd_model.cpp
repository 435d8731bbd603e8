// The targeted-cause-discovery network: the released checkpoint loads with
// every tensor used, and the LibTorch forward pass matches a hand-written
// double-precision loop over one axial layer and the U V^T head.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <map>
#include <vector>

#include "dataopt/causal/tcd_model.h"
#include "dataopt/core/error.h"
#include "dataopt/core/safetensors.h"
#include "test_support.h"

namespace dataopt::causal {
namespace {

const std::string kModel = std::string(DATAOPT_CAUSAL_TEST_DATA) + "/tcd_discrete.safetensors";

using Vec = std::vector<double>;

struct Ref {
  std::map<std::string, torch::Tensor> p;
  explicit Ref(const TcdModel& m) {
    for (const auto& [name, t] : m.named_parameters()) p[name] = t.detach().to(torch::kDouble);
  }
  Vec linear(const Vec& x, const std::string& name) const {
    const auto w = p.at(name + ".weight"), b = p.at(name + ".bias");
    Vec y(w.size(0));
    for (int64_t o = 0; o < w.size(0); ++o) {
      double s = b[o].item<double>();
      for (int64_t i = 0; i < w.size(1); ++i) s += w[o][i].item<double>() * x[i];
      y[o] = s;
    }
    return y;
  }
  Vec layer_norm(const Vec& x, const std::string& name) const {
    const auto w = p.at(name + ".weight"), b = p.at(name + ".bias");
    double mean = 0, var = 0;
    for (double v : x) mean += v / x.size();
    for (double v : x) var += (v - mean) * (v - mean) / x.size();
    Vec y(x.size());
    for (size_t i = 0; i < x.size(); ++i) {
      y[i] = (x[i] - mean) / std::sqrt(var + 1e-5) * w[i].item<double>() + b[i].item<double>();
    }
    return y;
  }
  static Vec gelu(Vec x) {
    for (double& v : x) v = 0.5 * v * (1 + std::erf(v / std::sqrt(2.0)));
    return x;
  }
};

using Grid = std::vector<std::vector<Vec>>;  // [R][C][d]

// Tied attention over the columns of g (logits summed over rows) when
// `over_columns`, else over the rows (summed over columns).
Grid attention(const Ref& ref, const Grid& x, const std::string& name, int heads,
               bool over_columns) {
  const size_t R = x.size(), C = x[0].size(), d = x[0][0].size(), hd = d / heads;
  Grid h(R, std::vector<Vec>(C)), q = h, k = h, v = h;
  for (size_t r = 0; r < R; ++r) {
    for (size_t c = 0; c < C; ++c) {
      h[r][c] = ref.layer_norm(x[r][c], name + ".layer_norm");
      q[r][c] = ref.linear(h[r][c], name + ".layer.q_proj");
      k[r][c] = ref.linear(h[r][c], name + ".layer.k_proj");
      v[r][c] = ref.linear(h[r][c], name + ".layer.v_proj");
    }
  }
  Grid ctx(R, std::vector<Vec>(C, Vec(d, 0.0)));
  const size_t n = over_columns ? C : R, tied = over_columns ? R : C;
  auto at = [&](Grid& g, size_t tie, size_t pos) -> Vec& {
    return over_columns ? g[tie][pos] : g[pos][tie];
  };
  for (int hh = 0; hh < heads; ++hh) {
    for (size_t i = 0; i < n; ++i) {
      Vec logit(n, 0.0);
      for (size_t j = 0; j < n; ++j) {
        for (size_t t = 0; t < tied; ++t) {
          for (size_t e = hh * hd; e < (hh + 1) * hd; ++e) logit[j] += at(q, t, i)[e] * at(k, t, j)[e];
        }
      }
      double mx = logit[0], z = 0;
      for (double l : logit) mx = std::max(mx, l);
      for (double& l : logit) z += (l = std::exp(l - mx));
      for (size_t t = 0; t < tied; ++t) {
        for (size_t j = 0; j < n; ++j) {
          for (size_t e = hh * hd; e < (hh + 1) * hd; ++e) at(ctx, t, i)[e] += logit[j] / z * at(v, t, j)[e];
        }
      }
    }
  }
  Grid out = x;
  for (size_t r = 0; r < R; ++r) {
    for (size_t c = 0; c < C; ++c) {
      const Vec o = ref.linear(ctx[r][c], name + ".layer.out_proj");
      for (size_t e = 0; e < d; ++e) out[r][c][e] += o[e];
    }
  }
  return out;
}

TEST(TcdModel, ReleasedCheckpointLoadsEveryTensor) {
  const TcdModel m = TcdModel::load(kModel);
  EXPECT_EQ(m.parameter_count(), 62000);
  EXPECT_EQ(m.named_parameters().size(), 281u);
  EXPECT_EQ(m.options().n_layers, 10);
  EXPECT_EQ(m.options().n_heads, 16);
  // Every tensor of the file is a parameter of the model, with the same values.
  const TensorFile f = read_safetensors(kModel);
  EXPECT_EQ(f.tensors.size(), 281u);
  std::map<std::string, torch::Tensor> params;
  for (const auto& [n, t] : m.named_parameters()) params[n] = t;
  for (const auto& [name, t] : f.tensors) {
    ASSERT_TRUE(params.count(name)) << name;
    EXPECT_TRUE(torch::equal(params[name], t)) << name;
  }
}

TEST(TcdModel, ForwardMatchesHandComputedLayer) {
  torch::manual_seed(0);
  const TcdModel m({.embed_dim = 4, .n_heads = 2, .ffn_embed_dim = 6, .n_layers = 1, .seed = 3});
  const int R = 3, C = 4, d = 4, heads = 2;
  const torch::Tensor values = torch::rand({1, R, C}) * 12;
  torch::Tensor intv = torch::zeros({1, R, C}, torch::kBool);
  intv[0][1][2] = true;
  const torch::Tensor got = m.forward(values, intv);
  ASSERT_EQ(got.sizes(), (std::vector<int64_t>{1, C, C}));

  const Ref ref(m);
  Grid x(R, std::vector<Vec>(C));
  const auto ev = ref.p.at("encoder.embed_value.weight"), eb = ref.p.at("encoder.embed_value.bias");
  const auto ei = ref.p.at("encoder.embed_intv.weight");
  for (int r = 0; r < R; ++r) {
    for (int c = 0; c < C; ++c) {
      Vec e(2 * d);
      const double val = values[0][r][c].item<double>();
      const int flag = intv[0][r][c].item<bool>() ? 1 : 0;
      for (int i = 0; i < d; ++i) {
        e[i] = ev[i][0].item<double>() * val + eb[i].item<double>();
        e[d + i] = ei[flag][i].item<double>();
      }
      x[r][c] = ref.linear(ref.layer_norm(e, "encoder.emb_layer_norm_before"), "encoder.projection");
    }
  }
  x = attention(ref, x, "encoder.layers.0.row_attn", heads, /*over_columns=*/true);
  x = attention(ref, x, "encoder.layers.0.col_attn", heads, /*over_columns=*/false);
  for (int r = 0; r < R; ++r) {
    for (int c = 0; c < C; ++c) {
      const Vec h = ref.layer_norm(x[r][c], "encoder.layers.0.ffn.layer_norm");
      const Vec f = ref.linear(Ref::gelu(ref.linear(h, "encoder.layers.0.ffn.layer.fc1")),
                               "encoder.layers.0.ffn.layer.fc2");
      for (int e = 0; e < d; ++e) x[r][c][e] += f[e];
      x[r][c] = ref.layer_norm(x[r][c], "encoder.emb_layer_norm_after");
    }
  }
  std::vector<Vec> u(C), w(C);
  for (int c = 0; c < C; ++c) {
    Vec mean(d, 0.0);
    for (int r = 0; r < R; ++r) {
      for (int e = 0; e < d; ++e) mean[e] += x[r][c][e] / R;
    }
    auto head = [&](const std::string& n) {
      return ref.linear(ref.layer_norm(Ref::gelu(ref.linear(mean, n + ".linear")), n + ".layer_norm"),
                        n + ".linear2");
    };
    u[c] = head("top_layer.head1");
    w[c] = head("top_layer.head2");
  }
  for (int i = 0; i < C; ++i) {
    for (int j = 0; j < C; ++j) {
      double s = 0;
      for (int e = 0; e < d; ++e) s += u[i][e] * w[j][e];
      EXPECT_NEAR(got[0][i][j].item<double>(), s, 1e-4 * (1 + std::abs(s))) << i << "," << j;
    }
  }
}

TEST(TcdModel, PermutingVariablesPermutesLogits) {
  const TcdModel m = TcdModel::load(kModel);
  torch::manual_seed(1);
  const torch::Tensor x = torch::rand({2, 16, 12}) * 12;
  const torch::Tensor intv = torch::rand({2, 16, 12}) < 0.1;
  const torch::Tensor perm = torch::randperm(12);
  torch::NoGradGuard g;
  const torch::Tensor a = m.forward(x, intv);
  const torch::Tensor b = m.forward(x.index_select(2, perm), intv.index_select(2, perm));
  EXPECT_TENSOR_NEAR(b, a.index_select(1, perm).index_select(2, perm), 1e-4, 1e-4);
}

TEST(TcdModel, SaveLoadRoundTrip) {
  test::TempDir dir;
  const TcdModel m({.embed_dim = 8, .n_heads = 4, .ffn_embed_dim = 12, .n_layers = 2, .seed = 5});
  m.save(dir / "m.safetensors", {{"note", "test"}});
  const TcdModel back = TcdModel::load(dir / "m.safetensors");
  EXPECT_EQ(back.options().n_layers, 2);
  EXPECT_EQ(back.options().embed_dim, 8);
  const torch::Tensor x = torch::rand({1, 5, 7});
  const torch::Tensor intv = torch::zeros({1, 5, 7}, torch::kBool);
  torch::NoGradGuard g;
  EXPECT_TRUE(torch::equal(m.forward(x, intv), back.forward(x, intv)));
}

TEST(TcdModel, RejectsAFileWithMissingOrForeignTensors) {
  test::TempDir dir;
  TensorFile f = read_safetensors(kModel);
  f.tensors.erase(f.tensors.begin());
  f.add("encoder.extra.weight", torch::zeros({2}));
  write_safetensors(dir / "bad.safetensors", f);
  try {
    TcdModel::load(dir / "bad.safetensors");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("bad.safetensors"), std::string::npos) << msg;
    EXPECT_NE(msg.find("missing tensor"), std::string::npos) << msg;
    EXPECT_NE(msg.find("unexpected tensor encoder.extra.weight"), std::string::npos) << msg;
  }
}

TEST(TcdModel, ForwardChecksShapes) {
  const TcdModel m({.embed_dim = 4, .n_heads = 2, .ffn_embed_dim = 6, .n_layers = 1});
  EXPECT_THROW(m.forward(torch::rand({3, 4}), torch::zeros({3, 4}, torch::kBool)), Error);
  EXPECT_THROW(m.forward(torch::rand({1, 3, 4}), torch::zeros({1, 3, 5}, torch::kBool)), Error);
  EXPECT_THROW(TcdModel({.embed_dim = 6, .n_heads = 4}), Error);
}

}  // namespace
}  // namespace dataopt::causal
