#pragma once
/// \file
/// SVG pictures of spherical fits: data points, a fitted curve and the
/// projections of the points onto it, drawn on an orthographic projection of
/// the globe centred on the data. Needs no plotting library.
///
///   auto proj = spherepc::project_to_polyline(data, fit.curve, Geometry::kSphere);
///   spherepc::write_fit_svg("out/fit.svg", data, fit.curve, /*closed=*/false, proj,
///                           {.title = "earthquakes"});

#include <filesystem>
#include <span>
#include <string>

#include "dataopt/spherepc/geodesy.h"
#include "dataopt/spherepc/sphere.h"

namespace dataopt::spherepc {

struct SvgPlotOptions {
  /// Image width and height in pixels (>= 100).
  int size = 800;
  /// Title drawn at the top ("" = none).
  std::string title;
  /// Graticule spacing in degrees, in [1, 180].
  double graticule_step = 30;
  void validate() const;
};

/// Writes an SVG picture of a fit on an orthographic projection centred on the
/// data (centre = normalised mean of the points' unit vectors; if that vanishes
/// use the first point; with no points, the same rule on the curve):
/// the globe outline, a graticule (meridians and parallels every graticule_step
/// degrees), the data points (blue dots), the curve (red polyline, `closed`
/// joins last to first), and each point's projection as a thin grey segment
/// from the point to projections[i].point (projections may be empty = none
/// drawn). Only the visible hemisphere is drawn: segments of lines crossing the
/// horizon are clipped (split polylines where they go behind the globe); hidden
/// points are skipped. Curve and projection segments follow great circles.
/// Written atomically to `path`. Throws dataopt::Error on non-finite
/// coordinates, a projections size different from the points', or bad options.
void write_fit_svg(const std::filesystem::path& path, std::span<const LonLat> points,
                   std::span<const LonLat> curve, bool closed,
                   std::span<const PolylineProjection> projections,
                   const SvgPlotOptions& options = {});

/// The orthographic projection used above: x east, y north, on the unit disc;
/// `visible` false when the point is on the far hemisphere.
struct OrthoPoint {
  double x = 0, y = 0;
  bool visible = false;
};
OrthoPoint orthographic(LonLat center, LonLat p);

}  // namespace dataopt::spherepc
