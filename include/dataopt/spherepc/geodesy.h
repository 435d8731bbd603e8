#pragma once
/// \file
/// Distances and projections onto polylines in two geometries:
///  - kWgs84: what the spherepc R package computes through geosphere —
///    WGS84 ellipsoidal distances (Karney, GeographicLib) divided by the
///    equatorial radius, and geosphere's dist2Line, which mixes a spherical
///    cross-track formula with ellipsoidal bearings and destination points.
///    Use it for parity with R.
///  - kSphere: exact great-circle geometry on the unit sphere (the default):
///    distances are angles, the projection onto a segment is the true foot
///    point. Differs from R in the 3rd-4th significant digit.
/// All distances returned here are in radians (kWgs84: metres / 6378137).
///
///   auto proj = spherepc::project_to_polyline(data, curve, Geometry::kSphere);

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "dataopt/spherepc/sphere.h"

namespace dataopt::spherepc {

enum class Geometry { kWgs84, kSphere };
/// "wgs84" or "sphere".
Geometry parse_geometry(const std::string& text);
std::string to_string(Geometry geometry);

/// Distance between two points in radians (geosphere::distGeo / 6378137 for kWgs84).
double distance(LonLat a, LonLat b, Geometry geometry);

/// The nearest point of a polyline to a point (geosphere::dist2Line for kWgs84).
struct PolylineProjection {
  LonLat point;
  /// Radians.
  double distance = 0;
  /// Segment the point lies on (-1: a vertex, given by `vertex`).
  int64_t segment = -1;
  int64_t vertex = -1;
};

/// One point against an open polyline, by a loop over all segments: the
/// reference that the indexed version below must match.
PolylineProjection project_to_polyline_naive(LonLat p, std::span<const LonLat> line,
                                             Geometry geometry);

/// Every point against an open polyline (pass the first vertex again at the
/// end for a closed one). Segments are found through a spatial index, so the
/// cost grows with n log T rather than n T; spread over `threads` (0 = all).
std::vector<PolylineProjection> project_to_polyline(std::span<const LonLat> points,
                                                    std::span<const LonLat> line,
                                                    Geometry geometry, int threads = 0);

/// Cal.recon: sum of squared distances (radians^2) from the points to the
/// open polyline; one vertex: to that point; none: 0.
double reconstruction_error(std::span<const LonLat> points, std::span<const LonLat> line,
                            Geometry geometry, int threads = 0);

/// Proj.Hauberg: the nearest vertex of `line` to each point (first on ties).
std::vector<int64_t> nearest_vertex(std::span<const LonLat> points,
                                    std::span<const LonLat> line, Geometry geometry,
                                    int threads = 0);

/// Dist.pt: the number of distinct points (exact equality).
int64_t count_distinct(std::span<const LonLat> points);

/// geosphere::makeLine / makePoly: great-circle points inserted so that no
/// gap exceeds `interval_m` metres (floor(d / interval) points per segment,
/// with the segment's ends repeated as geosphere does); `closed` joins the
/// last vertex to the first.
std::vector<LonLat> densify(std::span<const LonLat> line, bool closed,
                            double interval_m = 10000.0);

}  // namespace dataopt::spherepc
