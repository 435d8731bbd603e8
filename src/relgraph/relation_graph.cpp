#include "dataopt/relgraph/relation_graph.h"

#include <chrono>

#include "dataopt/core/check.h"
#include "dataopt/core/log.h"
#include "dataopt/core/tensor_check.h"
#include "relgraph/detail/relation_pass.h"

namespace dataopt::relgraph {

RelationKernel parse_relation_kernel(const std::string& name) {
  if (name == "cos_p") return RelationKernel::kCosP;
  if (name == "cos") return RelationKernel::kCos;
  DATAOPT_CHECK(false, "unknown relation kernel '", name, "' (expected cos_p or cos)");
  return RelationKernel::kCosP;
}

void RelationGraphOptions::validate() const {
  DATAOPT_CHECK(pow > 0 && std::isfinite(pow), "pow must be > 0, got ", pow);
  DATAOPT_CHECK(ood_pow > 0 && std::isfinite(ood_pow), "ood_pow must be > 0, got ",
                ood_pow);
  DATAOPT_CHECK(threshold >= 0 && threshold < 1, "threshold must be in [0, 1), got ",
                threshold);
  DATAOPT_CHECK(reg >= 0 && reg < 1, "reg must be in [0, 1), got ", reg);
  DATAOPT_CHECK(chunk >= 1, "chunk must be >= 1, got ", chunk);
  DATAOPT_CHECK(tile >= 1, "tile must be >= 1, got ", tile);
  DATAOPT_CHECK(top_k >= 0, "top_k must be >= 0, got ", top_k);
  DATAOPT_CHECK(device == "cpu" || device.rfind("cuda", 0) == 0,
                "device must be cpu or cuda[:i], got '", device, "'");
}

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Validates features/probs (and labels) of one set; returns N.
int64_t check_inputs(const at::Tensor& features, const at::Tensor& probs,
                     const at::Tensor* labels, const std::string& who) {
  DATAOPT_CHECK(features.defined() && features.dim() == 2, who,
                ": features must be [N, D], got ", shape_str(features));
  const int64_t n = features.size(0);
  DATAOPT_CHECK(n > 0 && features.size(1) > 0, who, ": features are empty (",
                shape_str(features), ")");
  DATAOPT_CHECK(features.is_floating_point(), who, ": features must be floating point");
  check_shape(probs, {n, -1}, who + ": probs (one row per feature row)");
  DATAOPT_CHECK(probs.is_floating_point(), who, ": probs must be floating point");
  check_finite(features, who + ": features");
  check_finite(probs, who + ": probs");
  DATAOPT_CHECK(probs.min().item<double>() >= 0, who,
                ": probs must be probabilities (>= 0); pass softmax outputs, not logits");
  if (labels != nullptr) {
    check_shape(*labels, {n}, who + ": labels");
    DATAOPT_CHECK(!labels->is_floating_point(), who, ": labels must be integers");
    const int64_t lo = labels->min().item<int64_t>(), hi = labels->max().item<int64_t>();
    DATAOPT_CHECK(lo >= 0 && hi < probs.size(1), who, ": labels must be in [0, ",
                  probs.size(1), ") (one column of probs per class), got range [", lo,
                  ", ", hi, "]");
  }
  return n;
}

at::Tensor l2_normalize(const at::Tensor& f) {
  const at::Tensor x = f.to(torch::kFloat);
  return x / x.norm(2, 1, true).clamp_min(1e-12);
}

}  // namespace

// The nodes are stored sorted by label (stable), so that the fused kernel
// sums long runs of one class; `nodes.index` maps a sorted position to the
// caller's index and every result is put back in the caller's order.
struct RelationGraph::Impl {
  detail::PassTargets nodes;  // sorted by label: features, probs, labels, index
  at::Tensor position;        // [N] caller's index -> sorted position
  at::Tensor row_sums;        // [N] float64, caller's order, cached
  Partners partners;

  // Rows computed in sorted order -> the caller's order.
  at::Tensor unsort(const at::Tensor& rows) const {
    return rows.index_select(0, position);
  }
};

RelationGraph::RelationGraph(const at::Tensor& features, const at::Tensor& probs,
                             const at::Tensor& labels, RelationGraphOptions options)
    : options_(std::move(options)), impl_(std::make_unique<Impl>()) {
  options_.validate();
  const int64_t n = check_inputs(features, probs, &labels, "RelationGraph");
  const torch::Device device(options_.device);
  const at::Tensor order =
      std::get<1>(labels.cpu().to(torch::kLong).sort(/*stable=*/true, 0, false));
  impl_->position = torch::empty({n}, torch::kLong);
  impl_->position.index_put_({order}, torch::arange(n, torch::kLong));
  at::Tensor f = l2_normalize(features.index_select(0, order.to(features.device())));
  if (options_.half) f = f.to(torch::kHalf);
  impl_->nodes.features = f.to(device).contiguous();
  impl_->nodes.probs =
      probs.index_select(0, order.to(probs.device())).to(device, torch::kFloat).contiguous();
  impl_->nodes.labels = labels.cpu().to(torch::kLong).index_select(0, order).to(device);
  impl_->nodes.index = order;
}

RelationGraph::~RelationGraph() = default;
RelationGraph::RelationGraph(RelationGraph&&) noexcept = default;
RelationGraph& RelationGraph::operator=(RelationGraph&&) noexcept = default;

int64_t RelationGraph::size() const { return impl_->nodes.features.size(0); }

at::Tensor RelationGraph::row_sums() {
  if (impl_->row_sums.defined()) return impl_->row_sums;
  const auto& nodes = impl_->nodes;
  const int64_t top_k = options_.device == "cpu" ? options_.top_k : 0;
  auto pass = detail::relation_pass(nodes.features, nodes.probs, nodes.labels, nodes,
                                    options_.pow, options_, top_k, "relation graph");
  // Signed sum: edges to the same class count +, to other classes -.
  const at::Tensor& cs = pass.class_sums;
  const at::Tensor same = cs.gather(1, nodes.labels.cpu().view({-1, 1})).squeeze(1);
  impl_->row_sums = impl_->unsort(2 * same - cs.sum(1));
  if (top_k > 0) {
    Partners& p = pass.partners;
    impl_->partners = {impl_->unsort(p.complementary_index),
                       impl_->unsort(p.complementary_value),
                       impl_->unsort(p.conflicting_index), impl_->unsort(p.conflicting_value)};
  }
  return impl_->row_sums;
}

LabelNoiseResult RelationGraph::label_noise() {
  LabelNoiseResult r;
  auto t0 = std::chrono::steady_clock::now();
  const at::Tensor s0 = row_sums();
  r.first_pass_seconds = seconds_since(t0);
  r.row_sums = s0;
  const double max0 = s0.abs().max().item<double>();
  if (max0 == 0) {
    log::warn("relation graph: every edge is below the threshold ", options_.threshold,
              "; all scores are 0");
    r.score = torch::zeros({size()});
    r.first_pass_score = r.score.clone();
    r.estimated_noisy = torch::zeros({size()}, torch::kBool);
    return r;
  }
  const at::Tensor norm0 = s0 / max0;
  r.first_pass_score = (-norm0).to(torch::kFloat);
  r.estimated_noisy = norm0 < -options_.reg;

  // Refinement: flip the sign of every edge to the estimated noisy set,
  // s = s0 - 2 * sum_{j in Nhat} edge_ij.
  t0 = std::chrono::steady_clock::now();
  const auto& nodes = impl_->nodes;
  const at::Tensor noisy_idx = r.estimated_noisy.nonzero().squeeze(1);
  at::Tensor s = s0.clone();
  if (noisy_idx.numel() > 0) {
    // Sorted positions of the noisy set, ascending: still grouped by class.
    const at::Tensor pos = std::get<0>(impl_->position.index_select(0, noisy_idx).sort());
    const at::Tensor idx = pos.to(nodes.features.device());
    detail::PassTargets sub{nodes.features.index_select(0, idx),
                            nodes.probs.index_select(0, idx),
                            nodes.labels.index_select(0, idx), nodes.index.index_select(0, pos)};
    auto pass = detail::relation_pass(nodes.features, nodes.probs, nodes.labels, sub,
                                      options_.pow, options_, 0, "refinement");
    const at::Tensor& cs = pass.class_sums;
    const at::Tensor same = cs.gather(1, nodes.labels.cpu().view({-1, 1})).squeeze(1);
    s = s0 - 2 * impl_->unsort(2 * same - cs.sum(1));
  }
  r.refine_seconds = seconds_since(t0);
  const double max1 = s.abs().max().item<double>();
  r.score = (max1 > 0 ? -s / max1 : torch::zeros_like(s)).to(torch::kFloat);
  return r;
}

Partners RelationGraph::partners() {
  DATAOPT_CHECK(options_.top_k > 0, "RelationGraph::partners: set options.top_k > 0");
  DATAOPT_CHECK(options_.device == "cpu",
                "RelationGraph::partners: partners are computed on the CPU only");
  row_sums();
  return impl_->partners;
}

at::Tensor RelationGraph::edges(const at::Tensor& rows) {
  DATAOPT_CHECK(rows.dim() == 1 && !rows.is_floating_point(),
                "RelationGraph::edges: rows must be [R] integers, got ", shape_str(rows));
  const auto& nodes = impl_->nodes;
  const at::Tensor idx = rows.to(nodes.features.device(), torch::kLong);
  if (idx.numel() > 0) {
    DATAOPT_CHECK(idx.min().item<int64_t>() >= 0 && idx.max().item<int64_t>() < size(),
                  "RelationGraph::edges: rows must be in [0, ", size(), ")");
  }
  torch::NoGradGuard no_grad;
  const at::Tensor src = impl_->position.index_select(0, idx.cpu()).to(idx.device());
  const at::Tensor f = nodes.features.to(torch::kFloat);
  at::Tensor rel = torch::mm(f.index_select(0, src), f.t()).clamp_min(0);
  if (options_.kernel == RelationKernel::kCosP) {
    rel = rel * torch::mm(nodes.probs.index_select(0, src), nodes.probs.t());
  }
  const at::Tensor same = nodes.labels.index_select(0, src).view({-1, 1}) ==
                          nodes.labels.view({1, -1});
  const at::Tensor w = torch::where(rel > options_.threshold, rel.pow(options_.pow),
                                    torch::zeros_like(rel));
  // Columns back in the caller's order.
  return torch::where(same, w, -w).cpu().index_select(1, impl_->position);
}

at::Tensor RelationGraph::outlier_scores(const at::Tensor& features,
                                         const at::Tensor& probs) {
  check_inputs(features, probs, nullptr, "RelationGraph::outlier_scores");
  const auto& nodes = impl_->nodes;
  DATAOPT_CHECK(features.size(1) == nodes.features.size(1),
                "RelationGraph::outlier_scores: features have ", features.size(1),
                " dimensions, the graph's nodes ", nodes.features.size(1));
  DATAOPT_CHECK(probs.size(1) == nodes.probs.size(1),
                "RelationGraph::outlier_scores: probs have ", probs.size(1),
                " classes, the graph's nodes ", nodes.probs.size(1));
  const torch::Device device(options_.device);
  const at::Tensor f = l2_normalize(features).to(device);
  const at::Tensor p = probs.to(device, torch::kFloat).contiguous();
  auto pass = detail::relation_pass(f, p, {}, nodes, options_.ood_pow, options_, 0,
                                    "outlier scores");
  return (1.0 / (pass.class_sums.sum(1) + 1e-6)).to(torch::kFloat);
}

}  // namespace dataopt::relgraph
