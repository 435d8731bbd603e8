#include "dataopt/spherepc/lpg.h"

#include <Eigen/Dense>

#include <chrono>
#include <cmath>
#include <random>

#include "dataopt/core/check.h"
#include "dataopt/spherepc/means.h"

namespace dataopt::spherepc {
namespace {

// Kernel-weighted statistics of the data within the scale of a point, in
// the tangent plane at that point (rotated to the north pole).
struct Local {
  Eigen::Vector2d cohesive = Eigen::Vector2d::Zero();
  Eigen::Matrix2d scatter = Eigen::Matrix2d::Zero();
  Eigen::Vector2d sum = Eigen::Vector2d::Zero();
  double kernel_sum = 0;
  int64_t count = 0;
};

Local local_stats(LonLat at, const std::vector<LonLat>& data, const LpgOptions& o) {
  Local s;
  for (const LonLat& x : data) {
    const double d = distance(at, x, o.geometry);
    if (!(d < o.scale)) continue;
    const Vec2 t = log_map(rotate(at, x));
    const Eigen::Vector2d v(t[0], t[1]);
    const double k = kernel_weight(o.kernel, d / o.scale);
    s.cohesive += k * v;
    s.scatter += k * v * v.transpose();
    s.sum += v;
    s.kernel_sum += k;
    ++s.count;
  }
  return s;
}

Eigen::Vector2d leading_eigenvector(const Eigen::Matrix2d& m) {
  const Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d> eig(m);
  return eig.eigenvectors().col(1);
}

Eigen::Vector2d unit_or_zero(const Eigen::Vector2d& v) {
  const double n = v.norm();
  return n > 0 ? Eigen::Vector2d(v / n) : Eigen::Vector2d::Zero();
}

LonLat step_from(LonLat at, const Eigen::Vector2d& direction, double tau) {
  return to_lonlat(rotate_inv(at, to_lonlat(exp_map({tau * direction(0), tau * direction(1)}))));
}

// Walks from start (already one step taken to `second`) while data remain
// near; returns start, second, ... as the package's X (or Y) rows.
std::vector<LonLat> walk(LonLat start, LonLat second, Eigen::Vector2d direction,
                         const std::vector<LonLat>& data, const LpgOptions& o, double tau) {
  std::vector<LonLat> path{start, second};
  for (int64_t j = 2;; ++j) {
    const LonLat at = path.back();
    const Local s = local_stats(at, data, o);
    if (j > o.maxpt || s.count == 0) break;
    const Eigen::Vector2d center = s.sum / static_cast<double>(s.count);
    const Eigen::Matrix2d cov = s.scatter / s.kernel_sum - center * center.transpose();
    const Eigen::Vector2d eig = leading_eigenvector(cov);
    const Eigen::Vector2d cohesive = unit_or_zero(s.cohesive);
    // Keep the sign of the previous direction.
    const Eigen::Vector2d force =
        direction.dot(eig) >= 0 ? Eigen::Vector2d(cohesive * o.nu + eig)
                                : Eigen::Vector2d(cohesive * o.nu - eig);
    direction = force / force.norm();
    path.push_back(step_from(at, direction, tau));
  }
  return path;
}

}  // namespace

void LpgOptions::validate() const {
  DATAOPT_CHECK(scale > 0 && scale < kPi, "scale must be in (0, pi), got ", scale);
  DATAOPT_CHECK(tau >= 0, "tau must be >= 0 (0 = scale / 3), got ", tau);
  DATAOPT_CHECK(nu >= 0, "nu must be >= 0, got ", nu);
  DATAOPT_CHECK(maxpt >= 1 && maxpt <= 9999, "maxpt must be in [1, 9999], got ", maxpt);
  DATAOPT_CHECK(thres > 0, "thres must be > 0, got ", thres);
}

LpgResult lpg(std::span<const LonLat> points, const LpgOptions& o) {
  o.validate();
  const auto t0 = std::chrono::steady_clock::now();
  DATAOPT_CHECK(!points.empty(), "lpg: no points");
  const double tau = o.tau > 0 ? o.tau : o.scale / 3;
  std::mt19937_64 rng(o.seed);
  std::vector<LonLat> data(points.begin(), points.end());
  std::vector<LonLat> all_curves;  // every curve's points, one polyline (as the package)
  LpgResult r;
  while (!data.empty()) {
    const size_t pick = std::uniform_int_distribution<size_t>(0, data.size() - 1)(rng);
    std::vector<LonLat> near;
    for (const LonLat& x : data) {
      if (distance(data[pick], x, o.geometry) < o.scale) near.push_back(x);
    }
    const LonLat x1 = intrinsic_mean(near, {}, o.thres);
    const Local s = local_stats(x1, data, o);
    std::vector<LonLat> curve;
    if (s.count == 0) {
      curve = {x1};
      all_curves.push_back(x1);
      data.erase(data.begin() + static_cast<std::ptrdiff_t>(pick));
    } else {
      const Eigen::Vector2d eig = leading_eigenvector(s.scatter / s.kernel_sum);
      Eigen::Vector2d force = unit_or_zero(s.cohesive) * o.nu + eig;
      force /= force.norm();
      const std::vector<LonLat> forward = walk(x1, step_from(x1, force, tau), force, data, o, tau);
      const std::vector<LonLat> backward =
          walk(x1, step_from(x1, -force, tau), -force, data, o, tau);
      curve.assign(backward.rbegin(), backward.rend());
      curve.insert(curve.end(), forward.begin(), forward.end());
      all_curves.insert(all_curves.end(), curve.begin(), curve.end());
      const auto proj = project_to_polyline(data, all_curves, o.geometry);
      std::vector<LonLat> rest;
      for (size_t i = 0; i < data.size(); ++i) {
        if (proj[i].distance > o.scale) rest.push_back(data[i]);
      }
      // Guard the package lacks: if nothing was removed, drop the start datum
      // so the loop always ends.
      if (rest.size() == data.size()) rest.erase(rest.begin() + static_cast<std::ptrdiff_t>(pick));
      data = std::move(rest);
    }
    const auto dense = curve.size() > 1 ? densify(curve, false) : curve;
    r.line.insert(r.line.end(), dense.begin(), dense.end());
    r.curves.push_back(std::move(curve));
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace dataopt::spherepc
