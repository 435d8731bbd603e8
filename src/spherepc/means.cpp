#include "dataopt/spherepc/means.h"

#include <cmath>
#include <vector>

#include "dataopt/core/check.h"

namespace dataopt::spherepc {
namespace {

// Normalised weights (1/n each for an empty span).
std::vector<double> normalised(std::span<const double> weights, size_t n, const char* who) {
  std::vector<double> w(n, 1.0);
  if (!weights.empty()) {
    DATAOPT_CHECK(weights.size() == n, who, ": ", weights.size(), " weights for ", n, " points");
    w.assign(weights.begin(), weights.end());
  }
  double sq = 0, sum = 0;
  for (double x : w) {
    DATAOPT_CHECK(std::isfinite(x), who, ": weights must be finite");
    sq += x * x;
    sum += x;
  }
  DATAOPT_CHECK(std::sqrt(sq) >= 1e-15, who, ": the weights must not all be zero");
  for (double& x : w) x /= sum;
  return w;
}

// The rotation matrix of rotate(pole, .) as rows, so that
// rotate(pole, p) == R to_euclid(p) up to rounding.
std::array<Vec3, 3> rotation_rows(LonLat pole) {
  const Vec3 ex = rotate(pole, {0, 0}), ey = rotate(pole, {90, 0}), ez = rotate(pole, {0, 90});
  // Columns are the images of the basis vectors.
  return {Vec3{ex[0], ey[0], ez[0]}, Vec3{ex[1], ey[1], ez[1]}, Vec3{ex[2], ey[2], ez[2]}};
}

}  // namespace

LonLat extrinsic_mean(std::span<const LonLat> points, std::span<const double> weights) {
  DATAOPT_CHECK(!points.empty(), "extrinsic_mean: no points");
  const auto w = normalised(weights, points.size(), "extrinsic_mean");
  Vec3 m{0, 0, 0};
  for (size_t i = 0; i < points.size(); ++i) {
    const Vec3 e = to_euclid(points[i]);
    for (int k = 0; k < 3; ++k) m[k] += e[k] * w[i];
  }
  const double n = std::sqrt(m[0] * m[0] + m[1] * m[1] + m[2] * m[2]);
  DATAOPT_CHECK(n >= 1e-15, "extrinsic_mean: the mean vector vanishes (the data are not localized)");
  return to_lonlat({m[0] / n, m[1] / n, m[2] / n});
}

LonLat intrinsic_mean(std::span<const LonLat> points, std::span<const double> weights,
                      double thres) {
  DATAOPT_CHECK(!points.empty(), "intrinsic_mean: no points");
  DATAOPT_CHECK(thres > 0, "intrinsic_mean: thres must be > 0, got ", thres);
  const auto w = normalised(weights, points.size(), "intrinsic_mean");
  LonLat mu = points[0];
  for (;;) {
    Vec2 step{0, 0};
    for (size_t m = 0; m < points.size(); ++m) {
      const Vec2 t = log_map(rotate(mu, points[m]));
      step[0] += w[m] * t[0];
      step[1] += w[m] * t[1];
    }
    mu = to_lonlat(rotate_inv(mu, to_lonlat(exp_map(step))));
    if (!(std::sqrt(step[0] * step[0] + step[1] * step[1]) > thres)) break;
  }
  return mu;
}

LonLat intrinsic_mean_euclid(std::span<const Vec3> points, std::span<const double> weights,
                             LonLat start, double thres, int max_iterations) {
  DATAOPT_CHECK(!points.empty(), "intrinsic_mean: no points");
  const auto w = normalised(weights, points.size(), "intrinsic_mean");
  LonLat mu = start;
  for (int it = 0; it < max_iterations; ++it) {
    const auto r = rotation_rows(mu);
    Vec2 step{0, 0};
    for (size_t m = 0; m < points.size(); ++m) {
      if (w[m] == 0) continue;
      const Vec3& e = points[m];
      const Vec3 v{r[0][0] * e[0] + r[0][1] * e[1] + r[0][2] * e[2],
                   r[1][0] * e[0] + r[1][1] * e[1] + r[1][2] * e[2],
                   r[2][0] * e[0] + r[2][1] * e[1] + r[2][2] * e[2]};
      const Vec2 t = log_map(v);
      step[0] += w[m] * t[0];
      step[1] += w[m] * t[1];
    }
    mu = to_lonlat(rotate_inv(mu, to_lonlat(exp_map(step))));
    if (!(std::sqrt(step[0] * step[0] + step[1] * step[1]) > thres)) break;
  }
  return mu;
}

}  // namespace dataopt::spherepc
