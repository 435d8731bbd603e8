#pragma once
/// \file
/// Local principal geodesics (LPG, the spherepc R package): from a random
/// datum, walk forward and backward along the leading local tangent
/// direction (plus a viscous pull towards the local data, nu) in steps of
/// tau while data remain within `scale`; remove the data near the curve and
/// repeat until no data remain. The random choice uses our own generator:
/// results match the R package in distribution, not point by point.
///
///   spherepc::LpgResult r = spherepc::lpg(points, {.scale = 0.5, .nu = 0.2, .maxpt = 20});

#include <cstdint>
#include <span>
#include <vector>

#include "dataopt/spherepc/geodesy.h"
#include "dataopt/spherepc/sphere.h"

namespace dataopt::spherepc {

struct LpgOptions {
  /// Neighbourhood radius in radians (the package's scale; distances in
  /// metres are divided by 6378137).
  double scale = 0.04;
  /// Step along the curve in radians; 0 = scale / 3 (the package's default).
  double tau = 0;
  /// Viscosity: weight of the pull towards the local data.
  double nu = 0;
  /// At most this many steps in each direction (at most 9999).
  int64_t maxpt = 500;
  /// Seed of the random starting points.
  uint64_t seed = 0;
  /// Kernel weighting the local tangent covariance.
  Kernel kernel = Kernel::kIndicator;
  /// Threshold of the intrinsic means.
  double thres = 1e-4;
  /// wgs84 (as the R package) or sphere.
  Geometry geometry = Geometry::kSphere;

  void validate() const;
};

struct LpgResult {
  /// The curves, each in order (backward part reversed, then forward part;
  /// the starting point appears twice, as in the package).
  std::vector<std::vector<LonLat>> curves;
  /// All curves densified every 10 km, one after another.
  std::vector<LonLat> line;
  double seconds = 0;
};

LpgResult lpg(std::span<const LonLat> points, const LpgOptions& options = {});

}  // namespace dataopt::spherepc
