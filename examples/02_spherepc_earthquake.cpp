// A spherical principal curve through the 77 great Pacific earthquakes, in
// both geometries, with the curve and its plot written to a folder.
//
//   build/examples/example_spherepc_earthquake tests/spherepc/data/earthquake.csv out/
#include <cstdio>
#include <exception>
#include <filesystem>

#include "dataopt/spherepc/plot_svg.h"
#include "dataopt/spherepc/points_csv.h"
#include "dataopt/spherepc/spc.h"

namespace sp = dataopt::spherepc;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s earthquake.csv OUT_DIR\n", argv[0]);
    return 2;
  }
  try {
    const sp::LonLatTable table = sp::read_lonlat_csv(argv[1]);  // longitude, latitude
    for (sp::Geometry g : {sp::Geometry::kSphere, sp::Geometry::kWgs84}) {
      const sp::SpcResult fit = sp::spc(table.points, {.q = 0.1, .geometry = g});
      std::printf("%-6s: %lld iterations, converged %d, recon error %.10f, %lld distinct "
                  "projections, %.3f s\n",
                  sp::to_string(g).c_str(), static_cast<long long>(fit.iterations),
                  fit.converged, fit.recon_error,
                  static_cast<long long>(fit.num_distinct_projections), fit.seconds);
      const std::filesystem::path out = std::filesystem::path(argv[2]) / sp::to_string(g);
      std::filesystem::create_directories(out);
      sp::write_curve_csv(out / "curve.csv", fit.curve);
      sp::write_fit_svg(out / "plot.svg", table.points, fit.curve, /*closed=*/true,
                        fit.projections, {.title = "SPC, " + sp::to_string(g)});
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
