#pragma once
/// \file
/// PrincipalCircle (the best-fitting circle on the sphere), GenerateCircle
/// and PGA (principal geodesic analysis), as the spherepc R package runs them.
///
///   auto c = spherepc::principal_circle(points);          // centre, radius
///   auto ring = spherepc::generate_circle(c.center, c.radius, 77);

#include <cstdint>
#include <span>
#include <vector>

#include "dataopt/spherepc/sphere.h"

namespace dataopt::spherepc {

struct PrincipalCircleOptions {
  /// Gradient step (the package recommends below 0.01).
  double step_size = 1e-3;
  /// Stop when the norm of the update is at most this.
  double thres = 1e-5;
  /// At most this many gradient steps.
  int64_t maxit = 10000;
  /// Threads for n >= 4096 points (0 = all cores); results do not depend on it.
  int threads = 0;

  void validate() const;
};

struct Circle {
  /// Centre (degrees).
  LonLat center;
  /// Radius in radians (pi/2 = a great circle).
  double radius = 0;
  int64_t iterations = 0;
  bool converged = false;
};

/// PrincipalCircle: gradient descent on (centre, radius) from the intrinsic
/// mean and radius pi/2, with the package's pi/180 factor on the centre's
/// gradient kept for parity. Throws when the radius leaves [0, pi]
/// ("step_size should be lowered"). The gradient is a sum over the points, not
/// a mean, so large data sets need a smaller step (about 0.2 / n).
Circle principal_circle(std::span<const LonLat> points, const PrincipalCircleOptions& options = {});

/// GenerateCircle: T points of the circle, in order, starting at longitude 0
/// of the frame rotated to the centre.
std::vector<LonLat> generate_circle(LonLat center, double radius, int64_t T = 1000);

struct PgaResult {
  /// The intrinsic mean.
  LonLat mean;
  /// Unit principal direction in the tangent plane at the mean (rotated to
  /// the north pole).
  Vec2 direction{0, 0};
  /// The principal geodesic: mean, mean + 90°, antipode, antipode + 90°,
  /// mean (5 vertices of a great circle).
  std::vector<LonLat> vertices;
  /// The same densified every 10 km (the package's `line`).
  std::vector<LonLat> line;
};

/// PGA: leading eigenvector of sum y y^T with y = Log(Rotate(mean, x)).
PgaResult pga(std::span<const LonLat> points);

}  // namespace dataopt::spherepc
