#include "view_data.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "dataopt/core/check.h"
#include "dataopt/core/json_io.h"
#include "dataopt/core/npy.h"
#include "dataopt/core/png.h"
#include "dataopt/core/tensor_check.h"
#include "dataopt/data/dataset.h"

namespace dataopt::cli {
namespace fs = std::filesystem;

namespace {

fs::path required(const fs::path& dir, const std::string& name) {
  const fs::path p = dir / name;
  DATAOPT_CHECK(fs::exists(p), "dataopt view: ", p.string(),
                " is missing (write the directory with 'dataopt audit --out ",
                dir.string(), "')");
  return p;
}

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string f;
  while (std::getline(ss, f, ',')) out.push_back(f);
  return out;
}

// scores.csv: index,given_label,predicted_label[,original_label][,is_noisy],<scores>.
void read_scores_csv(const fs::path& path, ViewData& v) {
  std::ifstream in(path);
  DATAOPT_CHECK(in.is_open(), "dataopt view: cannot open ", path.string());
  std::string line;
  DATAOPT_CHECK(static_cast<bool>(std::getline(in, line)), path.string(), ": empty file");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  const auto header = split_csv(line);
  DATAOPT_CHECK(header.size() >= 3 && header[0] == "index" && header[1] == "given_label" &&
                    header[2] == "predicted_label",
                path.string(), ": expected a header starting 'index,given_label,"
                "predicted_label', got '", line, "'");
  int col_original = -1, col_noisy = -1;
  std::vector<int> score_cols;
  for (size_t c = 3; c < header.size(); ++c) {
    if (header[c] == "original_label") {
      col_original = static_cast<int>(c);
    } else if (header[c] == "is_noisy") {
      col_noisy = static_cast<int>(c);
    } else {
      score_cols.push_back(static_cast<int>(c));
      v.score_names.push_back(header[c]);
    }
  }
  std::vector<int64_t> given, pred, orig, noisy;
  std::vector<float> scores;
  int64_t line_no = 1;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line == "\r") continue;
    const auto f = split_csv(line);
    DATAOPT_CHECK(f.size() == header.size(), path.string(), ":", line_no, ": expected ",
                  header.size(), " fields, got ", f.size());
    DATAOPT_CHECK(std::atoll(f[0].c_str()) == static_cast<int64_t>(given.size()),
                  path.string(), ":", line_no, ": rows must be in index order");
    given.push_back(std::atoll(f[1].c_str()));
    pred.push_back(std::atoll(f[2].c_str()));
    if (col_original >= 0) orig.push_back(std::atoll(f[col_original].c_str()));
    if (col_noisy >= 0) noisy.push_back(std::atoll(f[col_noisy].c_str()));
    for (int c : score_cols) scores.push_back(std::strtof(f[c].c_str(), nullptr));
  }
  v.size = static_cast<int64_t>(given.size());
  DATAOPT_CHECK(v.size > 0, path.string(), ": no rows");
  auto longs = [](const std::vector<int64_t>& x) {
    return torch::tensor(x, torch::kLong);
  };
  v.given = longs(given);
  v.predicted = longs(pred);
  if (col_original >= 0) v.original = longs(orig);
  if (col_noisy >= 0) v.is_noisy = longs(noisy);
  v.scores = torch::from_blob(scores.data(),
                              {v.size, static_cast<int64_t>(score_cols.size())}, torch::kFloat)
                 .clone();
}

at::Tensor read_rows(const fs::path& path, int64_t n, int64_t min_dim) {
  at::Tensor t = read_npy(path);
  DATAOPT_CHECK(t.dim() >= min_dim && t.size(0) == n, "dataopt view: ", path.string(),
                " has shape ", shape_str(t), ", expected ", n, " rows (as scores.csv)");
  return t.contiguous();
}

void append_array(std::string& out, const char* name, const at::Tensor& t, bool ints) {
  out += "\"";
  out += name;
  out += "\":[";
  const at::Tensor c = t.contiguous().to(ints ? torch::kLong : torch::kFloat);
  char buf[32];
  for (int64_t i = 0; i < c.numel(); ++i) {
    if (ints) {
      std::snprintf(buf, sizeof buf, "%s%lld", i ? "," : "",
                    static_cast<long long>(c.data_ptr<int64_t>()[i]));
    } else {
      const float x = c.data_ptr<float>()[i];
      std::snprintf(buf, sizeof buf, std::isfinite(x) ? "%s%.5g" : "%s0", i ? "," : "", x);
    }
    out += buf;
  }
  out += "]";
}

}  // namespace

ViewData load_view_data(const fs::path& dir) {
  DATAOPT_CHECK(fs::is_directory(dir), "dataopt view: ", dir.string(), " is not a directory");
  ViewData v;
  v.dir = dir;
  v.summary = read_json(required(dir, "summary.json"));
  read_scores_csv(required(dir, "scores.csv"), v);
  v.embedding = read_rows(required(dir, "embedding.npy"), v.size, 2).to(torch::kFloat);
  DATAOPT_CHECK(v.embedding.dim() == 2 && v.embedding.size(1) == 2, "dataopt view: ",
                (dir / "embedding.npy").string(), " must be [N, 2], got ",
                shape_str(v.embedding));
  if (fs::exists(dir / "partners_index.npy") && fs::exists(dir / "partners_value.npy")) {
    v.partner_index = read_rows(dir / "partners_index.npy", v.size, 3).to(torch::kLong);
    v.partner_value = read_rows(dir / "partners_value.npy", v.size, 3).to(torch::kFloat);
    DATAOPT_CHECK(v.partner_index.sizes() == v.partner_value.sizes(), "dataopt view: ",
                  "partners_index.npy and partners_value.npy differ in shape");
  }
  if (fs::exists(dir / "images.npy")) {
    v.images = read_rows(dir / "images.npy", v.size, 3);
    DATAOPT_CHECK(v.images.scalar_type() == torch::kByte, "dataopt view: ",
                  (dir / "images.npy").string(), " must be uint8");
  }
  int64_t k = std::max(v.given.max().item<int64_t>(), v.predicted.max().item<int64_t>()) + 1;
  if (fs::exists(dir / "probs.npy")) k = std::max(k, read_npy(dir / "probs.npy").size(1));
  std::vector<std::string> names;
  if (v.summary.contains("viewer") && v.summary["viewer"].contains("class_names")) {
    names = v.summary["viewer"]["class_names"].get<std::vector<std::string>>();
  }
  v.class_names = static_cast<int64_t>(names.size()) >= k ? names : data::numbered_class_names(k);
  return v;
}

nlohmann::json summary_json(const ViewData& v) {
  return {{"dir", v.dir.string()},
          {"size", v.size},
          {"class_names", v.class_names},
          {"scores", v.score_names},
          {"has_images", v.images.defined()},
          {"has_partners", v.partner_index.defined()},
          {"has_truth", v.is_noisy.defined()},
          {"summary", v.summary}};
}

std::string points_json(const ViewData& v) {
  std::string out = "{\"n\":" + std::to_string(v.size) + ",";
  out.reserve(static_cast<size_t>(v.size) * (24 + 10 * v.scores.size(1)));
  append_array(out, "x", v.embedding.select(1, 0), false);
  out += ",";
  append_array(out, "y", v.embedding.select(1, 1), false);
  out += ",";
  append_array(out, "given", v.given, true);
  out += ",";
  append_array(out, "predicted", v.predicted, true);
  if (v.original.defined()) {
    out += ",";
    append_array(out, "original", v.original, true);
  }
  if (v.is_noisy.defined()) {
    out += ",";
    append_array(out, "is_noisy", v.is_noisy, true);
  }
  out += ",\"scores\":{";
  for (size_t s = 0; s < v.score_names.size(); ++s) {
    if (s) out += ",";
    append_array(out, v.score_names[s].c_str(), v.scores.select(1, static_cast<int64_t>(s)),
                 false);
  }
  out += "}}";
  return out;
}

nlohmann::json example_json(const ViewData& v, int64_t i) {
  DATAOPT_CHECK(i >= 0 && i < v.size, "example ", i, " is out of range [0, ", v.size, ")");
  auto label = [&](const at::Tensor& t, int64_t j) { return t[j].item<int64_t>(); };
  nlohmann::json j = {{"index", i},
                      {"given", label(v.given, i)},
                      {"predicted", label(v.predicted, i)},
                      {"x", v.embedding[i][0].item<float>()},
                      {"y", v.embedding[i][1].item<float>()},
                      {"has_image", v.images.defined()}};
  if (v.original.defined()) j["original"] = label(v.original, i);
  if (v.is_noisy.defined()) j["is_noisy"] = label(v.is_noisy, i);
  nlohmann::json scores = nlohmann::json::object();
  for (size_t s = 0; s < v.score_names.size(); ++s) {
    scores[v.score_names[s]] = v.scores[i][static_cast<int64_t>(s)].item<float>();
  }
  j["scores"] = scores;
  const char* kinds[2] = {"complementary", "conflicting"};
  for (int kind = 0; kind < 2; ++kind) {
    nlohmann::json list = nlohmann::json::array();
    if (v.partner_index.defined()) {
      const at::Tensor idx = v.partner_index[i][kind];
      const at::Tensor val = v.partner_value[i][kind];
      for (int64_t r = 0; r < idx.size(0); ++r) {
        const int64_t p = idx[r].item<int64_t>();
        if (p < 0 || p >= v.size || p == i) continue;  // the self-edge is no partner
        list.push_back({{"index", p},
                        {"value", val[r].item<float>()},
                        {"given", label(v.given, p)},
                        {"predicted", label(v.predicted, p)}});
      }
    }
    j[kinds[kind]] = list;
  }
  return j;
}

std::string thumbnail_png(const ViewData& v, int64_t i, int64_t scale) {
  DATAOPT_CHECK(v.images.defined(), "this audit directory has no images.npy");
  DATAOPT_CHECK(i >= 0 && i < v.size, "image ", i, " is out of range [0, ", v.size, ")");
  DATAOPT_CHECK(scale >= 1 && scale <= 16, "scale must be in [1, 16], got ", scale);
  at::Tensor img = v.images[i];  // [H, W] or [C, H, W]
  if (img.dim() == 3) {
    img = img.size(0) == 1 ? img[0] : img.narrow(0, 0, std::min<int64_t>(3, img.size(0)))
                                          .permute({1, 2, 0});
    if (img.dim() == 3 && img.size(2) != 3) img = img.select(2, 0);
  }
  img = img.repeat_interleave(scale, 0).repeat_interleave(scale, 1).contiguous();
  return encode_png(img);
}

}  // namespace dataopt::cli
