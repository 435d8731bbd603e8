// What `dataopt audit` writes for the viewer and what `dataopt view` serves
// from it (in-process, without the HTTP server).
#include <torch/torch.h>

#include "commands.h"
#include "dataopt/core/check.h"
#include "dataopt/core/json_io.h"
#include "dataopt/core/npy.h"
#include "test_support.h"
#include "view_data.h"

namespace dataopt::cli {
namespace fs = std::filesystem;
namespace {

class View : public test::SeedingFixture {
 protected:
  static void SetUpTestSuite() {
    data_ = new test::TempDir;
    out_ = new test::TempDir;
    test::write_tiny_idx_dataset(data_->path(), 150, 50);
    testing::internal::CaptureStdout();
    const int rc = run_cli({"audit", "--data", "mnist", "--data-dir", data_->path(), "--model",
                            "mlp", "--epochs", "1", "--batch-size", "50", "--threads", "1",
                            "--quiet", "--top-k", "4", "--out", out_->path()});
    testing::internal::GetCapturedStdout();
    ASSERT_EQ(rc, 0);
  }
  static void TearDownTestSuite() {
    delete data_;
    delete out_;
  }
  static test::TempDir* data_;
  static test::TempDir* out_;
};
test::TempDir* View::data_ = nullptr;
test::TempDir* View::out_ = nullptr;

TEST_F(View, AuditWritesEmbeddingPartnersAndImages) {
  const fs::path dir = out_->path();
  EXPECT_EQ(read_npy(dir / "embedding.npy").sizes(), (std::vector<int64_t>{150, 2}));
  const at::Tensor idx = read_npy(dir / "partners_index.npy");
  const at::Tensor val = read_npy(dir / "partners_value.npy");
  EXPECT_EQ(idx.sizes(), (std::vector<int64_t>{150, 2, 4}));
  EXPECT_EQ(val.sizes(), idx.sizes());
  EXPECT_TRUE(idx.ge(-1).all().item<bool>() && idx.lt(150).all().item<bool>());
  // Complementary edges are positive, conflicting ones negative.
  EXPECT_TRUE(val.select(1, 0).ge(0).all().item<bool>());
  EXPECT_TRUE(val.select(1, 1).le(0).all().item<bool>());
  const at::Tensor img = read_npy(dir / "images.npy");
  EXPECT_EQ(img.scalar_type(), torch::kByte);
  EXPECT_EQ(img.sizes(), (std::vector<int64_t>{150, 28, 28}));
  const auto summary = read_json(dir / "summary.json");
  EXPECT_EQ(summary["viewer"]["embedding"], "pca");
  EXPECT_EQ(summary["viewer"]["top_k"], 4);
  EXPECT_EQ(summary["viewer"]["class_names"].size(), 10u);
}

TEST_F(View, ServesPointsExamplesAndThumbnails) {
  const ViewData v = load_view_data(out_->path());
  EXPECT_EQ(v.size, 150);
  EXPECT_EQ(v.num_classes(), 10);
  EXPECT_EQ(v.score_names.front(), "nrg");
  const auto points = nlohmann::json::parse(points_json(v));
  EXPECT_EQ(points["x"].size(), 150u);
  EXPECT_EQ(points["given"].size(), 150u);
  EXPECT_EQ(points["scores"]["nrg"].size(), 150u);
  EXPECT_EQ(points["is_noisy"].size(), 150u);
  const auto ex = example_json(v, 7);
  EXPECT_EQ(ex["index"], 7);
  EXPECT_TRUE(ex["scores"].contains("loss"));
  EXPECT_LE(ex["complementary"].size(), 4u);
  for (const auto& p : ex["conflicting"]) EXPECT_NE(p["given"], ex["given"]);
  const std::string png = thumbnail_png(v, 7, 2);
  EXPECT_EQ(png.substr(1, 3), "PNG");
  EXPECT_THROW(example_json(v, 150), Error);
  EXPECT_THROW(thumbnail_png(v, 0, 0), Error);
}

TEST_F(View, MissingFilesAreNamed) {
  test::TempDir empty;
  std::string msg;
  try {
    load_view_data(empty.path());
  } catch (const Error& e) {
    msg = e.what();
  }
  EXPECT_NE(msg.find((empty / "summary.json").string()), std::string::npos) << msg;
  for (const char* f : {"summary.json", "scores.csv"}) {
    fs::copy_file(out_->path() / f, empty / f);
  }
  try {
    load_view_data(empty.path());
  } catch (const Error& e) {
    msg = e.what();
  }
  EXPECT_NE(msg.find("embedding.npy is missing"), std::string::npos) << msg;
}

}  // namespace
}  // namespace dataopt::cli
