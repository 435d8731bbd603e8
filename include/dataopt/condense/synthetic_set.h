#pragma once
/// \file
/// A condensed data set: `ipc` stored images per class, each decoded into
/// factor x factor training images (IDC's multi-formation, spec section 1).
///
///   condense::SyntheticSet s = condense::init_synthetic(train, {.ipc = 10, .factor = 2});
///   data::Dataset decoded = s.decode();          // 10 * 4 images per class
///   condense::save_synthetic("out/synthetic.safetensors", s);
///   condense::SyntheticSet t = condense::load_synthetic("out/synthetic.safetensors");

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "dataopt/core/tensor_fwd.h"
#include "dataopt/data/dataset.h"

namespace dataopt::condense {

/// How the stored images start (spec section 1, "Initialisation").
enum class InitKind {
  /// factor > 1: "mix", factor 1: "real".
  kAuto,
  /// The first ipc real images of each class, in data-set order.
  kReal,
  /// Each stored image tiles factor x factor real images (the first
  /// ipc * factor^2 of the class), each shrunk by nearest-neighbour sampling.
  kMix,
  /// clamp(N(0, 1) / 4 + 0.5, 0, 1).
  kNoise,
};
InitKind parse_init_kind(const std::string& text);
std::string to_string(InitKind kind);

struct SyntheticSet {
  /// Stored images [ipc * K, C, H, W] float32 in [0, 1], class-major
  /// (class 0's ipc images first).
  at::Tensor images;
  /// [ipc * K] int64: ipc copies of 0, then of 1, ...
  at::Tensor labels;
  int64_t ipc = 0;
  /// Multi-formation factor (1 = no decoding: IDC-I and the baselines).
  int64_t factor = 1;
  std::vector<std::string> class_names;
  /// Free-form entries saved with the set (method, options, iterations).
  std::map<std::string, std::string> metadata;

  int64_t num_classes() const { return static_cast<int64_t>(class_names.size()); }
  /// The training set the stored images stand for: ipc * factor^2 images per
  /// class, in the order decode_zoom gives for each class.
  data::Dataset decode() const;
  /// Stored pixel values (the storage budget): ipc * K * C * H * W.
  int64_t stored_values() const;
  /// Throws dataopt::Error on wrong shapes, labels or non-finite pixels.
  void validate() const;
};

/// IDC's decode_zoom: pads the right/bottom with 0.5 to a multiple of
/// `factor`, cuts each image into a factor x factor grid of squares and
/// upsamples each square back to H x W (bilinear, align_corners = false).
/// Output [factor^2 * N, C, H, W], crop-major: every image's crop (0, 0), then
/// every image's crop (0, 1), ... factor 1 returns the input. Differentiable.
at::Tensor decode_zoom(const at::Tensor& images, int64_t factor);
/// The labels that go with decode_zoom(images, factor): `labels` repeated factor^2 times.
at::Tensor decode_labels(const at::Tensor& labels, int64_t factor);

/// IDC's "mix" initialisation of one class: `real` holds ipc * factor^2 images
/// [n, C, H, W]; image k*ipc + i fills cell k (row-major) of stored image i.
at::Tensor mix_init(const at::Tensor& real, int64_t ipc, int64_t factor);

struct InitOptions {
  int64_t ipc = 10;
  int64_t factor = 2;
  InitKind init = InitKind::kAuto;
  /// Seed of the noise initialisation.
  uint64_t seed = 0;
};

/// The starting synthetic set of a training set (spec section 1). Throws
/// dataopt::Error when a class has fewer real images than the init needs.
SyntheticSet init_synthetic(const data::Dataset& train, const InitOptions& options);

/// A synthetic set made of real examples (the coreset baselines): stores
/// train.images[indices], factor 1.
SyntheticSet synthetic_from_indices(const data::Dataset& train, const at::Tensor& indices,
                                    int64_t ipc);

/// Writes images, labels and metadata (format "dataopt.synthetic", ipc,
/// factor, class names, the set's own metadata) as safetensors, atomically.
void save_synthetic(const std::filesystem::path& path, const SyntheticSet& set);
/// Reads a file written by save_synthetic; throws dataopt::Error naming the
/// file when it is not one (or is corrupt).
SyntheticSet load_synthetic(const std::filesystem::path& path);
/// Whether `path` is a safetensors file written by save_synthetic.
bool is_synthetic_file(const std::filesystem::path& path);

}  // namespace dataopt::condense
