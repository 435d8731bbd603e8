// Stored synthetic images, their multi-formation decoding and initialisation
// (IDC condense.py, Synthesizer: decode_zoom, init), and their file format.

#include "dataopt/condense/synthetic_set.h"

#include <torch/torch.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "dataopt/core/check.h"
#include "dataopt/core/rng.h"
#include "dataopt/core/safetensors.h"
#include "dataopt/core/tensor_check.h"

namespace dataopt::condense {
namespace F = torch::nn::functional;

InitKind parse_init_kind(const std::string& text) {
  if (text == "auto") return InitKind::kAuto;
  if (text == "real") return InitKind::kReal;
  if (text == "mix") return InitKind::kMix;
  if (text == "noise") return InitKind::kNoise;
  DATAOPT_CHECK(false, "init '" + text + "': expected auto, real, mix or noise");
}

std::string to_string(InitKind kind) {
  switch (kind) {
    case InitKind::kAuto: return "auto";
    case InitKind::kReal: return "real";
    case InitKind::kMix: return "mix";
    case InitKind::kNoise: return "noise";
  }
  return "?";
}

at::Tensor decode_zoom(const at::Tensor& images, int64_t factor) {
  DATAOPT_CHECK(images.dim() == 4, "decode_zoom: images must be [N, C, H, W], got ",
                shape_str(images));
  DATAOPT_CHECK(factor >= 1, "decode_zoom: factor must be >= 1, got ", factor);
  if (factor == 1) return images;
  const int64_t h = images.size(2), w = images.size(3);
  at::Tensor x = images;
  // The official code pads by the height's remainder on both axes (square images).
  const int64_t rem = h % factor;
  if (rem > 0) x = F::pad(x, F::PadFuncOptions({0, factor - rem, 0, factor - rem}).value(0.5));
  const int64_t s = (h + factor - 1) / factor;
  std::vector<at::Tensor> crops;
  crops.reserve(static_cast<size_t>(factor * factor));
  for (int64_t i = 0; i < factor; ++i) {
    for (int64_t j = 0; j < factor; ++j) {
      crops.push_back(x.slice(2, i * s, i * s + s).slice(3, j * s, j * s + s));
    }
  }
  return F::interpolate(torch::cat(crops),
                        F::InterpolateFuncOptions()
                            .size(std::vector<int64_t>{h, w})
                            .mode(torch::kBilinear)
                            .align_corners(false));
}

at::Tensor decode_labels(const at::Tensor& labels, int64_t factor) {
  return labels.repeat({factor * factor});
}

at::Tensor mix_init(const at::Tensor& real, int64_t ipc, int64_t factor) {
  DATAOPT_CHECK(real.dim() == 4 && real.size(0) == ipc * factor * factor,
                "mix_init: expected ", ipc * factor * factor, " images, got ", shape_str(real));
  const int64_t h = real.size(2), w = real.size(3);
  at::Tensor out = torch::empty({ipc, real.size(1), h, w}, real.options());
  // Cell sizes as the official code: the first h % factor rows/columns of
  // cells are one pixel larger.
  const int64_t s = h / factor, rem = h % factor;
  int64_t k = 0, top = 0;
  for (int64_t i = 0; i < factor; ++i) {
    const int64_t hr = i < rem ? s + 1 : s;
    int64_t left = 0;
    for (int64_t j = 0; j < factor; ++j) {
      const int64_t wr = j < rem ? s + 1 : s;
      const at::Tensor part =
          F::interpolate(real.slice(0, k * ipc, (k + 1) * ipc),
                         F::InterpolateFuncOptions()
                             .size(std::vector<int64_t>{hr, wr})
                             .mode(torch::kNearest));
      out.slice(2, top, top + hr).slice(3, left, left + wr).copy_(part);
      left += wr;
      ++k;
    }
    top += hr;
  }
  (void)w;
  return out;
}

data::Dataset SyntheticSet::decode() const {
  validate();
  const int64_t k = num_classes();
  std::vector<at::Tensor> xs, ys;
  for (int64_t c = 0; c < k; ++c) {
    xs.push_back(decode_zoom(images.slice(0, c * ipc, (c + 1) * ipc), factor));
    ys.push_back(decode_labels(labels.slice(0, c * ipc, (c + 1) * ipc), factor));
  }
  data::Dataset d;
  d.images = torch::cat(xs).contiguous();
  d.labels = torch::cat(ys).contiguous();
  d.class_names = class_names;
  d.name = "synthetic";
  return d;
}

int64_t SyntheticSet::stored_values() const { return images.defined() ? images.numel() : 0; }

void SyntheticSet::validate() const {
  DATAOPT_CHECK(ipc >= 1, "synthetic set: ipc must be >= 1, got ", ipc);
  DATAOPT_CHECK(factor >= 1, "synthetic set: factor must be >= 1, got ", factor);
  DATAOPT_CHECK(num_classes() >= 1, "synthetic set: no classes");
  DATAOPT_CHECK(images.defined() && images.dim() == 4 &&
                    images.size(0) == ipc * num_classes(),
                "synthetic set: images must be [", ipc * num_classes(),
                ", C, H, W] (ipc x classes), got ",
                images.defined() ? shape_str(images) : std::string("nothing"));
  check_dtype(images, torch::kFloat32, "synthetic images");
  check_finite(images, "synthetic images");
  DATAOPT_CHECK(labels.defined() && labels.dim() == 1 && labels.size(0) == images.size(0),
                "synthetic set: labels must be [", images.size(0), "]");
  const at::Tensor expected = torch::arange(num_classes(), labels.options())
                                  .repeat_interleave(ipc);
  DATAOPT_CHECK(torch::equal(labels.cpu(), expected.cpu()),
                "synthetic set: labels must be class-major (ipc copies of 0, then 1, ...)");
}

namespace {

// The first n training indices of class c, in data-set order.
at::Tensor first_of_class(const data::Dataset& train, int64_t c, int64_t n) {
  const at::Tensor idx = (train.labels == c).nonzero().flatten();
  DATAOPT_CHECK(idx.size(0) >= n, "class ", c, " (", train.class_names.at(c), ") has ",
                idx.size(0), " training images; the initialisation needs ", n);
  return idx.slice(0, 0, n);
}

SyntheticSet empty_set(const data::Dataset& train, int64_t ipc, int64_t factor) {
  SyntheticSet s;
  s.ipc = ipc;
  s.factor = factor;
  s.class_names = train.class_names;
  s.labels = torch::arange(train.num_classes(), torch::kInt64).repeat_interleave(ipc);
  return s;
}

}  // namespace

SyntheticSet init_synthetic(const data::Dataset& train, const InitOptions& o) {
  train.validate();
  DATAOPT_CHECK(o.ipc >= 1, "--ipc must be >= 1, got ", o.ipc);
  DATAOPT_CHECK(o.factor >= 1 && o.factor <= train.height(), "--factor must be in [1, ",
                train.height(), "], got ", o.factor);
  InitKind kind = o.init;
  if (kind == InitKind::kAuto) kind = o.factor > 1 ? InitKind::kMix : InitKind::kReal;
  SyntheticSet s = empty_set(train, o.ipc, o.factor);
  const int64_t k = train.num_classes();
  std::vector<at::Tensor> parts;
  for (int64_t c = 0; c < k; ++c) {
    if (kind == InitKind::kReal) {
      parts.push_back(train.images.index_select(0, first_of_class(train, c, o.ipc)));
    } else if (kind == InitKind::kMix) {
      const int64_t n = o.ipc * o.factor * o.factor;
      parts.push_back(
          mix_init(train.images.index_select(0, first_of_class(train, c, n)), o.ipc, o.factor));
    }
  }
  if (kind == InitKind::kNoise) {
    at::Generator gen = make_generator(o.seed);
    s.images = torch::clamp(
        torch::randn({o.ipc * k, train.channels(), train.height(), train.width()}, gen) / 4 + 0.5,
        0.0, 1.0);
  } else {
    s.images = torch::cat(parts).contiguous();
  }
  s.metadata["init"] = to_string(kind);
  return s;
}

SyntheticSet synthetic_from_indices(const data::Dataset& train, const at::Tensor& indices,
                                    int64_t ipc) {
  DATAOPT_CHECK(indices.dim() == 1 && indices.size(0) == ipc * train.num_classes(),
                "synthetic_from_indices: expected ", ipc * train.num_classes(), " indices, got ",
                shape_str(indices));
  SyntheticSet s = empty_set(train, ipc, 1);
  s.images = train.images.index_select(0, indices).contiguous();
  DATAOPT_CHECK(torch::equal(train.labels.index_select(0, indices), s.labels),
                "synthetic_from_indices: indices must be grouped by class, ipc per class");
  return s;
}

void save_synthetic(const std::filesystem::path& path, const SyntheticSet& set) {
  set.validate();
  TensorFile f;
  f.add("images", set.images.cpu().contiguous());
  f.add("labels", set.labels.cpu().contiguous());
  f.metadata = set.metadata;
  f.metadata["format"] = "dataopt.synthetic";
  f.metadata["ipc"] = std::to_string(set.ipc);
  f.metadata["factor"] = std::to_string(set.factor);
  f.metadata["class_names"] = nlohmann::json(set.class_names).dump();
  write_safetensors(path, f);
}

bool is_synthetic_file(const std::filesystem::path& path) {
  try {
    const TensorFile f = read_safetensors(path);
    const auto it = f.metadata.find("format");
    return it != f.metadata.end() && it->second == "dataopt.synthetic";
  } catch (const Error&) {
    return false;
  }
}

SyntheticSet load_synthetic(const std::filesystem::path& path) {
  const TensorFile f = read_safetensors(path);
  const auto meta = [&](const std::string& key) {
    const auto it = f.metadata.find(key);
    DATAOPT_CHECK(it != f.metadata.end(), path.string(),
                  ": not a synthetic set (no '", key, "' in its metadata; expected a file "
                  "written by 'dataopt condense')");
    return it->second;
  };
  DATAOPT_CHECK(meta("format") == "dataopt.synthetic", path.string(),
                ": format '", meta("format"), "', expected dataopt.synthetic");
  SyntheticSet s;
  try {
    s.ipc = std::stoll(meta("ipc"));
    s.factor = std::stoll(meta("factor"));
    s.class_names = nlohmann::json::parse(meta("class_names")).get<std::vector<std::string>>();
  } catch (const std::exception& e) {
    DATAOPT_CHECK(false, path.string() + ": bad synthetic-set metadata (" + e.what() + ")");
  }
  s.images = f.get("images");
  s.labels = f.get("labels");
  for (const auto& [k, v] : f.metadata) {
    if (k != "format" && k != "ipc" && k != "factor" && k != "class_names") s.metadata[k] = v;
  }
  try {
    s.validate();
  } catch (const Error& e) {
    DATAOPT_CHECK(false, path.string() + ": " + e.what());
  }
  return s;
}

}  // namespace dataopt::condense
