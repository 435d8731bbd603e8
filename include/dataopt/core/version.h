#pragma once
/// \file
/// The library version.

namespace dataopt {

inline constexpr const char* kVersion = "0.1.0";

}  // namespace dataopt
