#include "dataopt/data/label_decisions.h"

#include <torch/torch.h>

#include <fstream>
#include <map>
#include <sstream>

#include "dataopt/core/atomic_file.h"
#include "dataopt/core/check.h"

namespace dataopt::data {
namespace fs = std::filesystem;

LabelAction parse_label_action(const std::string& name) {
  if (name == "keep") return LabelAction::kKeep;
  if (name == "remove") return LabelAction::kRemove;
  if (name == "relabel") return LabelAction::kRelabel;
  DATAOPT_CHECK(false, "unknown action '", name, "' (expected keep, remove or relabel)");
  return LabelAction::kKeep;
}

std::string to_string(LabelAction action) {
  switch (action) {
    case LabelAction::kKeep: return "keep";
    case LabelAction::kRemove: return "remove";
    case LabelAction::kRelabel: return "relabel";
  }
  return "keep";
}

namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

// A whole-field integer, or false.
bool parse_int(const std::string& s, int64_t& value) {
  if (s.empty()) return false;
  size_t used = 0;
  try {
    value = std::stoll(s, &used);
  } catch (const std::exception&) {
    return false;
  }
  return used == s.size();
}

void check_decision(const LabelDecision& d, int64_t n, int64_t num_classes,
                    const std::string& where) {
  DATAOPT_CHECK(d.index >= 0 && d.index < n, where, ": index ", d.index,
                " is out of range [0, ", n, ")");
  const bool label_ok = d.label >= 0 && d.label < num_classes;
  DATAOPT_CHECK(label_ok || (d.action == LabelAction::kRemove && d.label == -1), where,
                ": label ", d.label, " is out of range [0, ", num_classes, ")");
}

}  // namespace

std::vector<LabelDecision> read_label_decisions(const fs::path& path, int64_t n,
                                                int64_t num_classes) {
  std::ifstream in(path);
  DATAOPT_CHECK(in.is_open(), "cannot open label decisions ", path.string());
  std::vector<LabelDecision> out;
  std::map<int64_t, int64_t> line_of;  // index -> line
  std::string line;
  int64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    line = trim(line);
    if (line.empty()) continue;
    const std::string where = path.string() + ":" + std::to_string(line_no);
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string field;
    while (std::getline(ss, field, ',')) f.push_back(trim(field));
    if (!line.empty() && line.back() == ',') f.push_back("");
    if (line_no == 1 && !f.empty() && f[0] == "index") {
      DATAOPT_CHECK(f.size() == 3 && f[1] == "label" && f[2] == "action", where,
                    ": expected the header 'index,label,action', got '", line, "'");
      continue;
    }
    DATAOPT_CHECK(f.size() == 3, where, ": expected 3 fields (index,label,action), got ",
                  f.size(), " in '", line, "'");
    LabelDecision d;
    DATAOPT_CHECK(parse_int(f[0], d.index), where, ": index '", f[0], "' is not an integer");
    DATAOPT_CHECK(f[2] == "keep" || f[2] == "remove" || f[2] == "relabel", where,
                  ": unknown action '", f[2], "' (expected keep, remove or relabel)");
    d.action = parse_label_action(f[2]);
    if (f[1].empty() && d.action == LabelAction::kRemove) {
      d.label = -1;
    } else {
      DATAOPT_CHECK(parse_int(f[1], d.label), where, ": label '", f[1],
                    "' is not an integer");
    }
    check_decision(d, n, num_classes, where);
    const auto [it, fresh] = line_of.emplace(d.index, line_no);
    DATAOPT_CHECK(fresh, where, ": index ", d.index, " was already decided on line ",
                  it->second);
    out.push_back(d);
  }
  return out;
}

void write_label_decisions(const fs::path& path, const std::vector<LabelDecision>& decisions) {
  write_file_atomic(path, [&](std::ostream& out) {
    out << "index,label,action\n";
    for (const auto& d : decisions) {
      out << d.index << "," << d.label << "," << to_string(d.action) << "\n";
    }
  });
}

Dataset apply_label_decisions(const Dataset& d, const std::vector<LabelDecision>& decisions) {
  const int64_t n = d.size();
  at::Tensor labels = d.labels.clone();
  at::Tensor keep = torch::ones({n}, torch::kBool);
  auto* lab = labels.data_ptr<int64_t>();
  auto* kp = keep.data_ptr<bool>();
  for (const auto& x : decisions) {
    check_decision(x, n, d.num_classes(), "apply_label_decisions");
    if (x.action == LabelAction::kRelabel) lab[x.index] = x.label;
    if (x.action == LabelAction::kRemove) kp[x.index] = false;
  }
  Dataset out = d;
  out.labels = labels;
  return out.subset(keep.nonzero().squeeze(1));
}

}  // namespace dataopt::data
