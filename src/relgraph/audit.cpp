#include "dataopt/relgraph/audit.h"

#include <chrono>

#include "dataopt/core/check.h"
#include "dataopt/relgraph/baselines.h"
#include "dataopt/relgraph/combine.h"

namespace dataopt::relgraph {

void AuditOptions::validate() const {
  graph.validate();
  confident_learning.validate();
}

const at::Tensor& AuditResult::score(const std::string& method) const {
  for (const auto& [name, s] : scores) {
    if (name == method) return s;
  }
  DATAOPT_CHECK(false, "audit: no scores for method '", method, "'");
  return scores.front().second;
}

AuditResult audit_label_noise(const at::Tensor& features, const at::Tensor& probs,
                              const at::Tensor& labels, const AuditOptions& options) {
  options.validate();
  AuditResult out;
  using clock = std::chrono::steady_clock;
  auto seconds = [](clock::time_point t0) {
    return std::chrono::duration<double>(clock::now() - t0).count();
  };
  // The graph validates shapes, NaN and label range before any work.
  RelationGraph graph(features, probs, labels, options.graph);
  out.nrg = graph.label_noise();
  if (options.graph.top_k > 0 && options.graph.device == "cpu") out.partners = graph.partners();
  out.scores.emplace_back("nrg", out.nrg.score);
  out.scores.emplace_back("nrg_first_pass", out.nrg.first_pass_score);
  out.seconds["nrg"] = out.nrg.first_pass_seconds + out.nrg.refine_seconds;
  if (!options.baselines) return out;

  for (NoiseBaseline b : all_noise_baselines()) {
    const auto t0 = clock::now();
    out.scores.emplace_back(to_string(b), noise_baseline_score(b, probs, labels, features));
    out.seconds[to_string(b)] = seconds(t0);
  }
  // "Beyond" NRG: the relation graph and the loss see different evidence
  // (neighbours vs the example's own prediction); their rank average has no
  // weight to tune.
  auto t1 = clock::now();
  out.scores.emplace_back("nrg_loss", rank_average({out.nrg.score, out.score("loss")}));
  out.seconds["nrg_loss"] = out.seconds["nrg"] + out.seconds["loss"] + seconds(t1);
  auto t0 = clock::now();
  out.flagged = find_label_issues(labels, probs, options.confident_learning);
  const at::Tensor self_conf =
      label_quality_scores(labels, probs, RankMethod::kSelfConfidence);
  // Flagged examples first (score > 1), each group ordered by self-confidence,
  // as cleanlab's return_indices_ranked_by="self_confidence" orders them.
  out.scores.emplace_back(
      "confident_learning",
      (out.flagged.to(torch::kDouble) + (1.0 - self_conf)).to(torch::kFloat));
  out.seconds["confident_learning"] = seconds(t0);
  t0 = clock::now();
  out.scores.emplace_back(
      "cl_normalized_margin",
      (1.0 - label_quality_scores(labels, probs, RankMethod::kNormalizedMargin))
          .to(torch::kFloat));
  out.seconds["cl_normalized_margin"] = seconds(t0);
  return out;
}

}  // namespace dataopt::relgraph
