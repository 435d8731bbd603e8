// dataopt condense / evaluate-synthetic / train --data-file on a tiny IDX
// data set: the files and summary keys each writes, resume (refused without
// --resume, exact with it), every baseline, and clear errors.

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_test_util.h"
#include "dataopt/condense/synthetic_set.h"
#include "dataopt/core/json_io.h"
#include "test_support.h"

namespace dataopt::cli {
namespace {

namespace fs = std::filesystem;
using test_util::error_of;

class CliCondense : public test::SeedingFixture {
 protected:
  void SetUp() override {
    test::SeedingFixture::SetUp();
    test::write_tiny_idx_dataset(data_.path(), 80, 40);
  }
  std::vector<std::string> base(const std::string& method, const std::string& out) {
    return {"condense", "--data", "mnist", "--data-dir", data_.path().string(), "--method",
            method, "--ipc", "1", "--factor", "2", "--niter", "1", "--inner-loop", "2",
            "--n-data", "8", "--batch-real", "8", "--net-width", "8", "--threads", "1",
            "--quiet", "--repeats", "1", "--eval-epochs", "1", "--eval-width", "8",
            "--out", out};
  }
  static int run_quietly(const std::vector<std::string>& args) {
    testing::internal::CaptureStdout();
    const int rc = run_cli(args);
    testing::internal::GetCapturedStdout();
    return rc;
  }
  test::TempDir data_;
  test::TempDir out_;
};

TEST_F(CliCondense, IdcWritesTheSetItsPictureAndSummary) {
  const fs::path out = out_ / "idc";
  auto args = base("idc", out.string());
  args.insert(args.end(), {"--stop-after", "1", "--evaluate"});
  ASSERT_EQ(run_quietly(args), 0);
  for (const char* f : {"synthetic.safetensors", "synthetic.png", "summary.json"})
    EXPECT_TRUE(fs::exists(out / f)) << f;
  const auto s = read_json(out / "summary.json");
  EXPECT_EQ(s.at("method"), "idc");
  EXPECT_EQ(s.at("ipc"), 1);
  EXPECT_EQ(s.at("factor"), 2);
  EXPECT_EQ(s.at("iterations"), 1);
  EXPECT_EQ(s.at("decoded_images"), 40);
  EXPECT_GT(s.at("seconds").get<double>(), 0.0);
  const auto& e = s.at("evaluation");
  for (const char* k : {"accuracy_mean", "accuracy_std", "repeats", "epochs"})
    EXPECT_TRUE(e.contains(k)) << k;
  EXPECT_EQ(e.at("epochs"), 1);
  EXPECT_EQ(e.at("protocol"), "shortened (1 epochs)");
  const auto set = condense::load_synthetic(out / "synthetic.safetensors");
  EXPECT_EQ(set.factor, 2);
  EXPECT_EQ(set.images.size(0), 10);

  // The checkpoint is not silently overwritten or resumed.
  const std::string msg = error_of(args);
  EXPECT_NE(msg.find("--resume"), std::string::npos) << msg;
  // --resume continues it.
  auto more = base("idc", out.string());
  more.insert(more.end(), {"--stop-after", "2", "--resume"});
  ASSERT_EQ(run_quietly(more), 0);
  const auto s2 = read_json(out / "summary.json");
  EXPECT_EQ(s2.at("iterations"), 2);
  EXPECT_EQ(s2.at("resumed_from"), 1);

  // evaluate-synthetic adds an evaluation; train --data-file trains on the set.
  ASSERT_EQ(run_quietly({"evaluate-synthetic", out.string(), "--data-dir", data_.path().string(),
                         "--repeats", "2", "--eval-epochs", "1", "--eval-width", "8",
                         "--threads", "1", "--quiet"}),
            0);
  const auto s3 = read_json(out / "summary.json");
  EXPECT_EQ(s3.at("evaluation").at("repeats"), 2);
  EXPECT_EQ(s3.at("evaluation").at("accuracies").size(), 2u);
  ASSERT_EQ(run_quietly({"train", "--data", "mnist", "--data-dir", data_.path().string(),
                         "--data-file", (out / "synthetic.safetensors").string(), "--width", "8",
                         "--epochs", "1", "--batch-size", "16", "--threads", "1", "--quiet",
                         "--out", (out_ / "trained").string()}),
            0);
  const auto m = read_json(out_ / "trained" / "metrics.json");
  EXPECT_EQ(m.at("train_size"), 40);
}

TEST_F(CliCondense, EveryBaselineWritesASet) {
  for (const char* method : {"first-k", "random", "herding", "kcenter", "mf-init"}) {
    const fs::path out = out_ / method;
    ASSERT_EQ(run_quietly(base(method, out.string())), 0) << method;
    const auto s = read_json(out / "summary.json");
    EXPECT_EQ(s.at("method"), method);
    const auto set = condense::load_synthetic(out / "synthetic.safetensors");
    EXPECT_EQ(set.images.size(0), 10) << method;
    EXPECT_EQ(set.factor, std::string(method) == "mf-init" ? 2 : 1) << method;
    if (std::string(method) != "mf-init") EXPECT_EQ(s.at("indices").size(), 10u) << method;
  }
  // herding trained a feature model and saved it for reuse.
  EXPECT_TRUE(fs::exists(out_ / "herding" / "feature_model.safetensors"));
}

TEST_F(CliCondense, BadInputGetsAClearError) {
  const std::string out = (out_ / "x").string();
  auto args = base("kmeans", out);
  EXPECT_NE(error_of(args).find("--method 'kmeans'"), std::string::npos);
  args = base("idc", out);
  args.insert(args.end(), {"--ipc", "0"});
  EXPECT_NE(error_of(args).find("--ipc"), std::string::npos);
  args = base("idc", out);
  args.insert(args.end(), {"--aug-match", "color_blur"});
  EXPECT_NE(error_of(args).find("blur"), std::string::npos);
  EXPECT_NE(error_of({"evaluate-synthetic", (out_ / "none").string()}).find("synthetic.safetensors"),
            std::string::npos);
  // A corrupt set file is named in the error.
  fs::create_directories(out_ / "bad");
  std::ofstream(out_ / "bad" / "synthetic.safetensors") << "not a safetensors file";
  const std::string msg = error_of({"train", "--data", "mnist", "--data-dir",
                                    data_.path().string(), "--data-file",
                                    (out_ / "bad" / "synthetic.safetensors").string(), "--out",
                                    (out_ / "t").string()});
  EXPECT_NE(msg.find("synthetic.safetensors"), std::string::npos) << msg;
}

}  // namespace
}  // namespace dataopt::cli
