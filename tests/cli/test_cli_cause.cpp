// dataopt cause: simulate -> infer -> eval on a small random network, train,
// and clear errors for bad input.

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_test_util.h"
#include "dataopt/core/atomic_file.h"
#include "dataopt/core/npy.h"
#include "test_support.h"

namespace dataopt::cli {
namespace {

using test_util::error_of;

const std::string kModel = std::string(DATAOPT_CAUSAL_TEST_DATA) + "/tcd_discrete.safetensors";

// 40-gene scale-free network, 2 cells per knockout + 150 observational.
std::string simulate_small(const test::TempDir& dir) {
  const std::string out = (dir / "sim").string();
  EXPECT_EQ(run_cli({"cause", "simulate", "--graph", "sf", "--n-vars", "40", "--cells", "2",
                     "--observational", "150", "--seed", "3", "--quiet", "--out", out}),
            0);
  return out;
}

TEST(CliCause, SimulateInferEval) {
  test::TempDir dir;
  const std::string sim = simulate_small(dir);
  for (const char* f : {"expression.npy", "genes.txt", "cells.csv", "graph.tsv", "causes.npy",
                        "summary.json"}) {
    EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(sim) / f)) << f;
  }
  EXPECT_EQ(read_npy(std::filesystem::path(sim) / "expression.npy").sizes(),
            (std::vector<int64_t>{40 * 2 + 150, 40}));
  const std::string scores = (dir / "tcd").string();
  ASSERT_EQ(run_cli({"cause", "infer", "--data", sim, "--model", kModel, "--targets", "3",
                     "--num-vars", "30", "--obs-size", "40", "--en-obs", "2", "--en-vars", "2",
                     "--anchor-size", "5", "--quiet", "--out", scores}),
            0);
  EXPECT_EQ(read_npy(dir / "tcd" / "scores.npy").sizes(), (std::vector<int64_t>{3, 40}));
  const std::string ranked = read_file(dir / "tcd" / "causes.csv");
  EXPECT_EQ(ranked.rfind("target,rank,variable,score\n", 0), 0u);
  EXPECT_EQ(std::count(ranked.begin(), ranked.end(), '\n'), 1 + 3 * 39);

  ASSERT_EQ(run_cli({"cause", "eval", "--data", sim, "--scores", scores, "--quiet"}), 0);
  const auto s = nlohmann::json::parse(read_file(dir / "tcd" / "summary.json"));
  for (const char* m : {"tcd", "correlation", "knockout_effect", "chance"}) {
    ASSERT_TRUE(s["methods"].contains(m)) << m;
    EXPECT_GE(s["methods"][m]["auroc"].get<double>(), 0.0);
    EXPECT_LE(s["methods"][m]["ap"].get<double>(), 100.0);
  }
  EXPECT_EQ(s["methods"]["chance"]["auroc"], 50.0);
  EXPECT_GE(s["targets"].get<int>(), 1);
  EXPECT_TRUE(std::filesystem::exists(dir / "tcd" / "per_target.csv"));
}

TEST(CliCause, NamedTargetAndBadInput) {
  test::TempDir dir;
  const std::string sim = simulate_small(dir);
  const std::string out = (dir / "one").string();
  ASSERT_EQ(run_cli({"cause", "infer", "--data", sim, "--model", kModel, "--target", "g7",
                     "--num-vars", "30", "--obs-size", "40", "--en-obs", "1", "--en-vars", "1",
                     "--anchor-size", "5", "--quiet", "--out", out}),
            0);
  EXPECT_NE(error_of({"cause", "infer", "--data", sim, "--model", kModel, "--target", "nope",
                      "--out", out}).find("unknown variable 'nope'"),
            std::string::npos);
  // Default obs_size 200 > 230 cells? 230 >= 200 passes; ask for more.
  EXPECT_NE(error_of({"cause", "infer", "--data", sim, "--model", kModel, "--targets", "2",
                      "--obs-size", "500", "--quiet", "--out", out}).find("at least 500"),
            std::string::npos);
  EXPECT_NE(error_of({"cause", "infer", "--data", sim, "--model", kModel, "--out", out})
                .find("no targets"),
            std::string::npos);
  EXPECT_NE(error_of({"cause", "infer", "--data", (dir / "none").string(), "--model", kModel,
                      "--targets", "1", "--out", out}).find("not a directory"),
            std::string::npos);
  EXPECT_NE(error_of({"cause", "simulate", "--graph", (dir / "no.tsv").string(), "--out", out})
                .find("no.tsv not found"),
            std::string::npos);
  EXPECT_NE(error_of({"cause", "simulate", "--graph", "er", "--decay", "-1", "--out", out})
                .find("decay"),
            std::string::npos);
  EXPECT_NE(error_of({"cause", "frobnicate"}).find("frobnicate"), std::string::npos);
  std::filesystem::remove(std::filesystem::path(sim) / "causes.npy");
  EXPECT_NE(error_of({"cause", "eval", "--data", sim, "--scores", out}).find("causes.npy"),
            std::string::npos);
}

TEST(CliCause, TrainSmallModelAndScoreWithIt) {
  test::TempDir dir;
  const std::string out = (dir / "model").string();
  ASSERT_EQ(run_cli({"cause", "train", "--n-vars", "24", "--n-envs", "3", "--num-vars", "12",
                     "--obs-size", "16", "--steps", "4", "--batch-size", "2", "--val-every", "2",
                     "--val-samples", "2", "--layers", "1", "--embed-dim", "8", "--heads", "8",
                     "--ffn-embed-dim", "16", "--observational", "40", "--cells", "2", "--quiet",
                     "--out", out}),
            0);
  const auto m = nlohmann::json::parse(read_file(dir / "model" / "metrics.json"));
  EXPECT_EQ(m["val_loss"].size(), 2u);
  EXPECT_TRUE(std::isfinite(m["best_val_loss"].get<double>()));
  const std::string sim = simulate_small(dir);
  ASSERT_EQ(run_cli({"cause", "infer", "--data", sim, "--model",
                     (dir / "model" / "model.safetensors").string(), "--targets", "2",
                     "--num-vars", "30", "--obs-size", "40", "--en-obs", "1", "--en-vars", "1",
                     "--anchor-size", "5", "--quiet", "--out", (dir / "s").string()}),
            0);
}

// Every field of SimulatorOptions, InferenceOptions and TcdTrainOptions has
// its flag (kebab-case of the field name; the two cell counts are --cells and
// --observational as in the interface).
TEST(CliCause, EveryOptionHasAFlag) {
  auto help = [](const std::vector<std::string>& args) {
    testing::internal::CaptureStdout();
    EXPECT_EQ(run_cli(args), 0);
    return testing::internal::GetCapturedStdout();
  };
  const std::string sim = help({"cause", "simulate", "--help"});
  for (const char* f : {"--observational", "--cells", "--cell-types", "--b-min", "--b-max",
                        "--k-min", "--k-max", "--p-activation", "--hill", "--decay", "--noise",
                        "--outlier-prob", "--outlier-mean", "--outlier-scale", "--lib-size-mean",
                        "--lib-size-scale", "--dropout-shape", "--dropout-percentile", "--level",
                        "--seed", "--graph", "--genes", "--n-vars", "--edges-per-var"}) {
    EXPECT_NE(sim.find(f), std::string::npos) << f;
  }
  const std::string inf = help({"cause", "infer", "--help"});
  for (const char* f : {"--num-vars", "--obs-size", "--en-obs", "--en-vars", "--anchor-size",
                        "--device", "--shift", "--target", "--targets", "--read-column"}) {
    EXPECT_NE(inf.find(f), std::string::npos) << f;
  }
  const std::string tr = help({"cause", "train", "--help"});
  for (const char* f : {"--graph", "--n-vars", "--edges-per-var", "--n-envs", "--num-vars",
                        "--obs-size", "--steps", "--batch-size", "--lr", "--weight-decay",
                        "--grad-clip", "--val-samples", "--val-every", "--layers", "--embed-dim",
                        "--heads", "--ffn-embed-dim", "--device", "--seed", "--shift"}) {
    EXPECT_NE(tr.find(f), std::string::npos) << f;
  }
}

}  // namespace
}  // namespace dataopt::cli
