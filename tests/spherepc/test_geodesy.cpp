// Distances and projections: the package's small examples, the indexed
// projection against the loop over all segments, and the exact spherical
// projection against a densely sampled curve.

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <random>
#include <vector>

#include "dataopt/core/error.h"
#include "dataopt/spherepc/geodesy.h"
#include "dataopt/spherepc/points_csv.h"
#include "test_support.h"

namespace dataopt::spherepc {
namespace {

std::vector<LonLat> random_points(size_t n, uint64_t seed, double lat_max = 80) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> lon(-180, 180), lat(-lat_max, lat_max);
  std::vector<LonLat> out(n);
  for (auto& p : out) p = {lon(rng), lat(rng)};
  return out;
}

// A wiggly open curve of T vertices (a random walk with small steps).
std::vector<LonLat> random_curve(size_t T, uint64_t seed, double step) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> d(0, step);
  std::vector<LonLat> out{{-20, 10}};
  for (size_t t = 1; t < T; ++t) {
    const LonLat& p = out.back();
    out.push_back({p.lon + 2 * step + d(rng), std::clamp(p.lat + d(rng), -70.0, 70.0)});
  }
  return out;
}

TEST(Geodesy, ReconstructionErrorMatchesR) {
  const std::vector<LonLat> data{{0, 0}, {50, -10}, {100, -70}};
  const std::vector<LonLat> line{{30, 30}, {-20, 50}, {50, 80}};
  EXPECT_NEAR(reconstruction_error(data, line, Geometry::kWgs84), 4.881648998, 1e-9);
  EXPECT_EQ(reconstruction_error(data, std::vector<LonLat>{}, Geometry::kWgs84), 0.0);
}

TEST(Geodesy, NearestVertexAndDistinctCountMatchR) {
  const std::vector<LonLat> data{{0, 0}, {10, -20}};
  const std::vector<LonLat> line{{50, 10}, {40, 20}, {30, 30}};
  const auto idx = nearest_vertex(data, line, Geometry::kWgs84);
  EXPECT_EQ(idx, (std::vector<int64_t>{2, 0}));
  const std::vector<LonLat> pts{{0, 0}, {0, 1}, {1, 0}, {1, 1}, {0, 0}};
  EXPECT_EQ(count_distinct(pts), 4);
}

TEST(Geodesy, IndexedProjectionEqualsTheLoopOverAllSegments) {
  for (Geometry g : {Geometry::kSphere, Geometry::kWgs84}) {
    const auto curve = random_curve(300, 1, 0.8);
    const auto pts = random_points(400, 2);
    const auto fast = project_to_polyline(pts, curve, g, 2);
    for (size_t i = 0; i < pts.size(); ++i) {
      const auto slow = project_to_polyline_naive(pts[i], curve, g);
      ASSERT_EQ(fast[i].distance, slow.distance) << "point " << i << " " << to_string(g);
      ASSERT_EQ(fast[i].point, slow.point) << "point " << i;
    }
  }
}

TEST(Geodesy, SphereProjectionIsTheNearestPointOfTheCurve) {
  const auto curve = random_curve(20, 3, 5.0);
  const auto pts = random_points(50, 4);
  // Sample every segment densely on the great circle through densify (10 km).
  const auto dense = densify(curve, false, 1000.0);
  for (const LonLat& p : pts) {
    const auto proj = project_to_polyline_naive(p, curve, Geometry::kSphere);
    double best = 1e9;
    for (const LonLat& q : dense) best = std::min(best, distance(p, q, Geometry::kSphere));
    EXPECT_LE(proj.distance, best + 1e-12);
    EXPECT_NEAR(proj.distance, best, 2e-4);  // 1 km spacing = 1.6e-4 rad
    EXPECT_NEAR(distance(p, proj.point, Geometry::kSphere), proj.distance, 1e-9);
  }
}

TEST(Geodesy, DensifyInsertsAPointEveryInterval) {
  // A quarter of the equator, 10,018.75 km: floor(d / 10 km) = 1001 points
  // plus the segment's ends repeated (geosphere's layout).
  const std::vector<LonLat> line{{0, 0}, {90, 0}};
  const auto d = densify(line, false);
  EXPECT_EQ(d.size(), 1u + 1001u + 3u);
  EXPECT_EQ(d.front(), (LonLat{0, 0}));
  EXPECT_EQ(d.back(), (LonLat{90, 0}));
}

TEST(Geodesy, CsvReaderSkipsMissingRowsAndNamesBadInput) {
  test::TempDir dir;
  {
    std::ofstream f(dir / "a.csv");
    f << "name,latitude,longitude\n\"x, y\",10,20\nb,NA,5\nc,-5,\"30\"\n";
  }
  const auto t = read_lonlat_csv(dir / "a.csv");
  ASSERT_EQ(t.points.size(), 2u);
  EXPECT_EQ(t.points[0], (LonLat{20, 10}));
  EXPECT_EQ(t.points[1], (LonLat{30, -5}));
  EXPECT_EQ(t.skipped_rows, (std::vector<int64_t>{2}));
  {
    std::ofstream f(dir / "bad.csv");
    f << "lon,lat\n1,2\n3,abc\n";
  }
  try {
    read_lonlat_csv(dir / "bad.csv");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.csv:3"), std::string::npos) << e.what();
  }
  EXPECT_THROW(read_lonlat_csv(dir / "a.csv", "lng"), Error);
  EXPECT_THROW(read_lonlat_csv(dir / "missing.csv"), Error);
  {
    std::ofstream f(dir / "trunc.csv");
    f << "lon,lat\n1,2\n3\n";
  }
  EXPECT_THROW(read_lonlat_csv(dir / "trunc.csv"), Error);
}

}  // namespace
}  // namespace dataopt::spherepc
