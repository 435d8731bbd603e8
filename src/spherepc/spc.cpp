#include "dataopt/spherepc/spc.h"

#include <omp.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <optional>

#include "dataopt/core/check.h"
#include "dataopt/spherepc/circle.h"
#include "dataopt/spherepc/means.h"
#include "detail/sphere_grid.h"

namespace dataopt::spherepc {
namespace {

Vec3 unit(LonLat p) {
  const double d = kPi / 180, cl = std::cos(p.lat * d);
  return {cl * std::cos(p.lon * d), cl * std::sin(p.lon * d), std::sin(p.lat * d)};
}

double angle(const Vec3& a, const Vec3& b) {
  const Vec3 c = cross(a, b);
  return std::atan2(std::sqrt(c[0] * c[0] + c[1] * c[1] + c[2] * c[2]),
                    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]);
}

// The data's projections in the form both fits need.
struct Projected {
  std::vector<LonLat> points;
  std::vector<double> distances;
};

Projected project(std::span<const LonLat> data, const std::vector<LonLat>& curve, bool hauberg,
                  bool closed, const SpcOptions& o) {
  Projected out;
  out.points.resize(data.size());
  out.distances.resize(data.size());
  if (curve.size() == 1) {
    for (size_t i = 0; i < data.size(); ++i) {
      out.points[i] = curve[0];
      out.distances[i] = distance(data[i], curve[0], o.geometry);
    }
    return out;
  }
  if (hauberg) {
    const auto idx = nearest_vertex(data, curve, o.geometry, o.threads);
    for (size_t i = 0; i < data.size(); ++i) {
      out.points[i] = curve[static_cast<size_t>(idx[i])];
      out.distances[i] = distance(data[i], out.points[i], o.geometry);
    }
    return out;
  }
  std::vector<LonLat> line = curve;
  if (closed) line.push_back(curve.front());
  const auto proj = project_to_polyline(data, line, o.geometry, o.threads);
  for (size_t i = 0; i < data.size(); ++i) {
    out.points[i] = proj[i].point;
    out.distances[i] = proj[i].distance;
  }
  return out;
}

double sum_of_squares(const std::vector<double>& d) {
  double s = 0;
  for (double x : d) s += x * x;
  return s;
}

// The expectation step: every vertex moves to the weighted mean of the data
// whose projections lie strictly within q L of it (Jacobi: all from the same
// old curve). Vertices without data stay, or become nullopt (deleted).
std::vector<std::optional<LonLat>> expectation(std::span<const LonLat> data,
                                               const std::vector<Vec3>& data_euclid,
                                               const std::vector<LonLat>& curve,
                                               const Projected& proj, double radius,
                                               const SpcOptions& o) {
  std::vector<Vec3> proj_units(proj.points.size());
  std::vector<int64_t> ids(proj.points.size());
  for (size_t i = 0; i < proj.points.size(); ++i) {
    proj_units[i] = unit(proj.points[i]);
    ids[i] = static_cast<int64_t>(i);
  }
  const detail::SphereGrid grid(proj_units, ids, detail::cell_for(proj_units.size(), 8.0));
  // The index works on the sphere; WGS84 distances differ by < 0.7 %, so the
  // query is widened and the package's own distance decides.
  const double query = o.geometry == Geometry::kWgs84 ? radius * 1.02 + 1e-6 : radius + 1e-9;
  std::vector<std::optional<LonLat>> out(curve.size());
  const auto T = static_cast<int64_t>(curve.size());
#pragma omp parallel num_threads(o.threads > 0 ? o.threads : omp_get_max_threads())
  {
    std::vector<int64_t> nbrs;
    std::vector<double> weights;
    std::vector<Vec3> nbr_euclid;
    std::vector<LonLat> nbr_points;
#pragma omp for schedule(dynamic, 16)
    for (int64_t t = 0; t < T; ++t) {
      const LonLat c = curve[static_cast<size_t>(t)];
      const Vec3 cu = unit(c);
      nbrs.clear();
      const double min_dot = query >= kPi ? -2.0 : std::cos(query);
      grid.for_each_near(cu, detail::chord_of(query), [&](int64_t i, const Vec3& p) {
        if (cu[0] * p[0] + cu[1] * p[1] + cu[2] * p[2] >= min_dot) nbrs.push_back(i);
      });
      // Data order, as R's logical subset: the mean starts at the first one.
      std::sort(nbrs.begin(), nbrs.end());
      weights.clear();
      nbr_euclid.clear();
      nbr_points.clear();
      for (int64_t i : nbrs) {
        const auto u = static_cast<size_t>(i);
        const double d = o.geometry == Geometry::kSphere ? angle(proj_units[u], cu)
                                                         : distance(proj.points[u], c, o.geometry);
        if (!(d < radius)) continue;
        weights.push_back(kernel_weight(o.kernel, d / radius));
        nbr_euclid.push_back(data_euclid[u]);
        nbr_points.push_back(data[u]);
      }
      if (weights.empty()) {
        out[static_cast<size_t>(t)] = o.delete_points ? std::nullopt : std::optional<LonLat>(c);
      } else if (o.type == MeanType::kIntrinsic) {
        out[static_cast<size_t>(t)] = intrinsic_mean_euclid(nbr_euclid, weights, nbr_points[0]);
      } else {
        out[static_cast<size_t>(t)] = extrinsic_mean(nbr_points, weights);
      }
    }
  }
  return out;
}

SpcResult fit(std::span<const LonLat> data, const SpcOptions& o, bool hauberg) {
  o.validate();
  const auto t0 = std::chrono::steady_clock::now();
  DATAOPT_CHECK(data.size() >= 3, "spc: need at least 3 points, got ", data.size());
  for (size_t i = 0; i < data.size(); ++i) {
    DATAOPT_CHECK(std::isfinite(data[i].lon) && std::isfinite(data[i].lat) &&
                      std::fabs(data[i].lat) <= 90,
                  "spc: point ", i, " is not a valid (lon, lat) in degrees: (", data[i].lon,
                  ", ", data[i].lat, ")");
  }
  const int64_t T = o.T > 0 ? o.T : static_cast<int64_t>(data.size());
  std::vector<Vec3> data_euclid(data.size());
  for (size_t i = 0; i < data.size(); ++i) data_euclid[i] = to_euclid(data[i]);

  SpcResult r;
  const Circle pc = principal_circle(data, {.step_size = o.step_size, .threads = o.threads});
  r.circle_center = pc.center;
  r.circle_radius = pc.radius;
  std::vector<LonLat> curve = generate_circle(pc.center, pc.radius, T);
  // Cal.recon projects onto the open curve, and so does the next iteration's
  // projection step: one projection serves both.
  Projected current = project(data, curve, hauberg, /*closed=*/false, o);
  double rss_old = sum_of_squares(current.distances), rss_new = rss_old;
  double relative = 1;
  int64_t iter = 0;
  while (relative >= o.thres && rss_old != 0 && iter < o.maxit + 1) {
    // Projections onto the open curve during the iterations (as the package).
    const Projected proj = std::move(current);
    double length = 0;
    for (size_t t = 0; t + 1 < curve.size(); ++t) {
      length += distance(curve[t], curve[t + 1], o.geometry);
    }
    if (!o.delete_points) length += distance(curve.back(), curve.front(), o.geometry);
    const auto moved = expectation(data, data_euclid, curve, proj, o.q * length, o);
    curve.clear();
    for (const auto& v : moved) {
      if (v) curve.push_back(*v);
    }
    DATAOPT_CHECK(!curve.empty(), "spc: every vertex lost its data (q = ", o.q,
                  " is too small for delete_points)");
    current = project(data, curve, hauberg, /*closed=*/false, o);
    rss_new = sum_of_squares(current.distances);
    relative = std::fabs((rss_old - rss_new) / rss_old);
    rss_old = rss_new;
    ++iter;
  }
  r.curve = curve;
  r.iterations = iter;
  r.converged = iter < o.maxit;
  r.recon_error = rss_new;
  const bool closed = !o.delete_points && curve.size() > 1;
  const Projected final_proj = project(data, curve, hauberg, closed, o);
  r.projections.resize(data.size());
  for (size_t i = 0; i < data.size(); ++i) {
    r.projections[i].point = final_proj.points[i];
    r.projections[i].distance = final_proj.distances[i];
  }
  r.num_distinct_projections = count_distinct(final_proj.points);
  r.line = curve.size() > 1 ? densify(curve, closed) : curve;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace

MeanType parse_mean_type(const std::string& text) {
  std::string t = text;
  if (!t.empty()) t[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(t[0])));
  if (t == "intrinsic") return MeanType::kIntrinsic;
  if (t == "extrinsic") return MeanType::kExtrinsic;
  DATAOPT_CHECK(false, "unknown type '", text, "' (expected intrinsic or extrinsic)");
  return MeanType::kIntrinsic;
}

std::string to_string(MeanType type) {
  return type == MeanType::kIntrinsic ? "intrinsic" : "extrinsic";
}

void SpcOptions::validate() const {
  DATAOPT_CHECK(q > 0 && std::isfinite(q), "q must be > 0, got ", q);
  DATAOPT_CHECK(T >= 0, "T must be >= 0 (0 = number of points), got ", T);
  DATAOPT_CHECK(step_size > 0, "step_size must be > 0, got ", step_size);
  DATAOPT_CHECK(maxit >= 0, "maxit must be >= 0, got ", maxit);
  DATAOPT_CHECK(thres >= 0, "thres must be >= 0, got ", thres);
  DATAOPT_CHECK(threads >= 0, "threads must be >= 0, got ", threads);
}

SpcOptions SpcOptions::hauberg_defaults() {
  SpcOptions o;
  o.thres = 0.01;
  return o;
}

SpcResult spc(std::span<const LonLat> points, const SpcOptions& options) {
  return fit(points, options, /*hauberg=*/false);
}

SpcResult spc_hauberg(std::span<const LonLat> points, const SpcOptions& options) {
  return fit(points, options, /*hauberg=*/true);
}

}  // namespace dataopt::spherepc
