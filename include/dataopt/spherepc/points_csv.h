#pragma once
/// \file
/// Reading (longitude, latitude) columns from a CSV file with a header, and
/// writing curves and projections as CSV.
///
///   auto in = spherepc::read_lonlat_csv("earthquake.csv");   // longitude, latitude
///   in.points; in.skipped_rows;                               // rows with NA skipped

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "dataopt/spherepc/geodesy.h"
#include "dataopt/spherepc/sphere.h"

namespace dataopt::spherepc {

struct LonLatTable {
  std::vector<LonLat> points;
  /// 1-based data rows (after the header) skipped for a missing coordinate
  /// ("NA", "NaN" or empty).
  std::vector<int64_t> skipped_rows;
  std::string lon_column, lat_column;
};

/// Reads two columns by name ("" = the first of longitude/lon/long and of
/// latitude/lat present). Throws naming the file, line and column for a
/// missing file or column, a value that is not a number, or |lat| > 90.
LonLatTable read_lonlat_csv(const std::filesystem::path& path, const std::string& lon_column = "",
                            const std::string& lat_column = "");

/// index,lon,lat per vertex (atomic write).
void write_curve_csv(const std::filesystem::path& path, std::span<const LonLat> curve);
/// index,lon,lat,proj_lon,proj_lat,distance (radians) per point (atomic write).
void write_projections_csv(const std::filesystem::path& path, std::span<const LonLat> points,
                           std::span<const PolylineProjection> projections);

}  // namespace dataopt::spherepc
