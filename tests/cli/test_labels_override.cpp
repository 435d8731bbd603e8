// dataopt train --labels-override: the decisions CSV of `dataopt view`.
#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include "cli_test_util.h"
#include "commands.h"
#include "dataopt/core/atomic_file.h"
#include "dataopt/core/check.h"
#include "dataopt/core/json_io.h"
#include "dataopt/data/label_decisions.h"
#include "test_support.h"

namespace dataopt::cli {
namespace {

using test_util::error_of;

class LabelsOverride : public test::SeedingFixture {
 protected:
  void SetUp() override {
    test::SeedingFixture::SetUp();
    test::write_tiny_idx_dataset(data_.path(), 120, 60);
  }
  std::vector<std::string> train_args(const std::string& csv) {
    return {"train", "--data", "mnist", "--data-dir", data_.path(), "--model", "mlp",
            "--width", "16", "--epochs", "1", "--batch-size", "40", "--threads", "1",
            "--quiet", "--labels-override", csv, "--out", (out_ / "run").string()};
  }
  test::TempDir data_;
  test::TempDir out_;
};

TEST_F(LabelsOverride, TrainDropsRemovedExamples) {
  const auto csv = out_ / "decisions.csv";
  write_text_atomic(csv, "index,label,action\n0,3,relabel\n1,,remove\n2,-1,remove\n5,7,keep\n");
  testing::internal::CaptureStdout();
  EXPECT_EQ(run_cli(train_args(csv.string())), 0);
  testing::internal::GetCapturedStdout();
  const auto metrics = read_json(out_ / "run/metrics.json");
  EXPECT_EQ(metrics["train_size"], 118);
  EXPECT_EQ(metrics["labels_override"], csv.string());
}

TEST_F(LabelsOverride, AppliesRelabelsThenRemovals) {
  data::Dataset d = test::make_band_dataset(6, 3);
  const auto csv = out_ / "d.csv";
  write_text_atomic(csv, "index,label,action\n4,0,relabel\n1,,remove\n");
  const auto decisions = data::read_label_decisions(csv, d.size(), d.num_classes());
  ASSERT_EQ(decisions.size(), 2u);
  const data::Dataset c = data::apply_label_decisions(d, decisions);
  ASSERT_EQ(c.size(), 5);
  std::vector<int64_t> expected;
  for (int64_t i : {0, 2, 3, 4, 5}) expected.push_back(i == 4 ? 0 : d.labels[i].item<int64_t>());
  EXPECT_TRUE(c.labels.equal(torch::tensor(expected, torch::kLong)));
  // Round trip through the writer.
  data::write_label_decisions(out_ / "again.csv", decisions);
  EXPECT_EQ(read_file(out_ / "again.csv"), "index,label,action\n4,0,relabel\n1,-1,remove\n");
}

TEST_F(LabelsOverride, BadRowsNameFileAndLine) {
  const auto csv = out_ / "bad.csv";
  auto msg_for = [&](const std::string& text) {
    write_text_atomic(csv, text);
    return error_of(train_args(csv.string()));
  };
  std::string msg = msg_for("index,label,action\n0,1,keep\n500,1,relabel\n");
  EXPECT_NE(msg.find(csv.string() + ":3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("index 500 is out of range [0, 120)"), std::string::npos) << msg;
  msg = msg_for("index,label,action\n7,10,relabel\n");
  EXPECT_NE(msg.find(csv.string() + ":2"), std::string::npos) << msg;
  EXPECT_NE(msg.find("label 10 is out of range [0, 10)"), std::string::npos) << msg;
  msg = msg_for("index,label,action\n0,1,keep\n1,1,delete\n");
  EXPECT_NE(msg.find(csv.string() + ":3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("unknown action 'delete'"), std::string::npos) << msg;
  msg = msg_for("index,label,action\n4,1,keep\n4,2,relabel\n");
  EXPECT_NE(msg.find("already decided on line 2"), std::string::npos) << msg;
  msg = msg_for("index,label,action\nfour,1,keep\n");
  EXPECT_NE(msg.find("index 'four' is not an integer"), std::string::npos) << msg;
  msg = error_of(train_args((out_ / "none.csv").string()));
  EXPECT_NE(msg.find("none.csv"), std::string::npos) << msg;
  EXPECT_FALSE(std::filesystem::exists(out_ / "run/metrics.json"));
}

}  // namespace
}  // namespace dataopt::cli
