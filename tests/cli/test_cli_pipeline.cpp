// dataopt pipeline end to end on a tiny learnable data set: every stage's
// files and numbers, the report, resume after an interruption (stages done
// are not recomputed), a changed setting reruns only what depends on it,
// own data from a file, and clear errors.

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_test_util.h"
#include "dataopt/core/json_io.h"
#include "dataopt/data/dataset_file.h"
#include "dataopt/data/label_decisions.h"
#include "dataopt/data/registry.h"
#include "test_support.h"

namespace dataopt::cli {
namespace {

namespace fs = std::filesystem;
using test_util::error_of;

class CliPipeline : public test::SeedingFixture {
 protected:
  static void SetUpTestSuite() {
    data_ = new test::TempDir();
    // 16 x 16 band images: the mixers' block grids divide them, no padding.
    test::write_tiny_idx_dataset(data_->path(), 200, 60, 16);
  }
  static void TearDownTestSuite() {
    delete data_;
    data_ = nullptr;
  }
  static std::vector<std::string> base(const fs::path& out) {
    return {"pipeline", "--data", "mnist", "--data-dir", data_->path().string(),
            "--noise-rate", "0.2", "--epochs", "6", "--batch-size", "20", "--lr", "0.05",
            "--width", "16", "--seeds", "2", "--ipc", "1", "--condense-minutes", "0.005",
            "--eval-epochs", "1", "--mix-epochs", "1", "--threads", "1", "--quiet",
            "--out", out.string()};
  }
  static std::string run_captured(const std::vector<std::string>& args) {
    testing::internal::CaptureStdout();
    int rc = -1;
    std::string error;
    try {
      rc = run_cli(args);
    } catch (const std::exception& e) {
      error = e.what();
    }
    const std::string text = testing::internal::GetCapturedStdout();
    EXPECT_EQ(rc, 0) << error << "\n" << text;
    return text;
  }
  static std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  static test::TempDir* data_;
  test::TempDir out_;
};

test::TempDir* CliPipeline::data_ = nullptr;

TEST_F(CliPipeline, RunsEveryStageAndWritesTheReport) {
  const fs::path out = out_ / "run";
  run_captured(base(out));
  for (const char* f : {"report.html", "report.json", "1_train/seed_0/model.safetensors",
                        "1_train/seed_1/metrics.json", "2_audit/scores.csv", "2_audit/suspects.png",
                        "2_audit/summary.json", "2_audit/score_nrg.npy", "3_clean/decisions.csv",
                        "4_retrain/seed_1/metrics.json", "5_condense/synthetic.safetensors",
                        "5_condense/synthetic.png", "6_mix/mixed.png", "6_mix/model.safetensors"}) {
    EXPECT_TRUE(fs::exists(out / f)) << f;
  }
  const auto r = read_json(out / "report.json");
  const auto& st = r.at("stages");
  for (const char* s : {"train", "audit", "clean", "retrain", "condense", "mix"})
    ASSERT_TRUE(st.contains(s)) << s;
  EXPECT_EQ(r.at("stopped_after"), 6);

  // Stage 1: two seeds, accuracies in [0, 1], mean of the two.
  const auto& t = st.at("train");
  ASSERT_EQ(t.at("seeds").size(), 2u);
  const double a0 = t["seeds"][0]["test_accuracy"], a1 = t["seeds"][1]["test_accuracy"];
  EXPECT_NEAR(t.at("test_accuracy").get<double>(), (a0 + a1) / 2, 1e-12);
  EXPECT_EQ(t.at("train_size"), 200);

  // Stage 2: 40 labels flipped (20% of 200), detection metrics for the graph.
  const auto& au = st.at("audit");
  EXPECT_EQ(au.at("flipped"), 40);
  EXPECT_TRUE(au.at("methods").contains("nrg"));
  const double ap = au["methods"]["nrg"]["ap"];
  EXPECT_GE(ap, 0.0);
  EXPECT_LE(ap, 1.0 + 1e-9);
  EXPECT_EQ(au.at("precision_curve").at("nrg").at("k").size(), 40u);

  // Stage 3: as many removed as the graph estimated; the CSV says which.
  const auto& cl = st.at("clean");
  const int64_t k = cl.at("flagged");
  EXPECT_EQ(k, au.at("estimated_noisy").get<int64_t>());
  EXPECT_EQ(cl.at("removed"), k);
  EXPECT_EQ(cl.at("train_size_after"), 200 - k);
  const auto decisions = data::read_label_decisions(out / "3_clean/decisions.csv", 200, 10);
  EXPECT_EQ(static_cast<int64_t>(decisions.size()), k);
  if (k > 0) {
    EXPECT_GE(cl.at("precision").get<double>(), 0.0);
    EXPECT_LE(cl.at("precision").get<double>(), 1.0);
  }

  // Stage 4 and the paired gain.
  EXPECT_EQ(st.at("retrain").at("train_size"), 200 - k);
  const auto& g = r.at("cleaning_gain");
  ASSERT_EQ(g.at("per_seed").size(), 2u);
  EXPECT_NEAR(g.at("per_seed")[0].get<double>(),
              st["retrain"]["seeds"][0]["test_accuracy"].get<double>() - a0, 1e-12);

  // Stage 5: at least one IDC iteration, 10 classes x 1 x 2 x 2 images.
  const auto& co = st.at("condense");
  EXPECT_GE(co.at("iterations").get<int64_t>(), 1);
  EXPECT_EQ(co.at("decoded_images"), 40);
  EXPECT_EQ(co.at("evaluation").at("epochs"), 1);

  // Stage 6.
  EXPECT_EQ(st.at("mix").at("mix"), "puzzle");
  EXPECT_EQ(st.at("mix").at("pad_to"), 0);

  // The page: a section per stage, the pictures inline, the gain in words.
  const std::string html = slurp(out / "report.html");
  for (const char* id : {"id=summary", "id=stage-train", "id=stage-audit", "id=stage-clean",
                         "id=stage-retrain", "id=stage-condense", "id=stage-mix", "id=gain",
                         "<svg", "id=detection"}) {
    EXPECT_NE(html.find(id), std::string::npos) << id;
  }
  size_t images = 0;
  for (size_t p = html.find("data:image/png;base64,"); p != std::string::npos;
       p = html.find("data:image/png;base64,", p + 1)) {
    ++images;
  }
  EXPECT_EQ(images, 3u);  // suspects, condensed set, mixed batch
  EXPECT_EQ(html.find("http://"), std::string::npos) << "the page must not load anything";
}

TEST_F(CliPipeline, ResumesAfterAnInterruptionWithoutRecomputing) {
  const fs::path out = out_ / "resume";
  auto first = base(out);
  first.insert(first.end(), {"--stop-after", "2"});
  run_captured(first);
  const auto r1 = read_json(out / "report.json");
  EXPECT_EQ(r1.at("stopped_after"), 2);
  EXPECT_FALSE(r1["stages"].contains("clean"));
  EXPECT_NE(slurp(out / "report.html").find("Not run yet"), std::string::npos);
  const auto t_model = fs::last_write_time(out / "1_train/seed_0/model.safetensors");
  const auto t_audit = fs::last_write_time(out / "2_audit/stage.json");

  const std::string log = run_captured(base(out));
  const auto r2 = read_json(out / "report.json");
  EXPECT_EQ(r2.at("stopped_after"), 6);
  EXPECT_TRUE(r2["stages"]["train"].at("resumed").get<bool>());
  EXPECT_TRUE(r2["stages"]["audit"].at("resumed").get<bool>());
  EXPECT_FALSE(r2["stages"]["clean"].at("resumed").get<bool>());
  EXPECT_EQ(fs::last_write_time(out / "1_train/seed_0/model.safetensors"), t_model);
  EXPECT_EQ(fs::last_write_time(out / "2_audit/stage.json"), t_audit);
  EXPECT_NE(log.find("done before"), std::string::npos);
  // Same numbers as when they were computed.
  EXPECT_EQ(r2["stages"]["audit"]["estimated_noisy"], r1["stages"]["audit"]["estimated_noisy"]);

  // Another mixer reruns stage 6 only.
  auto comix = base(out);
  comix.insert(comix.end(), {"--mix", "comix"});
  run_captured(comix);
  const auto r3 = read_json(out / "report.json");
  for (const char* s : {"train", "audit", "clean", "retrain", "condense"})
    EXPECT_TRUE(r3["stages"][s].at("resumed").get<bool>()) << s;
  EXPECT_FALSE(r3["stages"]["mix"].at("resumed").get<bool>());
  EXPECT_EQ(r3["stages"]["mix"]["mix"], "comix");
}

TEST_F(CliPipeline, RelabelsAndTakesOwnDataFromAFile) {
  // Own data: the tiny set written as one safetensors file.
  data::DatasetSplits s{data::load_dataset("mnist", data::Split::kTrain, data_->path()),
                        data::load_dataset("mnist", data::Split::kTest, data_->path())};
  const fs::path file = out_ / "mine.safetensors";
  data::save_dataset_file(file, s);
  const fs::path out = out_ / "file";
  std::vector<std::string> args = {"pipeline", "--data-file", file.string(), "--noise-rate", "0.2",
                                   "--clean", "relabel", "--clean-score", "loss", "--max-clean", "0.05", "--epochs", "2", "--batch-size", "32",
                                   "--width", "8", "--seeds", "1", "--stop-after", "3",
                                   "--threads", "1", "--quiet", "--out", out.string()};
  run_captured(args);
  const auto r = read_json(out / "report.json");
  const auto& cl = r["stages"]["clean"];
  EXPECT_EQ(cl.at("policy"), "relabel");
  EXPECT_EQ(cl.at("score"), "loss");
  EXPECT_EQ(cl.at("removed"), 0);
  EXPECT_EQ(cl.at("train_size_after"), 200);
  EXPECT_EQ(cl.at("relabelled").get<int64_t>() + cl.at("unchanged").get<int64_t>(),
            cl.at("flagged").get<int64_t>());
  EXPECT_EQ(r["settings"]["data"]["data"], file.string());
  // --max-clean caps what is touched at 5% of 200.
  EXPECT_LE(cl.at("flagged").get<int64_t>(), 10);
  EXPECT_EQ(cl.at("capped").get<bool>(), cl.at("estimated_noisy").get<int64_t>() > 10);
  EXPECT_EQ(cl.at("flagged").get<int64_t>(),
            std::min<int64_t>(10, cl.at("estimated_noisy").get<int64_t>()));
}

TEST_F(CliPipeline, ColourImagesWithoutInjectedNoise) {
  // RGB images from a file, labels taken as given: the audit has no truth to
  // score against, the report says what was flagged without precision.
  data::DatasetSplits s{test::make_band_dataset(200, 10, 16, 3, 5),
                        test::make_band_dataset(60, 10, 16, 3, 6)};
  const fs::path file = out_ / "rgb.safetensors";
  data::save_dataset_file(file, s);
  const fs::path out = out_ / "rgb";
  run_captured({"pipeline", "--data-file", file.string(), "--noise-rate", "0", "--epochs", "3",
                "--batch-size", "20", "--lr", "0.05", "--width", "8", "--seeds", "1",
                "--stop-after", "3", "--threads", "1", "--quiet", "--out", out.string()});
  const auto r = read_json(out / "report.json");
  const auto& au = r["stages"]["audit"];
  EXPECT_FALSE(au.at("injected").get<bool>());
  EXPECT_FALSE(au.contains("methods"));
  EXPECT_FALSE(r["stages"]["clean"].contains("precision"));
  const std::string html = slurp(out / "report.html");
  EXPECT_NE(html.find("id=stage-clean"), std::string::npos);
  EXPECT_EQ(html.find("id=detection"), std::string::npos);
}

TEST_F(CliPipeline, BadInputGetsAClearError) {
  const std::string out = (out_ / "bad").string();
  auto with = [&](std::vector<std::string> extra) {
    auto a = base(out);
    a.insert(a.end(), extra.begin(), extra.end());
    return error_of(a);
  };
  EXPECT_NE(with({"--clean", "burn"}).find("--clean"), std::string::npos);
  EXPECT_NE(with({"--stop-after", "7"}).find("--stop-after"), std::string::npos);
  EXPECT_NE(with({"--seeds", "0"}).find("--seeds"), std::string::npos);
  EXPECT_NE(with({"--noise-rate", "1.5"}).find("--noise-rate"), std::string::npos);
  EXPECT_NE(with({"--mix", "mixup"}).find("--mix"), std::string::npos);
  EXPECT_NE(with({"--max-clean", "2"}).find("--max-clean"), std::string::npos);
  EXPECT_NE(with({"--clean-score", "margin"}).find("--clean-score"), std::string::npos);
  const std::string missing =
      error_of({"pipeline", "--data-file", (out_ / "none.safetensors").string(), "--out", out});
  EXPECT_NE(missing.find("none.safetensors"), std::string::npos) << missing;
  EXPECT_FALSE(fs::exists(fs::path(out) / "report.json"));
}

}  // namespace
}  // namespace dataopt::cli
