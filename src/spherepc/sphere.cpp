#include "dataopt/spherepc/sphere.h"

#include <cctype>
#include <cmath>

#include "dataopt/core/check.h"

namespace dataopt::spherepc {
namespace {

// cos(pi x) and sin(pi x), exact where the result is 0 or ±1 (R's cospi and
// sinpi), so that (90, 0) maps to exactly (0, 1, 0).
double cos_pi(double x) {
  x = std::fmod(std::fabs(x), 2.0);
  if (std::fmod(x, 1.0) == 0.5) return 0.0;
  if (x == 1.0) return -1.0;
  if (x == 0.0) return 1.0;
  return std::cos(kPi * x);
}

double sin_pi(double x) {
  x = std::fmod(x, 2.0);
  if (x <= -1.0) {
    x += 2.0;
  } else if (x > 1.0) {
    x -= 2.0;
  }
  if (x == 0.0 || x == 1.0) return 0.0;
  if (x == 0.5) return 1.0;
  if (x == -0.5) return -1.0;
  return std::sin(kPi * x);
}

double dot(const Vec3& a, const Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

// Rodrigues' formula: v cos t + (k x v) sin t + k (k . v)(1 - cos t).
Vec3 rodrigues(const Vec3& axis_raw, double theta, const Vec3& v) {
  const double n2 = dot(axis_raw, axis_raw);
  if (n2 < 1e-15) return v;
  const double n = std::sqrt(n2);
  const Vec3 k{axis_raw[0] / n, axis_raw[1] / n, axis_raw[2] / n};
  const Vec3 kv = cross(k, v);
  const double c = std::cos(theta), s = std::sin(theta), kd = dot(k, v) * (1 - c);
  return {v[0] * c + kv[0] * s + k[0] * kd, v[1] * c + kv[1] * s + k[1] * kd,
          v[2] * c + kv[2] * s + k[2] * kd};
}

}  // namespace

Vec3 to_euclid(LonLat p) {
  const double cl = cos_pi(p.lat / 180.0);
  return {cos_pi(p.lon / 180.0) * cl, cl * sin_pi(p.lon / 180.0), sin_pi(p.lat / 180.0)};
}

LonLat to_lonlat(const Vec3& v_raw) {
  const double n2 = dot(v_raw, v_raw);
  DATAOPT_CHECK(n2 >= 1e-15, "spherepc: cannot map the zero vector to (lon, lat)");
  const double n = std::sqrt(n2);
  const Vec3 v{v_raw[0] / n, v_raw[1] / n, v_raw[2] / n};
  const double lat = std::asin(v[2]) * 180.0 / kPi;
  // The package's quadrant logic (atan of y / x, shifted by ±pi).
  if (v[1] >= 0 && v[0] >= 0) {
    if (v[0] * v[0] + v[1] * v[1] == 0) return {0.0, v[2] > 0 ? 90.0 : -90.0};
    return {std::atan(v[1] / v[0]) * 180.0 / kPi, lat};
  }
  if (v[1] >= 0 && v[0] < 0) return {(kPi + std::atan(v[1] / v[0])) * 180.0 / kPi, lat};
  if (v[1] < 0 && v[0] >= 0) return {std::atan(v[1] / v[0]) * 180.0 / kPi, lat};
  return {(std::atan(v[1] / v[0]) - kPi) * 180.0 / kPi, lat};
}

Vec2 log_map(const Vec3& v_raw) {
  const double n2 = dot(v_raw, v_raw);
  DATAOPT_CHECK(n2 >= 1e-15, "spherepc: log map of the zero vector");
  const double n = std::sqrt(n2);
  const Vec3 v{v_raw[0] / n, v_raw[1] / n, v_raw[2] / n};
  DATAOPT_CHECK(!(v[0] == 0 && v[1] == 0 && v[2] == -1),
                "spherepc: log map of the south pole (the cut locus of the north pole)");
  const double s = std::sqrt(1 - v[2] * v[2]);
  if (s == 0 || !std::isfinite(std::asin(s) / s)) return {0.0, 0.0};
  const double f = std::asin(s) / s;
  return {v[0] * f, v[1] * f};
}

Vec3 exp_map(const Vec2& v) {
  const double n2 = v[0] * v[0] + v[1] * v[1];
  if (n2 < 1e-15) return {0.0, 0.0, 1.0};
  const double n = std::sqrt(n2);
  return {v[0] * std::sin(n) / n, v[1] * std::sin(n) / n, std::cos(n)};
}

Vec3 cross(const Vec3& a, const Vec3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}

Vec3 rotate(LonLat pole, LonLat p) {
  const Vec3 a = to_euclid(pole);
  return rodrigues(cross(a, {0, 0, 1}), std::fabs(kPi / 2 - pole.lat * kPi / 180), to_euclid(p));
}

Vec3 rotate_inv(LonLat pole, LonLat p) {
  const Vec3 a = to_euclid(pole);
  return rodrigues(cross({0, 0, 1}, a), std::fabs(kPi / 2 - pole.lat * kPi / 180), to_euclid(p));
}

Kernel parse_kernel(const std::string& text) {
  std::string t = text;
  if (!t.empty()) t[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(t[0])));
  if (t == "quartic") return Kernel::kQuartic;
  if (t == "gaussian") return Kernel::kGaussian;
  if (t == "indicator") return Kernel::kIndicator;
  DATAOPT_CHECK(false, "unknown kernel '", text, "' (expected quartic, gaussian or indicator)");
  return Kernel::kQuartic;
}

std::string to_string(Kernel kernel) {
  switch (kernel) {
    case Kernel::kQuartic: return "quartic";
    case Kernel::kGaussian: return "gaussian";
    case Kernel::kIndicator: return "indicator";
  }
  return "?";
}

double kernel_weight(Kernel kernel, double u) {
  if (!(std::fabs(u) <= 1)) return 0.0;
  switch (kernel) {
    case Kernel::kQuartic: return (1 - u * u) * (1 - u * u);
    case Kernel::kGaussian: return std::exp(-u * u);
    case Kernel::kIndicator: return 1.0;
  }
  return 0.0;
}

}  // namespace dataopt::spherepc
