#pragma once
/// \file
/// Scores every example of a labelled set with the relation graph and every
/// label-noise baseline at once (the `dataopt audit` computation).
///
///   relgraph::AuditResult a = relgraph::audit_label_noise(feats, probs, labels);
///   for (auto& [name, score] : a.scores) ...   // [N], higher = more suspicious
///   a.flagged;                                  // confident learning's set

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "dataopt/core/tensor_fwd.h"
#include "dataopt/relgraph/confident_learning.h"
#include "dataopt/relgraph/relation_graph.h"

namespace dataopt::relgraph {

struct AuditOptions {
  /// Options of the relation graph (t = 4, threshold 0.03, lambda 0.05).
  RelationGraphOptions graph;
  /// Options of confident learning (filter_by prune_by_noise_rate).
  ConfidentLearningOptions confident_learning;
  /// Also compute the probability-based baselines and confident learning.
  bool baselines = true;

  void validate() const;
};

struct AuditResult {
  /// (method, [N] float32 score), higher = more suspicious. Methods: nrg,
  /// nrg_first_pass, loss, margin, entropy, least_confidence, cwe, tracin,
  /// jsd, nrg_loss (rank average of nrg and loss), confident_learning (flagged first, each part ranked by self-
  /// confidence), cl_normalized_margin.
  std::vector<std::pair<std::string, at::Tensor>> scores;
  /// Confident learning's flagged set [N] bool.
  at::Tensor flagged;
  /// The relation graph's result (estimated noisy set, first pass, ...).
  LabelNoiseResult nrg;
  /// Seconds per method.
  std::map<std::string, double> seconds;
  /// The relation graph's strongest partners per example (first pass; empty
  /// unless options.graph.top_k > 0 on the CPU).
  Partners partners;

  const at::Tensor& score(const std::string& method) const;
};

/// features [N, D] (un-normalised: TracIn needs the norms), probs [N, C],
/// labels [N] int64.
AuditResult audit_label_noise(const at::Tensor& features, const at::Tensor& probs,
                              const at::Tensor& labels, const AuditOptions& options = {});

}  // namespace dataopt::relgraph
