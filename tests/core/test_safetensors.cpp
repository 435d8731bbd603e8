#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include "dataopt/core/atomic_file.h"
#include "dataopt/core/check.h"
#include "dataopt/core/safetensors.h"
#include "test_support.h"

namespace dataopt {

class SafeTensors : public test::SeedingFixture {};

TEST_F(SafeTensors, RoundTripsDtypesOrderAndMetadata) {
  test::TempDir dir;
  TensorFile f;
  f.add("z.weight", torch::randn({4, 3}));
  f.add("a.half", torch::randn({5}).to(torch::kHalf));
  f.add("m.bf16", torch::randn({2, 2}).to(torch::kBFloat16));
  f.add("ids", torch::randint(0, 1 << 30, {6}, torch::kLong));
  f.add("scalar", torch::tensor(2.0f));
  f.add("empty", torch::zeros({0, 3}));
  f.metadata["epochs"] = "10";
  f.metadata["note"] = "hello \"world\"";
  write_safetensors(dir / "m.safetensors", f);

  const TensorFile g = read_safetensors(dir / "m.safetensors");
  ASSERT_EQ(g.tensors.size(), f.tensors.size());
  for (size_t i = 0; i < f.tensors.size(); ++i) {
    EXPECT_EQ(g.tensors[i].first, f.tensors[i].first);  // order kept
    EXPECT_EQ(g.tensors[i].second.scalar_type(), f.tensors[i].second.scalar_type());
    EXPECT_TRUE(torch::equal(g.tensors[i].second, f.tensors[i].second))
        << f.tensors[i].first;
  }
  EXPECT_EQ(g.metadata, f.metadata);
}

TEST_F(SafeTensors, HeaderFollowsTheFormat) {
  test::TempDir dir;
  TensorFile f;
  f.add("w", torch::ones({2, 3}));
  write_safetensors(dir / "m.safetensors", f);
  const std::string bytes = read_file(dir / "m.safetensors");
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  EXPECT_EQ(n % 8, 0u);
  const auto header = nlohmann::json::parse(bytes.substr(8, n));
  EXPECT_EQ(header["w"]["dtype"], "F32");
  EXPECT_EQ(header["w"]["shape"], nlohmann::json({2, 3}));
  EXPECT_EQ(header["w"]["data_offsets"], nlohmann::json({0, 24}));
  EXPECT_EQ(bytes.size(), 8 + n + 24);
}

TEST_F(SafeTensors, RejectsCorruptFiles) {
  test::TempDir dir;
  TensorFile f;
  f.add("w", torch::randn({16, 16}));
  write_safetensors(dir / "m.safetensors", f);
  const std::string bytes = read_file(dir / "m.safetensors");

  write_text_atomic(dir / "short.safetensors", bytes.substr(0, 5));
  EXPECT_THROW(read_safetensors(dir / "short.safetensors"), Error);
  write_text_atomic(dir / "trunc.safetensors", bytes.substr(0, bytes.size() - 4));
  EXPECT_THROW(read_safetensors(dir / "trunc.safetensors"), Error);
  std::string huge = bytes;
  huge[7] = 0x7f;  // header length far past the end of the file
  write_text_atomic(dir / "len.safetensors", huge);
  EXPECT_THROW(read_safetensors(dir / "len.safetensors"), Error);
  std::string junk = bytes;
  junk[9] = '!';
  write_text_atomic(dir / "json.safetensors", junk);
  EXPECT_THROW(read_safetensors(dir / "json.safetensors"), Error);
  EXPECT_THROW(read_safetensors(dir / "missing.safetensors"), Error);
}

TEST_F(SafeTensors, GetNamesMissingTensor) {
  TensorFile f;
  f.add("a", torch::ones({1}));
  EXPECT_THROW(f.add("a", torch::ones({1})), Error);
  try {
    f.get("b");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'b'"), std::string::npos);
  }
}

}  // namespace dataopt
