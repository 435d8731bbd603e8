// Every field of the options structs that a command exposes has its flag
// (CONVENTIONS: options are reachable from the command line). The lists name
// the fields of TrainOptions, RelationGraphOptions, SpcOptions, LpgOptions and
// PrincipalCircleOptions; a new field without a flag makes this test fail once
// it is added to the list below.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "cli_test_util.h"

namespace dataopt::cli {
namespace {

std::string help_of(const std::vector<std::string>& args) {
  testing::internal::CaptureStdout();
  const int rc = run_cli(args);
  std::string out = testing::internal::GetCapturedStdout();
  EXPECT_EQ(rc, 0) << out;
  return out;
}

void expect_flags(const std::vector<std::string>& command, const std::vector<std::string>& flags) {
  std::vector<std::string> args = command;
  args.push_back("--help");
  const std::string help = help_of(args);
  for (const std::string& f : flags) {
    // Followed by a space, comma, "{" (CLI11 prints negated flags as --x{false})
    // or end of line, so "--lr" does not match "--lr-x".
    bool found = false;
    for (size_t pos = help.find(f); pos != std::string::npos; pos = help.find(f, pos + 1)) {
      const char next = pos + f.size() < help.size() ? help[pos + f.size()] : '\n';
      if (next == ' ' || next == ',' || next == '\n' || next == '=' || next == '{') found = true;
    }
    EXPECT_TRUE(found) << command.front() << ": no flag " << f;
  }
}

// TrainOptions: epochs, batch_size, lr, momentum, weight_decay, nesterov,
// optimizer, schedule, milestones, gamma, augment, drop_last, seed, device,
// checkpoint_dir (= --out), resume (--no-resume), eval_every_epoch
// (--final-eval-only), progress (--quiet).
const std::vector<std::string> kTrainFlags = {
    "--epochs", "--batch-size", "--lr", "--momentum", "--weight-decay", "--nesterov",
    "--optimizer", "--schedule", "--milestones", "--gamma", "--augment", "--drop-last",
    "--seed", "--device", "--out", "--no-resume", "--final-eval-only", "--quiet", "--threads"};

TEST(CliFlags, TrainHasEveryTrainOption) { expect_flags({"train"}, kTrainFlags); }

TEST(CliFlags, AuditHasEveryTrainAndRelationGraphOption) {
  std::vector<std::string> flags = kTrainFlags;
  // RelationGraphOptions: pow, ood_pow, threshold, reg, chunk, tile, top_k,
  // kernel, half, device, progress (--quiet).
  for (const char* f : {"--pow", "--ood-pow", "--threshold", "--reg", "--chunk", "--tile",
                        "--top-k", "--kernel", "--half"}) {
    flags.emplace_back(f);
  }
  flags.erase(std::find(flags.begin(), flags.end(), "--no-resume"));  // audit always starts afresh
  expect_flags({"audit"}, flags);
}

TEST(CliFlags, TrainAndMixHaveEveryMixerOption) {
  // MixOptions: kind, basic.alpha; PuzzleOptions: block_num, cut.{n_labels,
  // beta, eta, overflow}, gamma, neigh_size, transport, t_eps, t_size,
  // clean_lam, adv_p, adv_eps; CoMixOptions: block_num, part, clean_lam,
  // match.{m_beta, m_gamma, m_eta, m_thres, m_omega, m_niter, set_resolve,
  // thres_type, overflow (shared --overflow)}.
  const std::vector<std::string> flags = {
      "--mix", "--mix-alpha", "--pad-to", "--block-num", "--n-labels", "--beta", "--eta",
      "--overflow", "--neigh-gamma", "--neigh-size", "--no-transport", "--t-eps", "--t-size",
      "--clean-lam", "--adv-p", "--adv-eps", "--m-block-num", "--m-part", "--m-beta",
      "--m-gamma", "--m-eta", "--m-thres", "--m-omega", "--m-niter", "--no-set-resolve",
      "--m-thres-type"};
  expect_flags({"train"}, flags);
  expect_flags({"mix"}, flags);
}

TEST(CliFlags, SphereHasEveryMethodOption) {
  // SpcOptions: q, T, step_size, maxit, type, thres, delete_points, kernel,
  // geometry, threads; LpgOptions: scale, tau, nu, maxpt, seed.
  expect_flags({"sphere", "spc"}, {"--q", "--T", "--step-size", "--maxit", "--type", "--thres",
                                   "--delete-points", "--kernel", "--geometry", "--threads",
                                   "--lon", "--lat", "--input", "--out"});
  expect_flags({"sphere", "lpg"}, {"--scale", "--tau", "--nu", "--maxpt", "--seed", "--kernel",
                                   "--thres", "--geometry"});
}

TEST(CliFlags, CondenseHasEveryCondenseAndEvalOption) {
  // CondenseOptions: ipc, factor, init, metric, bias, fc, niter, inner_loop,
  // n_data, batch_real, batch_syn_max, lr_img, tune_lr_img, lr_img_size_base,
  // mom_img, net_width, net_depth, net_norm, net_lr, net_momentum,
  // net_weight_decay, aug_match, aug_net, cutmix_beta, cutmix_p, mean, std,
  // seed, device, checkpoint_every, budget_minutes, stop_after, resume,
  // progress (--quiet).
  const std::vector<std::string> eval = {
      "--repeats", "--eval-epochs", "--eval-batch", "--eval-lr", "--eval-momentum",
      "--eval-weight-decay", "--eval-gamma", "--eval-dsa", "--eval-cutmix-beta",
      "--eval-cutmix-p", "--eval-model", "--eval-width", "--eval-depth", "--eval-seed",
      "--device"};
  std::vector<std::string> flags = {
      "--ipc", "--factor", "--init", "--metric", "--bias", "--fc", "--niter", "--inner-loop",
      "--n-data", "--batch-real", "--batch-syn-max", "--lr-img", "--no-tune-lr-img",
      "--lr-img-size-base", "--mom-img", "--net-width", "--net-depth", "--net-norm", "--net-lr",
      "--net-momentum", "--net-weight-decay", "--aug-match", "--aug-net", "--cutmix-beta",
      "--cutmix-p", "--mean", "--std", "--seed", "--checkpoint-every", "--budget-minutes",
      "--stop-after", "--resume", "--no-resume", "--quiet", "--method", "--out"};
  flags.insert(flags.end(), eval.begin(), eval.end());
  expect_flags({"condense"}, flags);
  // EvalOptions (mean/std come from the data; progress from --quiet).
  expect_flags({"evaluate-synthetic"}, eval);
}

TEST(CliFlags, PipelineHasEveryPipelineOption) {
  // PipelineArgs: every field, and TrainOptions for stages 1, 4 and 6 (no
  // --no-resume: each stage resumes by itself).
  std::vector<std::string> flags;
  for (const auto& f : kTrainFlags) {
    if (f != "--no-resume") flags.push_back(f);
  }
  for (const char* f : {"--data", "--data-dir", "--data-file", "--train-size", "--test-size",
                        "--noise-rate", "--noise-kind", "--noise-seed", "--model", "--width",
                        "--seeds", "--clean", "--max-clean", "--clean-score", "--ipc", "--factor",
                        "--eval-epochs", "--condense-minutes", "--mix", "--mix-epochs",
                        "--budget-minutes", "--stop-after"}) {
    flags.emplace_back(f);
  }
  expect_flags({"pipeline"}, flags);
}

}  // namespace
}  // namespace dataopt::cli
