// causal::simulate: row layout, knockouts, noise levels, determinism and
// option validation.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>

#include "dataopt/causal/graph.h"
#include "dataopt/causal/simulator.h"
#include "dataopt/core/error.h"
#include "test_support.h"

namespace dataopt::causal {
namespace {

/// 0 -> 1 -> 2 -> 3 with the given edge sign.
Graph chain(int64_t n, int8_t sign = 1) {
  Graph g = Graph::empty(n);
  for (int64_t i = 0; i + 1 < n; ++i) g.add_edge(i, i + 1, sign);
  return g;
}

/// Mean of column `gene` over rows [begin, end).
double column_mean(const at::Tensor& x, int64_t gene, int64_t begin, int64_t end) {
  return x.slice(0, begin, end).select(1, gene).to(torch::kDouble).mean().item<double>();
}

std::string validate_message(const SimulatorOptions& o) {
  try {
    o.validate();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Simulator, ShapesDtypesAndRowLayout) {
  const Graph g = chain(4);
  SimulatorOptions o{.n_observational = 5, .cells_per_knockout = 3, .n_cell_types = 2};
  const SimulatedData d = simulate(g, o);
  const int64_t rows = 3 * 4 + 5;
  EXPECT_EQ(d.expression.sizes(), (std::vector<int64_t>{rows, 4}));
  EXPECT_EQ(d.intervention.sizes(), (std::vector<int64_t>{rows, 4}));
  EXPECT_EQ(d.cell_type.sizes(), (std::vector<int64_t>{rows}));
  EXPECT_EQ(d.expression.scalar_type(), torch::kFloat);
  EXPECT_EQ(d.intervention.scalar_type(), torch::kBool);
  EXPECT_EQ(d.cell_type.scalar_type(), torch::kLong);
  for (int64_t r = 0; r < rows; ++r) {
    const at::Tensor mask = d.intervention[r];
    if (r < 12) {
      EXPECT_EQ(mask.sum().item<int64_t>(), 1) << r;
      EXPECT_TRUE(mask[r / 3].item<bool>()) << r;
    } else {
      EXPECT_EQ(mask.sum().item<int64_t>(), 0) << r;
    }
    const int64_t c = d.cell_type[r].item<int64_t>();
    EXPECT_GE(c, 0);
    EXPECT_LT(c, 2);
  }
}

TEST(Simulator, KnockedOutGeneIsZeroInClean) {
  const Graph g = erdos_renyi_dag(12, 1.5, 3);
  SimulatorOptions o{
      .n_observational = 20, .cells_per_knockout = 4, .level = NoiseLevel::kClean};
  const SimulatedData d = simulate(g, o);
  EXPECT_EQ(d.intervention.sum(1).slice(0, 0, 48).eq(1).all().item<bool>(), true);
  EXPECT_EQ(d.intervention.slice(0, 48).any().item<bool>(), false);
  // Every knocked-out entry is exactly 0.
  EXPECT_EQ(d.expression.masked_select(d.intervention).abs().max().item<float>(), 0.0f);
  EXPECT_GE(d.expression.min().item<float>(), 0.0f);
  // Wild-type expression is not all zero.
  EXPECT_GT(d.expression.slice(0, 48).sum().item<float>(), 0.0f);
}

TEST(Simulator, DeterministicPerSeed) {
  const Graph g = scale_free_dag(15, 2, 1);
  SimulatorOptions o{.n_observational = 30, .cells_per_knockout = 2, .seed = 11};
  const SimulatedData a = simulate(g, o);
  const SimulatedData b = simulate(g, o);
  EXPECT_TRUE(torch::equal(a.expression, b.expression));
  EXPECT_TRUE(torch::equal(a.intervention, b.intervention));
  EXPECT_TRUE(torch::equal(a.cell_type, b.cell_type));
  o.seed = 12;
  const SimulatedData c = simulate(g, o);
  EXPECT_FALSE(torch::equal(a.expression, c.expression));
  EXPECT_TRUE(torch::equal(a.intervention, c.intervention));
}

TEST(Simulator, CountsAreNonNegativeIntegers) {
  const Graph g = erdos_renyi_dag(20, 2.0, 4);
  SimulatorOptions o{
      .n_observational = 50, .cells_per_knockout = 3, .level = NoiseLevel::kCounts};
  const at::Tensor x = simulate(g, o).expression;
  EXPECT_GE(x.min().item<float>(), 0.0f);
  EXPECT_TRUE(torch::equal(x, x.round()));
  EXPECT_GT(x.sum().item<float>(), 0.0f);
}

TEST(Simulator, DropoutZeroesLowValues) {
  const Graph g = erdos_renyi_dag(30, 2.0, 5);
  SimulatorOptions o{
      .n_observational = 200, .cells_per_knockout = 2, .level = NoiseLevel::kDropout};
  const at::Tensor x = simulate(g, o).expression;
  EXPECT_GE(x.min().item<float>(), 0.0f);
  const double zeros = x.eq(0).to(torch::kDouble).mean().item<double>();
  EXPECT_GT(zeros, 0.4);
  EXPECT_LT(zeros, 0.95);
  // Continuous: not integer-valued.
  EXPECT_FALSE(torch::equal(x, x.round()));
}

TEST(Simulator, NoiselessValuesFollowHillKinetics) {
  // b = 2, |K| = 3, decay 0.8: master m0 = 2.5; the half response of gene 0
  // is its mean 2.5, so f = 0.5 and m1 = 3 * 0.5 / 0.8 = 1.875 (activation).
  const Graph g = chain(2, 1);
  SimulatorOptions o{.n_observational = 4,
                     .cells_per_knockout = 1,
                     .n_cell_types = 2,
                     .b_min = 2.0,
                     .b_max = 2.0,
                     .k_min = 3.0,
                     .k_max = 3.0,
                     .noise = 0.0,
                     .level = NoiseLevel::kClean};
  const at::Tensor x = simulate(g, o).expression;
  // Rows: knockout of 0, knockout of 1, then 4 wild-type cells.
  EXPECT_FLOAT_EQ(x[0][0].item<float>(), 0.0f);
  EXPECT_FLOAT_EQ(x[0][1].item<float>(), 0.0f);
  EXPECT_FLOAT_EQ(x[1][0].item<float>(), 2.5f);
  EXPECT_FLOAT_EQ(x[1][1].item<float>(), 0.0f);
  for (int64_t r = 2; r < 6; ++r) {
    EXPECT_FLOAT_EQ(x[r][0].item<float>(), 2.5f);
    EXPECT_FLOAT_EQ(x[r][1].item<float>(), 1.875f);
  }
  // Repression: 1 - f; knocking out the repressor gives full production 3.75.
  const at::Tensor y = simulate(chain(2, -1), o).expression;
  EXPECT_FLOAT_EQ(y[0][1].item<float>(), 3.0f / 0.8f);
  EXPECT_FLOAT_EQ(y[2][1].item<float>(), 1.875f);
}

TEST(Simulator, KnockoutShiftsChildMean) {
  const int64_t cells = 400;
  SimulatorOptions o{
      .n_observational = cells, .cells_per_knockout = cells, .level = NoiseLevel::kClean};
  // Rows: [0, cells) gene 0 knocked out, [cells, 2 cells) gene 1, then wild type.
  const at::Tensor act = simulate(chain(2, 1), o).expression;
  const double wild = column_mean(act, 1, 2 * cells, 3 * cells);
  const double ko = column_mean(act, 1, 0, cells);
  EXPECT_GT(wild, 0.5);
  EXPECT_LT(ko, 0.5 * wild);
  // The parent does not depend on its child's knockout.
  const double parent_wild = column_mean(act, 0, 2 * cells, 3 * cells);
  const double parent_ko = column_mean(act, 0, cells, 2 * cells);
  EXPECT_NEAR(parent_ko, parent_wild, 0.15 * parent_wild);

  const at::Tensor rep = simulate(chain(2, -1), o).expression;
  EXPECT_GT(column_mean(rep, 1, 0, cells),
            1.2 * column_mean(rep, 1, 2 * cells, 3 * cells));
}

TEST(Simulator, KnockoutPropagatesDownstream) {
  SimulatorOptions o{
      .n_observational = 200, .cells_per_knockout = 200, .level = NoiseLevel::kClean};
  const at::Tensor x = simulate(chain(3, 1), o).expression;
  // Knocking out 0 silences 1 and therefore lowers 2.
  EXPECT_LT(column_mean(x, 2, 0, 200), 0.5 * column_mean(x, 2, 600, 800));
}

TEST(Simulator, CyclicGraphThrows) {
  Graph g = chain(3);
  g.add_edge(2, 0);
  SimulatorOptions o{.n_observational = 10, .cells_per_knockout = 1};
  try {
    simulate(g, o);
    FAIL() << "expected dataopt::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("make_acyclic"), std::string::npos) << e.what();
  }
  Graph loop = Graph::empty(2);
  loop.add_edge(0, 0);
  EXPECT_THROW(simulate(loop, o), Error);
}

TEST(SimulatorOptions, ValidateNamesTheField) {
  EXPECT_EQ(validate_message(SimulatorOptions{}), "");
  SimulatorOptions o;
  o.decay = -1;
  EXPECT_NE(validate_message(o).find("SimulatorOptions.decay: expected > 0, got -1"),
            std::string::npos)
      << validate_message(o);

  const auto fails_on = [](const std::string& field, auto set) {
    SimulatorOptions bad;
    set(bad);
    const std::string what = validate_message(bad);
    EXPECT_NE(what.find("SimulatorOptions." + field), std::string::npos)
        << field << ": '" << what << "'";
  };
  fails_on("n_observational", [](SimulatorOptions& s) { s.n_observational = -1; });
  fails_on("cells_per_knockout", [](SimulatorOptions& s) { s.cells_per_knockout = -2; });
  fails_on("n_cell_types", [](SimulatorOptions& s) { s.n_cell_types = 0; });
  fails_on("b_max", [](SimulatorOptions& s) { s.b_max = 0.5; });
  fails_on("k_max", [](SimulatorOptions& s) { s.k_max = 0.5; });
  fails_on("p_activation", [](SimulatorOptions& s) { s.p_activation = 1.5; });
  fails_on("hill", [](SimulatorOptions& s) { s.hill = 0.0; });
  fails_on("noise", [](SimulatorOptions& s) { s.noise = -0.1; });
  fails_on("dropout_percentile", [](SimulatorOptions& s) { s.dropout_percentile = 101; });
  fails_on("outlier_prob", [](SimulatorOptions& s) { s.outlier_prob = -0.5; });
  fails_on("outlier_scale", [](SimulatorOptions& s) { s.outlier_scale = -1; });
  fails_on("lib_size_scale", [](SimulatorOptions& s) { s.lib_size_scale = -1; });
  fails_on("n_observational", [](SimulatorOptions& s) {
    s.n_observational = 0;
    s.cells_per_knockout = 0;
  });
  // simulate validates first.
  EXPECT_THROW(simulate(chain(2), o), Error);
}

TEST(NoiseLevel, ParseAndToString) {
  for (NoiseLevel level :
       {NoiseLevel::kClean, NoiseLevel::kDropout, NoiseLevel::kCounts}) {
    EXPECT_EQ(parse_noise_level(to_string(level)), level);
  }
  EXPECT_EQ(to_string(NoiseLevel::kCounts), "counts");
  try {
    parse_noise_level("noisy");
    FAIL() << "expected dataopt::Error";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("noisy"), std::string::npos) << what;
    EXPECT_NE(what.find("clean"), std::string::npos) << what;
    EXPECT_NE(what.find("counts"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace dataopt::causal
