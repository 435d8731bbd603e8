#include "dataopt/spherepc/circle.h"

#include <Eigen/Dense>
#include <omp.h>

#include <algorithm>
#include <cmath>

#include "dataopt/core/check.h"
#include "dataopt/spherepc/geodesy.h"
#include "dataopt/spherepc/means.h"

namespace dataopt::spherepc {

void PrincipalCircleOptions::validate() const {
  DATAOPT_CHECK(step_size > 0 && std::isfinite(step_size), "step_size must be > 0, got ",
                step_size);
  DATAOPT_CHECK(thres > 0, "thres must be > 0, got ", thres);
  DATAOPT_CHECK(maxit >= 1, "maxit must be >= 1, got ", maxit);
}

Circle principal_circle(std::span<const LonLat> points, const PrincipalCircleOptions& o) {
  o.validate();
  DATAOPT_CHECK(!points.empty(), "principal_circle: no points");
  const double deg = kPi / 180;
  const LonLat mu = intrinsic_mean(points);
  double c[3] = {mu.lon * deg, mu.lat * deg, kPi / 2};
  const size_t n = points.size();
  const int threads = o.threads > 0 ? o.threads : omp_get_max_threads();
  std::vector<double> sin_lon(n), cos_lon(n), sin_lat(n), cos_lat(n);
  for (size_t i = 0; i < n; ++i) {
    sin_lon[i] = std::sin(points[i].lon * deg);
    cos_lon[i] = std::cos(points[i].lon * deg);
    sin_lat[i] = std::sin(points[i].lat * deg);
    cos_lat[i] = std::cos(points[i].lat * deg);
  }
  // The gradient is summed in a fixed number of blocks, in order, so the
  // result does not depend on the thread count.
  constexpr int64_t kBlocks = 16;
  const int64_t block = (static_cast<int64_t>(n) + kBlocks - 1) / kBlocks;
  Circle out;
  double delta = 1;
  while (delta > o.thres && out.iterations < o.maxit) {
    ++out.iterations;
    const double sc = std::sin(c[1]), cc = std::cos(c[1]);
    const double sl = std::sin(c[0]), cl = std::cos(c[0]);
    double partial[kBlocks][3] = {};
#pragma omp parallel for schedule(static) if (n >= 4096) num_threads(threads)
    for (int64_t b = 0; b < kBlocks; ++b) {
      double g0 = 0, g1 = 0, g2 = 0;
      const auto hi = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(n), (b + 1) * block));
      for (auto i = static_cast<size_t>(b * block); i < hi; ++i) {
        // cos and sin of (centre lon - lon_i) by the difference formulas.
        const double cd = cl * cos_lon[i] + sl * sin_lon[i];
        const double sd = sl * cos_lon[i] - cl * sin_lon[i];
        const double temp = sc * sin_lat[i] + cc * cos_lat[i] * cd;
        if (temp == 1) continue;
        const double dist = std::acos(temp);
        const double a = (dist - c[2]) / std::sqrt(1 - temp * temp);
        g0 += a * cos_lat[i] * cc * sd;
        g1 -= a * (cc * sin_lat[i] - sc * cos_lat[i] * cd);
        g2 += c[2] - dist;
      }
      partial[b][0] = g0;
      partial[b][1] = g1;
      partial[b][2] = g2;
    }
    double g[3] = {0, 0, 0};
    for (int64_t b = 0; b < kBlocks; ++b) {
      for (int k = 0; k < 3; ++k) g[k] += partial[b][k];
    }
    // The package scales the centre's gradient by pi/180 (kept for parity).
    g[0] *= deg;
    g[1] *= deg;
    for (int k = 0; k < 3; ++k) c[k] -= o.step_size * 2 * g[k];
    DATAOPT_CHECK(c[2] <= kPi, "principal_circle: the radius left [0, pi]; lower step_size (now ",
                  o.step_size, ")");
    delta = std::sqrt((o.step_size * 2 * g[0]) * (o.step_size * 2 * g[0]) +
                      (o.step_size * 2 * g[1]) * (o.step_size * 2 * g[1]) +
                      (o.step_size * 2 * g[2]) * (o.step_size * 2 * g[2]));
  }
  out.converged = delta <= o.thres;
  out.center = {c[0] / deg, c[1] / deg};
  out.radius = c[2];
  return out;
}

std::vector<LonLat> generate_circle(LonLat center, double radius, int64_t T) {
  DATAOPT_CHECK(T >= 1, "generate_circle: T must be >= 1, got ", T);
  DATAOPT_CHECK(radius >= 0 && radius <= kPi, "generate_circle: radius must be in [0, pi], got ",
                radius);
  std::vector<LonLat> out;
  out.reserve(static_cast<size_t>(T));
  const double lat = (kPi / 2 - radius) * 180 / kPi;
  for (int64_t i = 0; i < T; ++i) {
    // seq(0, 360, length.out = T + 1)[i]
    const double lon = static_cast<double>(i) * (360.0 / static_cast<double>(T));
    out.push_back(to_lonlat(rotate_inv(center, {lon, lat})));
  }
  return out;
}

PgaResult pga(std::span<const LonLat> points) {
  DATAOPT_CHECK(!points.empty(), "pga: no points");
  PgaResult out;
  out.mean = intrinsic_mean(points);
  const Vec3 me = to_euclid(out.mean);
  const LonLat antipode = to_lonlat({-me[0], -me[1], -me[2]});
  Eigen::Matrix2d cov = Eigen::Matrix2d::Zero();
  for (const LonLat& x : points) {
    const Vec2 y = log_map(rotate(out.mean, x));
    const Eigen::Vector2d v(y[0], y[1]);
    cov += v * v.transpose();
  }
  const Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d> eig(cov);
  Eigen::Vector2d u = eig.eigenvectors().col(1);  // largest eigenvalue last
  u.normalize();
  // R's eigen() returns the leading vector with its sign; a direction's sign
  // does not change the geodesic, only which side is listed first.
  out.direction = {u(0), u(1)};
  const Vec3 euc = rotate_inv(out.mean, to_lonlat(exp_map(out.direction)));
  const LonLat mid = to_lonlat(euc), mid_anti = to_lonlat({-euc[0], -euc[1], -euc[2]});
  out.vertices = {out.mean, mid, antipode, mid_anti, out.mean};
  out.line = densify(out.vertices, /*closed=*/false);
  return out;
}

}  // namespace dataopt::spherepc
