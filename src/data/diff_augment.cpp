#include "dataopt/data/diff_augment.h"

#include <torch/torch.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <numbers>

#include "dataopt/core/check.h"
#include "dataopt/core/tensor_check.h"

// Semantics follow IDC's misc/augment.py (DiffAug). Where it draws with numpy
// in batch mode and torch per sample, we draw everything from one CPU
// at::Generator: a draw is a tensor of n = (batch ? 1 : N) values that
// broadcasts over the batch, so both modes share one code path.

namespace dataopt::data {

namespace {

namespace F = torch::nn::functional;

std::vector<std::string> split_strategy(const std::string& strategy) {
  std::string lower = strategy;
  for (char& c : lower)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::vector<std::string> tokens;
  if (lower.empty() || lower == "none") return tokens;
  size_t start = 0;
  while (true) {
    const size_t end = lower.find('_', start);
    tokens.push_back(lower.substr(start, end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return tokens;
}

std::string known_list() {
  std::string out;
  for (const auto& op : DiffAugment::known_ops()) out += (out.empty() ? "" : ", ") + op;
  return out + " (joined by '_'), or none";
}

// Where the draws of one op live: n values on the CPU, viewed for broadcasting.
struct Draw {
  int64_t n;  // 1 in batch mode, N otherwise
  at::Generator* gen;

  // U[0, 1) in double precision, shape [n].
  at::Tensor uniform() const {
    return torch::rand({n}, *gen, torch::TensorOptions().dtype(torch::kDouble));
  }
  // Integers in [low, high), shape [n].
  at::Tensor randint(int64_t low, int64_t high) const {
    return torch::randint(low, high, {n}, *gen,
                          torch::TensorOptions().dtype(torch::kLong));
  }
};

// A [n] CPU double draw as an [n, 1, 1, 1] factor on x's device and dtype.
at::Tensor per_image(const at::Tensor& u, const at::Tensor& x) {
  return u.to(x.device(), x.scalar_type()).view({-1, 1, 1, 1});
}

at::Tensor flip(const at::Tensor& x, const Draw& d, double p) {
  const at::Tensor coin = d.uniform().lt(p).to(x.device()).view({-1, 1, 1, 1});
  return torch::where(coin, x.flip({3}), x);
}

at::Tensor brightness(const at::Tensor& x, const Draw& d, double ratio) {
  return x + (per_image(d.uniform(), x) - 0.5) * ratio;
}

at::Tensor saturation(const at::Tensor& x, const Draw& d, double ratio) {
  // Computed even for one channel (where it is the identity) so that the
  // number of draws does not depend on C.
  const at::Tensor mean = x.mean({1}, /*keepdim=*/true);
  return (x - mean) * (per_image(d.uniform(), x) * ratio) + mean;
}

at::Tensor contrast(const at::Tensor& x, const Draw& d, double ratio) {
  const at::Tensor mean = x.mean({1, 2, 3}, /*keepdim=*/true);
  return (x - mean) * (per_image(d.uniform(), x) + ratio) + mean;
}

// Integer shift with zero fill: out[i, j] = x[i + tx, j + ty], 0 outside.
// tx, ty: [n] long on the CPU. As in the official code, x is padded by one
// zero pixel and the source index is clamped into the padded border.
at::Tensor shift(const at::Tensor& x, const at::Tensor& tx, const at::Tensor& ty) {
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  const auto long_opts = torch::TensorOptions().dtype(torch::kLong).device(x.device());
  const at::Tensor rows = (torch::arange(H, long_opts).view({1, H, 1}) +
                           tx.to(x.device()).view({-1, 1, 1}) + 1)
                              .clamp(0, H + 1);
  const at::Tensor cols = (torch::arange(W, long_opts).view({1, 1, W}) +
                           ty.to(x.device()).view({-1, 1, 1}) + 1)
                              .clamp(0, W + 1);
  const at::Tensor index = (rows * (W + 2) + cols)
                               .expand({N, H, W})
                               .reshape({N, 1, H * W})
                               .expand({N, C, H * W});
  const at::Tensor padded = torch::constant_pad_nd(x, {1, 1, 1, 1}, 0.0);
  return padded.reshape({N, C, (H + 2) * (W + 2)}).gather(2, index).view({N, C, H, W});
}

at::Tensor crop(const at::Tensor& x, const Draw& d, double fraction) {
  const auto sx = static_cast<int64_t>(static_cast<double>(x.size(2)) * fraction + 0.5);
  const auto sy = static_cast<int64_t>(static_cast<double>(x.size(3)) * fraction + 0.5);
  const at::Tensor tx = d.randint(-sx, sx + 1);
  const at::Tensor ty = d.randint(-sy, sy + 1);
  return shift(x, tx, ty);
}

// Horizontal-only shift (the official translate_fn).
at::Tensor translate(const at::Tensor& x, const Draw& d, double fraction) {
  const auto sy = static_cast<int64_t>(static_cast<double>(x.size(3)) * fraction + 0.5);
  const at::Tensor ty = d.randint(-sy, sy + 1);
  return shift(x, torch::zeros({d.n}, torch::kLong), ty);
}

// theta: [n, 2, 3] double on the CPU; bilinear, zero padding, align_corners=false.
at::Tensor warp(const at::Tensor& x, const at::Tensor& theta) {
  const at::Tensor t = theta.to(x.device(), x.scalar_type()).expand({x.size(0), 2, 3});
  const at::Tensor grid = F::affine_grid(t, x.sizes(), /*align_corners=*/false);
  // grid_sample's CPU kernel can hand back a non-standard layout (see the
  // condense spec's note): callers get a contiguous tensor at the end.
  return F::grid_sample(x, grid,
                        F::GridSampleFuncOptions()
                            .mode(torch::kBilinear)
                            .padding_mode(torch::kZeros)
                            .align_corners(false));
}

at::Tensor scale(const at::Tensor& x, const Draw& d, double ratio) {
  const at::Tensor sx = d.uniform() * (ratio - 1.0 / ratio) + 1.0 / ratio;
  const at::Tensor sy = d.uniform() * (ratio - 1.0 / ratio) + 1.0 / ratio;
  const at::Tensor zero = torch::zeros_like(sx);
  return warp(x, torch::stack({sx, zero, zero, zero, sy, zero}, 1).view({-1, 2, 3}));
}

at::Tensor rotate(const at::Tensor& x, const Draw& d, double degrees) {
  const at::Tensor angle = (d.uniform() - 0.5) * 2.0 * degrees / 180.0 * std::numbers::pi;
  const at::Tensor c = angle.cos(), s = angle.sin(), zero = torch::zeros_like(angle);
  return warp(x, torch::stack({c, -s, zero, s, c, zero}, 1).view({-1, 2, 3}));
}

// Zeroes a square of int(fraction * size + 0.5) px centred at a random offset;
// the square is clipped at the border. The offset range matches the official
// code: [0, H] for an even size, [0, H - 1] for an odd one.
at::Tensor cutout(const at::Tensor& x, const Draw& d, double fraction) {
  const int64_t H = x.size(2), W = x.size(3);
  const auto ch = static_cast<int64_t>(static_cast<double>(H) * fraction + 0.5);
  const auto cw = static_cast<int64_t>(static_cast<double>(W) * fraction + 0.5);
  const at::Tensor top =
      (d.randint(0, H + (1 - ch % 2)) - ch / 2).to(x.device()).view({-1, 1, 1});
  const at::Tensor left =
      (d.randint(0, W + (1 - cw % 2)) - cw / 2).to(x.device()).view({-1, 1, 1});
  const auto long_opts = torch::TensorOptions().dtype(torch::kLong).device(x.device());
  const at::Tensor r = torch::arange(H, long_opts).view({1, H, 1});
  const at::Tensor c = torch::arange(W, long_opts).view({1, 1, W});
  const at::Tensor inside = r.ge(top) & r.lt(top + ch) & c.ge(left) & c.lt(left + cw);
  const at::Tensor keep =
      inside.logical_not().to(x.scalar_type()).unsqueeze(1);  // [n,1,H,W]
  return x * keep;
}

}  // namespace

const std::vector<std::string>& DiffAugment::known_ops() {
  static const std::vector<std::string> ops = {"color", "crop",   "cutout",   "flip",
                                               "scale", "rotate", "translate"};
  return ops;
}

void DiffAugmentOptions::validate() const {
  for (const std::string& token : split_strategy(strategy)) {
    const auto& known = DiffAugment::known_ops();
    DATAOPT_CHECK(std::find(known.begin(), known.end(), token) != known.end(),
                  "diff_augment: unknown op '", token, "' in strategy '", strategy,
                  "'; known ops: ", known_list());
  }
  DATAOPT_CHECK(flip_p >= 0.0 && flip_p <= 1.0,
                "diff_augment: flip_p must be in [0, 1], got ", flip_p);
  DATAOPT_CHECK(scale_ratio >= 1.0, "diff_augment: scale_ratio must be >= 1, got ",
                scale_ratio);
  DATAOPT_CHECK(rotate_degrees >= 0.0 && rotate_degrees <= 180.0,
                "diff_augment: rotate_degrees must be in [0, 180], got ", rotate_degrees);
  DATAOPT_CHECK(crop_fraction >= 0.0 && crop_fraction <= 1.0,
                "diff_augment: crop_fraction must be in [0, 1], got ", crop_fraction);
  DATAOPT_CHECK(cutout_fraction >= 0.0 && cutout_fraction <= 1.0,
                "diff_augment: cutout_fraction must be in [0, 1], got ", cutout_fraction);
  DATAOPT_CHECK(brightness >= 0.0, "diff_augment: brightness must be >= 0, got ",
                brightness);
  DATAOPT_CHECK(saturation >= 0.0, "diff_augment: saturation must be >= 0, got ",
                saturation);
  DATAOPT_CHECK(contrast >= 0.0, "diff_augment: contrast must be >= 0, got ", contrast);
}

DiffAugment::DiffAugment(DiffAugmentOptions options) : options_(std::move(options)) {
  options_.validate();
  for (const std::string& token : split_strategy(options_.strategy)) {
    enabled_ = true;
    if (token == "flip") {
      flip_ = true;
    } else if (token == "color") {
      color_ = true;
    } else if (token == "cutout") {
      cutout_ = true;
    } else if (token == "crop") {
      geometric_.push_back(Geometric::kCrop);
    } else if (token == "scale") {
      geometric_.push_back(Geometric::kScale);
    } else if (token == "rotate") {
      geometric_.push_back(Geometric::kRotate);
    } else if (token == "translate") {
      geometric_.push_back(Geometric::kTranslate);
    }
  }
}

at::Tensor DiffAugment::operator()(const at::Tensor& x, at::Generator& gen) const {
  check_shape(x, {-1, -1, -1, -1}, "diff_augment input");
  DATAOPT_CHECK(x.is_floating_point(), "diff_augment: input must be floating point, got ",
                x.scalar_type());
  DATAOPT_CHECK(gen.defined() && gen.device().is_cpu(),
                "diff_augment: the generator must be a CPU generator");
  if (!enabled_ || x.numel() == 0) return x.contiguous();

  const Draw d{options_.batch ? 1 : x.size(0), &gen};
  const DiffAugmentOptions& o = options_;
  at::Tensor y = x;
  if (flip_) y = flip(y, d, o.flip_p);
  if (color_) {
    y = brightness(y, d, o.brightness);
    y = saturation(y, d, o.saturation);
    y = contrast(y, d, o.contrast);
  }
  if (!geometric_.empty()) {
    // One op per call, for the whole batch even when batch == false (as in
    // the official code, which picks it with one np.random.randint).
    const int64_t k = static_cast<int64_t>(geometric_.size());
    const int64_t pick =
        torch::randint(0, k, {1}, gen, torch::TensorOptions().dtype(torch::kLong))
            .item<int64_t>();
    switch (geometric_[static_cast<size_t>(pick)]) {
      case Geometric::kCrop:
        y = crop(y, d, o.crop_fraction);
        break;
      case Geometric::kScale:
        y = scale(y, d, o.scale_ratio);
        break;
      case Geometric::kRotate:
        y = rotate(y, d, o.rotate_degrees);
        break;
      case Geometric::kTranslate:
        y = translate(y, d, o.crop_fraction);
        break;
    }
  }
  if (cutout_) y = cutout(y, d, o.cutout_fraction);
  return y.contiguous();
}

}  // namespace dataopt::data
