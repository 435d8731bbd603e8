#include <torch/torch.h>

#include "dataopt/core/atomic_file.h"
#include "dataopt/core/check.h"
#include "dataopt/core/json_io.h"
#include "test_support.h"

#include <nlohmann/json.hpp>

namespace dataopt {
namespace fs = std::filesystem;

namespace {
size_t count_files(const fs::path& dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}
}  // namespace

TEST(AtomicFile, CommitCreatesTargetAndNoTempRemains) {
  test::TempDir dir;
  write_text_atomic(dir / "sub/out.txt", "hello");
  EXPECT_EQ(read_file(dir / "sub/out.txt"), "hello");
  EXPECT_EQ(count_files(dir.path() / "sub"), 1u);
}

TEST(AtomicFile, InterruptedWriteKeepsOldContentAndLeavesNoTemp) {
  test::TempDir dir;
  write_text_atomic(dir / "out.txt", "old");
  EXPECT_THROW(write_file_atomic(dir / "out.txt",
                                 [](std::ostream& out) {
                                   out << "partial";
                                   throw Error("interrupted", __FILE__, __LINE__);
                                 }),
               Error);
  EXPECT_EQ(read_file(dir / "out.txt"), "old");
  EXPECT_EQ(count_files(dir.path()), 1u);
}

TEST(AtomicFile, ReadMissingFileNamesIt) {
  try {
    read_file("/nonexistent/dir/file.txt");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/file.txt"),
              std::string::npos);
  }
}

TEST(JsonIo, RoundTripAndBadSyntax) {
  test::TempDir dir;
  nlohmann::json j = {{"test_accuracy", 0.9}, {"epochs", 2}};
  write_json(dir / "m.json", j);
  EXPECT_EQ(read_json(dir / "m.json"), j);
  write_text_atomic(dir / "bad.json", "{\"a\": ");
  EXPECT_THROW(read_json(dir / "bad.json"), Error);
}

}  // namespace dataopt
