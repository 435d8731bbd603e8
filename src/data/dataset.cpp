#include "dataopt/data/dataset.h"

#include "dataopt/core/check.h"
#include "dataopt/core/tensor_check.h"

namespace dataopt::data {

int64_t Dataset::size() const { return labels.defined() ? labels.size(0) : 0; }
int64_t Dataset::channels() const { return images.size(1); }
int64_t Dataset::height() const { return images.size(2); }
int64_t Dataset::width() const { return images.size(3); }

Dataset Dataset::subset(const at::Tensor& indices) const {
  DATAOPT_CHECK(indices.dim() == 1, "Dataset::subset: indices must be [M], got ",
                shape_str(indices));
  const at::Tensor idx = indices.to(torch::kLong);
  if (idx.numel() > 0) {
    const int64_t lo = idx.min().item<int64_t>();
    const int64_t hi = idx.max().item<int64_t>();
    DATAOPT_CHECK(lo >= 0 && hi < size(), "Dataset::subset: indices must be in [0, ",
                  size(), "), got range [", lo, ", ", hi, "]");
  }
  Dataset out;
  out.images = images.index_select(0, idx);
  out.labels = labels.index_select(0, idx);
  out.class_names = class_names;
  out.name = name;
  return out;
}

Dataset Dataset::head(int64_t n) const {
  DATAOPT_CHECK(n >= 0, "Dataset::head: n must be >= 0, got ", n);
  Dataset out = *this;
  if (n < size()) {
    out.images = images.slice(0, 0, n);
    out.labels = labels.slice(0, 0, n);
  }
  return out;
}

void Dataset::validate() const {
  const std::string what = name.empty() ? "dataset" : name;
  DATAOPT_CHECK(images.defined() && images.dim() == 4, what,
                ": images must be [N, C, H, W], got ", shape_str(images));
  check_dtype(images, at::kFloat, what + " images");
  check_shape(labels, {images.size(0)}, what + " labels");
  check_dtype(labels, at::kLong, what + " labels");
  DATAOPT_CHECK(!class_names.empty(), what, ": no class names");
  if (labels.numel() > 0) {
    const int64_t lo = labels.min().item<int64_t>();
    const int64_t hi = labels.max().item<int64_t>();
    DATAOPT_CHECK(lo >= 0 && hi < num_classes(), what, ": labels must be in [0, ",
                  num_classes(), "), got range [", lo, ", ", hi, "]");
  }
}

std::vector<std::string> numbered_class_names(int64_t n) {
  std::vector<std::string> names;
  for (int64_t i = 0; i < n; ++i) names.push_back(std::to_string(i));
  return names;
}

}  // namespace dataopt::data
