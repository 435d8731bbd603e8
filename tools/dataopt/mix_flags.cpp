// The mixer flags shared by `dataopt train` and `dataopt mix`: --mix, --pad-to
// and each mixer's options, named after the official code's arguments
// (PuzzleMix main.py, Co-Mixup main.py) in kebab-case. The Puzzle Mix gamma
// (weight of the neighbour term) is --neigh-gamma because --gamma is the step
// schedule's factor.

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "commands.h"

namespace dataopt::cli {

void add_mix_flags(CLI::App& cmd, MixArgs& m) {
  mixup::PuzzleOptions& p = m.options.puzzle;
  mixup::CoMixOptions& c = m.options.comix;
  cmd.add_option("--mix", m.kind, "none, mixup, manifold, cutmix, puzzle or comix")
      ->capture_default_str();
  cmd.add_option("--mix-alpha", m.alpha,
                 "Beta/Dirichlet concentration (0 = official default: mixup 1, manifold 2, "
                 "cutmix 1, puzzle 1, comix 2)")
      ->capture_default_str();
  cmd.add_option("--pad-to", m.pad_to,
                 "zero-pad images to N x N (e.g. 32 for 28x28 Fashion-MNIST so that 8 and 16 "
                 "blocks divide them)")
      ->capture_default_str();
  // Puzzle Mix.
  cmd.add_option("--block-num", p.block_num, "puzzle: blocks per side (0 = random 2/4/8/16)")
      ->capture_default_str();
  cmd.add_option("--n-labels", p.cut.n_labels, "puzzle: mixing levels per block (2, 3, 4)")
      ->capture_default_str();
  cmd.add_option("--beta", p.cut.beta, "puzzle: label smoothness")->capture_default_str();
  cmd.add_option("--neigh-gamma", p.gamma, "puzzle: data smoothness (official --gamma)")
      ->capture_default_str();
  cmd.add_option("--eta", p.cut.eta, "puzzle: prior weight")->capture_default_str();
  cmd.add_option("--neigh-size", p.neigh_size, "puzzle: pooling of the smoothness term")
      ->capture_default_str();
  cmd.add_flag("!--no-transport", p.transport, "puzzle: skip the optimal transport");
  cmd.add_option("--t-eps", p.t_eps, "puzzle: transport cost weight")->capture_default_str();
  cmd.add_option("--t-size", p.t_size, "puzzle: transport cell size (-1 = block grid)")
      ->capture_default_str();
  cmd.add_option("--adv-p", p.adv_p, "puzzle: probability of adversarial noise per input")
      ->capture_default_str();
  cmd.add_option("--adv-eps", p.adv_eps, "puzzle: adversarial noise size (/255)")
      ->capture_default_str();
  cmd.add_option("--clean-lam", m.clean_lam,
                 "puzzle/comix: weight of the clean loss (-1 = official default: puzzle 0, "
                 "comix 1)")
      ->capture_default_str();
  cmd.add_option("--overflow", p.cut.overflow,
                 "graph cut int32 overflow: reproduce (official) or fix")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, mixup::OverflowMode>{{"reproduce", mixup::OverflowMode::kReproduce},
                                                     {"fix", mixup::OverflowMode::kFix}},
          CLI::ignore_case));
  // Co-Mixup.
  cmd.add_option("--m-block-num", c.block_num, "comix: blocks per side (0 = random)")
      ->capture_default_str();
  cmd.add_option("--m-part", c.part, "comix: inputs per partition")->capture_default_str();
  cmd.add_option("--m-beta", c.match.m_beta, "comix: label smoothness")->capture_default_str();
  cmd.add_option("--m-gamma", c.match.m_gamma, "comix: diversity weight")->capture_default_str();
  cmd.add_option("--m-eta", c.match.m_eta, "comix: prior weight")->capture_default_str();
  cmd.add_option("--m-thres", c.match.m_thres, "comix: diversity threshold")
      ->capture_default_str();
  cmd.add_option("--m-omega", c.match.m_omega, "comix: compatibility weight")
      ->capture_default_str();
  cmd.add_option("--m-niter", c.match.m_niter, "comix: sweeps")->capture_default_str();
  cmd.add_flag("!--no-set-resolve", c.match.set_resolve, "comix: skip set_resolve");
  cmd.add_option("--m-thres-type", c.match.thres_type, "comix: hard or soft")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, mixup::ThresholdType>{{"hard", mixup::ThresholdType::kHard},
                                                      {"soft", mixup::ThresholdType::kSoft}},
          CLI::ignore_case));
}

mixup::MixOptions MixArgs::resolved() const {
  mixup::MixOptions o = options;
  o.kind = mixup::parse_mix_kind(kind);
  o.comix.match.overflow = o.puzzle.cut.overflow;
  if (alpha > 0) {
    o.basic.alpha = o.puzzle.alpha = o.comix.alpha = alpha;
  } else if (o.kind == mixup::MixKind::kManifold) {
    o.basic.alpha = 2.0;
  }
  if (clean_lam >= 0) o.puzzle.clean_lam = o.comix.clean_lam = clean_lam;
  o.validate();
  return o;
}

std::string MixArgs::tag() const {
  const mixup::MixOptions o = resolved();
  if (o.kind == mixup::MixKind::kNone) return pad_to > 0 ? "pad " + std::to_string(pad_to) : "";
  const auto& p = o.puzzle;
  const auto& c = o.comix;
  nlohmann::json j = {{"mix", kind}, {"pad_to", pad_to}, {"alpha", alpha}};
  if (o.kind == mixup::MixKind::kPuzzle) {
    j["puzzle"] = {p.block_num, p.cut.n_labels, p.cut.beta, p.gamma, p.cut.eta, p.neigh_size,
                   p.transport, p.t_eps, p.t_size, p.clean_lam, p.adv_p, p.adv_eps,
                   static_cast<int>(p.cut.overflow)};
  }
  if (o.kind == mixup::MixKind::kCoMixup) {
    j["comix"] = {c.block_num, c.part, c.clean_lam, c.match.m_beta, c.match.m_gamma,
                  c.match.m_eta, c.match.m_thres, c.match.m_omega, c.match.m_niter,
                  c.match.set_resolve, static_cast<int>(c.match.thres_type)};
  }
  return j.dump();
}

}  // namespace dataopt::cli
