#include "dataopt/spherepc/geodesy.h"

#include <GeographicLib/Geodesic.hpp>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include "dataopt/core/check.h"
#include "detail/sphere_grid.h"

namespace dataopt::spherepc {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kDeg = kPi / 180.0;

const GeographicLib::Geodesic& wgs84() { return GeographicLib::Geodesic::WGS84(); }

double geo_distance(LonLat a, LonLat b) {
  double s12 = 0;
  wgs84().Inverse(a.lat, a.lon, b.lat, b.lon, s12);
  return s12 / kEarthRadius;
}

// geosphere::bearing: the initial azimuth (degrees) of the WGS84 geodesic.
double geo_bearing(LonLat a, LonLat b) {
  double s12 = 0, azi1 = 0, azi2 = 0;
  wgs84().Inverse(a.lat, a.lon, b.lat, b.lon, s12, azi1, azi2);
  return azi1;
}

// geosphere::destPoint: WGS84 direct problem; `d` in radians (x 6378137 m).
LonLat geo_destination(LonLat a, double azimuth, double d) {
  double lat2 = 0, lon2 = 0;
  wgs84().Direct(a.lat, a.lon, azimuth, d * kEarthRadius, lat2, lon2);
  return {lon2, lat2};
}

// geosphere::distCosine on the unit sphere (identical points give 0).
double cosine_distance(LonLat a, LonLat b) {
  const double eps = 1.4901161193847656e-08;  // .Machine$double.eps^0.5
  if (std::fabs(a.lon - b.lon) < eps && std::fabs(a.lat - b.lat) < eps) return 0.0;
  const double c = std::sin(a.lat * kDeg) * std::sin(b.lat * kDeg) +
                   std::cos(a.lat * kDeg) * std::cos(b.lat * kDeg) * std::cos((a.lon - b.lon) * kDeg);
  return std::acos(std::clamp(c, -1.0, 1.0));
}

double dot(const Vec3& a, const Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
double norm(const Vec3& a) { return std::sqrt(dot(a, a)); }
double angle(const Vec3& a, const Vec3& b) { return std::atan2(norm(cross(a, b)), dot(a, b)); }

// Plain (lon, lat) <-> unit vector for the sphere geometry and the index.
Vec3 unit(LonLat p) {
  const double cl = std::cos(p.lat * kDeg);
  return {cl * std::cos(p.lon * kDeg), cl * std::sin(p.lon * kDeg), std::sin(p.lat * kDeg)};
}
LonLat lonlat(const Vec3& v) {
  const double n = norm(v);
  return {std::atan2(v[1], v[0]) / kDeg, std::asin(std::clamp(v[2] / n, -1.0, 1.0)) / kDeg};
}

// The best candidate so far; R's tie rules: vertices win ties with
// segments, the first index wins among equals.
struct Best {
  double vertex_dist = kInf;
  int64_t vertex = -1;
  double seg_dist = kInf;
  int64_t segment = -1;
  LonLat foot;
};

// A segment's WGS84 quantities that do not depend on the point.
struct SegmentGeo {
  double length = 0;      // distGeo(a, b) / r
  double azimuth_ab = 0;  // bearing(a, b), degrees
  double azimuth_ba = 0;  // bearing(b, a)
};

SegmentGeo segment_geo(LonLat a, LonLat b) {
  return {geo_distance(a, b), geo_bearing(a, b), geo_bearing(b, a)};
}

// geosphere's dist2Line for one segment a-b (alongTrackDistance with the
// acos argument clamped to [-1, 1], as geosphere 1.6-5 does).
void wgs84_segment(LonLat p, LonLat a, LonLat b, const SegmentGeo& sg, int64_t j, Best& best) {
  const double tc = sg.azimuth_ab * kDeg, tcp = geo_bearing(a, p) * kDeg;
  const double dp = cosine_distance(a, p);
  const double xtr = std::asin(std::sin(tcp - tc) * std::sin(dp));
  const double cross_dist = std::fabs(xtr);
  if (!(cross_dist < best.seg_dist)) return;  // cannot win: skip the rest
  const double along1 = std::fabs(std::acos(std::clamp(std::cos(dp) / std::cos(xtr), -1.0, 1.0)));
  const double tc2 = sg.azimuth_ba * kDeg, tcp2 = geo_bearing(b, p) * kDeg;
  const double dp2 = cosine_distance(b, p);
  const double xtr2 = std::asin(std::sin(tcp2 - tc2) * std::sin(dp2));
  const double along2 = std::fabs(std::acos(std::clamp(std::cos(dp2) / std::cos(xtr2), -1.0, 1.0)));
  if (!(std::max(along1, along2) < sg.length)) return;
  best.seg_dist = cross_dist;
  best.segment = j;
  best.foot = along1 < along2 ? geo_destination(a, sg.azimuth_ab, std::min(along1, along2))
                              : geo_destination(b, sg.azimuth_ba, std::min(along1, along2));
}

// The exact foot of p on the great-circle arc a-b, if it falls inside.
void sphere_segment(const Vec3& p, const Vec3& a, const Vec3& b, int64_t j, Best& best) {
  Vec3 n = cross(a, b);
  const double nn = norm(n);
  if (nn < 1e-15) return;
  for (double& x : n) x /= nn;
  const double s = dot(p, n);
  Vec3 f{p[0] - s * n[0], p[1] - s * n[1], p[2] - s * n[2]};
  const double fn = norm(f);
  if (fn < 1e-15) return;
  for (double& x : f) x /= fn;
  if (dot(cross(a, f), n) < 0 || dot(cross(f, b), n) < 0) return;
  const double d = std::asin(std::min(1.0, std::fabs(s)));
  if (d < best.seg_dist) {
    best.seg_dist = d;
    best.segment = j;
    best.foot = lonlat(f);
  }
}

PolylineProjection finish(const Best& best, std::span<const LonLat> line) {
  PolylineProjection out;
  if (best.vertex_dist <= best.seg_dist) {
    out.point = line[static_cast<size_t>(best.vertex)];
    out.distance = best.vertex_dist;
    out.vertex = best.vertex;
  } else {
    out.point = best.foot;
    out.distance = best.seg_dist;
    out.segment = best.segment;
  }
  return out;
}

// Everything one geometry needs to project against one polyline.
class Projector {
 public:
  Projector(std::span<const LonLat> line, Geometry g) : line_(line), g_(g) {
    DATAOPT_CHECK(!line.empty(), "spherepc: cannot project onto an empty curve");
    units_.reserve(line.size());
    for (const LonLat& v : line) units_.push_back(unit(v));
    const size_t segs = line.size() - 1;
    double total = 0;
    for (size_t j = 0; j < segs; ++j) {
      const double len = angle(units_[j], units_[j + 1]);
      total += len;
      max_segment_ = std::max(max_segment_, len);
    }
    if (g == Geometry::kWgs84) {
      geo_.reserve(segs);
      for (size_t j = 0; j < segs; ++j) geo_.push_back(segment_geo(line[j], line[j + 1]));
    }
    // Samples every h along each segment (about the mean segment length):
    // every point of a segment is within h / 2 of one of its samples.
    h_ = segs > 0 && total > 0 ? total / static_cast<double>(segs) : 1e-3;
    std::vector<Vec3> samples;
    std::vector<int64_t> ids;
    if (segs == 0) {
      samples.push_back(units_[0]);
      ids.push_back(0);
    }
    for (size_t j = 0; j < segs; ++j) {
      const double len = angle(units_[j], units_[j + 1]);
      const int64_t k = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(len / h_)));
      for (int64_t i = 0; i < k; ++i) {
        samples.push_back(slerp(units_[j], units_[j + 1], len, (i + 0.5) / static_cast<double>(k)));
        ids.push_back(static_cast<int64_t>(j));
      }
    }
    grid_ = std::make_unique<detail::SphereGrid>(samples, ids,
                                                 detail::cell_for(samples.size(), 2.0));
  }

  PolylineProjection project(LonLat p, std::vector<uint32_t>& stamp, uint32_t& tick) const {
    if (line_.size() == 1) {
      return {line_[0], distance(p, line_[0], g_), -1, 0};
    }
    const Vec3 q = unit(p);
    // Samples lie on their segments, so the nearest sample bounds the
    // distance to the curve; then every segment that could beat it (each
    // segment is within h/2 of one of its samples) is a candidate.
    double best_dot = -2;
    for (double r = 2 * h_; best_dot < -1; r *= 2) {
      grid_->for_each_near(q, detail::chord_of(r), [&](int64_t, const Vec3& s) {
        best_dot = std::max(best_dot, dot(q, s));
      });
      if (r > kPi) break;
    }
    const double upper = std::acos(std::clamp(best_dot, -1.0, 1.0));
    // WGS84 distances differ from spherical ones by < 0.7 %; the package's
    // cross-track distance mixes ellipsoidal bearings (off by < 0.2°) into a
    // spherical formula, an error below 0.004 of the distance to the segment.
    const double margin =
        g_ == Geometry::kWgs84 ? 0.02 * upper + 0.004 * max_segment_ + 1e-6 : 1e-9;
    const double radius = upper + margin + 0.5 * h_;
    std::vector<int64_t>& cand = candidates_buffer();
    cand.clear();
    ++tick;
    const double min_dot = radius >= kPi ? -2.0 : std::cos(radius);
    grid_->for_each_near(q, detail::chord_of(radius), [&](int64_t j, const Vec3& s) {
      if (stamp[static_cast<size_t>(j)] == tick) return;
      if (dot(q, s) < min_dot) return;
      stamp[static_cast<size_t>(j)] = tick;
      cand.push_back(j);
    });
    std::sort(cand.begin(), cand.end());
    return evaluate(p, q, cand);
  }

  PolylineProjection project_all_segments(LonLat p) const {
    std::vector<int64_t> all(line_.size() - 1);
    for (size_t j = 0; j < all.size(); ++j) all[j] = static_cast<int64_t>(j);
    if (all.empty()) return {line_[0], distance(p, line_[0], g_), -1, 0};
    return evaluate(p, unit(p), all);
  }

  size_t segments() const { return line_.size() - 1; }

 private:
  static Vec3 slerp(const Vec3& a, const Vec3& b, double len, double t) {
    if (len < 1e-12) return a;
    const double s = std::sin(len), wa = std::sin((1 - t) * len) / s, wb = std::sin(t * len) / s;
    Vec3 v{wa * a[0] + wb * b[0], wa * a[1] + wb * b[1], wa * a[2] + wb * b[2]};
    const double n = norm(v);
    for (double& x : v) x /= n;
    return v;
  }

  // Candidates sorted by segment index; their vertices are the candidate nodes.
  PolylineProjection evaluate(LonLat p, const Vec3& q, const std::vector<int64_t>& cand) const {
    Best best;
    int64_t last_vertex = -1;
    for (int64_t j : cand) {
      for (int64_t v = std::max(j, last_vertex + 1); v <= j + 1; ++v) {
        const double d = g_ == Geometry::kWgs84 ? geo_distance(p, line_[static_cast<size_t>(v)])
                                                : angle(q, units_[static_cast<size_t>(v)]);
        if (d < best.vertex_dist) {
          best.vertex_dist = d;
          best.vertex = v;
        }
        last_vertex = v;
      }
    }
    for (int64_t j : cand) {
      const auto u = static_cast<size_t>(j);
      if (g_ == Geometry::kWgs84) {
        wgs84_segment(p, line_[u], line_[u + 1], geo_[u], j, best);
      } else {
        sphere_segment(q, units_[u], units_[u + 1], j, best);
      }
    }
    return finish(best, line_);
  }

  static std::vector<int64_t>& candidates_buffer() {
    thread_local std::vector<int64_t> buffer;
    return buffer;
  }

  std::span<const LonLat> line_;
  Geometry g_;
  std::vector<Vec3> units_;
  double h_ = 0;
  double max_segment_ = 0;
  std::vector<SegmentGeo> geo_;
  std::unique_ptr<detail::SphereGrid> grid_;
};

int thread_count(int threads) { return threads > 0 ? threads : omp_get_max_threads(); }

bool nearly_equal(LonLat a, LonLat b) {
  // R's all.equal on two numbers pairs: mean relative difference < 1.5e-8.
  const double scale = std::fabs(a.lon) + std::fabs(a.lat);
  const double diff = std::fabs(a.lon - b.lon) + std::fabs(a.lat - b.lat);
  return scale > 0 ? diff / scale < 1.5e-8 : diff < 1.5e-8;
}

}  // namespace

Geometry parse_geometry(const std::string& text) {
  if (text == "wgs84") return Geometry::kWgs84;
  if (text == "sphere") return Geometry::kSphere;
  DATAOPT_CHECK(false, "unknown geometry '", text, "' (expected wgs84 or sphere)");
  return Geometry::kSphere;
}

std::string to_string(Geometry geometry) {
  return geometry == Geometry::kWgs84 ? "wgs84" : "sphere";
}

double distance(LonLat a, LonLat b, Geometry geometry) {
  if (geometry == Geometry::kWgs84) return geo_distance(a, b);
  return angle(unit(a), unit(b));
}

PolylineProjection project_to_polyline_naive(LonLat p, std::span<const LonLat> line,
                                             Geometry geometry) {
  return Projector(line, geometry).project_all_segments(p);
}

std::vector<PolylineProjection> project_to_polyline(std::span<const LonLat> points,
                                                    std::span<const LonLat> line,
                                                    Geometry geometry, int threads) {
  const Projector projector(line, geometry);
  std::vector<PolylineProjection> out(points.size());
  const auto n = static_cast<int64_t>(points.size());
#pragma omp parallel num_threads(thread_count(threads))
  {
    std::vector<uint32_t> stamp(projector.segments() + 1, 0);
    uint32_t tick = 0;
#pragma omp for schedule(dynamic, 64)
    for (int64_t i = 0; i < n; ++i) {
      out[static_cast<size_t>(i)] = projector.project(points[static_cast<size_t>(i)], stamp, tick);
    }
  }
  return out;
}

double reconstruction_error(std::span<const LonLat> points, std::span<const LonLat> line,
                            Geometry geometry, int threads) {
  if (line.empty()) return 0.0;
  double sum = 0;
  for (const auto& p : project_to_polyline(points, line, geometry, threads)) {
    sum += p.distance * p.distance;
  }
  return sum;
}

std::vector<int64_t> nearest_vertex(std::span<const LonLat> points, std::span<const LonLat> line,
                                    Geometry geometry, int threads) {
  DATAOPT_CHECK(!line.empty(), "spherepc: nearest vertex of an empty curve");
  std::vector<Vec3> units;
  std::vector<int64_t> ids;
  for (size_t t = 0; t < line.size(); ++t) {
    units.push_back(unit(line[t]));
    ids.push_back(static_cast<int64_t>(t));
  }
  const double h = detail::cell_for(line.size(), 2.0);
  const detail::SphereGrid grid(units, ids, h);
  std::vector<int64_t> out(points.size());
  const auto n = static_cast<int64_t>(points.size());
#pragma omp parallel for schedule(dynamic, 64) num_threads(thread_count(threads))
  for (int64_t i = 0; i < n; ++i) {
    const LonLat p = points[static_cast<size_t>(i)];
    const Vec3 q = unit(p);
    double upper = kInf;
    for (double r = 2 * h; upper == kInf; r *= 2) {
      grid.for_each_near(q, detail::chord_of(r), [&](int64_t t, const Vec3& v) {
        upper = std::min(upper, geometry == Geometry::kWgs84
                                    ? geo_distance(p, line[static_cast<size_t>(t)])
                                    : angle(q, v));
      });
      if (r > kPi) break;
    }
    const double radius =
        upper + (geometry == Geometry::kWgs84 ? 0.02 * upper + 1e-6 : 1e-9);
    double best = kInf;
    int64_t arg = -1;
    const double min_dot = radius >= kPi ? -2.0 : std::cos(radius);
    grid.for_each_near(q, detail::chord_of(radius), [&](int64_t t, const Vec3& v) {
      if (dot(q, v) < min_dot) return;
      const double d = geometry == Geometry::kWgs84
                           ? geo_distance(p, line[static_cast<size_t>(t)])
                           : angle(q, v);
      if (d < best || (d == best && t < arg)) {
        best = d;
        arg = t;
      }
    });
    out[static_cast<size_t>(i)] = arg;
  }
  return out;
}

int64_t count_distinct(std::span<const LonLat> points) {
  std::vector<std::pair<double, double>> v;
  v.reserve(points.size());
  // +0.0 folds -0.0 into 0.0: R's == treats them as equal.
  for (const LonLat& p : points) v.emplace_back(p.lon + 0.0, p.lat + 0.0);
  std::sort(v.begin(), v.end());
  return static_cast<int64_t>(std::unique(v.begin(), v.end()) - v.begin());
}

std::vector<LonLat> densify(std::span<const LonLat> line_in, bool closed, double interval_m) {
  DATAOPT_CHECK(interval_m > 0, "densify: interval must be > 0, got ", interval_m);
  std::vector<LonLat> line(line_in.begin(), line_in.end());
  if (line.size() < 2) return line;
  if (closed && !nearly_equal(line.front(), line.back())) line.push_back(line.front());
  std::vector<LonLat> out{line.front()};
  for (size_t i = 0; i + 1 < line.size(); ++i) {
    if (nearly_equal(line[i], line[i + 1])) continue;
    const auto n = static_cast<int64_t>(
        std::floor(geo_distance(line[i], line[i + 1]) * kEarthRadius / interval_m));
    if (n > 0) {
      // geosphere repeats the segment's ends around the inserted points.
      out.push_back(line[i]);
      const Vec3 a = unit(line[i]), b = unit(line[i + 1]);
      const double len = angle(a, b), s = std::sin(len);
      for (int64_t k = 1; k <= n; ++k) {
        const double t = static_cast<double>(k) / static_cast<double>(n + 1);
        const double wa = std::sin((1 - t) * len) / s, wb = std::sin(t * len) / s;
        out.push_back(lonlat({wa * a[0] + wb * b[0], wa * a[1] + wb * b[1], wa * a[2] + wb * b[2]}));
      }
      out.push_back(line[i + 1]);
    }
    out.push_back(line[i + 1]);
  }
  return out;
}

}  // namespace dataopt::spherepc
