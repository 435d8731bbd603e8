// dataopt sphere: outputs of a fit and clear errors for bad input.

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_test_util.h"
#include "dataopt/core/atomic_file.h"
#include "test_support.h"

namespace dataopt::cli {
namespace {

using test_util::error_of;

const std::string kQuake = std::string(DATAOPT_SPHEREPC_TEST_DATA) + "/earthquake.csv";

TEST(CliSphere, SpcWritesCurveProjectionsSummaryAndPlot) {
  test::TempDir dir;
  const std::string out = (dir / "spc").string();
  ASSERT_EQ(run_cli({"sphere", "spc", "--input", kQuake, "--geometry", "wgs84", "--quiet",
                     "--out", out}),
            0);
  const auto summary = nlohmann::json::parse(read_file(dir / "spc" / "summary.json"));
  for (const char* key : {"iterations", "converged", "recon_error", "num_distinct_projections",
                          "seconds"}) {
    EXPECT_TRUE(summary.contains(key)) << key;
  }
  EXPECT_EQ(summary["iterations"], 3);
  EXPECT_NEAR(summary["recon_error"].get<double>(), 0.5375722732, 1e-6);
  const std::string curve = read_file(dir / "spc" / "curve.csv");
  EXPECT_EQ(std::count(curve.begin(), curve.end(), '\n'), 78);  // header + 77 vertices
  const std::string proj = read_file(dir / "spc" / "projections.csv");
  EXPECT_EQ(proj.rfind("index,lon,lat,proj_lon,proj_lat,distance\n", 0), 0u);
  EXPECT_NE(read_file(dir / "spc" / "plot.svg").find("<svg"), std::string::npos);
}

TEST(CliSphere, EveryMethodRuns) {
  test::TempDir dir;
  for (const char* m : {"spc-hauberg", "pga", "circle", "mean", "lpg"}) {
    const std::string out = (dir / m).string();
    EXPECT_EQ(run_cli({"sphere", m, "--input", kQuake, "--quiet", "--no-plot", "--scale", "0.5",
                       "--nu", "0.2", "--maxpt", "20", "--out", out}),
              0)
        << m;
    EXPECT_TRUE(std::filesystem::exists(dir / m / "summary.json")) << m;
  }
}

TEST(CliSphere, MissingCoordinatesAreSkippedAndBadInputNamed) {
  test::TempDir dir;
  {
    std::ofstream f(dir / "pts.csv");
    f << "lat,lon\n0,0\n10,20\nNA,5\n20,40\n-10,60\n";
  }
  const std::string out = (dir / "o").string();
  ASSERT_EQ(run_cli({"sphere", "mean", "--input", (dir / "pts.csv").string(), "--quiet",
                     "--out", out}),
            0);
  const auto summary = nlohmann::json::parse(read_file(dir / "o" / "summary.json"));
  EXPECT_EQ(summary["n"], 4);
  EXPECT_EQ(summary["skipped_rows"], nlohmann::json::array({3}));

  EXPECT_NE(error_of({"sphere", "spc", "--input", (dir / "none.csv").string(), "--out", out})
                .find("none.csv: no such file"),
            std::string::npos);
  EXPECT_NE(error_of({"sphere", "spc", "--input", kQuake, "--lon", "lng", "--out", out})
                .find("no column 'lng'"),
            std::string::npos);
  EXPECT_NE(error_of({"sphere", "kmeans", "--input", kQuake, "--out", out}).find("kmeans"),
            std::string::npos);
  EXPECT_NE(error_of({"sphere", "spc", "--input", kQuake, "--q", "-1", "--out", out})
                .find("q must be > 0"),
            std::string::npos);
  EXPECT_NE(error_of({"sphere", "spc", "--input", kQuake, "--geometry", "flat", "--out", out})
                .find("--geometry"),
            std::string::npos);
}

}  // namespace
}  // namespace dataopt::cli
