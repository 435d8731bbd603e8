#include <torch/torch.h>

#include "dataopt/core/atomic_file.h"
#include "dataopt/core/check.h"
#include "dataopt/core/npy.h"
#include "test_support.h"

namespace dataopt {

class Npy : public test::SeedingFixture {};

TEST_F(Npy, RoundTripsEveryDtypeAndShape) {
  test::TempDir dir;
  const std::vector<at::Tensor> tensors = {
      torch::randn({3, 5}),
      torch::randn({2, 3, 4}, torch::kDouble),
      torch::randn({7}).to(torch::kHalf),
      torch::randint(-1000, 1000, {4, 2}, torch::kLong),
      torch::randint(-1000, 1000, {6}, torch::kInt),
      torch::randint(0, 255, {2, 2, 2}, torch::kByte),
      torch::randint(-100, 100, {5}, torch::kChar),
      torch::rand({9}) > 0.5,
      torch::randn({0, 4}),
      torch::tensor(3.5f),  // rank 0
  };
  for (size_t i = 0; i < tensors.size(); ++i) {
    const auto path = dir / ("t" + std::to_string(i) + ".npy");
    write_npy(path, tensors[i]);
    const at::Tensor back = read_npy(path);
    EXPECT_EQ(back.scalar_type(), tensors[i].scalar_type()) << i;
    EXPECT_EQ(back.sizes(), tensors[i].sizes()) << i;
    EXPECT_TRUE(torch::equal(back, tensors[i])) << i;
  }
}

TEST_F(Npy, NonContiguousInputIsWrittenInLogicalOrder) {
  test::TempDir dir;
  const at::Tensor t = torch::arange(12, torch::kFloat).view({3, 4}).t();
  write_npy(dir / "t.npy", t);
  EXPECT_TRUE(torch::equal(read_npy(dir / "t.npy"), t));
}

TEST_F(Npy, DataStartsAt64ByteBoundary) {
  test::TempDir dir;
  write_npy(dir / "t.npy", torch::zeros({2, 3}));
  const std::string bytes = read_file(dir / "t.npy");
  EXPECT_EQ((bytes.size() - 24) % 64, 0u);
  EXPECT_EQ(bytes.substr(1, 5), "NUMPY");
}

TEST_F(Npy, ReadsHeaderWrittenByNumpy) {
  // Header text exactly as numpy 1.x writes it for np.arange(6, dtype='<i8').reshape(2, 3).
  test::TempDir dir;
  std::string header = "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 3), }";
  header.append(118 - header.size() - 1, ' ');
  header.push_back('\n');
  std::string bytes = std::string("\x93NUMPY\x01\x00", 8);
  bytes.push_back(static_cast<char>(header.size()));
  bytes.push_back(0);
  bytes += header;
  for (int64_t v = 0; v < 6; ++v) bytes.append(reinterpret_cast<const char*>(&v), 8);
  write_text_atomic(dir / "np.npy", bytes);
  EXPECT_TRUE(torch::equal(read_npy(dir / "np.npy"),
                           torch::arange(6, torch::kLong).view({2, 3})));
}

TEST_F(Npy, RejectsBadMagicTruncationAndFortranOrder) {
  test::TempDir dir;
  write_text_atomic(dir / "bad.npy", "not a numpy file at all");
  EXPECT_THROW(read_npy(dir / "bad.npy"), Error);

  write_npy(dir / "t.npy", torch::randn({10, 10}));
  std::string bytes = read_file(dir / "t.npy");
  write_text_atomic(dir / "trunc.npy", bytes.substr(0, bytes.size() - 7));
  try {
    read_npy(dir / "trunc.npy");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("trunc.npy"), std::string::npos);
  }

  auto pos = bytes.find("False");
  std::string fortran = bytes;
  fortran.replace(pos, 5, "True ");
  write_text_atomic(dir / "f.npy", fortran);
  EXPECT_THROW(read_npy(dir / "f.npy"), Error);
  EXPECT_THROW(read_npy(dir / "missing.npy"), Error);
}

}  // namespace dataopt
