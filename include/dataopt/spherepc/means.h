#pragma once
/// \file
/// Weighted means of points on the sphere (ExtrinsicMean, IntrinsicMean).
///
///   spherepc::LonLat mu = spherepc::intrinsic_mean(points);          // Karcher mean
///   spherepc::LonLat m = spherepc::extrinsic_mean(points, weights);  // projected mean

#include <span>

#include "dataopt/spherepc/sphere.h"

namespace dataopt::spherepc {

/// ExtrinsicMean: the normalised weighted mean of the unit vectors. Weights
/// default to 1 (empty span). Throws if the weights or the mean vector vanish.
LonLat extrinsic_mean(std::span<const LonLat> points, std::span<const double> weights = {});

/// IntrinsicMean: the weighted Karcher mean by gradient descent with unit
/// step, mu <- Exp_mu(sum w_m Log_mu(x_m)), starting at points[0] and stopping
/// when the tangent step is at most `thres` radians. As in the package, Log
/// uses its hemisphere quirk (see log_map). Throws on vanishing weights.
LonLat intrinsic_mean(std::span<const LonLat> points, std::span<const double> weights = {},
                      double thres = 1e-5);

/// The same for points already given as unit vectors (to_euclid of each
/// point), without the per-iteration trigonometry of the points: the fast
/// path of the curve fits. `max_iterations` guards against cycling.
LonLat intrinsic_mean_euclid(std::span<const Vec3> points, std::span<const double> weights,
                             LonLat start, double thres = 1e-5, int max_iterations = 10000);

}  // namespace dataopt::spherepc
