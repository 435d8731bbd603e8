#pragma once
/// \file
/// Shape, dtype and finiteness checks for tensors at public entry points.
/// Each throws dataopt::Error naming the argument and expected vs got.

#include <cstdint>
#include <string>
#include <vector>

#include "dataopt/core/tensor_fwd.h"

namespace dataopt {

/// Checks t.sizes() against `expected`; -1 matches any size.
///   check_shape(feats, {-1, d}, "features");
void check_shape(const at::Tensor& t, const std::vector<int64_t>& expected,
                 const std::string& name);

/// Checks that t is defined and of the given scalar type.
void check_dtype(const at::Tensor& t, at::ScalarType dtype,
                 const std::string& name);

/// Checks that a floating-point tensor holds no NaN or Inf.
void check_finite(const at::Tensor& t, const std::string& name);

/// Shape as "[2, 3, 4]".
std::string shape_str(const at::Tensor& t);

}  // namespace dataopt
