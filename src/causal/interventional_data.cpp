#include "dataopt/causal/interventional_data.h"

#include <torch/torch.h>

#include <fstream>
#include <sstream>
#include <unordered_map>

#include "dataopt/core/atomic_file.h"
#include "dataopt/core/check.h"
#include "dataopt/core/npy.h"
#include "dataopt/core/tensor_check.h"

namespace dataopt::causal {
namespace fs = std::filesystem;

int64_t InterventionalData::n_obs() const { return expression.size(0); }
int64_t InterventionalData::n_var() const { return expression.size(1); }

int64_t InterventionalData::index_of(const std::string& name) const {
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<int64_t>(i);
  }
  DATAOPT_CHECK(false, "unknown variable '", name, "' (the data has ", names.size(),
                " variables", names.empty() ? "" : ", e.g. '" + names[0] + "'", ")");
  return -1;
}

void InterventionalData::validate(const std::string& what) const {
  DATAOPT_CHECK(expression.defined() && expression.dim() == 2, what,
                ": expression must be [n_obs, n_var], got ", shape_str(expression));
  DATAOPT_CHECK(expression.is_floating_point(), what,
                ": expression must be floating point, got ", c10::toString(expression.scalar_type()));
  check_shape(intervention, {expression.size(0), expression.size(1)}, what + ": intervention");
  check_dtype(intervention, torch::kBool, what + ": intervention");
  DATAOPT_CHECK(static_cast<int64_t>(names.size()) == expression.size(1), what, ": expected ",
                expression.size(1), " variable names (one per column), got ", names.size());
  if (cell_type.defined()) check_shape(cell_type, {expression.size(0)}, what + ": cell_type");
  const torch::Tensor bad = ~torch::isfinite(expression);
  if (bad.any().item<bool>()) {
    const auto idx = bad.nonzero()[0];
    DATAOPT_CHECK(false, what, ": expression has NaN or Inf (first at row ",
                  idx[0].item<int64_t>(), ", column ", idx[1].item<int64_t>(), ")");
  }
  const double lo = expression.min().item<double>();
  DATAOPT_CHECK(lo >= 0, what, ": expression must be non-negative counts, got min ", lo);
}

Regimes make_regimes(const at::Tensor& intervention) {
  DATAOPT_CHECK(intervention.defined() && intervention.dim() == 2,
                "make_regimes: intervention must be [n_obs, n_var], got ", shape_str(intervention));
  const torch::Tensor mask = intervention.to(torch::kCPU, torch::kBool).contiguous();
  const int64_t n_obs = mask.size(0), n_var = mask.size(1);
  Regimes r;
  r.knockout_rows.resize(n_var);
  const bool* m = mask.data_ptr<bool>();
  for (int64_t row = 0; row < n_obs; ++row) {
    int64_t count = 0, which = -1;
    for (int64_t v = 0; v < n_var; ++v) {
      if (m[row * n_var + v]) {
        ++count;
        which = v;
      }
    }
    if (count == 0) {
      r.observational.push_back(row);
    } else if (count == 1) {
      r.knockout_rows[which].push_back(row);
    } else {
      r.multiple.push_back(row);
    }
  }
  return r;
}

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) out.push_back(cur);
  if (!s.empty() && s.back() == sep) out.emplace_back();
  return out;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  size_t b = 0;
  while (b < s.size() && (s[b] == ' ' || s[b] == '\t')) ++b;
  return s.substr(b);
}

}  // namespace

InterventionalData load_interventional_data(const fs::path& dir) {
  DATAOPT_CHECK(fs::is_directory(dir), "interventional data: ", dir.string(),
                " is not a directory (expected expression.npy, genes.txt, cells.csv)");
  InterventionalData d;
  const fs::path expr_path = dir / "expression.npy";
  DATAOPT_CHECK(fs::exists(expr_path), expr_path.string(), ": missing (expected the ",
                "[n_obs, n_var] expression matrix)");
  d.expression = read_npy(expr_path).to(torch::kFloat);
  DATAOPT_CHECK(d.expression.dim() == 2, expr_path.string(), ": expected [n_obs, n_var], got ",
                shape_str(d.expression));
  const int64_t n_obs = d.expression.size(0), n_var = d.expression.size(1);

  const fs::path genes_path = dir / "genes.txt";
  std::ifstream genes(genes_path);
  DATAOPT_CHECK(genes.good(), genes_path.string(), ": cannot open (expected one variable name per line)");
  std::unordered_map<std::string, int64_t> index;
  for (std::string line; std::getline(genes, line);) {
    line = trim(line);
    if (line.empty()) continue;
    DATAOPT_CHECK(!index.count(line), genes_path.string(), ": variable '", line,
                  "' appears twice");
    index[line] = static_cast<int64_t>(d.names.size());
    d.names.push_back(line);
  }
  DATAOPT_CHECK(static_cast<int64_t>(d.names.size()) == n_var, genes_path.string(), ": expected ",
                n_var, " names (the columns of expression.npy), got ", d.names.size());

  const fs::path cells_path = dir / "cells.csv";
  std::ifstream cells(cells_path);
  DATAOPT_CHECK(cells.good(), cells_path.string(),
                ": cannot open (expected a header cell,knockout,cell_type and one row per cell)");
  std::string header;
  std::getline(cells, header);
  const auto cols = split(trim(header), ',');
  DATAOPT_CHECK(cols.size() >= 2 && cols[1] == "knockout", cells_path.string(),
                ": expected the header 'cell,knockout,cell_type', got '", trim(header), "'");
  d.intervention = torch::zeros({n_obs, n_var}, torch::kBool);
  d.cell_type = torch::zeros({n_obs}, torch::kLong);
  bool* mask = d.intervention.data_ptr<bool>();
  int64_t* types = d.cell_type.data_ptr<int64_t>();
  int64_t row = 0, line_no = 1;
  for (std::string line; std::getline(cells, line);) {
    ++line_no;
    line = trim(line);
    if (line.empty()) continue;
    DATAOPT_CHECK(row < n_obs, cells_path.string(), ": more rows than the ", n_obs,
                  " observations of expression.npy (line ", line_no, ")");
    const auto f = split(line, ',');
    DATAOPT_CHECK(f.size() >= 2, cells_path.string(), ":", line_no,
                  ": expected cell,knockout[,cell_type], got '", line, "'");
    for (const auto& name : split(trim(f[1]), ';')) {
      const std::string g = trim(name);
      if (g.empty()) continue;
      auto it = index.find(g);
      DATAOPT_CHECK(it != index.end(), cells_path.string(), ":", line_no,
                    ": knockout of unknown variable '", g, "' (not in genes.txt)");
      mask[row * n_var + it->second] = true;
    }
    if (f.size() >= 3 && !trim(f[2]).empty()) {
      try {
        types[row] = std::stoll(trim(f[2]));
      } catch (const std::exception&) {
        DATAOPT_CHECK(false, cells_path.string(), ":", line_no,
                      ": cell_type must be an integer, got '", f[2], "'");
      }
    }
    ++row;
  }
  DATAOPT_CHECK(row == n_obs, cells_path.string(), ": expected ", n_obs,
                " rows (one per observation of expression.npy), got ", row);
  d.validate(dir.string());
  return d;
}

void save_interventional_data(const fs::path& dir, const InterventionalData& d) {
  d.validate("save_interventional_data");
  fs::create_directories(dir);
  write_npy(dir / "expression.npy", d.expression.to(torch::kFloat));
  write_file_atomic(dir / "genes.txt", [&](std::ostream& out) {
    for (const auto& n : d.names) out << n << '\n';
  });
  const torch::Tensor mask = d.intervention.to(torch::kCPU).contiguous();
  const bool* m = mask.data_ptr<bool>();
  const int64_t n_obs = d.n_obs(), n_var = d.n_var();
  const torch::Tensor types = d.cell_type.defined()
                                  ? d.cell_type.to(torch::kCPU, torch::kLong).contiguous()
                                  : torch::zeros({n_obs}, torch::kLong);
  const int64_t* t = types.data_ptr<int64_t>();
  write_file_atomic(dir / "cells.csv", [&](std::ostream& out) {
    out << "cell,knockout,cell_type\n";
    for (int64_t r = 0; r < n_obs; ++r) {
      out << r << ',';
      bool first = true;
      for (int64_t v = 0; v < n_var; ++v) {
        if (!m[r * n_var + v]) continue;
        if (!first) out << ';';
        out << d.names[v];
        first = false;
      }
      out << ',' << t[r] << '\n';
    }
  });
}

}  // namespace dataopt::causal
