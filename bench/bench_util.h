#pragma once
// Small helpers shared by the end-to-end benchmark programs.

#include <algorithm>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

namespace dataopt::bench {

/// Median of the measurements (mean of the middle two for an even count).
inline double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/// "1,2,4" -> {1, 2, 4}.
inline std::vector<int64_t> parse_int_list(const std::string& text) {
  std::vector<int64_t> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) out.push_back(std::stoll(item));
  return out;
}

}  // namespace dataopt::bench
