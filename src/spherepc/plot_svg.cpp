#include "dataopt/spherepc/plot_svg.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <locale>
#include <sstream>
#include <vector>

#include "dataopt/core/atomic_file.h"
#include "dataopt/core/check.h"

namespace dataopt::spherepc {

namespace {

constexpr double kDeg = kPi / 180;
/// Longest piece of a drawn line, in degrees, before it is subdivided.
constexpr double kMaxStepDeg = 2;

double dot(const Vec3& a, const Vec3& b) {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}
double norm(const Vec3& a) { return std::sqrt(dot(a, a)); }

void check_finite(std::span<const LonLat> pts, const char* name) {
  for (size_t i = 0; i < pts.size(); ++i) {
    DATAOPT_CHECK(std::isfinite(pts[i].lon) && std::isfinite(pts[i].lat),
                  "write_fit_svg: ", name, "[", i, "] is not finite (", pts[i].lon, ", ",
                  pts[i].lat, ")");
  }
}

/// Appends the great-circle arc from `a` (already in `out`) to `b`, in pieces
/// of at most kMaxStepDeg. Near-antipodal ends have no unique arc: jump.
void append_arc(std::vector<Vec3>& out, const Vec3& a, const Vec3& b) {
  const double s = norm(cross(a, b));
  const double w = std::atan2(s, dot(a, b));
  const int n = std::max(1, static_cast<int>(std::ceil(w / (kMaxStepDeg * kDeg))));
  if (s < 1e-9 || n == 1) {
    out.push_back(b);
    return;
  }
  for (int k = 1; k < n; ++k) {
    const double t = static_cast<double>(k) / n;
    const double ca = std::sin((1 - t) * w) / s, cb = std::sin(t * w) / s;
    out.push_back({ca * a[0] + cb * b[0], ca * a[1] + cb * b[1], ca * a[2] + cb * b[2]});
  }
  out.push_back(b);
}

/// Maps unit vectors to pixels. The frame (east, north, view) at the centre
/// gives the same x, y as orthographic(), plus the depth used for clipping.
class Canvas {
 public:
  Canvas(LonLat c, double cx, double cy, double r) : cx_(cx), cy_(cy), r_(r) {
    const double l = c.lon * kDeg, f = c.lat * kDeg;
    east_ = {-std::sin(l), std::cos(l), 0};
    north_ = {-std::sin(f) * std::cos(l), -std::sin(f) * std::sin(l), std::cos(f)};
    view_ = {std::cos(f) * std::cos(l), std::cos(f) * std::sin(l), std::sin(f)};
  }
  double depth(const Vec3& v) const { return dot(v, view_); }
  double px(const Vec3& v) const { return cx_ + r_ * dot(v, east_); }
  double py(const Vec3& v) const { return cy_ - r_ * dot(v, north_); }
  void point(std::ostream& os, const Vec3& v) const { os << px(v) << ',' << py(v); }
  /// SVG path data for the visible parts of a polyline: a new subpath ("M")
  /// starts wherever the line comes back over the horizon.
  std::string path(const std::vector<Vec3>& line) const {
    std::ostringstream os;
    os.imbue(std::locale::classic());
    os << std::fixed << std::setprecision(2);
    bool down = false;
    for (size_t i = 0; i < line.size(); ++i) {
      const double d = depth(line[i]);
      if (i > 0) {
        const double d0 = depth(line[i - 1]);
        if ((d0 >= 0) != (d >= 0)) {
          // The chord meets the plane depth = 0 on the arc's own great circle,
          // so the normalised crossing lies exactly on the horizon.
          const double t = d0 / (d0 - d);
          Vec3 h;
          for (int k = 0; k < 3; ++k) {
            h[k] = line[i - 1][k] + t * (line[i][k] - line[i - 1][k]);
          }
          const double n = norm(h);
          if (n > 1e-12) {
            for (double& x : h) x /= n;
            os << (down ? " L" : " M");
            point(os, h);
            down = true;
          }
          if (d < 0) down = false;
        }
      }
      if (d >= 0) {
        os << (down ? " L" : " M");
        point(os, line[i]);
        down = true;
      }
    }
    return os.str();
  }

 private:
  double cx_, cy_, r_;
  Vec3 east_{}, north_{}, view_{};
};

/// Normalised mean of the unit vectors; the first point when the mean
/// (nearly) vanishes, e.g. for antipodal pairs.
LonLat centre_of(std::span<const LonLat> pts) {
  Vec3 m = {0, 0, 0};
  for (const LonLat& p : pts) {
    const Vec3 v = to_euclid(p);
    for (int k = 0; k < 3; ++k) m[k] += v[k] / static_cast<double>(pts.size());
  }
  return norm(m) > 1e-6 ? to_lonlat(m) : pts.front();
}

/// Escapes text content for XML; drops the control characters XML 1.0 forbids.
std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '&') {
      out += "&amp;";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n') {
      out += c;
    }
  }
  return out;
}

}  // namespace

void SvgPlotOptions::validate() const {
  DATAOPT_CHECK(size >= 100, "SvgPlotOptions: size must be >= 100, got ", size);
  DATAOPT_CHECK(
      std::isfinite(graticule_step) && graticule_step >= 1 && graticule_step <= 180,
      "SvgPlotOptions: graticule_step must be in [1, 180], got ", graticule_step);
}

OrthoPoint orthographic(LonLat center, LonLat p) {
  const double l0 = center.lon * kDeg, f0 = center.lat * kDeg;
  const double dl = p.lon * kDeg - l0, f = p.lat * kDeg;
  OrthoPoint o;
  o.x = std::cos(f) * std::sin(dl);
  o.y = std::cos(f0) * std::sin(f) - std::sin(f0) * std::cos(f) * std::cos(dl);
  o.visible = std::sin(f0) * std::sin(f) + std::cos(f0) * std::cos(f) * std::cos(dl) >= 0;
  return o;
}

void write_fit_svg(const std::filesystem::path& path, std::span<const LonLat> points,
                   std::span<const LonLat> curve, bool closed,
                   std::span<const PolylineProjection> projections,
                   const SvgPlotOptions& options) {
  options.validate();
  check_finite(points, "points");
  check_finite(curve, "curve");
  DATAOPT_CHECK(projections.empty() || projections.size() == points.size(),
                "write_fit_svg: projections has ", projections.size(),
                " entries but points has ", points.size(),
                " (pass none or one per point)");
  for (size_t i = 0; i < projections.size(); ++i) {
    const LonLat& q = projections[i].point;
    DATAOPT_CHECK(std::isfinite(q.lon) && std::isfinite(q.lat),
                  "write_fit_svg: projections[", i, "].point is not finite (", q.lon,
                  ", ", q.lat, ")");
  }

  const LonLat centre = !points.empty()  ? centre_of(points)
                        : !curve.empty() ? centre_of(curve)
                                         : LonLat{0, 0};
  const double size = options.size;
  const double s = std::max(0.5, size / 800);  // scale of strokes and fonts
  const double top = options.title.empty() ? 0 : 30 * s;
  const double r = 0.45 * (size - top);
  const Canvas canvas(centre, size / 2, top + (size - top) / 2, r);

  std::ostringstream os;
  os.imbue(std::locale::classic());
  os << std::fixed << std::setprecision(2);
  os << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
     << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << options.size
     << "\" height=\"" << options.size << "\" viewBox=\"0 0 " << options.size << ' '
     << options.size << "\" font-family=\"sans-serif\">\n"
     << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
     << "<circle cx=\"" << size / 2 << "\" cy=\"" << top + (size - top) / 2 << "\" r=\""
     << r << "\" fill=\"#f4f8fb\" stroke=\"black\" stroke-width=\"" << 1.5 * s
     << "\"/>\n";

  // Graticule: meridians and parallels sampled every kMaxStepDeg degrees.
  // Lines sit on multiples of the step, so the equator and meridian 0 always appear.
  const double step = options.graticule_step;
  os << "<g fill=\"none\" stroke=\"#b0b0b0\" stroke-width=\"" << 0.6 * s << "\">\n";
  const auto graticule_line = [&](bool meridian, double at) {
    const double lo = meridian ? -90 : -180, hi = meridian ? 90 : 180;
    const int n = static_cast<int>(std::ceil((hi - lo) / kMaxStepDeg));
    std::vector<Vec3> line;
    for (int k = 0; k <= n; ++k) {
      const double v = lo + (hi - lo) * k / n;
      line.push_back(to_euclid(meridian ? LonLat{at, v} : LonLat{v, at}));
    }
    const std::string d = canvas.path(line);
    if (!d.empty()) os << "<path d=\"" << d << "\"/>\n";
  };
  for (int k = static_cast<int>(std::ceil(-180 / step)); k * step < 180; ++k) {
    graticule_line(true, k * step);
  }
  for (int k = static_cast<int>(std::floor(-90 / step)) + 1; k * step < 90; ++k) {
    graticule_line(false, k * step);
  }
  os << "</g>\n";

  if (!projections.empty()) {
    os << "<g fill=\"none\" stroke=\"#808080\" stroke-width=\"" << 0.8 * s << "\">\n";
    for (size_t i = 0; i < points.size(); ++i) {
      std::vector<Vec3> seg = {to_euclid(points[i])};
      append_arc(seg, seg[0], to_euclid(projections[i].point));
      const std::string d = canvas.path(seg);
      if (!d.empty()) os << "<path d=\"" << d << "\"/>\n";
    }
    os << "</g>\n";
  }

  if (curve.size() >= 2) {
    std::vector<Vec3> line = {to_euclid(curve[0])};
    for (size_t i = 1; i <= curve.size(); ++i) {
      if (i == curve.size() && !closed) break;
      const Vec3 a = line.back();  // a copy: append_arc grows `line`
      append_arc(line, a, to_euclid(curve[i % curve.size()]));
    }
    const std::string d = canvas.path(line);
    if (!d.empty()) {
      os << "<path d=\"" << d << "\" fill=\"none\" stroke=\"#d62728\" stroke-width=\""
         << 2 * s << "\" stroke-linejoin=\"round\"/>\n";
    }
  }

  os << "<g fill=\"#1f77b4\">\n";
  for (const LonLat& p : points) {
    const Vec3 v = to_euclid(p);
    if (canvas.depth(v) < 0) continue;
    os << "<circle cx=\"" << canvas.px(v) << "\" cy=\"" << canvas.py(v) << "\" r=\""
       << 2.5 * s << "\"/>\n";
  }
  os << "</g>\n";

  // Legend in the bottom-left corner.
  const int rows = projections.empty() ? 2 : 3;
  const double lx = 10 * s, row = 18 * s, ly = size - 10 * s - rows * row - 8 * s;
  os << "<g font-size=\"" << 13 * s << "\">\n"
     << "<rect x=\"" << lx << "\" y=\"" << ly << "\" width=\"" << 110 * s
     << "\" height=\"" << rows * row + 8 * s
     << "\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#808080\""
     << " stroke-width=\"" << 0.6 * s << "\"/>\n";
  const char* labels[] = {"data", "curve", "projection"};
  for (int k = 0; k < rows; ++k) {
    const double y = ly + 4 * s + (k + 0.5) * row;
    const double x0 = lx + 8 * s, x1 = lx + 30 * s;
    if (k == 0) {
      os << "<circle cx=\"" << (x0 + x1) / 2 << "\" cy=\"" << y << "\" r=\"" << 3 * s
         << "\" fill=\"#1f77b4\"/>\n";
    } else {
      os << "<line x1=\"" << x0 << "\" y1=\"" << y << "\" x2=\"" << x1 << "\" y2=\"" << y
         << "\" stroke=\"" << (k == 1 ? "#d62728" : "#808080") << "\" stroke-width=\""
         << (k == 1 ? 2 : 0.8) * s << "\"/>\n";
    }
    os << "<text x=\"" << x1 + 6 * s << "\" y=\"" << y + 4.5 * s << "\">" << labels[k]
       << "</text>\n";
  }
  os << "</g>\n";

  if (!options.title.empty()) {
    os << "<text x=\"" << size / 2 << "\" y=\"" << 21 * s << "\" font-size=\"" << 18 * s
       << "\" text-anchor=\"middle\">" << xml_escape(options.title) << "</text>\n";
  }
  os << "</svg>\n";
  write_text_atomic(path, os.str());
}

}  // namespace dataopt::spherepc
