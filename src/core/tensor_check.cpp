#include "dataopt/core/tensor_check.h"

#include "dataopt/core/check.h"

namespace dataopt {

std::string shape_str(const at::Tensor& t) {
  if (!t.defined()) return "(undefined)";
  std::ostringstream out;
  out << "[";
  for (int64_t i = 0; i < t.dim(); ++i) {
    if (i > 0) out << ", ";
    out << t.size(i);
  }
  out << "]";
  return out.str();
}

void check_shape(const at::Tensor& t, const std::vector<int64_t>& expected,
                 const std::string& name) {
  std::ostringstream want;
  want << "[";
  for (size_t i = 0; i < expected.size(); ++i) {
    if (i > 0) want << ", ";
    if (expected[i] < 0) {
      want << "*";
    } else {
      want << expected[i];
    }
  }
  want << "]";
  DATAOPT_CHECK(t.defined(), name, ": expected a tensor of shape ", want.str(),
                ", got an undefined tensor");
  bool ok = t.dim() == static_cast<int64_t>(expected.size());
  for (size_t i = 0; ok && i < expected.size(); ++i) {
    if (expected[i] >= 0 && t.size(static_cast<int64_t>(i)) != expected[i]) {
      ok = false;
    }
  }
  DATAOPT_CHECK(ok, name, ": expected shape ", want.str(), ", got ",
                shape_str(t));
}

void check_dtype(const at::Tensor& t, at::ScalarType dtype,
                 const std::string& name) {
  DATAOPT_CHECK(t.defined(), name, ": expected a ", c10::toString(dtype),
                " tensor, got an undefined tensor");
  DATAOPT_CHECK(t.scalar_type() == dtype, name, ": expected dtype ",
                c10::toString(dtype), ", got ",
                c10::toString(t.scalar_type()));
}

void check_finite(const at::Tensor& t, const std::string& name) {
  if (!t.defined() || !t.is_floating_point() || t.numel() == 0) return;
  const auto bad = (~torch::isfinite(t)).sum().item<int64_t>();
  DATAOPT_CHECK(bad == 0, name, ": expected finite values, found ", bad,
                " NaN/Inf of ", t.numel());
}

}  // namespace dataopt
