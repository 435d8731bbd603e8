// The elementary maps and means against the spherepc R package's outputs
// (reference values of the spec, measured with R 4.2.2 + geosphere 1.5-18).

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "dataopt/core/error.h"
#include "dataopt/spherepc/circle.h"
#include "dataopt/spherepc/means.h"
#include "dataopt/spherepc/sphere.h"

namespace dataopt::spherepc {
namespace {

constexpr double kTol = 1e-9;

// The references are printed to 10 significant digits: 1e-9 relative.
#define EXPECT_R(x, ref) EXPECT_NEAR((x), (ref), kTol * std::max(1.0, std::fabs(ref)))

void expect_vec(const Vec3& v, double x, double y, double z) {
  EXPECT_R(v[0], x);
  EXPECT_R(v[1], y);
  EXPECT_R(v[2], z);
}

TEST(Sphere, EuclidAndRotationsMatchR) {
  expect_vec(to_euclid({10, 10}), 0.9698463104, 0.1710100717, 0.1736481777);
  expect_vec(rotate({0, 90}, {10, 10}), 0.9698463104, 0.1710100717, 0.1736481777);
  expect_vec(rotate({30, 40}, {10, 10}), 0.56836343743, -0.06078617312, 0.82052912450);
  expect_vec(rotate_inv({30, 40}, {10, 10}), 0.79876468370, 0.07223604844, -0.59729133040);
  // Exact at multiples of 90 degrees (R's cospi / sinpi).
  const Vec3 e = to_euclid({90, 0});
  EXPECT_EQ(e[0], 0.0);
  EXPECT_EQ(e[1], 1.0);
}

TEST(Sphere, LogExpAndLonLatMatchR) {
  const Vec2 l = log_map({1 / std::sqrt(2.0), 1 / std::sqrt(2.0), 0});
  EXPECT_R(l[0], 1.110720735);
  EXPECT_R(l[1], 1.110720735);
  expect_vec(exp_map({1, 2}), 0.3518449079, 0.7036898158, -0.6172728765);
  const LonLat p = to_lonlat({-1, -1, 0.5});
  EXPECT_R(p.lon, -135);
  EXPECT_R(p.lat, 19.47122063);
  EXPECT_EQ(to_lonlat({0, 0, 2}), (LonLat{0, 90}));
  const Vec2 pole = log_map({0, 0, 1});
  EXPECT_EQ(pole[0], 0.0);
  EXPECT_THROW(log_map({0, 0, -1}), Error);
  EXPECT_THROW(to_lonlat({0, 0, 0}), Error);
}

TEST(Sphere, LogMapKeepsThePackagesHemisphereQuirk) {
  // 120 degrees from the pole: the package returns pi - theta (60 degrees).
  const Vec3 v = to_euclid({0, -30});
  const Vec2 l = log_map(v);
  EXPECT_NEAR(std::hypot(l[0], l[1]), kPi / 3, 1e-12);
}

TEST(Sphere, KernelsMatchR) {
  const double u[4] = {0, 0.5, 1, 2};
  const double quartic[4] = {1, 0.5625, 0, 0};
  const double gauss[4] = {1, 0.7788007831, 0.3678794412, 0};
  const double ind[4] = {1, 1, 1, 0};
  for (int i = 0; i < 4; ++i) {
    EXPECT_R(kernel_weight(Kernel::kQuartic, u[i]), quartic[i]);
    EXPECT_R(kernel_weight(Kernel::kGaussian, u[i]), gauss[i]);
    EXPECT_R(kernel_weight(Kernel::kIndicator, u[i]), ind[i]);
  }
  EXPECT_EQ(parse_kernel("Gaussian"), Kernel::kGaussian);
  EXPECT_THROW(parse_kernel("epanechnikov"), Error);
}

TEST(Sphere, GenerateCircleMatchesR) {
  const auto c = generate_circle({0, 0}, 1.0);
  ASSERT_EQ(c.size(), 1000u);
  EXPECT_R(c[0].lon, 0);
  EXPECT_R(c[0].lat, -57.29577951);
  EXPECT_R(c[1].lon, 0.5606451976);
  EXPECT_R(c[1].lat, -57.29401817);
}

TEST(Sphere, MeansRejectZeroWeights) {
  const std::vector<LonLat> pts{{0, 0}, {10, 0}};
  const std::vector<double> zero{0, 0};
  EXPECT_THROW(intrinsic_mean(pts, zero), Error);
  EXPECT_THROW(extrinsic_mean(pts, zero), Error);
  const std::vector<double> short_w{1};
  EXPECT_THROW(extrinsic_mean(pts, short_w), Error);
  // Two points on the equator: both means are the midpoint.
  EXPECT_NEAR(intrinsic_mean(pts).lon, 5, 1e-6);
  EXPECT_NEAR(extrinsic_mean(pts).lon, 5, 1e-12);
}

}  // namespace
}  // namespace dataopt::spherepc
