#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include "cli_test_util.h"
#include "commands.h"
#include "dataopt/core/atomic_file.h"
#include "dataopt/core/check.h"
#include "dataopt/core/json_io.h"
#include "dataopt/core/npy.h"
#include "dataopt/data/idx.h"
#include "dataopt/nn/model.h"
#include "test_support.h"

namespace dataopt::cli {
namespace fs = std::filesystem;

namespace {
using test_util::error_of;
}  // namespace

class Cli : public test::SeedingFixture {
 protected:
  void SetUp() override {
    test::SeedingFixture::SetUp();
    test::write_tiny_idx_dataset(data_.path(), 200, 100);
  }
  test::TempDir data_;
  test::TempDir out_;
};

TEST_F(Cli, TrainWritesModelMetricsAndFeatures) {
  testing::internal::CaptureStdout();
  const int rc = run_cli({"train", "--data", "mnist", "--data-dir", data_.path(),
                          "--model", "mlp", "--width", "32", "--epochs", "2",
                          "--batch-size", "50", "--lr", "0.1", "--seed", "1",
                          "--threads", "1", "--quiet", "--save-features", "--out",
                          out_.path()});
  const std::string stdout_text = testing::internal::GetCapturedStdout();
  EXPECT_EQ(rc, 0);
  EXPECT_NE(stdout_text.find("test accuracy:"), std::string::npos);
  const auto metrics = read_json(out_ / "metrics.json");
  for (const char* key : {"test_accuracy", "test_nll", "test_ece", "epochs", "train_seconds"}) {
    EXPECT_TRUE(metrics.contains(key)) << key;
  }
  EXPECT_EQ(metrics["epochs"], 2);
  EXPECT_GT(metrics["test_accuracy"].get<double>(), 0.5);
  auto model = nn::load_model(out_ / "model.safetensors");
  EXPECT_EQ(model->options().name, "mlp");
  EXPECT_EQ(read_npy(out_ / "features.npy").sizes(), (std::vector<int64_t>{200, 32}));
  EXPECT_EQ(read_npy(out_ / "probs.npy").sizes(), (std::vector<int64_t>{200, 10}));
  EXPECT_EQ(read_npy(out_ / "labels.npy").numel(), 200);
  // Only finished files: no temporaries left behind.
  for (const auto& e : fs::directory_iterator(out_.path())) {
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos);
  }
}

TEST_F(Cli, UnknownFlagAndBadValuesNameTheArgument) {
  EXPECT_NE(error_of({"train", "--out", "x", "--bogus"}).find("--bogus"),
            std::string::npos);
  EXPECT_NE(error_of({"train", "--out", "x", "--epochs", "zero"}).find("--epochs"),
            std::string::npos);
  EXPECT_NE(error_of({"train", "--out", "x", "--optimizer", "rmsprop"}).find("--optimizer"),
            std::string::npos);
  EXPECT_NE(error_of({"train"}).find("--out"), std::string::npos);
  EXPECT_NE(error_of({"frobnicate"}).find("frobnicate"), std::string::npos);
}

TEST_F(Cli, MissingDataSetNamesTheDirectoryAndWritesNothing) {
  test::TempDir empty;
  const std::string msg = error_of({"train", "--data", "mnist", "--data-dir",
                                    empty.path(), "--out", out_.path() / "run"});
  EXPECT_NE(msg.find(empty.path().string()), std::string::npos);
  EXPECT_FALSE(fs::exists(out_ / "run/metrics.json"));
  EXPECT_NE(error_of({"train", "--data", "imagenet", "--out", "x"}).find("unknown data set"),
            std::string::npos);
}

TEST_F(Cli, CorruptIdxFilesEndWithOneClearError) {
  // Wrong magic.
  write_text_atomic(data_ / "train-images-idx3-ubyte.gz", "garbage that is not gzip nor idx");
  std::string msg = error_of({"train", "--data", "mnist", "--data-dir", data_.path(),
                              "--out", out_.path()});
  EXPECT_NE(msg.find("train-images-idx3-ubyte.gz"), std::string::npos) << msg;
  // Truncated.
  data::write_idx(data_ / "train-images-idx3-ubyte.gz",
                  torch::zeros({200, 28, 28}, torch::kByte));
  const std::string bytes = read_file(data_ / "train-labels-idx1-ubyte.gz");
  data::write_idx(data_ / "train-labels-idx1-ubyte",
                  torch::zeros({200}, torch::kByte));
  fs::remove(data_ / "train-labels-idx1-ubyte.gz");
  const std::string plain = read_file(data_ / "train-labels-idx1-ubyte");
  write_text_atomic(data_ / "train-labels-idx1-ubyte", plain.substr(0, plain.size() - 10));
  msg = error_of({"train", "--data", "mnist", "--data-dir", data_.path(), "--out", out_.path()});
  EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;
  // Size mismatch between images and labels.
  data::write_idx(data_ / "train-labels-idx1-ubyte", torch::zeros({150}, torch::kByte));
  msg = error_of({"train", "--data", "mnist", "--data-dir", data_.path(), "--out", out_.path()});
  EXPECT_NE(msg.find("200 images"), std::string::npos) << msg;
  EXPECT_NE(msg.find("150 labels"), std::string::npos) << msg;
  EXPECT_FALSE(fs::exists(out_ / "metrics.json"));
  EXPECT_FALSE(fs::exists(out_ / "model.safetensors"));
}

TEST_F(Cli, HelpAndInfoSucceed) {
  testing::internal::CaptureStdout();
  EXPECT_EQ(run_cli({"--help"}), 0);
  EXPECT_EQ(run_cli({"train", "--help"}), 0);
  EXPECT_EQ(run_cli({"info", "--data-dir", data_.path()}), 0);
  const std::string out = testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find("--batch-size"), std::string::npos);
  EXPECT_NE(out.find("blas"), std::string::npos);
  EXPECT_NE(out.find("mnist: found in"), std::string::npos);
}

}  // namespace dataopt::cli
