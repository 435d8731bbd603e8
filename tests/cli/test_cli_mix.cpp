// dataopt train --mix ... and dataopt mix on a tiny IDX data set: outputs,
// padding, FGSM metric, resume refused across mixers, clear errors.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_test_util.h"
#include "dataopt/core/json_io.h"
#include "test_support.h"

namespace dataopt::cli {
namespace {

using test_util::error_of;

class CliMix : public test::SeedingFixture {
 protected:
  void SetUp() override {
    test::SeedingFixture::SetUp();
    test::write_tiny_idx_dataset(data_.path(), 64, 32);
  }
  std::vector<std::string> train_args(const std::string& mix, const std::string& out) {
    return {"train", "--data", "mnist", "--data-dir", data_.path().string(), "--model",
            "convnet", "--width", "8", "--depth", "2", "--epochs", "1", "--batch-size", "16",
            "--threads", "1", "--quiet", "--mix", mix, "--pad-to", "32", "--m-part", "8",
            "--out", out};
  }
  test::TempDir data_;
  test::TempDir out_;
};

TEST_F(CliMix, TrainWithEveryMixerWritesMixAndFgsmMetrics) {
  for (const char* mix : {"mixup", "manifold", "cutmix", "puzzle", "comix"}) {
    const std::string out = (out_ / mix).string();
    std::vector<std::string> args = train_args(mix, out);
    args.insert(args.end(), {"--fgsm-eps", "8"});
    testing::internal::CaptureStdout();
    EXPECT_EQ(run_cli(args), 0) << mix;
    const std::string text = testing::internal::GetCapturedStdout();
    EXPECT_NE(text.find("FGSM accuracy (eps 8/255)"), std::string::npos) << text;
    const auto m = read_json(std::filesystem::path(out) / "metrics.json");
    EXPECT_EQ(m.at("mix"), mix);
    EXPECT_EQ(m.at("pad_to"), 32);
    const double fgsm = m.at("fgsm_accuracy").get<double>();
    EXPECT_GE(fgsm, 0.0);
    EXPECT_LE(fgsm, m.at("test_accuracy").get<double>() + 1e-9) << mix;
    EXPECT_GT(m.at("seconds_per_epoch").get<double>(), 0.0);
  }
}

TEST_F(CliMix, ACheckpointOfAnotherMixerIsNotResumed) {
  const std::string out = (out_ / "run").string();
  testing::internal::CaptureStdout();
  ASSERT_EQ(run_cli(train_args("cutmix", out)), 0);
  testing::internal::GetCapturedStdout();
  const std::string msg = error_of(train_args("puzzle", out));
  EXPECT_NE(msg.find("checkpoint"), std::string::npos) << msg;
}

TEST_F(CliMix, MixDrawsAGrid) {
  const std::string png = (out_ / "grid.png").string();
  testing::internal::CaptureStdout();
  EXPECT_EQ(run_cli({"mix", "--data", "mnist", "--data-dir", data_.path().string(), "--mix",
                     "puzzle", "--pad-to", "32", "--batch", "6", "--quiet", "--out", png}),
            0);
  testing::internal::GetCapturedStdout();
  EXPECT_GT(std::filesystem::file_size(png), 100u);
}

TEST_F(CliMix, BadMixerInputIsNamed) {
  const std::string out = (out_ / "bad").string();
  auto args = train_args("puzzlemix", out);
  EXPECT_NE(error_of(args).find("'puzzlemix'"), std::string::npos);
  args = train_args("puzzle", out);
  args.insert(args.end(), {"--block-num", "5"});
  EXPECT_NE(error_of(args).find("--block-num"), std::string::npos);
  // 28 x 28 without padding: 8 blocks do not divide the images.
  EXPECT_NE(error_of({"mix", "--data", "mnist", "--data-dir", data_.path().string(), "--mix",
                      "puzzle", "--block-num", "8", "--quiet", "--out",
                      (out_ / "x.png").string()})
                .find("--pad-to 32"),
            std::string::npos);
  EXPECT_NE(error_of({"mix", "--data", "mnist", "--data-dir", data_.path().string(), "--mix",
                      "manifold", "--out", (out_ / "x.png").string()})
                .find("hidden states"),
            std::string::npos);
}

}  // namespace
}  // namespace dataopt::cli
