// dataopt sphere: principal curves and related dimension reduction on the
// sphere (the spherepc R package's methods) for (longitude, latitude) data.

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "dataopt/core/atomic_file.h"
#include "dataopt/core/check.h"
#include "dataopt/core/json_io.h"
#include "dataopt/core/log.h"
#include "dataopt/spherepc/circle.h"
#include "dataopt/spherepc/means.h"
#include "dataopt/spherepc/plot_svg.h"
#include "dataopt/spherepc/points_csv.h"

namespace dataopt::cli {
namespace fs = std::filesystem;
namespace sp = spherepc;

void add_sphere_command(CLI::App& app, SphereArgs& a) {
  auto* cmd = app.add_subcommand(
      "sphere",
      "Principal curves and dimension reduction on the sphere (spherepc): fit to "
      "longitude/latitude points in a CSV file; write DIR/curve.csv, DIR/projections.csv, "
      "DIR/summary.json and DIR/plot.svg.\n"
      "Methods: spc (spherical principal curve), spc-hauberg, pga (principal geodesic), "
      "lpg (local principal geodesics), circle (principal circle), mean.\n"
      "Examples:\n"
      "  dataopt sphere spc --input earthquake.csv --q 0.1 --out runs/eq\n"
      "  dataopt sphere spc --input earthquake.csv --geometry wgs84 --out runs/eq-r   "
      "(as the R package)");
  add_common_flags(*cmd, a.common);
  cmd->add_option("method", a.method, "spc, spc-hauberg, pga, lpg, circle or mean")
      ->required()
      ->check(CLI::IsMember({"spc", "spc-hauberg", "pga", "lpg", "circle", "mean"}));
  cmd->add_option("--input", a.input, "CSV file with a header")->required();
  cmd->add_option("--lon", a.lon, "longitude column (default: longitude, lon or long)");
  cmd->add_option("--lat", a.lat, "latitude column (default: latitude or lat)");
  cmd->add_option("--q", a.spc.q, "spc: bandwidth as a fraction of the curve length")
      ->capture_default_str();
  cmd->add_option("--T", a.spc.T, "spc: number of curve vertices (0 = number of points); "
                                  "circle: points drawn (0 = 360)")
      ->capture_default_str();
  cmd->add_option("--step-size", a.spc.step_size, "principal circle: gradient step")
      ->capture_default_str();
  cmd->add_option("--maxit", a.maxit,
                  "maximum iterations (default: spc 10, circle 10000)");
  cmd->add_option("--thres", a.thres,
                  "convergence threshold (default: spc 0.1, spc-hauberg 0.01, lpg 1e-4, "
                  "circle and mean 1e-5)");
  cmd->add_flag("--delete-points", a.spc.delete_points,
                "spc: drop vertices without data within q L (open curve)");
  cmd->add_option("--kernel", a.kernel,
                  "quartic, gaussian or indicator (default: quartic; lpg: indicator)")
      ->check(CLI::IsMember({"quartic", "gaussian", "Gaussian", "indicator"}));
  cmd->add_option("--type", a.type, "spc, mean: intrinsic or extrinsic mean")
      ->capture_default_str()
      ->check(CLI::IsMember({"intrinsic", "extrinsic", "Intrinsic", "Extrinsic"}));
  cmd->add_option("--scale", a.lpg.scale, "lpg: neighbourhood radius (radians)")
      ->capture_default_str();
  cmd->add_option("--tau", a.lpg.tau, "lpg: step (radians; 0 = scale / 3)")
      ->capture_default_str();
  cmd->add_option("--nu", a.lpg.nu, "lpg: viscosity")->capture_default_str();
  cmd->add_option("--maxpt", a.lpg.maxpt, "lpg: maximum steps each way")->capture_default_str();
  cmd->add_option("--seed", a.lpg.seed, "lpg: seed of the random starts")->capture_default_str();
  cmd->add_option("--geometry", a.geometry,
                  "sphere (exact great circles) or wgs84 (distances on the WGS84 "
                  "ellipsoid, as the R package)")
      ->capture_default_str()
      ->check(CLI::IsMember({"sphere", "wgs84"}));
  cmd->add_flag("!--no-plot", a.plot, "do not write plot.svg");
  cmd->add_option("--out", a.out, "output directory")->required();
}

namespace {

struct Fit {
  std::vector<sp::LonLat> curve;           // written to curve.csv
  std::vector<int64_t> curve_id;           // lpg: which curve each vertex is on
  std::vector<sp::LonLat> plot_curve;      // drawn in plot.svg
  bool closed = false;
  std::vector<sp::PolylineProjection> projections;
  int64_t iterations = 0;
  bool converged = true;
  double recon_error = 0;
  int64_t distinct = 0;
  nlohmann::json extra = nlohmann::json::object();
};

double sum_sq(const std::vector<sp::PolylineProjection>& p) {
  double s = 0;
  for (const auto& x : p) s += x.distance * x.distance;
  return s;
}

std::vector<sp::LonLat> points_of(const std::vector<sp::PolylineProjection>& p) {
  std::vector<sp::LonLat> out;
  for (const auto& x : p) out.push_back(x.point);
  return out;
}

std::vector<sp::PolylineProjection> project_closed(const std::vector<sp::LonLat>& pts,
                                                   std::vector<sp::LonLat> curve,
                                                   sp::Geometry g, int threads) {
  if (curve.size() > 1) curve.push_back(curve.front());
  return sp::project_to_polyline(pts, curve, g, threads);
}

Fit fit_method(const SphereArgs& a, const std::vector<sp::LonLat>& pts, int threads) {
  const sp::Geometry g = sp::parse_geometry(a.geometry);
  const bool has_thres = !std::isnan(a.thres);
  Fit f;
  if (a.method == "spc" || a.method == "spc-hauberg") {
    const bool hauberg = a.method == "spc-hauberg";
    sp::SpcOptions o = a.spc;
    o.thres = has_thres ? a.thres : (hauberg ? 0.01 : 0.1);
    if (a.maxit >= 0) o.maxit = a.maxit;
    o.kernel = sp::parse_kernel(a.kernel.empty() ? "quartic" : a.kernel);
    o.type = sp::parse_mean_type(a.type);
    o.geometry = g;
    o.threads = threads;
    const sp::SpcResult r = hauberg ? sp::spc_hauberg(pts, o) : sp::spc(pts, o);
    f.curve = r.curve;
    f.plot_curve = r.curve;
    f.closed = !o.delete_points;
    f.projections = r.projections;
    f.iterations = r.iterations;
    f.converged = r.converged;
    f.recon_error = r.recon_error;
    f.distinct = r.num_distinct_projections;
    f.extra = {{"q", o.q}, {"T", o.T > 0 ? o.T : static_cast<int64_t>(pts.size())},
               {"thres", o.thres}, {"maxit", o.maxit}, {"kernel", sp::to_string(o.kernel)},
               {"type", sp::to_string(o.type)}, {"delete_points", o.delete_points},
               {"vertices", r.curve.size()}, {"line_points", r.line.size()},
               {"circle", {{"lon", r.circle_center.lon}, {"lat", r.circle_center.lat},
                           {"radius", r.circle_radius}}}};
  } else if (a.method == "pga") {
    const sp::PgaResult p = sp::pga(pts);
    f.curve = p.line;
    f.plot_curve = p.vertices;
    f.projections = sp::project_to_polyline(pts, p.vertices, g, threads);
    f.extra = {{"mean", {{"lon", p.mean.lon}, {"lat", p.mean.lat}}},
               {"direction", {p.direction[0], p.direction[1]}}};
  } else if (a.method == "circle") {
    sp::PrincipalCircleOptions o{.step_size = a.spc.step_size};
    if (has_thres) o.thres = a.thres;
    if (a.maxit >= 0) o.maxit = a.maxit;
    const sp::Circle c = sp::principal_circle(pts, o);
    f.curve = sp::generate_circle(c.center, c.radius, a.spc.T > 0 ? a.spc.T : 360);
    f.plot_curve = f.curve;
    f.closed = true;
    f.projections = project_closed(pts, f.curve, g, threads);
    f.iterations = c.iterations;
    f.converged = c.converged;
    f.extra = {{"center", {{"lon", c.center.lon}, {"lat", c.center.lat}}},
               {"radius", c.radius}, {"thres", o.thres}, {"maxit", o.maxit}};
  } else if (a.method == "mean") {
    const bool intrinsic = sp::parse_mean_type(a.type) == sp::MeanType::kIntrinsic;
    const double thres = has_thres ? a.thres : 1e-5;
    const sp::LonLat m = intrinsic ? sp::intrinsic_mean(pts, {}, thres) : sp::extrinsic_mean(pts);
    f.curve = {m};
    f.plot_curve = {m};
    for (const auto& p : pts) f.projections.push_back({m, sp::distance(p, m, g), -1, 0});
    f.extra = {{"mean", {{"lon", m.lon}, {"lat", m.lat}}}, {"type", a.type}};
  } else {  // lpg
    sp::LpgOptions o = a.lpg;
    if (has_thres) o.thres = a.thres;
    o.kernel = sp::parse_kernel(a.kernel.empty() ? "indicator" : a.kernel);
    o.geometry = g;
    const sp::LpgResult r = sp::lpg(pts, o);
    f.projections.assign(pts.size(), {{}, 1e300, -1, -1});
    size_t longest = 0;
    for (size_t k = 0; k < r.curves.size(); ++k) {
      for (const auto& v : r.curves[k]) {
        f.curve.push_back(v);
        f.curve_id.push_back(static_cast<int64_t>(k));
      }
      if (r.curves[k].size() > r.curves[longest].size()) longest = k;
      // Each point's projection: onto its nearest curve.
      const auto proj = sp::project_to_polyline(pts, r.curves[k], g, threads);
      for (size_t i = 0; i < pts.size(); ++i) {
        if (proj[i].distance < f.projections[i].distance) f.projections[i] = proj[i];
      }
    }
    f.plot_curve = r.curves[longest];
    f.iterations = static_cast<int64_t>(r.curves.size());
    f.extra = {{"num_curves", r.curves.size()}, {"scale", o.scale},
               {"tau", o.tau > 0 ? o.tau : o.scale / 3}, {"nu", o.nu}, {"maxpt", o.maxpt},
               {"seed", o.seed}, {"kernel", sp::to_string(o.kernel)},
               {"note", "plot.svg draws the longest curve; curve.csv has all of them"}};
  }
  if (a.method != "spc" && a.method != "spc-hauberg") {
    f.recon_error = sum_sq(f.projections);
    f.distinct = sp::count_distinct(points_of(f.projections));
  }
  return f;
}

void write_lpg_curves(const fs::path& path, const Fit& f) {
  write_file_atomic(path, [&](std::ostream& out) {
    out << "index,curve,lon,lat\n";
    char buf[96];
    for (size_t i = 0; i < f.curve.size(); ++i) {
      std::snprintf(buf, sizeof buf, "%zu,%lld,%.12g,%.12g\n", i,
                    static_cast<long long>(f.curve_id[i]), f.curve[i].lon, f.curve[i].lat);
      out << buf;
    }
  });
}

}  // namespace

int run_sphere(const SphereArgs& a) {
  const int threads = apply_common(a.common);
  DATAOPT_CHECK(!a.out.empty(), "--out: an output directory is required");
  const auto table = sp::read_lonlat_csv(a.input, a.lon, a.lat);
  if (!table.skipped_rows.empty()) {
    std::string rows;
    for (size_t k = 0; k < table.skipped_rows.size() && k < 20; ++k) {
      rows += (k ? ", " : "") + std::to_string(table.skipped_rows[k]);
    }
    if (table.skipped_rows.size() > 20) rows += ", ...";
    log::warn(a.input, ": skipped ", table.skipped_rows.size(),
              " rows with a missing coordinate (data rows ", rows, ")");
  }
  DATAOPT_CHECK(table.points.size() >= 3, a.input, ": need at least 3 points with both ",
                table.lon_column, " and ", table.lat_column, ", found ", table.points.size());
  log::info("sphere ", a.method, ": ", table.points.size(), " points from ", a.input, " (",
            table.lon_column, ", ", table.lat_column, "), geometry ", a.geometry);

  const auto t0 = std::chrono::steady_clock::now();
  const Fit f = fit_method(a, table.points, threads);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  const fs::path out(a.out);
  fs::create_directories(out);
  if (f.curve_id.empty()) {
    sp::write_curve_csv(out / "curve.csv", f.curve);
  } else {
    write_lpg_curves(out / "curve.csv", f);
  }
  sp::write_projections_csv(out / "projections.csv", table.points, f.projections);
  if (a.plot) {
    sp::write_fit_svg(out / "plot.svg", table.points, f.plot_curve, f.closed, f.projections,
                      {.title = a.method + " of " + fs::path(a.input).filename().string()});
  }
  nlohmann::json summary = {
      {"method", a.method},         {"input", a.input},
      {"n", table.points.size()},   {"skipped_rows", table.skipped_rows},
      {"geometry", a.geometry},     {"iterations", f.iterations},
      {"converged", f.converged},   {"recon_error", f.recon_error},
      {"num_distinct_projections", f.distinct},
      {"seconds", seconds},         {"threads", threads},
      {"options", f.extra}};
  write_json(out / "summary.json", summary);
  std::printf("%s: %zu points, %lld iterations, converged %s, recon error %.10g, "
              "%lld distinct projections, %.3f s\n",
              a.method.c_str(), table.points.size(), static_cast<long long>(f.iterations),
              f.converged ? "yes" : "no", f.recon_error, static_cast<long long>(f.distinct),
              seconds);
  std::printf("wrote %s\n", out.c_str());
  return 0;
}

}  // namespace dataopt::cli
