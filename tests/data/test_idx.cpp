#include <torch/torch.h>

#include <zlib.h>

#include "dataopt/core/atomic_file.h"
#include "dataopt/core/check.h"
#include "dataopt/data/idx.h"
#include "dataopt/data/registry.h"
#include "test_support.h"

namespace dataopt::data {
namespace fs = std::filesystem;

namespace {
std::string be32(uint32_t v) {
  std::string s(4, '\0');
  for (int i = 0; i < 4; ++i) s[i] = static_cast<char>((v >> (24 - 8 * i)) & 0xff);
  return s;
}
// A hand-made IDX file: magic, dims, body.
std::string idx_bytes(const std::vector<uint32_t>& dims, size_t body) {
  std::string s = std::string("\0\0\x08", 3) + static_cast<char>(dims.size());
  for (auto d : dims) s += be32(d);
  for (size_t i = 0; i < body; ++i) s.push_back(static_cast<char>(i % 251));
  return s;
}
std::string expect_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no dataopt::Error thrown";
  return "";
}
}  // namespace

TEST(Idx, ParsesPlainAndGzipIdentically) {
  test::TempDir dir;
  write_text_atomic(dir / "a-idx3", idx_bytes({2, 3, 4}, 24));
  const at::Tensor plain = read_idx(dir / "a-idx3");
  EXPECT_EQ(plain.sizes(), (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(plain.scalar_type(), at::kByte);
  EXPECT_EQ(plain[1][2][3].item<int>(), 23);
  write_idx(dir / "b-idx3.gz", plain);
  EXPECT_TRUE(torch::equal(read_idx(dir / "b-idx3.gz"), plain));

  const at::Tensor img = read_idx_images(dir / "a-idx3");
  EXPECT_EQ(img.sizes(), (std::vector<int64_t>{2, 1, 3, 4}));
  EXPECT_FLOAT_EQ(img[1][0][2][3].item<float>(), 23.0f / 255.0f);
}

TEST(Idx, RejectsWrongMagic) {
  test::TempDir dir;
  std::string bytes = idx_bytes({4}, 4);
  bytes[2] = 0x0D;  // float element type
  write_text_atomic(dir / "f.idx", bytes);
  EXPECT_NE(expect_error([&] { read_idx(dir / "f.idx"); }).find("element type"),
            std::string::npos);
  write_text_atomic(dir / "m.idx", "\x12\x34\x08\x01rest");
  const std::string msg = expect_error([&] { read_idx(dir / "m.idx"); });
  EXPECT_NE(msg.find("wrong magic"), std::string::npos);
  EXPECT_NE(msg.find("m.idx"), std::string::npos);
}

TEST(Idx, RejectsTruncatedBodyHeaderAndTrailingBytes) {
  test::TempDir dir;
  write_text_atomic(dir / "t.idx", idx_bytes({10, 28, 28}, 10 * 28 * 28 - 1));
  const std::string msg = expect_error([&] { read_idx(dir / "t.idx"); });
  EXPECT_NE(msg.find("truncated"), std::string::npos);
  EXPECT_NE(msg.find("t.idx"), std::string::npos);

  write_text_atomic(dir / "h.idx", idx_bytes({10, 28, 28}, 0).substr(0, 9));
  EXPECT_NE(expect_error([&] { read_idx(dir / "h.idx"); }).find("truncated"),
            std::string::npos);

  write_text_atomic(dir / "x.idx", idx_bytes({3}, 5));
  EXPECT_NE(expect_error([&] { read_idx(dir / "x.idx"); }).find("trailing"),
            std::string::npos);
}

TEST(Idx, RejectsTruncatedGzipStream) {
  test::TempDir dir;
  write_idx(dir / "g.gz", torch::randint(0, 255, {50, 28, 28}, torch::kByte));
  const std::string bytes = read_file(dir / "g.gz");
  write_text_atomic(dir / "cut.gz", bytes.substr(0, bytes.size() / 2));
  const std::string msg = expect_error([&] { read_idx(dir / "cut.gz"); });
  EXPECT_NE(msg.find("cut.gz"), std::string::npos);
}

TEST(Idx, WrongRankForImagesOrLabels) {
  test::TempDir dir;
  write_text_atomic(dir / "l.idx", idx_bytes({5}, 5));
  EXPECT_THROW(read_idx_images(dir / "l.idx"), Error);
  EXPECT_NO_THROW(read_idx_labels(dir / "l.idx"));
  write_text_atomic(dir / "i.idx", idx_bytes({1, 2, 2}, 4));
  EXPECT_THROW(read_idx_labels(dir / "i.idx"), Error);
}

TEST(Registry, LoadsIdxDirectoryAndChecksSizeMismatch) {
  test::TempDir dir;
  test::write_tiny_idx_dataset(dir.path(), 20, 10);
  const Dataset train = load_dataset("mnist", Split::kTrain, dir.path());
  EXPECT_EQ(train.size(), 20);
  EXPECT_EQ(train.images.sizes(), (std::vector<int64_t>{20, 1, 28, 28}));
  EXPECT_EQ(train.num_classes(), 10);
  EXPECT_EQ(load_dataset("idx", Split::kTest, dir.path()).size(), 10);

  write_idx(dir / "t10k-labels-idx1-ubyte.gz", torch::zeros({9}, torch::kByte));
  const std::string msg =
      expect_error([&] { load_dataset("mnist", Split::kTest, dir.path()); });
  EXPECT_NE(msg.find("10 images"), std::string::npos);
  EXPECT_NE(msg.find("9 labels"), std::string::npos);
}

TEST(Registry, MissingDataSetErrorsNameTheProblem) {
  EXPECT_NE(expect_error([] { dataset_info("cifar-1000"); }).find("unknown data set"),
            std::string::npos);
  EXPECT_NE(expect_error([] { load_dataset("mnist", Split::kTrain); }).find("--data-dir"),
            std::string::npos);
  test::TempDir dir;
  const std::string msg =
      expect_error([&] { load_dataset("fashion-mnist", Split::kTrain, dir.path()); });
  EXPECT_NE(msg.find("train-images-idx3-ubyte"), std::string::npos);
  EXPECT_FALSE(dataset_available("fashion-mnist", dir.path()));
}

TEST(Registry, FashionMnistFromDebianPackage) {
  if (!dataset_available("fashion-mnist")) {
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  }
  const Dataset test = load_dataset("fashion-mnist", Split::kTest);
  EXPECT_EQ(test.size(), 10000);
  EXPECT_EQ(test.images.sizes(), (std::vector<int64_t>{10000, 1, 28, 28}));
  EXPECT_EQ(test.class_names.at(9), "Ankle boot");
  // Fashion-MNIST's test set is balanced: 1000 per class.
  EXPECT_TRUE(torch::equal(torch::bincount(test.labels),
                           torch::full({10}, 1000, torch::kLong)));
}

}  // namespace dataopt::data
