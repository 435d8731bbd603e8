#include "dataopt/data/dataset_file.h"

#include <torch/torch.h>

#include <sstream>

#include "dataopt/core/check.h"
#include "dataopt/core/safetensors.h"
#include "dataopt/core/tensor_check.h"

namespace dataopt::data {
namespace fs = std::filesystem;

namespace {

at::Tensor read_images(const TensorFile& f, const fs::path& path, const std::string& name) {
  DATAOPT_CHECK(f.contains(name), path.string(), ": no tensor '", name,
                "' (a data file holds train_images, train_labels, test_images, test_labels)");
  const at::Tensor& t = f.get(name);
  DATAOPT_CHECK(t.dim() == 4 && t.size(0) > 0 && (t.size(1) == 1 || t.size(1) == 3), path.string(),
                ": '", name, "' must be [N, C, H, W] with C = 1 or 3, got ", shape_str(t));
  if (t.scalar_type() == torch::kByte) return t.to(torch::kFloat).div_(255);
  DATAOPT_CHECK(t.is_floating_point(), path.string(), ": '", name,
                "' must be uint8 or floating point, got ", t.scalar_type());
  at::Tensor x = t.to(torch::kFloat);
  DATAOPT_CHECK(torch::isfinite(x).all().item<bool>(), path.string(), ": '", name,
                "' holds NaN or infinite pixels");
  DATAOPT_CHECK(x.min().item<float>() >= 0.0f && x.max().item<float>() <= 1.0f, path.string(),
                ": '", name, "' float pixels must lie in [0, 1]");
  return x;
}

at::Tensor read_labels(const TensorFile& f, const fs::path& path, const std::string& name,
                       int64_t n) {
  DATAOPT_CHECK(f.contains(name), path.string(), ": no tensor '", name, "'");
  const at::Tensor& t = f.get(name);
  DATAOPT_CHECK(t.dim() == 1 && t.size(0) == n, path.string(), ": '", name, "' must be [", n,
                "] (one label per image), got ", shape_str(t));
  DATAOPT_CHECK(!t.is_floating_point() && t.scalar_type() != torch::kBool, path.string(), ": '",
                name, "' must hold integers, got ", t.scalar_type());
  at::Tensor y = t.to(torch::kLong);
  DATAOPT_CHECK(y.min().item<int64_t>() >= 0, path.string(), ": '", name,
                "' holds negative labels");
  return y;
}

std::vector<std::string> split_names(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(item);
  return out;
}

}  // namespace

DatasetSplits load_dataset_file(const fs::path& path) {
  DATAOPT_CHECK(fs::exists(path), path.string(), ": data file not found");
  const TensorFile f = read_safetensors(path);
  DatasetSplits s;
  s.train.images = read_images(f, path, "train_images");
  s.test.images = read_images(f, path, "test_images");
  s.train.labels = read_labels(f, path, "train_labels", s.train.images.size(0));
  s.test.labels = read_labels(f, path, "test_labels", s.test.images.size(0));
  DATAOPT_CHECK(s.train.images.sizes().slice(1) == s.test.images.sizes().slice(1), path.string(),
                ": train images ", shape_str(s.train.images), " and test images ",
                shape_str(s.test.images), " differ in channels or size");
  const int64_t k = std::max(s.train.labels.max().item<int64_t>(),
                             s.test.labels.max().item<int64_t>()) + 1;
  std::vector<std::string> names;
  if (auto it = f.metadata.find("class_names"); it != f.metadata.end()) {
    names = split_names(it->second);
    DATAOPT_CHECK(static_cast<int64_t>(names.size()) >= k, path.string(), ": ", names.size(),
                  " class names in its metadata, but labels go up to ", k - 1);
  } else {
    names = numbered_class_names(k);
  }
  s.train.class_names = s.test.class_names = names;
  s.train.name = s.test.name = path.string();
  s.train.validate();
  s.test.validate();
  return s;
}

void save_dataset_file(const fs::path& path, const DatasetSplits& splits) {
  TensorFile f;
  auto bytes = [](const at::Tensor& x) { return x.mul(255).round_().clamp_(0, 255).to(torch::kByte); };
  f.add("train_images", bytes(splits.train.images));
  f.add("train_labels", splits.train.labels.to(torch::kLong));
  f.add("test_images", bytes(splits.test.images));
  f.add("test_labels", splits.test.labels.to(torch::kLong));
  std::string names;
  for (size_t i = 0; i < splits.train.class_names.size(); ++i) {
    names += (i ? "," : "") + splits.train.class_names[i];
  }
  f.metadata["class_names"] = names;
  write_safetensors(path, f);
}

}  // namespace dataopt::data
