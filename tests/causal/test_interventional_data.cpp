// The on-disk interventional data: round trip, regimes from the mask, and
// clear errors for a knockout of an unknown variable, NaN and bad files.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>

#include "dataopt/causal/interventional_data.h"
#include "dataopt/core/error.h"
#include "dataopt/core/npy.h"
#include "test_support.h"

namespace dataopt::causal {
namespace {

InterventionalData tiny() {
  InterventionalData d;
  d.expression = torch::tensor({{1.0f, 2.0f, 0.0f}, {4.0f, 0.0f, 1.0f}, {3.0f, 3.0f, 3.0f},
                                {0.0f, 5.0f, 2.0f}});
  d.intervention = torch::zeros({4, 3}, torch::kBool);
  d.intervention[1][1] = true;
  d.intervention[3][0] = true;
  d.intervention[3][2] = true;
  d.names = {"acrR", "marA", "soxS"};
  d.cell_type = torch::tensor({0, 1, 0, 2}, torch::kLong);
  return d;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(InterventionalData, RoundTripAndRegimes) {
  test::TempDir dir;
  save_interventional_data(dir.path(), tiny());
  const InterventionalData d = load_interventional_data(dir.path());
  EXPECT_TRUE(torch::equal(d.expression, tiny().expression));
  EXPECT_TRUE(torch::equal(d.intervention, tiny().intervention));
  EXPECT_TRUE(torch::equal(d.cell_type, tiny().cell_type));
  EXPECT_EQ(d.names, tiny().names);
  EXPECT_EQ(d.index_of("soxS"), 2);
  EXPECT_THROW(d.index_of("lacZ"), Error);
  const Regimes r = make_regimes(d.intervention);
  EXPECT_EQ(r.observational, (std::vector<int64_t>{0, 2}));
  EXPECT_EQ(r.knockout_rows[1], (std::vector<int64_t>{1}));
  EXPECT_TRUE(r.knockout_rows[0].empty());
  EXPECT_EQ(r.multiple, (std::vector<int64_t>{3}));
}

TEST(InterventionalData, KnockoutOfAnUnknownVariableIsAnError) {
  test::TempDir dir;
  save_interventional_data(dir.path(), tiny());
  std::ofstream(dir / "cells.csv") << "cell,knockout,cell_type\n0,,0\n1,lacZ,0\n2,,0\n3,,0\n";
  const std::string msg = error_of([&] { load_interventional_data(dir.path()); });
  EXPECT_NE(msg.find("cells.csv:3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("unknown variable 'lacZ'"), std::string::npos) << msg;
}

TEST(InterventionalData, NaNWrongRowsAndMissingFilesAreErrors) {
  test::TempDir dir;
  save_interventional_data(dir.path(), tiny());
  std::ofstream(dir / "cells.csv") << "cell,knockout,cell_type\n0,,0\n1,,0\n";
  EXPECT_NE(error_of([&] { load_interventional_data(dir.path()); }).find("expected 4 rows"),
            std::string::npos);
  save_interventional_data(dir.path(), tiny());
  torch::Tensor x = tiny().expression.clone();
  x[2][1] = NAN;
  write_npy(dir / "expression.npy", x);
  EXPECT_NE(error_of([&] { load_interventional_data(dir.path()); }).find("NaN"),
            std::string::npos);
  std::filesystem::remove(dir / "genes.txt");
  EXPECT_NE(error_of([&] { load_interventional_data(dir.path()); }).find("genes.txt"),
            std::string::npos);
  EXPECT_NE(error_of([&] { load_interventional_data(dir / "nowhere"); }).find("not a directory"),
            std::string::npos);
}

}  // namespace
}  // namespace dataopt::causal
