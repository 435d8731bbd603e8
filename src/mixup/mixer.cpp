#include "dataopt/mixup/mixer.h"

#include <torch/torch.h>

#include "dataopt/core/check.h"
#include "mixup/detail/basic_mixers.h"
#include "mixup/detail/co_mixup.h"
#include "mixup/detail/puzzle_mix.h"

namespace dataopt::mixup {
namespace {

struct Name {
  MixKind kind;
  const char* name;
};
constexpr Name kNames[] = {{MixKind::kNone, "none"},       {MixKind::kInputMixup, "mixup"},
                           {MixKind::kManifold, "manifold"}, {MixKind::kCutMix, "cutmix"},
                           {MixKind::kPuzzle, "puzzle"},   {MixKind::kCoMixup, "comix"}};

bool is_block_num(int64_t n) { return n == 0 || n == 2 || n == 4 || n == 8 || n == 16; }

}  // namespace

MixKind parse_mix_kind(const std::string& name) {
  for (const Name& n : kNames) {
    if (name == n.name) return n.kind;
  }
  DATAOPT_CHECK(false, "--mix: expected none, mixup, manifold, cutmix, puzzle or comix, got '",
                name, "'");
  return MixKind::kNone;
}

std::string mix_kind_name(MixKind kind) {
  for (const Name& n : kNames) {
    if (kind == n.kind) return n.name;
  }
  return "?";
}

void MixOptions::validate() const {
  DATAOPT_CHECK(basic.alpha > 0, "--mix-alpha must be > 0, got ", basic.alpha);
  DATAOPT_CHECK(puzzle.alpha > 0, "puzzle: alpha must be > 0, got ", puzzle.alpha);
  DATAOPT_CHECK(is_block_num(puzzle.block_num),
                "--block-num: expected 0 (random), 2, 4, 8 or 16, got ", puzzle.block_num);
  puzzle.cut.validate();
  DATAOPT_CHECK(puzzle.gamma >= 0, "--gamma-neigh must be >= 0, got ", puzzle.gamma);
  DATAOPT_CHECK(puzzle.neigh_size >= 1, "--neigh-size must be >= 1, got ", puzzle.neigh_size);
  DATAOPT_CHECK(puzzle.t_eps >= 0, "--t-eps must be >= 0, got ", puzzle.t_eps);
  DATAOPT_CHECK(puzzle.t_size == -1 || puzzle.t_size >= 1,
                "--t-size: expected -1 (the block grid) or >= 1, got ", puzzle.t_size);
  DATAOPT_CHECK(puzzle.clean_lam >= 0, "--clean-lam must be >= 0, got ", puzzle.clean_lam);
  DATAOPT_CHECK(puzzle.adv_p >= 0 && puzzle.adv_p <= 1, "--adv-p must lie in [0, 1], got ",
                puzzle.adv_p);
  DATAOPT_CHECK(puzzle.adv_eps >= 0, "--adv-eps must be >= 0, got ", puzzle.adv_eps);
  DATAOPT_CHECK(comix.alpha > 0, "comix: alpha must be > 0, got ", comix.alpha);
  DATAOPT_CHECK(is_block_num(comix.block_num),
                "--m-block-num: expected 0 (random), 2, 4, 8 or 16, got ", comix.block_num);
  DATAOPT_CHECK(comix.part >= 2, "--m-part must be >= 2, got ", comix.part);
  comix.match.validate();
  DATAOPT_CHECK(comix.clean_lam >= 0, "--clean-lam must be >= 0, got ", comix.clean_lam);
}

std::unique_ptr<Mixer> make_mixer(const MixOptions& options) {
  options.validate();
  switch (options.kind) {
    case MixKind::kInputMixup:
      return std::make_unique<detail::InputMixup>(options.basic);
    case MixKind::kCutMix:
      return std::make_unique<detail::CutMix>(options.basic);
    case MixKind::kPuzzle:
      return std::make_unique<detail::PuzzleMix>(options.puzzle);
    case MixKind::kCoMixup:
      return std::make_unique<detail::CoMixup>(options.comix);
    case MixKind::kNone:
    case MixKind::kManifold:
      return nullptr;
  }
  return nullptr;
}

}  // namespace dataopt::mixup
