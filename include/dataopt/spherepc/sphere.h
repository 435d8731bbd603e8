#pragma once
/// \file
/// Points on the unit sphere and the elementary maps of the spherepc R package
/// (Trans.Euclid, Trans.sph, Logmap, Expmap, Crossprod, Rotate, Rotate.inv and
/// the three kernels), with the package's conventions kept for parity:
/// (longitude, latitude) in degrees, tangent maps at the north pole.
///
///   spherepc::Vec3 v = spherepc::to_euclid({10, 10});   // Trans.Euclid
///   spherepc::Vec2 t = spherepc::log_map(spherepc::rotate(mu, x));

#include <array>
#include <string>

namespace dataopt::spherepc {

/// A point given by longitude and latitude in degrees.
struct LonLat {
  double lon = 0;
  double lat = 0;
  bool operator==(const LonLat&) const = default;
};

using Vec2 = std::array<double, 2>;
using Vec3 = std::array<double, 3>;

/// Trans.Euclid: (lon, lat) in degrees -> unit 3-vector
/// (cos lon cos lat, cos lat sin lon, sin lat); exact at multiples of 90°.
Vec3 to_euclid(LonLat p);
/// Trans.sph: 3-vector (normalised first) -> (lon, lat), lon in (-180, 180],
/// the poles give lon 0. Throws if |v|^2 < 1e-15.
LonLat to_lonlat(const Vec3& v);
/// Logmap at the north pole: (x, y) asin(sqrt(1 - z^2)) / sqrt(1 - z^2) of the
/// normalised vector; the pole itself gives (0, 0). The package's quirk is
/// kept: asin(sqrt(1 - z^2)) = acos(|z|), so the length is right only for
/// z >= 0. Throws at the south pole (the cut locus) and for |v|^2 < 1e-15.
Vec2 log_map(const Vec3& v);
/// Expmap at the north pole: (v sin|v| / |v|, cos|v|); |v|^2 < 1e-15 gives the pole.
Vec3 exp_map(const Vec2& v);
/// Crossprod: the 3-D cross product.
Vec3 cross(const Vec3& a, const Vec3& b);
/// Rotate: the rotation that takes `pole` to the north pole, applied to `p`
/// (Rodrigues, axis pole x e_z, angle |90° - pole.lat|).
Vec3 rotate(LonLat pole, LonLat p);
/// Rotate.inv: the inverse rotation, taking the north pole to `pole`.
Vec3 rotate_inv(LonLat pole, LonLat p);

/// The kernels of the expectation step, each zero for |u| > 1.
enum class Kernel { kQuartic, kGaussian, kIndicator };
/// "quartic", "gaussian" or "indicator" (case-insensitive first letter, as R).
Kernel parse_kernel(const std::string& text);
std::string to_string(Kernel kernel);
/// Kernel.quartic (1 - u^2)^2, Kernel.Gaussian exp(-u^2), Kernel.indicator 1,
/// for |u| <= 1; 0 otherwise.
double kernel_weight(Kernel kernel, double u);

/// 6378137 m: the equatorial radius by which the package divides distances.
inline constexpr double kEarthRadius = 6378137.0;
inline constexpr double kPi = 3.14159265358979323846;

}  // namespace dataopt::spherepc
