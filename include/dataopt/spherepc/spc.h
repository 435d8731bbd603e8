#pragma once
/// \file
/// Spherical principal curves (SPC, Lee, Kim & Oh, TPAMI 2021) and Hauberg's
/// principal curve (SPC.Hauberg), as the spherepc R package runs them: start
/// from the principal circle, then alternate projecting the data onto the
/// curve and moving every vertex to the kernel-weighted mean of the data
/// whose projections lie within q times the curve length (Jacobi updates).
///
///   spherepc::SpcOptions o{.q = 0.1};
///   spherepc::SpcResult fit = spherepc::spc(points, o);
///   fit.curve; fit.recon_error; fit.converged;

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "dataopt/spherepc/geodesy.h"
#include "dataopt/spherepc/sphere.h"

namespace dataopt::spherepc {

enum class MeanType { kIntrinsic, kExtrinsic };
/// "intrinsic" or "extrinsic" (first letter case-insensitive, as R).
MeanType parse_mean_type(const std::string& text);
std::string to_string(MeanType type);

struct SpcOptions {
  /// Bandwidth as a fraction of the curve length (the package suggests 0.01-0.5).
  double q = 0.1;
  /// Number of curve vertices; 0 = the number of points (the package's default).
  int64_t T = 0;
  /// Step of the principal-circle initialisation.
  double step_size = 1e-3;
  /// The loop runs at most maxit + 1 times; converged = iterations < maxit.
  int64_t maxit = 10;
  /// Mean of the expectation step.
  MeanType type = MeanType::kIntrinsic;
  /// Stop when the relative change of the reconstruction error is below this
  /// (SPC: 0.1; SPC.Hauberg: 0.01, see hauberg_defaults()).
  double thres = 0.1;
  /// Drop vertices with no data within q L (the curve becomes open).
  bool delete_points = false;
  /// Kernel of the expectation step.
  Kernel kernel = Kernel::kQuartic;
  /// wgs84 for parity with the R package, sphere for exact spherical geometry.
  Geometry geometry = Geometry::kSphere;
  /// Threads (0 = all cores).
  int threads = 0;

  void validate() const;
  /// SPC.Hauberg's defaults (thres 0.01).
  static SpcOptions hauberg_defaults();
};

struct SpcResult {
  /// Curve vertices in order (the package's prin.curves).
  std::vector<LonLat> curve;
  /// The curve densified every 10 km (`line`): closed unless delete_points.
  std::vector<LonLat> line;
  /// Each point's projection onto the final curve (closed unless delete_points;
  /// SPC.Hauberg: the nearest vertex).
  std::vector<PolylineProjection> projections;
  bool converged = false;
  int64_t iterations = 0;
  /// Sum of squared distances (radians^2) of the points to the curve.
  double recon_error = 0;
  /// Number of distinct projections (num.dist.pt / num.dist.point).
  int64_t num_distinct_projections = 0;
  /// The principal circle the fit started from.
  LonLat circle_center;
  double circle_radius = 0;
  /// Wall-clock seconds of the fit.
  double seconds = 0;
};

/// SPC: exact projections onto the polyline.
SpcResult spc(std::span<const LonLat> points, const SpcOptions& options = {});
/// SPC.Hauberg: projections to the nearest vertex only.
SpcResult spc_hauberg(std::span<const LonLat> points,
                      const SpcOptions& options = SpcOptions::hauberg_defaults());

}  // namespace dataopt::spherepc
