#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "dataopt/core/atomic_file.h"
#include "dataopt/core/error.h"
#include "dataopt/spherepc/plot_svg.h"
#include "test_support.h"

namespace dataopt::spherepc {
namespace {

TEST(PlotSvg, OrthographicProjectionOfKnownPoints) {
  const OrthoPoint c = orthographic({30, 20}, {30, 20});
  EXPECT_NEAR(c.x, 0, 1e-12);
  EXPECT_NEAR(c.y, 0, 1e-12);
  EXPECT_TRUE(c.visible);
  // 90 degrees east of a centre on the equator lies on the rim, x = 1.
  const OrthoPoint e = orthographic({0, 0}, {90, 0});
  EXPECT_NEAR(e.x, 1, 1e-12);
  EXPECT_FALSE(orthographic({0, 0}, {180, 0}).visible);
}

TEST(PlotSvg, WritesAFileWithDataCurveAndProjections) {
  test::TempDir dir;
  const std::vector<LonLat> pts{{0, 0}, {10, 5}, {20, -5}};
  const std::vector<LonLat> curve{{-5, 0}, {25, 0}};
  std::vector<PolylineProjection> proj(3);
  for (size_t i = 0; i < 3; ++i) proj[i].point = {pts[i].lon, 0};
  write_fit_svg(dir / "plot.svg", pts, curve, false, proj, {.title = "a < b"});
  const std::string svg = read_file(dir / "plot.svg");
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find("a &lt; b"), std::string::npos);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  const std::vector<PolylineProjection> two(2);
  EXPECT_THROW(write_fit_svg(dir / "bad.svg", pts, curve, false, two), Error);
}

}  // namespace
}  // namespace dataopt::spherepc
