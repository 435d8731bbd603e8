#include "dataopt/data/tabular.h"

#include <cerrno>
#include <cstdlib>
#include <limits>

#include "dataopt/core/check.h"
#include "dataopt/core/npy.h"
#include "dataopt/core/tensor_check.h"

namespace dataopt::data {
namespace fs = std::filesystem;

namespace {

std::vector<std::string> split_line(const std::string& line, char delim) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') {
      quoted = !quoted;
    } else if (c == delim && !quoted) {
      fields.push_back(field);
      field.clear();
    } else if (c != '\r') {
      field.push_back(c);
    }
  }
  fields.push_back(field);
  return fields;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

at::Tensor load_any(const fs::path& path) {
  const auto ext = path.extension().string();
  if (ext == ".npy") return read_npy(path);
  DATAOPT_CHECK(ext == ".csv" || ext == ".tsv" || ext == ".txt", path.string(),
                ": unsupported file type '", ext, "' (expected .npy or .csv)");
  CsvOptions opts;
  if (ext == ".tsv") opts.delimiter = '\t';
  // A header is detected: a first line with a non-numeric field.
  std::ifstream in(path);
  DATAOPT_CHECK(in.is_open(), "cannot open ", path);
  std::string first;
  std::getline(in, first);
  opts.header = false;
  for (const auto& f : split_line(first, opts.delimiter)) {
    const std::string t = trim(f);
    char* end = nullptr;
    std::strtod(t.c_str(), &end);
    if (!t.empty() && end != t.c_str() + t.size() && t != "NA" && t != "nan") {
      opts.header = true;
    }
  }
  return read_csv_matrix(path, opts);
}

}  // namespace

at::Tensor read_csv_matrix(const fs::path& path, const CsvOptions& options,
                           std::vector<std::string>* column_names) {
  std::ifstream in(path);
  DATAOPT_CHECK(in.is_open(), "cannot open ", path, ": ",
                fs::exists(path) ? "permission denied" : "no such file");
  std::string line;
  size_t line_no = 0;
  size_t n_cols = 0;
  if (options.header) {
    DATAOPT_CHECK(std::getline(in, line), path.string(), ": empty file");
    ++line_no;
    auto names = split_line(line, options.delimiter);
    for (auto& n : names) n = trim(n);
    n_cols = names.size();
    if (column_names) *column_names = names;
  }
  std::vector<float> values;
  size_t n_rows = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (trim(line).empty()) continue;
    const auto fields = split_line(line, options.delimiter);
    if (n_cols == 0) n_cols = fields.size();
    DATAOPT_CHECK(fields.size() == n_cols, path.string(), ":", line_no,
                  ": expected ", n_cols, " fields, got ", fields.size());
    for (size_t c = 0; c < fields.size(); ++c) {
      const std::string t = trim(fields[c]);
      if (t.empty() || t == "NA" || t == "nan" || t == "NaN") {
        values.push_back(std::numeric_limits<float>::quiet_NaN());
        continue;
      }
      char* end = nullptr;
      errno = 0;
      const double v = std::strtod(t.c_str(), &end);
      DATAOPT_CHECK(end == t.c_str() + t.size(), path.string(), ":", line_no,
                    ": column ", c + 1, ": expected a number, got '", t, "'");
      values.push_back(static_cast<float>(v));
    }
    ++n_rows;
  }
  at::Tensor out = torch::empty({static_cast<int64_t>(n_rows),
                                 static_cast<int64_t>(n_cols)},
                                torch::kFloat);
  if (!values.empty()) {
    std::memcpy(out.data_ptr<float>(), values.data(),
                values.size() * sizeof(float));
  }
  return out;
}

FeatureTable load_feature_file(const fs::path& features,
                               const fs::path& labels) {
  FeatureTable t;
  at::Tensor x = load_any(features);
  if (x.dim() == 1) x = x.unsqueeze(1);
  DATAOPT_CHECK(x.dim() == 2, features.string(),
                ": features must be [N, D], got ", shape_str(x));
  t.features = x.to(torch::kFloat);
  check_finite(t.features, features.string());
  at::Tensor y = load_any(labels);
  if (y.dim() == 2 && y.size(1) == 1) y = y.squeeze(1);
  DATAOPT_CHECK(y.dim() == 1, labels.string(),
                ": labels must be one column [N], got ", shape_str(y));
  DATAOPT_CHECK(y.size(0) == x.size(0), labels.string(), " has ", y.size(0),
                " labels but ", features.string(), " has ", x.size(0), " rows");
  if (y.is_floating_point()) {
    check_finite(y, labels.string());
    DATAOPT_CHECK(torch::equal(y, y.round()), labels.string(),
                  ": labels must be integers");
  }
  t.labels = y.to(torch::kLong);
  if (t.labels.numel() > 0) {
    DATAOPT_CHECK(t.labels.min().item<int64_t>() >= 0, labels.string(),
                  ": labels must be >= 0");
  }
  return t;
}

}  // namespace dataopt::data
