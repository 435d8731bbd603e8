#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <vector>

#include "dataopt/core/check.h"
#include "dataopt/relgraph/baselines.h"
#include "test_support.h"

namespace dataopt::relgraph {

class Baselines : public test::SeedingFixture {};

namespace {

std::vector<double> row_of(const at::Tensor& m, int64_t i) {
  const at::Tensor r = m[i].to(torch::kDouble).contiguous();
  return {r.data_ptr<double>(), r.data_ptr<double>() + r.numel()};
}

// Applies `f(row, i)` to every row and collects the results as [N] double.
at::Tensor per_row(int64_t n,
                   const std::function<double(int64_t)>& f) {
  std::vector<double> out;
  for (int64_t i = 0; i < n; ++i) out.push_back(f(i));
  return torch::tensor(out, torch::kDouble);
}

double entropy_loop(const std::vector<double>& p) {
  double h = 0;
  for (double v : p) h -= v * std::log(v + 1e-6);
  return h;
}

// One straightforward loop per baseline, written from the spec's table.
at::Tensor reference_noise(NoiseBaseline b, const at::Tensor& probs,
                           const at::Tensor& labels, const at::Tensor& feats) {
  const int64_t n = probs.size(0);
  return per_row(n, [&](int64_t i) {
    const std::vector<double> p = row_of(probs, i);
    const int64_t k = static_cast<int64_t>(p.size());
    const int64_t y = labels[i].item<int64_t>();
    const double py = p[y];
    std::vector<double> sorted = p;
    std::sort(sorted.begin(), sorted.end(), std::greater<>());
    switch (b) {
      case NoiseBaseline::kLoss:
        return -std::log(py + 1e-6);
      case NoiseBaseline::kMargin: {
        const double margin = py - sorted[0];
        return margin == 0 ? -(py - sorted[1]) : -margin;
      }
      case NoiseBaseline::kEntropy:
        return entropy_loop(p);
      case NoiseBaseline::kLeastConfidence:
        return -sorted[0];
      case NoiseBaseline::kCwe:
        return -py / entropy_loop(p);
      case NoiseBaseline::kTracin: {
        double f2 = 0, e2 = 0;
        for (double v : row_of(feats, i)) f2 += v * v;
        for (int64_t c = 0; c < k; ++c) {
          const double e = (c == y ? 1.0 : 0.0) - p[c];
          e2 += e * e;
        }
        return f2 * e2;
      }
      case NoiseBaseline::kJsd: {
        // torch KLDivLoss(input = log q, target = M) = M (log M - log q).
        double s = 0;
        for (int64_t c = 0; c < k; ++c) {
          const double t = c == y ? 1.0 : 0.0;
          const double m = 0.5 * (p[c] + t) + 1e-6;
          s += 0.5 * (m * (std::log(m) - std::log(p[c] + 1e-6)) +
                      m * (std::log(m) - std::log(t + 1e-6)));
        }
        return s;
      }
    }
    return std::nan("");
  });
}

// Direct Mahalanobis: explicit mean / covariance loops and torch::inverse.
at::Tensor reference_mahalanobis(const at::Tensor& test, const at::Tensor& train,
                                 const at::Tensor& labels) {
  const at::Tensor x = test.to(torch::kDouble), xt = train.to(torch::kDouble);
  const int64_t d = x.size(1);
  std::vector<at::Tensor> mus, invs;
  const int64_t max_label = labels.max().item<int64_t>();
  for (int64_t c = 0; c <= max_label; ++c) {
    std::vector<int64_t> rows;
    for (int64_t i = 0; i < labels.size(0); ++i) {
      if (labels[i].item<int64_t>() == c) rows.push_back(i);
    }
    if (rows.empty()) continue;
    at::Tensor mu = torch::zeros({d}, torch::kDouble);
    for (int64_t i : rows) mu += xt[i];
    mu /= static_cast<double>(rows.size());
    at::Tensor cov = torch::zeros({d, d}, torch::kDouble);
    for (int64_t i : rows) {
      const at::Tensor v = xt[i] - mu;
      cov += torch::outer(v, v);
    }
    cov = cov / static_cast<double>(rows.size()) +
          1e-3 * torch::eye(d, torch::kDouble);
    mus.push_back(mu);
    invs.push_back(torch::inverse(cov));
  }
  return per_row(x.size(0), [&](int64_t i) {
    double best = std::numeric_limits<double>::infinity();
    for (size_t c = 0; c < mus.size(); ++c) {
      const at::Tensor v = x[i] - mus[c];
      best = std::min(best, v.dot(invs[c].mv(v)).item<double>());
    }
    return best;
  });
}

// Brute-force kNN: the full M x N clamped-cosine matrix, each row sorted.
at::Tensor reference_knn(const at::Tensor& test, const at::Tensor& train,
                         int64_t k) {
  const at::Tensor x = test.to(torch::kDouble), xt = train.to(torch::kDouble);
  const at::Tensor full = torch::zeros({x.size(0), xt.size(0)}, torch::kDouble);
  for (int64_t i = 0; i < x.size(0); ++i) {
    for (int64_t j = 0; j < xt.size(0); ++j) {
      const double cos = (x[i].dot(xt[j]) / (x[i].norm() * xt[j].norm()))
                             .item<double>();
      full[i][j] = std::max(0.0, cos);
    }
  }
  return per_row(x.size(0), [&](int64_t i) {
    std::vector<double> r = row_of(full, i);
    std::sort(r.begin(), r.end(), std::greater<>());
    return 1.0 / (r[k] + 1e-6);
  });
}

}  // namespace

TEST_F(Baselines, NamesRoundTrip) {
  for (NoiseBaseline b : all_noise_baselines()) {
    EXPECT_EQ(parse_noise_baseline(to_string(b)), b);
  }
  for (OodBaseline b : all_ood_baselines()) {
    EXPECT_EQ(parse_ood_baseline(to_string(b)), b);
  }
  EXPECT_EQ(all_noise_baselines().size(), 7u);
  EXPECT_EQ(all_ood_baselines().size(), 5u);
  EXPECT_EQ(to_string(NoiseBaseline::kLeastConfidence), "least_confidence");
  EXPECT_EQ(to_string(OodBaseline::kMaxLogit), "max_logit");
  EXPECT_THROW(parse_noise_baseline("least-confidence-typo"), Error);
  EXPECT_THROW(parse_ood_baseline("react"), Error);
}

TEST_F(Baselines, NoiseScoresHandComputed) {
  // p = (0.7, 0.2, 0.1).
  //   label 1: loss = -log(0.200001); margin: 0.2 - 0.7 = -0.5 -> 0.5;
  //   label 0: margin: 0.7 - 0.7 = 0 -> use 0.7 - 0.2 = 0.5 -> -0.5.
  //   least confidence = -0.7 for both.
  // p = (0.4, 0.4, 0.2), label 1: tie at the top, p_y - max = 0 and
  //   p_y - second = 0.4 - 0.4 = 0 -> margin score 0.
  const at::Tensor probs = torch::tensor(
      {{0.7, 0.2, 0.1}, {0.7, 0.2, 0.1}, {0.4, 0.4, 0.2}}, torch::kDouble);
  const at::Tensor labels = torch::tensor({1, 0, 1}, torch::kLong);
  const at::Tensor loss = noise_baseline_score(NoiseBaseline::kLoss, probs, labels);
  EXPECT_EQ(loss.scalar_type(), torch::kFloat);
  EXPECT_EQ(loss.sizes(), (std::vector<int64_t>{3}));
  EXPECT_NEAR(loss[0].item<double>(), -std::log(0.200001), 1e-6);
  EXPECT_TENSOR_NEAR(noise_baseline_score(NoiseBaseline::kMargin, probs, labels),
                     torch::tensor({0.5, -0.5, 0.0}));
  EXPECT_TENSOR_NEAR(
      noise_baseline_score(NoiseBaseline::kLeastConfidence, probs, labels),
      torch::tensor({-0.7, -0.7, -0.4}));
  // Entropy of (0.7, 0.2, 0.1) with the 1e-6 inside the log.
  const double h = -(0.7 * std::log(0.700001) + 0.2 * std::log(0.200001) +
                     0.1 * std::log(0.100001));
  EXPECT_NEAR(noise_baseline_score(NoiseBaseline::kEntropy, probs, labels)[0]
                  .item<double>(), h, 1e-6);
  EXPECT_NEAR(noise_baseline_score(NoiseBaseline::kCwe, probs, labels)[0]
                  .item<double>(), -0.2 / h, 1e-6);
  // TracIn: f = (3, 4), |f|^2 = 25; onehot(1) - p = (-0.7, 0.8, -0.1),
  // |.|^2 = 0.49 + 0.64 + 0.01 = 1.14 -> 28.5.
  const at::Tensor feats = torch::tensor({{3.0, 4.0}, {0.0, 0.0}, {1.0, 0.0}});
  EXPECT_NEAR(noise_baseline_score(NoiseBaseline::kTracin, probs, labels, feats)[0]
                  .item<double>(), 28.5, 1e-5);
}

TEST_F(Baselines, NoiseScoresMatchPerRowLoop) {
  const int64_t n = 40, k = 6, d = 9;
  at::Tensor probs = torch::softmax(3 * torch::randn({n, k}), 1);
  // A one-hot row and a row with a tie at the top.
  probs[0] = torch::one_hot(torch::tensor({int64_t{2}}, torch::kLong), k)[0]
                 .to(torch::kFloat);
  probs[1] = torch::tensor({0.3f, 0.3f, 0.1f, 0.1f, 0.1f, 0.1f});
  at::Tensor labels = torch::randint(0, k, {n}, torch::kLong);
  labels[1] = 1;
  // Make about half the labels the arg-max, the other case of margin.
  labels.slice(0, 2, n / 2).copy_(probs.slice(0, 2, n / 2).argmax(1));
  const at::Tensor feats = 5 * torch::randn({n, d});
  for (NoiseBaseline b : all_noise_baselines()) {
    const at::Tensor got = noise_baseline_score(b, probs, labels, feats);
    EXPECT_EQ(got.scalar_type(), torch::kFloat) << to_string(b);
    EXPECT_TENSOR_NEAR(got, reference_noise(b, probs, labels, feats), 1e-5, 1e-6)
        << to_string(b);
    // The same from float64 inputs.
    EXPECT_TENSOR_NEAR(noise_baseline_score(b, probs.to(torch::kDouble), labels,
                                            feats.to(torch::kDouble)),
                       got, 1e-6, 1e-7)
        << to_string(b);
  }
}

TEST_F(Baselines, LogitBaselinesMatchPerRowLoop) {
  const at::Tensor logits = 4 * torch::randn({25, 7}, torch::kDouble);
  const OodInputs in{.logits = logits};
  const auto rows = [&](auto f) {
    return per_row(logits.size(0), [&](int64_t i) { return f(row_of(logits, i)); });
  };
  const at::Tensor msp = rows([](const std::vector<double>& z) {
    const double mx = *std::max_element(z.begin(), z.end());
    double sum = 0;
    for (double v : z) sum += std::exp(v - mx);
    return -1.0 / sum;  // max softmax = exp(0) / sum
  });
  const at::Tensor max_logit = rows([](const std::vector<double>& z) {
    return -*std::max_element(z.begin(), z.end());
  });
  const at::Tensor energy = rows([](const std::vector<double>& z) {
    double sum = 0;
    for (double v : z) sum += std::exp(v);
    return -std::log(sum);
  });
  EXPECT_TENSOR_NEAR(ood_baseline_score(OodBaseline::kMsp, in), msp);
  EXPECT_TENSOR_NEAR(ood_baseline_score(OodBaseline::kMaxLogit, in), max_logit);
  EXPECT_TENSOR_NEAR(ood_baseline_score(OodBaseline::kEnergy, in), energy);
  // Hand check: logits (0, log 3): softmax (1/4, 3/4), logsumexp = log 4.
  const OodInputs two{.logits = torch::tensor({{0.0, std::log(3.0)}})};
  EXPECT_NEAR(ood_baseline_score(OodBaseline::kMsp, two).item<double>(), -0.75, 1e-7);
  EXPECT_NEAR(ood_baseline_score(OodBaseline::kEnergy, two).item<double>(),
              -std::log(4.0), 1e-6);
}

TEST_F(Baselines, MahalanobisMatchesDirectInverse) {
  // Classes 0, 2 and 5 (1, 3, 4 absent: skipped), one class with a single
  // point (covariance = 1e-3 I), different scales per class.
  const int64_t d = 3;
  at::Tensor train = torch::randn({31, d}, torch::kDouble);
  at::Tensor labels = torch::zeros({31}, torch::kLong);
  labels.slice(0, 10, 30).fill_(2);
  labels[30] = 5;
  train.slice(0, 10, 30).mul_(3).add_(4);
  const at::Tensor test = 2 * torch::randn({9, d}, torch::kDouble);
  const OodInputs in{.features = test, .train_features = train,
                     .train_labels = labels};
  const at::Tensor got = ood_baseline_score(OodBaseline::kMahalanobis, in);
  EXPECT_EQ(got.scalar_type(), torch::kFloat);
  EXPECT_TENSOR_NEAR(got, reference_mahalanobis(test, train, labels), 1e-5);
  // Hand check: one class {(1, 0), (-1, 0)}: mu = 0, Sigma = diag(1, 0) +
  // 1e-3 I, so x = (2, 1) gives 4 / 1.001 + 1 / 0.001.
  const OodInputs hand{.features = torch::tensor({{2.0, 1.0}}),
                       .train_features = torch::tensor({{1.0, 0.0}, {-1.0, 0.0}}),
                       .train_labels = torch::tensor({0, 0}, torch::kLong)};
  EXPECT_NEAR(ood_baseline_score(OodBaseline::kMahalanobis, hand).item<double>(),
              4 / 1.001 + 1000.0, 1e-3);
}

TEST_F(Baselines, MahalanobisBlocksOverManyTestRows) {
  // More test rows than one block (1024); reference from whole-matrix torch ops.
  const int64_t d = 4, m = 2500;
  const at::Tensor train = torch::randn({60, d});
  const at::Tensor labels = torch::arange(60, torch::kLong) % 3;
  const at::Tensor test = 2 * torch::randn({m, d});
  const at::Tensor x = test.to(torch::kDouble), xt = train.to(torch::kDouble);
  at::Tensor want = torch::full({m}, INFINITY, torch::kDouble);
  for (int64_t c = 0; c < 3; ++c) {
    const at::Tensor xc = xt.index({labels == c});
    const at::Tensor mu = xc.mean(0);
    const at::Tensor cen = xc - mu;
    const at::Tensor inv = torch::inverse(
        cen.t().mm(cen) / xc.size(0) + 1e-3 * torch::eye(d, torch::kDouble));
    const at::Tensor v = x - mu;
    want = torch::minimum(want, (v.mm(inv) * v).sum(1));
  }
  const at::Tensor got = ood_baseline_score(
      OodBaseline::kMahalanobis,
      {.features = test, .train_features = train, .train_labels = labels});
  EXPECT_TENSOR_NEAR(got, want, 1e-5);
}

TEST_F(Baselines, KnnMatchesBruteForceMatrix) {
  const at::Tensor train = torch::randn({120, 6}) * 3;
  const at::Tensor test = torch::randn({40, 6});
  for (int64_t k : {0, 1, 7, 50}) {
    const at::Tensor got = ood_baseline_score(
        OodBaseline::kKnn,
        {.features = test, .train_features = train, .k = k});
    EXPECT_EQ(got.scalar_type(), torch::kFloat);
    EXPECT_TENSOR_NEAR(got, reference_knn(test, train, k), 1e-4) << k;
  }
  // Hand check: train (1,0), (0,1), (1,1); test (2,0) has cosines 1, 0,
  // 1/sqrt2; k = 1 -> the 2nd largest, 1/sqrt2. Test (-1,-1) has cosines
  // all <= 0, clamped to 0 -> 1 / 1e-6.
  const OodInputs hand{.features = torch::tensor({{2.0, 0.0}, {-1.0, -1.0}}),
                       .train_features =
                           torch::tensor({{1.0, 0.0}, {0.0, 1.0}, {1.0, 1.0}}),
                       .k = 1};
  const at::Tensor s = ood_baseline_score(OodBaseline::kKnn, hand);
  EXPECT_NEAR(s[0].item<double>(), 1.0 / (std::sqrt(0.5) + 1e-6), 1e-5);
  EXPECT_NEAR(s[1].item<double>(), 1e6, 1e-1);
}

TEST_F(Baselines, KnnBlocksOverManyTestRows) {
  // 2100 test rows span several blocks; compare with the whole matrix at once.
  const at::Tensor train = torch::randn({300, 5}, torch::kDouble);
  const at::Tensor test = torch::randn({2100, 5}, torch::kDouble);
  const int64_t k = 9;
  const at::Tensor a = test / test.norm(2, {1}, true);
  const at::Tensor b = train / train.norm(2, {1}, true);
  const at::Tensor kth =
      std::get<0>(a.mm(b.t()).clamp_min(0).sort(1, /*descending=*/true))
          .select(1, k);
  const at::Tensor got = ood_baseline_score(
      OodBaseline::kKnn, {.features = test, .train_features = train, .k = k});
  EXPECT_TENSOR_NEAR(got, 1.0 / (kth + 1e-6), 1e-5);
}

TEST_F(Baselines, RejectsInvalidInput) {
  const at::Tensor probs = torch::softmax(torch::randn({5, 3}), 1);
  const at::Tensor labels = torch::tensor({0, 1, 2, 0, 1}, torch::kLong);
  const auto score = [&](NoiseBaseline b, const at::Tensor& p,
                         const at::Tensor& y, const at::Tensor& f = {}) {
    return noise_baseline_score(b, p, y, f);
  };
  EXPECT_THROW(score(NoiseBaseline::kLoss, probs[0], labels), Error);  // not 2-D
  EXPECT_THROW(score(NoiseBaseline::kLoss, probs, labels.slice(0, 0, 4)), Error);
  EXPECT_THROW(score(NoiseBaseline::kLoss, probs, labels.to(torch::kInt)), Error);
  EXPECT_THROW(score(NoiseBaseline::kLoss, probs,
                     torch::tensor({0, 1, 3, 0, 1}, torch::kLong)), Error);
  EXPECT_THROW(score(NoiseBaseline::kLoss, probs,
                     torch::tensor({0, -1, 2, 0, 1}, torch::kLong)), Error);
  at::Tensor bad = probs.clone();
  bad[2][1] = NAN;
  EXPECT_THROW(score(NoiseBaseline::kEntropy, bad, labels), Error);
  EXPECT_THROW(score(NoiseBaseline::kEntropy, probs - 0.5, labels), Error);
  EXPECT_THROW(score(NoiseBaseline::kEntropy, probs.to(torch::kLong), labels),
               Error);
  EXPECT_THROW(score(NoiseBaseline::kMargin, torch::ones({5, 1}),
                     torch::zeros({5}, torch::kLong)), Error);
  EXPECT_THROW(score(NoiseBaseline::kTracin, probs, labels), Error);  // no features
  EXPECT_THROW(score(NoiseBaseline::kTracin, probs, labels, torch::randn({4, 2})),
               Error);
  try {
    score(NoiseBaseline::kLoss, probs, labels.slice(0, 0, 4));
    FAIL() << "expected dataopt::Error";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("labels"), std::string::npos) << what;
    EXPECT_NE(what.find("[5]"), std::string::npos) << what;
    EXPECT_NE(what.find("[4]"), std::string::npos) << what;
  }

  EXPECT_THROW(ood_baseline_score(OodBaseline::kEnergy, {}), Error);  // no logits
  EXPECT_THROW(ood_baseline_score(OodBaseline::kMsp,
                                  {.logits = torch::tensor({{1.0f, NAN}})}),
               Error);
  const at::Tensor train = torch::randn({10, 4});
  const at::Tensor train_y = torch::zeros({10}, torch::kLong);
  const at::Tensor test = torch::randn({3, 4});
  EXPECT_THROW(ood_baseline_score(OodBaseline::kKnn,
                                  {.features = test, .train_features = train,
                                   .k = 10}),
               Error);  // k + 1 > 10
  EXPECT_THROW(ood_baseline_score(OodBaseline::kKnn,
                                  {.features = test, .train_features = train,
                                   .k = -1}),
               Error);
  EXPECT_THROW(ood_baseline_score(OodBaseline::kKnn,
                                  {.features = torch::randn({3, 5}),
                                   .train_features = train}),
               Error);  // D mismatch
  EXPECT_THROW(ood_baseline_score(OodBaseline::kMahalanobis,
                                  {.features = test, .train_features = train}),
               Error);  // no train labels
  EXPECT_THROW(ood_baseline_score(OodBaseline::kMahalanobis,
                                  {.features = test, .train_features = train,
                                   .train_labels = train_y.slice(0, 0, 9)}),
               Error);
  EXPECT_NO_THROW(ood_baseline_score(OodBaseline::kKnn,
                                     {.features = test, .train_features = train,
                                      .k = 9}));
}

}  // namespace dataopt::relgraph
