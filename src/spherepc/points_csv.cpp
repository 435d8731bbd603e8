#include "dataopt/spherepc/points_csv.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "dataopt/core/atomic_file.h"
#include "dataopt/core/check.h"

namespace dataopt::spherepc {
namespace {

// One CSV record: comma-separated, fields may be "quoted" with "" escapes.
std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else if (c != '\r') {
      out.back() += c;
    }
  }
  return out;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

size_t find_column(const std::vector<std::string>& header, const std::string& wanted,
                   std::initializer_list<const char*> defaults, const std::filesystem::path& path,
                   const char* flag) {
  std::vector<std::string> names;
  if (wanted.empty()) {
    for (const char* d : defaults) names.emplace_back(d);
  } else {
    names.push_back(wanted);
  }
  for (const auto& name : names) {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it != header.end()) return static_cast<size_t>(it - header.begin());
  }
  std::string have;
  for (const auto& h : header) have += (have.empty() ? "" : ", ") + h;
  DATAOPT_CHECK(false, path.string(), ": no column ",
                wanted.empty() ? std::string("for ") + flag + " (looked for " +
                                     (std::string(*defaults.begin()) + ", ...") + ")"
                               : "'" + wanted + "'",
                "; columns are: ", have, " (choose one with ", flag, ")");
  return 0;
}

bool missing(const std::string& v) { return v.empty() || v == "NA" || v == "NaN" || v == "nan"; }

double parse_number(const std::string& v, const std::filesystem::path& path, int64_t line,
                    const std::string& column) {
  errno = 0;
  char* end = nullptr;
  const double x = std::strtod(v.c_str(), &end);
  DATAOPT_CHECK(end != v.c_str() && *end == '\0' && errno == 0 && std::isfinite(x), path.string(),
                ":", line, ": column '", column, "': expected a number, got '", v, "'");
  return x;
}

}  // namespace

LonLatTable read_lonlat_csv(const std::filesystem::path& path, const std::string& lon_column,
                            const std::string& lat_column) {
  DATAOPT_CHECK(std::filesystem::exists(path), path.string(), ": no such file");
  std::istringstream in(read_file(path));
  std::string line;
  DATAOPT_CHECK(static_cast<bool>(std::getline(in, line)), path.string(),
                ": empty file (expected a header line)");
  std::vector<std::string> header = split_csv(line);
  for (auto& h : header) h = trim(h);
  const size_t lon = find_column(header, lon_column, {"longitude", "lon", "long"}, path, "--lon");
  const size_t lat = find_column(header, lat_column, {"latitude", "lat"}, path, "--lat");
  LonLatTable t;
  t.lon_column = header[lon];
  t.lat_column = header[lat];
  int64_t row = 0;
  for (int64_t line_no = 2; std::getline(in, line); ++line_no) {
    if (trim(line).empty()) continue;
    ++row;
    const auto fields = split_csv(line);
    DATAOPT_CHECK(fields.size() == header.size(), path.string(), ":", line_no, ": ",
                  fields.size(), " fields, the header has ", header.size(),
                  " (truncated or corrupt file?)");
    const std::string a = trim(fields[lon]), b = trim(fields[lat]);
    if (missing(a) || missing(b)) {
      t.skipped_rows.push_back(row);
      continue;
    }
    const double x = parse_number(a, path, line_no, t.lon_column);
    const double y = parse_number(b, path, line_no, t.lat_column);
    DATAOPT_CHECK(std::fabs(y) <= 90, path.string(), ":", line_no, ": latitude ", y,
                  " is outside [-90, 90] (are the columns swapped?)");
    t.points.push_back({x, y});
  }
  return t;
}

void write_curve_csv(const std::filesystem::path& path, std::span<const LonLat> curve) {
  write_file_atomic(path, [&](std::ostream& out) {
    out << "index,lon,lat\n";
    char buf[96];
    for (size_t i = 0; i < curve.size(); ++i) {
      std::snprintf(buf, sizeof buf, "%zu,%.12g,%.12g\n", i, curve[i].lon, curve[i].lat);
      out << buf;
    }
  });
}

void write_projections_csv(const std::filesystem::path& path, std::span<const LonLat> points,
                           std::span<const PolylineProjection> projections) {
  DATAOPT_CHECK(points.size() == projections.size(), "write_projections_csv: ", points.size(),
                " points but ", projections.size(), " projections");
  write_file_atomic(path, [&](std::ostream& out) {
    out << "index,lon,lat,proj_lon,proj_lat,distance\n";
    char buf[160];
    for (size_t i = 0; i < points.size(); ++i) {
      std::snprintf(buf, sizeof buf, "%zu,%.12g,%.12g,%.12g,%.12g,%.12g\n", i, points[i].lon,
                    points[i].lat, projections[i].point.lon, projections[i].point.lat,
                    projections[i].distance);
      out << buf;
    }
  });
}

}  // namespace dataopt::spherepc
