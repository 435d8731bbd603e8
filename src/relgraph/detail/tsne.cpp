#include "relgraph/detail/tsne.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <random>
#include <vector>

#include "dataopt/core/progress.h"

namespace dataopt::relgraph::detail {
namespace {

// Sparse symmetric affinities P in CSR form (rows sum to the joint P).
struct SparseP {
  std::vector<int64_t> row_ptr;
  std::vector<int32_t> col;
  std::vector<double> val;
};

// Exact k nearest neighbours by squared Euclidean distance, block by block.
void nearest_neighbours(const at::Tensor& x, int64_t k, at::Tensor& index, at::Tensor& dist2) {
  const int64_t n = x.size(0);
  const int64_t block = 1024;
  const at::Tensor sq = (x * x).sum(1);
  index = torch::empty({n, k}, torch::kLong);
  dist2 = torch::empty({n, k}, torch::kFloat);
  for (int64_t b = 0; b < n; b += block) {
    const int64_t m = std::min(block, n - b);
    at::Tensor d = sq.narrow(0, b, m).unsqueeze(1) + sq.unsqueeze(0) -
                   2 * x.narrow(0, b, m).mm(x.t());
    d.clamp_min_(0);
    const at::Tensor rows = torch::arange(m, torch::kLong);
    d.index_put_({rows, rows + b}, std::numeric_limits<float>::infinity());
    auto [vals, idx] = d.topk(k, 1, /*largest=*/false, /*sorted=*/true);
    index.narrow(0, b, m).copy_(idx);
    dist2.narrow(0, b, m).copy_(vals);
  }
}

// Conditional p_{j|i} over the row's neighbours with entropy log(perplexity).
void calibrate_row(const float* d2, int64_t k, double perplexity, double* p) {
  const double target = std::log(perplexity);
  const double dmin = *std::min_element(d2, d2 + k);
  double beta = 1.0, lo = -1.0, hi = -1.0;  // -1 = unbounded
  for (int iter = 0; iter < 200; ++iter) {
    double sum = 0, dot = 0;
    for (int64_t j = 0; j < k; ++j) {
      p[j] = std::exp(-beta * (d2[j] - dmin));
      sum += p[j];
      dot += (d2[j] - dmin) * p[j];
    }
    const double entropy = std::log(sum) + beta * dot / sum;
    for (int64_t j = 0; j < k; ++j) p[j] /= sum;
    const double diff = entropy - target;
    if (std::abs(diff) < 1e-5) break;
    if (diff > 0) {  // too flat: sharpen
      lo = beta;
      beta = hi < 0 ? beta * 2 : (beta + hi) / 2;
    } else {
      hi = beta;
      beta = lo < 0 ? beta / 2 : (beta + lo) / 2;
    }
  }
}

SparseP joint_affinities(const at::Tensor& x, double perplexity) {
  const int64_t n = x.size(0);
  const int64_t k = std::min<int64_t>(n - 1, static_cast<int64_t>(3 * perplexity));
  perplexity = std::min(perplexity, k / 3.0);
  at::Tensor index, dist2;
  nearest_neighbours(x, k, index, dist2);
  std::vector<double> cond(static_cast<size_t>(n * k));
  const float* d2 = dist2.data_ptr<float>();
  at::parallel_for(0, n, 256, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) calibrate_row(d2 + i * k, k, perplexity, &cond[i * k]);
  });
  // Symmetrise: P_ij = (p_{j|i} + p_{i|j}) / 2N, as (row, col, value) triplets.
  struct Entry {
    int32_t r, c;
    double v;
  };
  std::vector<Entry> entries;
  entries.reserve(static_cast<size_t>(2 * n * k));
  const int64_t* idx = index.data_ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < k; ++j) {
      const auto c = static_cast<int32_t>(idx[i * k + j]);
      const double v = cond[i * k + j] / (2.0 * n);
      entries.push_back({static_cast<int32_t>(i), c, v});
      entries.push_back({c, static_cast<int32_t>(i), v});
    }
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.r != b.r ? a.r < b.r : a.c < b.c;
  });
  SparseP p;
  p.row_ptr.assign(static_cast<size_t>(n + 1), 0);
  for (size_t e = 0; e < entries.size(); ++e) {
    if (e > 0 && entries[e].r == entries[e - 1].r && entries[e].c == entries[e - 1].c) {
      p.val.back() += entries[e].v;
      continue;
    }
    p.col.push_back(entries[e].c);
    p.val.push_back(entries[e].v);
    p.row_ptr[entries[e].r + 1] = static_cast<int64_t>(p.col.size());
  }
  for (int64_t i = 0; i < n; ++i) p.row_ptr[i + 1] = std::max(p.row_ptr[i + 1], p.row_ptr[i]);
  return p;
}

// A quadtree over the current embedding: centres of mass and counts per cell.
class QuadTree {
 public:
  QuadTree(const std::vector<double>& y, int64_t n) : y_(y), perm_(static_cast<size_t>(n)) {
    for (int64_t i = 0; i < n; ++i) perm_[i] = static_cast<int32_t>(i);
    double x0 = y[0], x1 = y[0], y0 = y[1], y1 = y[1];
    for (int64_t i = 1; i < n; ++i) {
      x0 = std::min(x0, y[2 * i]);
      x1 = std::max(x1, y[2 * i]);
      y0 = std::min(y0, y[2 * i + 1]);
      y1 = std::max(y1, y[2 * i + 1]);
    }
    nodes_.reserve(static_cast<size_t>(2 * n));
    nodes_.push_back({(x0 + x1) / 2, (y0 + y1) / 2, std::max(x1 - x0, y1 - y0) / 2 + 1e-5});
    build(0, 0, static_cast<int32_t>(n), 0);
  }

  // Point indices in tree order (spatial neighbours are adjacent).
  const std::vector<int32_t>& order() const { return perm_; }

  // Repulsive force on point i (unnormalised) and its share of Z.
  void repulsion(int64_t i, double theta, double& fx, double& fy, double& z) const {
    const double xi = y_[2 * i], yi = y_[2 * i + 1];
    int32_t stack[256];
    int top = 0;
    stack[top++] = 0;
    while (top > 0) {
      const Node& nd = nodes_[stack[--top]];
      const double dx = xi - nd.mx, dy = yi - nd.my, d2 = dx * dx + dy * dy;
      if (nd.child[0] < 0 && nd.child[1] < 0 && nd.child[2] < 0 && nd.child[3] < 0) {
        for (int32_t p = nd.begin; p < nd.end; ++p) {
          const int32_t j = perm_[p];
          if (j == i) continue;
          const double ex = xi - y_[2 * j], ey = yi - y_[2 * j + 1];
          const double q = 1.0 / (1.0 + ex * ex + ey * ey);
          z += q;
          fx += q * q * ex;
          fy += q * q * ey;
        }
      } else if (4 * nd.hw * nd.hw < theta * theta * d2) {
        const double q = 1.0 / (1.0 + d2), cq = (nd.end - nd.begin) * q;
        z += cq;
        fx += cq * q * dx;
        fy += cq * q * dy;
      } else {
        for (int32_t c : nd.child) {
          if (c >= 0) stack[top++] = c;
        }
      }
    }
  }

 private:
  struct Node {
    double cx, cy, hw;
    double mx = 0, my = 0;
    int32_t begin = 0, end = 0;
    int32_t child[4] = {-1, -1, -1, -1};
  };

  void build(int32_t id, int32_t begin, int32_t end, int depth) {
    double sx = 0, sy = 0;
    for (int32_t p = begin; p < end; ++p) {
      sx += y_[2 * perm_[p]];
      sy += y_[2 * perm_[p] + 1];
    }
    nodes_[id].begin = begin;
    nodes_[id].end = end;
    nodes_[id].mx = sx / (end - begin);
    nodes_[id].my = sy / (end - begin);
    if (end - begin <= 1 || depth >= 40) return;
    const double cx = nodes_[id].cx, cy = nodes_[id].cy, h = nodes_[id].hw / 2;
    auto first = perm_.begin();
    const auto below = [&](int32_t j) { return y_[2 * j + 1] < cy; };
    const auto left = [&](int32_t j) { return y_[2 * j] < cx; };
    const int32_t mid = static_cast<int32_t>(
        std::partition(first + begin, first + end, below) - first);
    const int32_t m1 = static_cast<int32_t>(
        std::partition(first + begin, first + mid, left) - first);
    const int32_t m2 = static_cast<int32_t>(
        std::partition(first + mid, first + end, left) - first);
    const int32_t bounds[5] = {begin, m1, mid, m2, end};
    for (int q = 0; q < 4; ++q) {
      if (bounds[q + 1] == bounds[q]) continue;
      const auto child = static_cast<int32_t>(nodes_.size());
      nodes_.push_back({cx + ((q & 1) ? h : -h), cy + ((q & 2) ? h : -h), h});
      nodes_[id].child[q] = child;
      build(child, bounds[q], bounds[q + 1], depth + 1);
    }
  }

  const std::vector<double>& y_;
  std::vector<int32_t> perm_;
  std::vector<Node> nodes_;
};

}  // namespace

at::Tensor barnes_hut_tsne(const at::Tensor& x_in, const EmbeddingOptions& o) {
  const at::Tensor x = x_in.to(torch::kFloat).contiguous();
  const int64_t n = x.size(0);
  if (n < 4) return (x.narrow(1, 0, 2) - x.narrow(1, 0, 2).mean(0, true)).contiguous();
  const SparseP p = joint_affinities(x, o.perplexity);

  std::vector<double> y(static_cast<size_t>(2 * n)), update(y.size(), 0.0), gains(y.size(), 1.0);
  std::mt19937_64 gen(o.seed);
  std::normal_distribution<double> normal(0.0, 1e-4);
  for (double& v : y) v = normal(gen);
  const double lr = o.learning_rate > 0 ? o.learning_rate : std::max(n / 12.0, 200.0);
  const int64_t early = std::min<int64_t>(250, o.n_iters / 3);
  std::vector<double> attract(y.size()), repel(y.size()), z_part(static_cast<size_t>(n));
  std::optional<Progress> bar;
  if (o.progress) bar.emplace("t-SNE", o.n_iters);

  for (int64_t it = 0; it < o.n_iters; ++it) {
    const double exaggeration = it < early ? 12.0 : 1.0;
    const double momentum = it < early ? 0.5 : 0.8;
    const QuadTree tree(y, n);
    // Points in tree order: neighbours walk the same cells (cache friendly).
    const std::vector<int32_t>& order = tree.order();
    at::parallel_for(0, n, 256, [&](int64_t b, int64_t e) {
      for (int64_t pos = b; pos < e; ++pos) {
        const int64_t i = order[pos];
        double ax = 0, ay = 0, rx = 0, ry = 0, z = 0;
        for (int64_t k = p.row_ptr[i]; k < p.row_ptr[i + 1]; ++k) {
          const int32_t j = p.col[k];
          const double dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1];
          const double w = p.val[k] / (1.0 + dx * dx + dy * dy);
          ax += w * dx;
          ay += w * dy;
        }
        tree.repulsion(i, o.theta, rx, ry, z);
        attract[2 * i] = ax;
        attract[2 * i + 1] = ay;
        repel[2 * i] = rx;
        repel[2 * i + 1] = ry;
        z_part[i] = z;
      }
    });
    double z = 0;
    for (double v : z_part) z += v;
    z = std::max(z, 1e-12);
    double mx = 0, my = 0;
    for (size_t d = 0; d < y.size(); ++d) {
      const double g = 4.0 * (exaggeration * attract[d] - repel[d] / z);
      gains[d] = (g > 0) != (update[d] > 0) ? gains[d] + 0.2 : std::max(gains[d] * 0.8, 0.01);
      update[d] = momentum * update[d] - lr * gains[d] * g;
      y[d] += update[d];
      (d % 2 == 0 ? mx : my) += y[d];
    }
    mx /= n;
    my /= n;
    for (int64_t i = 0; i < n; ++i) {
      y[2 * i] -= mx;
      y[2 * i + 1] -= my;
    }
    if (bar) bar->update(1);
  }
  if (bar) bar->finish();
  at::Tensor out = torch::empty({n, 2}, torch::kFloat);
  float* dst = out.data_ptr<float>();
  for (size_t d = 0; d < y.size(); ++d) dst[d] = static_cast<float>(y[d]);
  return out;
}

}  // namespace dataopt::relgraph::detail
