#pragma once
// A uniform 3-D grid over unit vectors: radius queries in chord distance.
// Entries are sorted by cell so a query touches contiguous runs; when a
// query's cube would cover more cells than there are entries it scans all.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "dataopt/spherepc/sphere.h"

namespace dataopt::spherepc::detail {

class SphereGrid {
 public:
  // `cell`: edge of a grid cell in chord units (0 < cell <= 2).
  SphereGrid(const std::vector<Vec3>& points, const std::vector<int64_t>& ids, double cell)
      : cell_(cell) {
    const size_t n = points.size();
    std::vector<std::pair<uint64_t, size_t>> keyed(n);
    for (size_t i = 0; i < n; ++i) keyed[i] = {key_of(points[i]), i};
    std::sort(keyed.begin(), keyed.end());
    points_.reserve(n);
    ids_.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      const auto [k, src] = keyed[i];
      if (i == 0 || k != keyed[i - 1].first) runs_[k] = {i, i};
      runs_[k].second = i + 1;
      points_.push_back(points[src]);
      ids_.push_back(ids[src]);
    }
  }

  size_t size() const { return points_.size(); }

  // Calls f(id, point) for every entry within `chord` of q (and possibly a
  // few beyond: callers check exact distances).
  template <class F>
  void for_each_near(const Vec3& q, double chord, F&& f) const {
    const int64_t lo[3] = {cell_index(q[0] - chord), cell_index(q[1] - chord),
                           cell_index(q[2] - chord)};
    const int64_t hi[3] = {cell_index(q[0] + chord), cell_index(q[1] + chord),
                           cell_index(q[2] + chord)};
    const double cells = static_cast<double>(hi[0] - lo[0] + 1) *
                         static_cast<double>(hi[1] - lo[1] + 1) *
                         static_cast<double>(hi[2] - lo[2] + 1);
    if (cells > static_cast<double>(points_.size()) || cells > static_cast<double>(runs_.size()) * 4) {
      for (size_t i = 0; i < points_.size(); ++i) f(ids_[i], points_[i]);
      return;
    }
    for (int64_t x = lo[0]; x <= hi[0]; ++x) {
      for (int64_t y = lo[1]; y <= hi[1]; ++y) {
        for (int64_t z = lo[2]; z <= hi[2]; ++z) {
          const auto it = runs_.find(pack(x, y, z));
          if (it == runs_.end()) continue;
          for (size_t i = it->second.first; i < it->second.second; ++i) f(ids_[i], points_[i]);
        }
      }
    }
  }

 private:
  int64_t cell_index(double v) const {
    return static_cast<int64_t>(std::floor((std::clamp(v, -1.0, 1.0) + 1.0) / cell_));
  }
  static uint64_t pack(int64_t x, int64_t y, int64_t z) {
    return (static_cast<uint64_t>(x) << 42) | (static_cast<uint64_t>(y) << 21) |
           static_cast<uint64_t>(z);
  }
  uint64_t key_of(const Vec3& p) const {
    return pack(cell_index(p[0]), cell_index(p[1]), cell_index(p[2]));
  }

  double cell_;
  std::vector<Vec3> points_;
  std::vector<int64_t> ids_;
  std::unordered_map<uint64_t, std::pair<size_t, size_t>> runs_;
};

// Chord length of an angle (radians), for angles >= pi the diameter 2.
inline double chord_of(double angle) {
  return angle >= 3.14159265358979323846 ? 2.0 : 2.0 * std::sin(0.5 * angle);
}

// A cell edge that gives about `per_cell` of n points spread over the sphere.
inline double cell_for(size_t n, double per_cell = 4.0) {
  const double c = std::sqrt(4.0 * 3.14159265358979323846 * per_cell / std::max<size_t>(n, 1));
  return std::clamp(c, 1e-4, 2.0);
}

}  // namespace dataopt::spherepc::detail
