#pragma once
/// \file
/// The evaluation protocol of a condensed set (IDC test.py / train.py, spec
/// section 8): train a ConvNet-3 from scratch on the decoded images (1000
/// epochs, batch 64, SGD 0.01, momentum 0.9, weight decay 5e-4, learning rate
/// x0.2 at 2/3 and 5/6 of the epochs, per-sample DSA augmentation and CutMix
/// with probability 0.5) and report the last-epoch test accuracy, mean and
/// standard deviation over repeats.
///
///   condense::EvalOptions e;  e.repeats = 3;  e.epochs = 300;   // a shorter check
///   condense::SyntheticEval r = condense::evaluate_synthetic(set.decode(), test, e);

#include <cstdint>
#include <string>
#include <vector>

#include "dataopt/data/dataset.h"

namespace dataopt::condense {

struct EvalOptions {
  /// Training epochs on the decoded set (official: 1000).
  int64_t epochs = 1000;
  int64_t batch_size = 64;
  double lr = 0.01;
  double momentum = 0.9;
  double weight_decay = 5e-4;
  /// Learning-rate factor at epochs floor(2E/3) and floor(5E/6) (666, 833 for 1000).
  double gamma = 0.2;
  /// Per-sample DSA augmentation (Fashion-MNIST: color_crop_flip_scale_rotate;
  /// MNIST drops flip). "none" = no augmentation.
  std::string dsa = "color_crop_flip_scale_rotate";
  /// CutMix: Beta(beta, beta), applied to a batch with probability p (0 = off).
  double cutmix_beta = 1.0;
  double cutmix_p = 0.5;
  /// The evaluation network: ConvNet-3, width 128, instance norm.
  std::string model = "convnet";
  int64_t width = 128;
  int64_t depth = 3;
  /// Per-channel normalisation (empty = the test set's mean and std, close
  /// to the training set's; pass the training set's for exactness).
  std::vector<double> mean;
  std::vector<double> std;
  /// Models trained from scratch; repeat r uses seed derive_seed(seed, r).
  int64_t repeats = 3;
  uint64_t seed = 0;
  std::string device = "cpu";
  bool progress = true;

  void validate() const;
};

struct SyntheticEval {
  /// Last-epoch test accuracy of each repeat.
  std::vector<double> accuracies;
  std::vector<double> nlls;
  std::vector<double> eces;
  /// Mean and sample standard deviation (n - 1; 0 for one repeat) of accuracies.
  double accuracy_mean = 0;
  double accuracy_std = 0;
  int64_t epochs = 0;
  int64_t repeats = 0;
  /// Training images (decoded) the models saw.
  int64_t train_images = 0;
  /// Wall-clock seconds of all repeats.
  double seconds = 0;
};

/// Runs the protocol: `train` is the decoded synthetic set (or any small set).
SyntheticEval evaluate_synthetic(const data::Dataset& train, const data::Dataset& test,
                                 const EvalOptions& options);

}  // namespace dataopt::condense
