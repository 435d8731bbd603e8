#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include "cli_test_util.h"
#include "commands.h"
#include "dataopt/core/atomic_file.h"
#include "dataopt/core/check.h"
#include "dataopt/core/json_io.h"
#include "dataopt/core/npy.h"
#include "test_support.h"

namespace dataopt::cli {
namespace fs = std::filesystem;

namespace {

using test_util::error_of;

int quiet_run(const std::vector<std::string>& args) {
  testing::internal::CaptureStdout();
  const int rc = run_cli(args);
  testing::internal::GetCapturedStdout();
  return rc;
}

}  // namespace

class CliAudit : public test::SeedingFixture {
 protected:
  void SetUp() override {
    test::SeedingFixture::SetUp();
    // 60 examples, 3 classes: clustered features, confident probabilities,
    // 6 flipped labels recorded in truth.npy.
    const int64_t n = 60;
    labels_ = torch::arange(n, torch::kLong).remainder(3);
    const at::Tensor feats = torch::one_hot(labels_, 3).to(torch::kFloat) * 3 +
                             0.3 * torch::randn({n, 3});
    const at::Tensor probs = torch::softmax(feats * 2, 1);
    at::Tensor given = labels_.clone();
    at::Tensor truth = torch::zeros({n}, torch::kLong);
    for (int64_t i = 0; i < n; i += 10) {
      given[i] = (given[i].item<int64_t>() + 1) % 3;
      truth[i] = 1;
    }
    write_npy(dir_ / "f.npy", feats);
    write_npy(dir_ / "p.npy", probs);
    write_npy(dir_ / "y.npy", given);
    write_npy(dir_ / "t.npy", truth);
  }
  std::vector<std::string> files_args(const std::string& f, const std::string& y) {
    return {"audit", "--features", (dir_ / f).string(), "--probs", (dir_ / "p.npy").string(),
            "--labels", (dir_ / y).string(), "--truth", (dir_ / "t.npy").string(),
            "--threads", "1", "--quiet", "--out", (out_ / "run").string()};
  }
  at::Tensor labels_;
  test::TempDir dir_;
  test::TempDir out_;
};

TEST_F(CliAudit, UserFilesGiveScoresAndMetrics) {
  EXPECT_EQ(quiet_run(files_args("f.npy", "y.npy")), 0);
  const auto summary = read_json(out_ / "run/summary.json");
  for (const char* m : {"nrg", "loss", "margin", "confident_learning", "tracin"}) {
    ASSERT_TRUE(summary["methods"].contains(m)) << m;
    EXPECT_GT(summary["methods"][m]["auroc"].get<double>(), 0.9) << m;
  }
  const std::string csv = read_file(out_ / "run/scores.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 61);
  EXPECT_EQ(csv.rfind("index,given_label,predicted_label,is_noisy,nrg,", 0), 0u);
}

TEST_F(CliAudit, MismatchedRowsNaNAndLabelRangeAreClearErrors) {
  write_npy(dir_ / "y_short.npy", labels_.slice(0, 0, 50));
  std::string msg = error_of(files_args("f.npy", "y_short.npy"));
  EXPECT_NE(msg.find("50 labels"), std::string::npos) << msg;
  EXPECT_NE(msg.find("60 rows"), std::string::npos) << msg;

  at::Tensor bad = read_npy(dir_ / "f.npy");
  bad[5][1] = std::nan("");
  write_npy(dir_ / "f_nan.npy", bad);
  msg = error_of(files_args("f_nan.npy", "y.npy"));
  EXPECT_NE(msg.find("NaN"), std::string::npos) << msg;
  EXPECT_NE(msg.find("f_nan.npy"), std::string::npos) << msg;

  at::Tensor y = labels_.clone();
  y[3] = 7;
  write_npy(dir_ / "y_range.npy", y);
  msg = error_of(files_args("f.npy", "y_range.npy"));
  EXPECT_NE(msg.find("labels must be in [0, 3)"), std::string::npos) << msg;
  EXPECT_FALSE(fs::exists(out_ / "run/summary.json"));
  EXPECT_NE(error_of({"audit", "--out", "x", "--noise-kind", "gaussian"}).find("--noise-kind"),
            std::string::npos);
}

TEST_F(CliAudit, InjectedNoiseOnAnIdxDataSet) {
  test::TempDir data;
  test::write_tiny_idx_dataset(data.path(), 300, 100);
  EXPECT_EQ(quiet_run({"audit", "--data", "mnist", "--data-dir", data.path().string(),
                       "--model", "mlp", "--epochs", "2", "--lr", "0.05",
                       "--noise-rate", "0.1", "--noise-seed", "3", "--threads", "1",
                       "--quiet", "--out", (out_ / "noise").string()}),
            0);
  const auto summary = read_json(out_ / "noise/summary.json");
  EXPECT_EQ(summary["settings"]["n_flipped"], 30);
  EXPECT_TRUE(summary["methods"].contains("nrg"));
  EXPECT_TRUE(fs::exists(out_ / "noise/suspects.png"));
  EXPECT_TRUE(fs::exists(out_ / "noise/model.safetensors"));
  const at::Tensor orig = read_npy(out_ / "noise/original_labels.npy");
  const at::Tensor given = read_npy(out_ / "noise/labels.npy");
  EXPECT_EQ(orig.ne(given).sum().item<int64_t>(), 30);
}

TEST_F(CliAudit, HeldOutClassesAreTheOutliers) {
  test::TempDir data;
  test::write_tiny_idx_dataset(data.path(), 300, 100);
  EXPECT_EQ(quiet_run({"audit", "--data", "mnist", "--data-dir", data.path().string(),
                       "--model", "mlp", "--epochs", "2", "--holdout-classes", "7,9",
                       "--threads", "1", "--quiet", "--out", (out_ / "ood").string()}),
            0);
  const auto summary = read_json(out_ / "ood/summary.json");
  for (const char* m : {"nrg", "msp", "max_logit", "energy", "mahalanobis", "knn"}) {
    EXPECT_TRUE(summary["methods"].contains(m)) << m;
  }
  EXPECT_NE(error_of({"audit", "--data", "mnist", "--data-dir", data.path().string(),
                      "--holdout-classes", "12", "--out", (out_ / "x").string()})
                .find("--holdout-classes"),
            std::string::npos);
}

}  // namespace dataopt::cli
