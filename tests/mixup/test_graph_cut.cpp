// Graph cut of Puzzle Mix: the alpha-beta swap against a slow re-implementation
// of GCO's swap procedure (every binary swap move solved by enumeration) and
// against the global optimum on 3x3 grids, hand-checked cuts, the integer
// problem against values computed with NumPy 1.24 from graphcut_multi's
// expressions, the int32 wrap-around, and bad input.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "dataopt/core/error.h"
#include "dataopt/mixup/graph_cut.h"

namespace dataopt::mixup {
namespace {

// The energy written out edge by edge, independently of the library.
int64_t energy_of(const GridEnergy& e, const std::vector<int32_t>& labels) {
  const int64_t H = e.height, W = e.width, n = H * W, L = e.n_labels;
  auto V = [&](int32_t a, int32_t b) { return e.smooth[static_cast<size_t>(a * L + b)]; };
  int64_t total = 0;
  for (int64_t p = 0; p < n; ++p) {
    total += e.data[static_cast<size_t>(labels[static_cast<size_t>(p)] * n + p)];
  }
  for (int64_t r = 0; r + 1 < H; ++r) {
    for (int64_t c = 0; c < W; ++c) {
      total += e.weight_v[static_cast<size_t>(r * W + c)] *
               V(labels[static_cast<size_t>(r * W + c)],
                 labels[static_cast<size_t>((r + 1) * W + c)]);
    }
  }
  for (int64_t r = 0; r < H; ++r) {
    for (int64_t c = 0; c + 1 < W; ++c) {
      total += e.weight_h[static_cast<size_t>(r * (W - 1) + c)] *
               V(labels[static_cast<size_t>(r * W + c)],
                 labels[static_cast<size_t>(r * W + c + 1)]);
    }
  }
  return total;
}

// GCO's swap procedure, slowly: start at all 0, visit the pairs (a, b) in
// GCO's order, and solve each swap move exactly by trying every assignment of
// a / b to the sites that hold a or b. A move whose optimum is not unique is
// reported (a cut then picks one of several minimisers; which one is BK's
// business), so the comparison below uses only instances without such ties.
struct ReferenceSwap {
  std::vector<int32_t> labels;
  int64_t energy = 0;
  int64_t cycles = 0;
  bool tie = false;
};

ReferenceSwap reference_swap(const GridEnergy& e, int64_t max_cycles = 1000) {
  ReferenceSwap ref;
  const auto n = static_cast<size_t>(e.height * e.width);
  const auto L = static_cast<int32_t>(e.n_labels);
  ref.labels.assign(n, 0);
  int64_t energy = energy_of(e, ref.labels);
  int64_t previous = energy + 1;
  while (previous > energy && ref.cycles < max_cycles) {
    previous = energy;
    for (int32_t a = 0; a < L; ++a) {
      for (int32_t b = L - 1; b > a; --b) {
        std::vector<size_t> active;
        for (size_t p = 0; p < n; ++p) {
          if (ref.labels[p] == a || ref.labels[p] == b) active.push_back(p);
        }
        if (active.empty()) continue;
        std::vector<int32_t> best = ref.labels, trial = ref.labels;
        int64_t best_energy = 0;
        int n_best = 0;
        for (uint32_t bits = 0; bits < (1u << active.size()); ++bits) {
          for (size_t k = 0; k < active.size(); ++k) {
            trial[active[k]] = ((bits >> k) & 1u) ? b : a;
          }
          const int64_t t = energy_of(e, trial);
          if (n_best == 0 || t < best_energy) {
            best_energy = t;
            best = trial;
            n_best = 1;
          } else if (t == best_energy) {
            ++n_best;
          }
        }
        if (n_best > 1) ref.tie = true;
        ref.labels = best;
      }
    }
    energy = energy_of(e, ref.labels);
    ++ref.cycles;
  }
  ref.energy = energy;
  return ref;
}

// Global optimum by enumerating all L^(H*W) labellings.
int64_t global_minimum(const GridEnergy& e) {
  const auto n = static_cast<size_t>(e.height * e.width);
  std::vector<int32_t> labels(n, 0);
  int64_t best = energy_of(e, labels);
  while (true) {
    size_t k = 0;
    while (k < n && labels[k] == e.n_labels - 1) labels[k++] = 0;
    if (k == n) break;
    ++labels[k];
    best = std::min(best, energy_of(e, labels));
  }
  return best;
}

// A general random instance: data in [0, 10^6), weights in [0, 3000), a
// symmetric smoothness matrix with zero diagonal (submodular for swaps).
GridEnergy random_energy(std::mt19937_64& rng, int64_t H, int64_t W, int64_t L) {
  std::uniform_int_distribution<int64_t> data(0, 999999), weight(0, 2999), smooth(1, 100);
  GridEnergy e{.n_labels = L, .height = H, .width = W};
  e.data.resize(static_cast<size_t>(L * H * W));
  for (auto& v : e.data) v = data(rng);
  e.smooth.assign(static_cast<size_t>(L * L), 0);
  for (int64_t a = 0; a < L; ++a) {
    for (int64_t b = a + 1; b < L; ++b) {
      const int64_t s = smooth(rng);
      e.smooth[static_cast<size_t>(a * L + b)] = s;
      e.smooth[static_cast<size_t>(b * L + a)] = s;
    }
  }
  e.weight_v.resize(static_cast<size_t>((H - 1) * W));
  e.weight_h.resize(static_cast<size_t>(H * (W - 1)));
  for (auto& w : e.weight_v) w = weight(rng);
  for (auto& w : e.weight_h) w = weight(rng);
  return e;
}

// A Puzzle-Mix-style image: normalised random saliency for both inputs, smoothness
// terms of the size neigh_penalty gives (beta_n * gamma * mean |difference|,
// re-parametrised) and a random lam.
struct PuzzleImage {
  int64_t block_num = 0;
  std::vector<float> cost1, cost2, pw_v, pw_h;
  double lam = 0.5;
  PuzzleCutInput input() const {
    return {.block_num = block_num,
            .cost_input1 = cost1,
            .cost_input2 = cost2,
            .pairwise_v = pw_v,
            .pairwise_h = pw_h,
            .lam = lam};
  }
};

PuzzleImage random_puzzle_image(std::mt19937_64& rng, int64_t bn, double beta = 1.2,
                                double gamma = 0.5) {
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  std::gamma_distribution<float> sal(0.7f, 1.0f);
  PuzzleImage im;
  im.block_num = bn;
  const auto n = static_cast<size_t>(bn * bn);
  im.cost1.resize(n);
  im.cost2.resize(n);
  float s1 = 0, s2 = 0;
  for (size_t p = 0; p < n; ++p) s1 += (im.cost1[p] = sal(rng));
  for (size_t p = 0; p < n; ++p) s2 += (im.cost2[p] = sal(rng));
  for (size_t p = 0; p < n; ++p) {
    im.cost1[p] /= s1;
    im.cost2[p] /= s2;
  }
  const auto scale = static_cast<float>(puzzle_beta_n(beta, bn) * gamma);
  im.pw_v.resize(static_cast<size_t>((bn - 1) * bn));
  im.pw_h.resize(static_cast<size_t>(bn * (bn - 1)));
  for (auto& v : im.pw_v) v = scale * (u(rng) * 0.6f - 0.2f);
  for (auto& v : im.pw_h) v = scale * (u(rng) * 0.6f - 0.2f);
  im.lam = static_cast<float>(u(rng));  // the official lam is a float32
  return im;
}

template <typename F>
void expect_error(F&& f, const std::string& expected) {
  try {
    f();
    ADD_FAILURE() << "no dataopt::Error thrown; expected one saying: " << expected;
  } catch (const dataopt::Error& e) {
    EXPECT_NE(std::string(e.what()).find(expected), std::string::npos)
        << "message: " << e.what() << "\nexpected to contain: " << expected;
  }
}

TEST(GraphCut, SwapEqualsTheSwapProcedureByBruteForceOn3x3) {
  std::mt19937_64 rng(7);
  int compared = 0, general = 0;
  for (int t = 0; t < 60; ++t) {
    // Half general integer instances, half Puzzle Mix instances (3 labels).
    GridEnergy e;
    if (t % 2 == 0) {
      e = random_energy(rng, 3, 3, 3);
    } else {
      const PuzzleImage im = random_puzzle_image(rng, 3);
      e = puzzle_cut_energy(im.input());
    }
    const ReferenceSwap ref = reference_swap(e);
    const SwapResult got = alpha_beta_swap(e);
    const std::vector<int32_t> zeros(9, 0);
    EXPECT_EQ(got.initial_energy, energy_of(e, zeros)) << "instance " << t;
    EXPECT_EQ(got.energy, energy_of(e, got.labels)) << "instance " << t;
    EXPECT_EQ(got.energy, grid_energy(e, got.labels)) << "instance " << t;
    EXPECT_LE(got.energy, got.initial_energy) << "instance " << t;
    if (ref.tie) continue;
    ++compared;
    if (t % 2 == 0) ++general;
    EXPECT_EQ(got.labels, ref.labels) << "instance " << t;
    EXPECT_EQ(got.energy, ref.energy) << "instance " << t;
    EXPECT_EQ(got.cycles, ref.cycles) << "instance " << t;
    // A single cycle: the state after the first sweep of label pairs.
    const SwapResult one = alpha_beta_swap(e, 1);
    const ReferenceSwap ref_one = reference_swap(e, 1);
    EXPECT_EQ(one.cycles, 1);
    EXPECT_EQ(one.labels, ref_one.labels) << "instance " << t;
  }
  // Random integer costs make exact ties rare: most instances are compared.
  EXPECT_GE(compared, 50);
  EXPECT_GE(general, 25);
}

TEST(GraphCut, SwapIsALocalOptimumNotAlwaysTheGlobalOne) {
  // 200 seeded Puzzle-Mix-style 3x3 instances with 3 labels, each against the
  // exhaustive minimum over all 3^9 labellings.
  std::mt19937_64 rng(2020);
  int equal = 0;
  double gap_sum = 0;
  for (int t = 0; t < 200; ++t) {
    const PuzzleImage im = random_puzzle_image(rng, 3);
    const GridEnergy e = puzzle_cut_energy(im.input());
    const SwapResult got = alpha_beta_swap(e);
    const int64_t best = global_minimum(e);
    ASSERT_GE(got.energy, best) << "instance " << t;
    EXPECT_LE(got.energy, got.initial_energy) << "instance " << t;
    if (got.energy == best) {
      ++equal;
    } else {
      gap_sum += static_cast<double>(got.energy - best) / static_cast<double>(best);
    }
  }
  const int misses = 200 - equal;
  std::printf(
      "alpha-beta swap = global optimum on %d / 200 instances (mean relative gap "
      "on the misses %.2e)\n",
      equal, misses > 0 ? gap_sum / misses : 0.0);
  ::testing::Test::RecordProperty("swap_equals_global_optimum", equal);
  // The spec measured 193 / 200 for the official code on its instances. The
  // swap must be good (most instances optimal) but is not exact.
  EXPECT_GE(equal, 170);
  EXPECT_GE(misses, 1);
}

TEST(GraphCut, HandCheckedTwoLabelCuts) {
  // 1 x 3 grid, Potts smoothness, weights 3:
  //   data label 0: 0 6 10, label 1: 10 4 0.
  // All 0 costs 0 + 6 + 10 = 16. The swap (0, 1) sees every site and finds the
  // optimum 0 1 1: data 0 + 4 + 0 = 4, one cut edge 3 -> 7. The second cycle
  // finds nothing better and stops.
  GridEnergy row{.n_labels = 2,
                 .height = 1,
                 .width = 3,
                 .data = {0, 6, 10, 10, 4, 0},
                 .smooth = {0, 1, 1, 0},
                 .weight_v = {},
                 .weight_h = {3, 3}};
  SwapResult r = alpha_beta_swap(row);
  EXPECT_EQ(r.labels, (std::vector<int32_t>{0, 1, 1}));
  EXPECT_EQ(r.initial_energy, 16);
  EXPECT_EQ(r.energy, 7);
  EXPECT_EQ(r.cycles, 2);

  // 2 x 2 grid a b / c d, Potts, every edge weight 4:
  //   data label 0: a 0, b 4, c 4, d 7;  label 1: a 7, b 3, c 3, d 0.
  // Alone, a would take 0. But 0 1 / 1 1 costs 0 + 3 + 3 + 0 + 4 + 4 = 14,
  // while all 1 costs 7 + 3 + 3 + 0 = 13 (all 0: 15; 0 0 / 0 1: 8 + 8 = 16;
  // 0 1 / 0 1 and 0 0 / 1 1: 7 + 8 = 15), so smoothness flips a to 1.
  GridEnergy square{.n_labels = 2,
                    .height = 2,
                    .width = 2,
                    .data = {0, 4, 4, 7, 7, 3, 3, 0},
                    .smooth = {0, 1, 1, 0},
                    .weight_v = {4, 4},
                    .weight_h = {4, 4}};
  r = alpha_beta_swap(square);
  EXPECT_EQ(r.labels, (std::vector<int32_t>{1, 1, 1, 1}));
  EXPECT_EQ(r.initial_energy, 15);
  EXPECT_EQ(r.energy, 13);
  EXPECT_EQ(grid_energy(square, std::vector<int32_t>{0, 1, 1, 1}), 14);
  // With weight 1 the data wins: 0 1 / 1 1 costs 6 + 2 = 8.
  square.weight_v = {1, 1};
  square.weight_h = {1, 1};
  r = alpha_beta_swap(square);
  EXPECT_EQ(r.labels, (std::vector<int32_t>{0, 1, 1, 1}));
  EXPECT_EQ(r.energy, 8);
}

TEST(GraphCut, TiesGoToTheFirstLabelOfTheSwapPair) {
  // GCO gives a site label alpha of the pair (alpha, beta) when the cut does
  // not put it on the sink side, so equal costs keep alpha (BK's default
  // segment is SOURCE). 1 x 3 grid, Potts, weights 2; label costs per site
  // 9 (label 0), 7 (label 1), 7 (label 2). Cycle 1: (0, 2) moves everything
  // to 2, (0, 1) sees no site, (1, 2) is a tie -> all 1. Cycle 2 changes
  // nothing (21 = 21) and stops.
  const GridEnergy e{.n_labels = 3,
                     .height = 1,
                     .width = 3,
                     .data = {9, 9, 9, 7, 7, 7, 7, 7, 7},
                     .smooth = {0, 1, 1, 1, 0, 1, 1, 1, 0},
                     .weight_v = {},
                     .weight_h = {2, 2}};
  const SwapResult r = alpha_beta_swap(e);
  EXPECT_EQ(r.labels, (std::vector<int32_t>{1, 1, 1}));
  EXPECT_EQ(r.energy, 21);
  EXPECT_EQ(r.cycles, 2);
}

TEST(GraphCut, SingleSiteTakesItsCheapestLabel) {
  // No neighbours: GCO's special case, the first cheapest label.
  GridEnergy one{.n_labels = 3,
                 .height = 1,
                 .width = 1,
                 .data = {5, 2, 2},
                 .smooth = {0, 1, 1, 1, 0, 1, 1, 1, 0}};
  const SwapResult r = alpha_beta_swap(one);
  EXPECT_EQ(r.labels, (std::vector<int32_t>{1}));
  EXPECT_EQ(r.energy, 2);
  EXPECT_EQ(r.initial_energy, 5);
}

// Values computed with NumPy 1.24 from graphcut_multi's own expressions
// (then pyGCO's float mode), for a 2 x 2 grid, lam = float32(0.3), beta 1.2,
// eta 0.2: unary u1 = [[.4, .1], [.3, .2]], u2 = [[.15, .35], [.25, .25]],
// pw_x = [[.001, -.0005]], pw_y = [[.002], [0]].
TEST(GraphCut, PuzzleProblemMatchesNumpyReference) {
  const std::vector<float> u1{0.4f, 0.1f, 0.3f, 0.2f}, u2{0.15f, 0.35f, 0.25f, 0.25f};
  const std::vector<float> pw_v{0.001f, -0.0005f}, pw_h{0.002f, 0.0f};
  const PuzzleCutInput in{.block_num = 2,
                          .cost_input1 = u1,
                          .cost_input2 = u2,
                          .pairwise_v = pw_v,
                          .pairwise_h = pw_h,
                          .lam = static_cast<double>(0.3f)};
  struct Case {
    int64_t n_labels;
    std::vector<int64_t> unary;  // [L, 2, 2] before the x100000
    std::vector<int64_t> smooth;
  };
  const std::vector<Case> cases{
      {2, {1840, 640, 1440, 1040, 671, 1471, 1071, 1071}, {0, 100, 100, 0}},
      {3,
       {2081, 881, 1681, 1281, 1273, 1073, 1273, 1073, 742, 1542, 1142, 1142},
       {0, 25, 100, 25, 0, 25, 100, 25, 0}},
      {4,
       {2322, 1122, 1922, 1522, 1599, 1066, 1466, 1199, 1097, 1230, 1230, 1097, 814, 1614,
        1214, 1214},
       {0, 11, 44, 100, 11, 0, 11, 44, 44, 11, 0, 11, 100, 44, 11, 0}},
  };
  for (const Case& c : cases) {
    const GridEnergy e = puzzle_cut_energy(in, {.n_labels = c.n_labels});
    ASSERT_EQ(e.data.size(), c.unary.size());
    for (size_t i = 0; i < c.unary.size(); ++i) {
      EXPECT_EQ(e.data[i], c.unary[i] * 100000) << "L " << c.n_labels << " term " << i;
    }
    EXPECT_EQ(e.smooth, c.smooth) << "L " << c.n_labels;
    EXPECT_EQ(e.weight_v, (std::vector<int64_t>{154000, 148000}));
    EXPECT_EQ(e.weight_h, (std::vector<int64_t>{158000, 150000}));
    EXPECT_EQ(e.n_int32_overflows, 0);
  }
}

TEST(GraphCut, PuzzleProblemFollowsNumpyPrecision) {
  // NumPy 1.x multiplies a float32 array by a float64 scalar in float32, and
  // by large_val = 4000 (a Python int below 65536) in float32 too. For
  // these inputs (bn 2, 3 labels, lam float32(0.3)) that truncates block 0's
  // label-0 cost to 1459, where float64 arithmetic would give 1458; both
  // values come from NumPy 1.24.
  const std::vector<float> u1{0.24435272812843323f, 0.4205106496810913f,
                              0.04526488110423088f, 0.28561314940452576f};
  const std::vector<float> u2{0.4141150712966919f, 0.010364299640059471f,
                              0.35773026943206787f, 0.10091924667358398f};
  const std::vector<float> pw_v(2, 0.0f), pw_h(2, 0.0f);
  const PuzzleCutInput in{.block_num = 2,
                          .cost_input1 = u1,
                          .cost_input2 = u2,
                          .pairwise_v = pw_v,
                          .pairwise_h = pw_h,
                          .lam = static_cast<double>(0.3f)};
  const GridEnergy e = puzzle_cut_energy(in);
  const std::vector<int64_t> expected{1459, 2163, 662,  1624, 1490, 1035,
                                      979,  946,  1799, 184,  1573, 546};
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(e.data[i], expected[i] * 100000) << "term " << i;
  }

  // At 16 x 16 blocks large_val = 256000 > 65535, and NumPy promotes
  // large_val * (float32 mix) to float64: for these costs label 0 truncates to
  // 1797 (1798 in float32); NumPy 1.24 gives 1797, 1060, 599.
  const int64_t bn = 16;
  const std::vector<float> v1(bn * bn, 0.005142230074852705f);
  const std::vector<float> v2(bn * bn, 0.001785782165825367f);
  const std::vector<float> zv((bn - 1) * bn, 0.0f), zh(bn * (bn - 1), 0.0f);
  const GridEnergy big = puzzle_cut_energy({.block_num = bn,
                                            .cost_input1 = v1,
                                            .cost_input2 = v2,
                                            .pairwise_v = zv,
                                            .pairwise_h = zh,
                                            .lam = static_cast<double>(0.3f)});
  const size_t n = bn * bn;
  EXPECT_EQ(big.data[0], int64_t{1797} * 100000);
  EXPECT_EQ(big.data[n], int64_t{1060} * 100000);
  EXPECT_EQ(big.data[2 * n], int64_t{599} * 100000);
}

TEST(GraphCut, Int32WrapAroundAt16x16IsReproducedOrFixed) {
  // bn = 16, lam 0.5: giving block (5, 7) to input 1 costs 0.1 (input 2 is
  // salient there), so its label-0 cost int32(256000 * (0.1 + prior)) = 25877
  // exceeds 21474 and x100000 wraps to -1707267296 (NumPy 1.24 gives the same
  // numbers for every term checked here).
  const int64_t bn = 16;
  std::vector<float> u1(bn * bn, 0.001f), u2(bn * bn, 0.002f);
  const size_t b = 5 * bn + 7;
  u1[b] = 0.1f;
  const std::vector<float> pw_v((bn - 1) * bn, 0.0f), pw_h(bn * (bn - 1), 0.0f);
  const PuzzleCutInput in{.block_num = bn,
                          .cost_input1 = u1,
                          .cost_input2 = u2,
                          .pairwise_v = pw_v,
                          .pairwise_h = pw_h,
                          .lam = 0.5};
  const size_t n = bn * bn;

  const GridEnergy wrapped =
      puzzle_cut_energy(in, {.overflow = OverflowMode::kReproduce});
  EXPECT_EQ(wrapped.data[b], -1707267296);
  EXPECT_EQ(wrapped.data[n + b], 1319400000);
  EXPECT_EQ(wrapped.data[2 * n + b], 78900000);
  EXPECT_EQ(wrapped.data[0], 53300000);
  EXPECT_EQ(wrapped.weight_v[0], 1200000);
  EXPECT_EQ(wrapped.n_int32_overflows, 1);

  const GridEnergy exact = puzzle_cut_energy(in, {.overflow = OverflowMode::kFix});
  EXPECT_EQ(exact.data[b], int64_t{25877} * 100000);
  EXPECT_EQ(exact.n_int32_overflows, 1);

  // GCO's t-links are int32 too and wrap the same way, so a swap move sees
  // D_a - D_b modulo 2^32: exact while the true difference fits in int32.
  // Here the (0, 2) move sees 78900000 - 2587700000, which does not fit and
  // looks like a preference for label 0, but the later (0, 1) and (1, 2)
  // moves compare differences that fit, and both modes end with input 2's
  // block (mask 0); everywhere else the mix is half / half.
  const PuzzleCut cut_wrapped =
      puzzle_graph_cut(in, {.overflow = OverflowMode::kReproduce});
  const PuzzleCut cut_exact = puzzle_graph_cut(in, {.overflow = OverflowMode::kFix});
  EXPECT_EQ(cut_wrapped.mask[b], 0.0f);
  EXPECT_EQ(cut_exact.mask[b], 0.0f);
  EXPECT_EQ(cut_wrapped.mask[0], 0.5f);
  EXPECT_EQ(cut_exact.mask[0], 0.5f);
  EXPECT_EQ(cut_wrapped.n_int32_overflows, 1);
}

TEST(GraphCut, Int32WrapAroundChangesTheMaskWhereADifferenceOverflows) {
  // The mirror case: input 1 is salient in block (5, 7), so giving it to
  // input 2 (label 2) costs 25877 -> wraps, while label 0 costs 533 and label
  // 1 costs 13066; every other block costs 533 / 522 / 789. Exact arithmetic
  // keeps input 1 in that block (mask 1) and mixes the rest half / half. With
  // the wrap, the first cycle's (0, 2) move sees 2587700000 - 53300000 modulo
  // 2^32 < 0 and moves the block to label 2, (0, 1) moves all other blocks to
  // label 1, and (1, 2) takes the block to label 1 (that difference fits).
  // The cycle raised the energy (the block's cost grew by 1253300000, the rest
  // saved 255 * 1100000), so GCO stops after it and keeps it: mask 0.5.
  const int64_t bn = 16;
  std::vector<float> u1(bn * bn, 0.001f), u2(bn * bn, 0.002f);
  const size_t b = 5 * bn + 7;
  u2[b] = 0.1f;
  const std::vector<float> pw_v((bn - 1) * bn, 0.0f), pw_h(bn * (bn - 1), 0.0f);
  const PuzzleCutInput in{.block_num = bn,
                          .cost_input1 = u1,
                          .cost_input2 = u2,
                          .pairwise_v = pw_v,
                          .pairwise_h = pw_h,
                          .lam = 0.5};
  const GridEnergy wrapped = puzzle_cut_energy(in);
  EXPECT_EQ(wrapped.data[b], 53300000);
  EXPECT_EQ(wrapped.data[2 * bn * bn + b], int64_t{2587700000} - (int64_t{1} << 32));
  const PuzzleCut cut_wrapped =
      puzzle_graph_cut(in, {.overflow = OverflowMode::kReproduce});
  const PuzzleCut cut_exact = puzzle_graph_cut(in, {.overflow = OverflowMode::kFix});
  EXPECT_EQ(cut_exact.mask[b], 1.0f);
  EXPECT_EQ(cut_wrapped.mask[b], 0.5f);
  EXPECT_EQ(cut_wrapped.cycles, 1);
  EXPECT_EQ(cut_exact.cycles, 2);
  for (size_t p = 0; p < cut_exact.mask.size(); ++p) {
    if (p == b) continue;
    EXPECT_EQ(cut_wrapped.mask[p], cut_exact.mask[p]) << "block " << p;
  }
}

TEST(GraphCut, FixEqualsReproduceWithoutOverflow) {
  std::mt19937_64 rng(3);
  for (int64_t bn : {2, 4, 8, 16}) {
    for (int t = 0; t < 5; ++t) {
      const PuzzleImage im = random_puzzle_image(rng, bn);
      const PuzzleCut a =
          puzzle_graph_cut(im.input(), {.overflow = OverflowMode::kReproduce});
      const PuzzleCut b = puzzle_graph_cut(im.input(), {.overflow = OverflowMode::kFix});
      if (a.n_int32_overflows != 0) continue;
      EXPECT_EQ(a.labels, b.labels) << "bn " << bn << " image " << t;
      EXPECT_EQ(a.energy, b.energy) << "bn " << bn << " image " << t;
      for (size_t p = 0; p < a.labels.size(); ++p) {
        EXPECT_EQ(a.mask[p], 1.0f - 0.5f * static_cast<float>(a.labels[p]));
      }
    }
  }
}

TEST(GraphCut, ImagesCanBeSolvedFromSeveralThreads) {
  std::mt19937_64 rng(11);
  std::vector<PuzzleImage> images;
  for (int i = 0; i < 8; ++i) images.push_back(random_puzzle_image(rng, 8));
  std::vector<PuzzleCut> serial(images.size()), parallel(images.size());
  for (size_t i = 0; i < images.size(); ++i)
    serial[i] = puzzle_graph_cut(images[i].input());
  auto worker = [&](size_t start) {
    for (size_t i = start; i < images.size(); i += 2) {
      parallel[i] = puzzle_graph_cut(images[i].input());
    }
  };
  std::thread t0(worker, 0), t1(worker, 1);
  t0.join();
  t1.join();
  for (size_t i = 0; i < images.size(); ++i) {
    EXPECT_EQ(serial[i].labels, parallel[i].labels) << "image " << i;
    EXPECT_EQ(serial[i].energy, parallel[i].energy) << "image " << i;
  }
}

TEST(GraphCut, FloatModeScalesLikePygco) {
  // pyGCO's float mode on float32 arrays (values from NumPy 1.24): x100000 in
  // float64 (NumPy promotes float32 * 100000 to float64), x100 and x1000 in
  // float32, truncated: float(0.7) * 100000 is 69999.9988 -> 69999 (70000 in
  // float32), float(1e-5) * 100000 is 0.99999997 -> 0, and 30000 * 100000
  // does not fit in int32 (INT32_MIN under kReproduce).
  const std::vector<float> unary{0.5f, 0.123456f, 30000.0f, -0.00001f, 0.7f, 1e-5f};
  const std::vector<float> smooth{0.0f, 0.333333f, 0.333333f, 0.0f};
  const std::vector<float> weight_h{0.0047f, 1.5f};
  GridEnergy e = float_mode_energy(2, 1, 3, unary, smooth, {}, weight_h);
  EXPECT_EQ(e.data, (std::vector<int64_t>{50000, 12345, INT32_MIN, 0, 69999, 0}));
  EXPECT_EQ(e.smooth, (std::vector<int64_t>{0, 33, 33, 0}));
  EXPECT_EQ(e.weight_h, (std::vector<int64_t>{4, 1500}));
  EXPECT_EQ(e.n_int32_overflows, 1);
  e = float_mode_energy(2, 1, 3, unary, smooth, {}, weight_h, OverflowMode::kFix);
  EXPECT_EQ(e.data[2], 3000000000);
  EXPECT_EQ(e.overflow, OverflowMode::kFix);
  // Solving it: site 2 takes label 1 (0 vs 3e9), site 0 label 1 (0 vs
  // 50000); site 1 keeps label 0 (12345 + 4 * 33 + 1500 * 33 = 61977 < 69999).
  EXPECT_EQ(alpha_beta_swap(e).labels, (std::vector<int32_t>{1, 0, 1}));
}

TEST(GraphCut, BadInputThrowsWithAClearMessage) {
  const std::vector<float> u(16, 0.0625f), pw_v(12, 0.0f), pw_h(12, 0.0f);
  const std::vector<float> short_u(15, 0.0625f);
  PuzzleCutInput good{.block_num = 4,
                      .cost_input1 = u,
                      .cost_input2 = u,
                      .pairwise_v = pw_v,
                      .pairwise_h = pw_h,
                      .lam = 0.5};
  EXPECT_NO_THROW(puzzle_graph_cut(good));

  PuzzleCutInput bad = good;
  bad.cost_input2 = short_u;
  expect_error([&] { puzzle_graph_cut(bad); },
               "cost_input2 must be [block_num, block_num] (16 values), got 15");
  bad = good;
  bad.pairwise_h = std::span<const float>(pw_h).subspan(0, 11);
  expect_error([&] { puzzle_graph_cut(bad); },
               "pairwise_h must be [block_num, block_num - 1]");
  std::vector<float> with_nan = pw_v;
  with_nan[3] = std::numeric_limits<float>::quiet_NaN();
  bad = good;
  bad.pairwise_v = with_nan;
  expect_error([&] { puzzle_graph_cut(bad); },
               "pairwise_v must be finite, got nan at index 3");
  bad = good;
  bad.lam = 1.5;
  expect_error([&] { puzzle_graph_cut(bad); }, "lam must be in [0, 1], got 1.5");
  bad = good;
  bad.block_num = 1;
  expect_error([&] { puzzle_graph_cut(bad); }, "block_num must be >= 2, got 1");
  expect_error([&] { puzzle_graph_cut(good, {.n_labels = 5}); },
               "n_labels must be 2, 3 or 4");
  expect_error([&] { puzzle_graph_cut(good, {.eta = -1}); }, "eta must be >= 0");

  const GridEnergy ok{.n_labels = 2,
                      .height = 1,
                      .width = 2,
                      .data = {0, 1, 1, 0},
                      .smooth = {0, 1, 1, 0},
                      .weight_v = {},
                      .weight_h = {1}};
  EXPECT_NO_THROW(alpha_beta_swap(ok));
  GridEnergy e = ok;
  e.data.pop_back();
  expect_error([&] { alpha_beta_swap(e); },
               "data must be [n_labels, height, width] = [2, 1, 2] (4 values), got 3");
  e = ok;
  e.smooth = {0, 1, 2, 0};
  expect_error([&] { alpha_beta_swap(e); }, "smooth must be symmetric");
  e = ok;
  e.smooth = {5, 1, 1, 0};
  expect_error([&] { alpha_beta_swap(e); },
               "smooth is not submodular for labels 0 and 1");
  e = ok;
  e.weight_h = {-1};
  expect_error([&] { alpha_beta_swap(e); }, "edge weights must be >= 0, got -1");
  e = ok;
  e.data[0] = int64_t{3000000000};
  expect_error([&] { alpha_beta_swap(e); }, "data cost 3000000000 does not fit in int32");
  e.overflow = OverflowMode::kFix;
  EXPECT_NO_THROW(alpha_beta_swap(e));
  e = ok;
  e.weight_h = {20000000};
  expect_error([&] { alpha_beta_swap(e); }, "larger than GCO_MAX_ENERGYTERM");
  expect_error([&] { alpha_beta_swap(ok, 0); }, "max_cycles must be -1");
  expect_error(
      [&] {
        grid_energy(ok, std::vector<int32_t>{0, 2});
      },
      "labels must be in [0, 2), got 2 at index 1");
  const std::vector<float> fu{0.1f, std::numeric_limits<float>::infinity()};
  const std::vector<float> fs{0, 1, 1, 0};
  expect_error([&] { float_mode_energy(2, 1, 1, fu, fs, {}, {}); },
               "unary must be finite, got inf at index 1");
  const std::vector<float> fs_asym{0, 1, 0.5f, 0};
  const std::vector<float> fu_ok{0.1f, 0.2f};
  expect_error([&] { float_mode_energy(2, 1, 1, fu_ok, fs_asym, {}, {}); },
               "smooth must be symmetric");
}

}  // namespace
}  // namespace dataopt::mixup
