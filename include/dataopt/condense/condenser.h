#pragma once
/// \file
/// IDC dataset condensation (Kim et al., ICML 2022; spec sections 2-6): the
/// stored images are optimised so that the gradients they produce on
/// freshly initialised ConvNets, trained online on real data, match the
/// gradients of real batches of the same class.
///
///   condense::CondenseOptions o;            // official Fashion-MNIST defaults
///   o.ipc = 10; o.factor = 2; o.budget_minutes = 15;
///   condense::CondenseResult r = condense::condense_idc(train, o, "out/ckpt");
///   condense::save_synthetic("out/synthetic.safetensors", r.set);

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "dataopt/condense/gradient_match.h"
#include "dataopt/condense/synthetic_set.h"
#include "dataopt/data/dataset.h"

namespace dataopt::condense {

struct CondenseOptions {
  /// Stored images per class.
  int64_t ipc = 10;
  /// Multi-formation factor (2 = IDC, 1 = IDC-I).
  int64_t factor = 2;
  /// Starting images (auto: mix for factor > 1, the first real images for 1).
  InitKind init = InitKind::kAuto;
  /// Gradient distance (official Fashion-MNIST / MNIST: l1).
  MatchMetric metric = MatchMetric::kL1;
  /// Also match biases / norm parameters (1-D) and the classifier (2-D).
  bool bias = false;
  bool fc = false;
  /// Official schedule: niter * 100 / inner_loop outer iterations (a fresh
  /// network each), inner_loop inner iterations per network.
  int64_t niter = 2000;
  int64_t inner_loop = 100;
  /// Real examples the network trains on after each inner iteration.
  int64_t n_data = 500;
  /// Real batch per class for matching, and per network-update step.
  int64_t batch_real = 64;
  /// Decoded synthetic images per class per matching step (random subset above it).
  int64_t batch_syn_max = 128;
  /// Image learning rate before tune_lr_img scaling, and its momentum.
  double lr_img = 1e-4;
  /// Official tune_lr_img: lr_img * (ipc / 10) * (H / lr_img_size_base)^2
  /// (base 32 for Fashion-MNIST and CIFAR, 28 for MNIST).
  bool tune_lr_img = true;
  double lr_img_size_base = 32;
  double mom_img = 0.5;
  /// The matching networks: ConvNet-3 of this width (instance norm).
  int64_t net_width = 128;
  int64_t net_depth = 3;
  std::string net_norm = "instance";
  /// Their online training on real data (SGD).
  double net_lr = 0.01;
  double net_momentum = 0.9;
  double net_weight_decay = 5e-4;
  /// Augmentations (DiffAugment strategies): shared by the real and the
  /// synthetic half of a matching batch; per sample for network updates.
  std::string aug_match = "color_crop_cutout";
  std::string aug_net = "color_crop";
  /// CutMix in network updates: Beta(beta, beta), applied with probability p.
  double cutmix_beta = 1.0;
  double cutmix_p = 0.5;
  /// Per-channel normalisation applied before augmentation (empty = the
  /// training set's own mean and std).
  std::vector<double> mean;
  std::vector<double> std;
  uint64_t seed = 0;
  std::string device = "cpu";
  /// Write a checkpoint every this many inner iterations (and at the end).
  int64_t checkpoint_every = 10;
  /// Stop cleanly (with a checkpoint) after this many minutes; 0 = no limit.
  double budget_minutes = 0;
  /// Stop after this many inner iterations in total (0 = the full schedule);
  /// with resume this is how a run is continued in pieces.
  int64_t stop_after = 0;
  /// Resume from checkpoint_dir when a checkpoint of the same options exists.
  bool resume = true;
  bool progress = true;

  void validate() const;
  /// Outer iterations of the schedule: niter * 100 / inner_loop.
  int64_t outer_iterations() const;
  /// The image learning rate after tune_lr_img for images of height h.
  double effective_lr_img(int64_t h) const;
  /// Every option that shapes the result, as JSON text (checkpoint fingerprint, metadata).
  std::string to_json() const;
};

/// Where an inner iteration's time goes (seconds summed over this run).
struct CondenseStages {
  /// Real batches drawn, synthetic images decoded and subsampled.
  double data = 0;
  /// Siamese augmentation of the matching batches.
  double augment = 0;
  /// Real and synthetic gradients and their distance (forward, backward,
  /// backward with graph).
  double match_loss = 0;
  /// The double backward to the stored pixels, and the image update.
  double image_grad = 0;
  /// The network's own training on real data.
  double net_update = 0;
  double total() const { return data + augment + match_loss + image_grad + net_update; }
};

struct CondenseResult {
  /// The stored images after the last inner iteration run.
  SyntheticSet set;
  /// Inner iterations done in total (including those of a resumed checkpoint).
  int64_t inner_iterations = 0;
  /// Seconds spent in this run and in all runs of this checkpoint.
  double seconds = 0;
  double total_seconds = 0;
  /// Whether the whole schedule ran.
  bool finished = false;
  /// Why it stopped early: "budget", "stop_after" or "" (finished).
  std::string stopped_by;
  /// Mean matching loss per inner iteration, over the inner iterations of this run.
  std::vector<double> loss_history;
  /// Inner iteration this run resumed from (0 = fresh start).
  int64_t resumed_from = 0;
  CondenseStages stages;
};

/// Called after each inner iteration with (inner iterations done, total, mean loss).
using CondenseCallback = std::function<void(int64_t, int64_t, double)>;

/// Runs IDC on `train` (all classes). `checkpoint_dir` ("" = none) receives
/// condense_checkpoint.safetensors; a run with the same options resumes from it
/// and then gives exactly what an uninterrupted run would.
CondenseResult condense_idc(const data::Dataset& train, const CondenseOptions& options,
                            const std::filesystem::path& checkpoint_dir = {},
                            const CondenseCallback& callback = {});

}  // namespace dataopt::condense
