#pragma once
/// \file
/// Per-example decisions about a labelled training set, as made in
/// `dataopt view` and applied by `dataopt train --labels-override FILE`:
/// keep an example as it is, remove it, or relabel it. The file is a CSV with
/// the header `index,label,action`, one row per decided example (`label` is
/// the new label for relabel, the given label for keep and remove, and may be
/// empty or -1 for remove).
///
///   auto d = data::read_label_decisions("decisions.csv", train.size(),
///                                       train.num_classes());
///   data::Dataset cleaned = data::apply_label_decisions(train, d);

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "dataopt/data/dataset.h"

namespace dataopt::data {

enum class LabelAction { kKeep, kRemove, kRelabel };

/// "keep", "remove", "relabel"; throws dataopt::Error otherwise.
LabelAction parse_label_action(const std::string& name);
std::string to_string(LabelAction action);

struct LabelDecision {
  /// Example index in the training set, in [0, N).
  int64_t index = 0;
  /// New label (relabel) or the given one (keep, remove; -1 allowed for remove).
  int64_t label = -1;
  LabelAction action = LabelAction::kKeep;
};

/// Reads a decisions CSV. Every bad row (index outside [0, n), label outside
/// [0, num_classes), unknown action, a repeated index, a malformed line)
/// throws dataopt::Error naming the file and the line.
std::vector<LabelDecision> read_label_decisions(const std::filesystem::path& path, int64_t n,
                                                int64_t num_classes);

/// Writes decisions as CSV (header included), atomically.
void write_label_decisions(const std::filesystem::path& path,
                           const std::vector<LabelDecision>& decisions);

/// Applies relabels, then drops removed examples (order otherwise kept).
/// Decisions are validated against `d` first.
Dataset apply_label_decisions(const Dataset& d, const std::vector<LabelDecision>& decisions);

}  // namespace dataopt::data
