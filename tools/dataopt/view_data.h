#pragma once
// What `dataopt view` serves, read once from an audit directory: labels,
// scores, the 2D map, partners and thumbnails, plus the JSON and PNG
// renderings the page asks for.

#include <torch/torch.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace dataopt::cli {

struct ViewData {
  std::filesystem::path dir;
  int64_t size = 0;
  std::vector<std::string> class_names;
  at::Tensor given, predicted;  // [N] int64
  at::Tensor original;          // [N] int64, if the audit injected noise
  at::Tensor is_noisy;          // [N] int64 0/1, if known
  std::vector<std::string> score_names;
  at::Tensor scores;                        // [N, S] float32
  at::Tensor embedding;                     // [N, 2] float32
  at::Tensor partner_index, partner_value;  // [N, 2, k] (complementary, conflicting)
  at::Tensor images;                        // uint8 [N, H, W] or [N, C, H, W]
  nlohmann::json summary;

  int64_t num_classes() const { return static_cast<int64_t>(class_names.size()); }
};

/// Reads DIR/{scores.csv, summary.json, embedding.npy} (required) and
/// DIR/{partners_index.npy, partners_value.npy, images.npy, probs.npy}
/// (optional). A missing or inconsistent file throws dataopt::Error naming it.
ViewData load_view_data(const std::filesystem::path& dir);

/// Settings, class names, score names and what is available.
nlohmann::json summary_json(const ViewData& v);

/// All points as compact JSON: x, y, given, predicted, [original, is_noisy],
/// and one array per score.
std::string points_json(const ViewData& v);

/// One example: labels, scores, partners (with their labels and values).
nlohmann::json example_json(const ViewData& v, int64_t index);

/// The example's image as PNG, each pixel repeated `scale` times.
std::string thumbnail_png(const ViewData& v, int64_t index, int64_t scale);

}  // namespace dataopt::cli
