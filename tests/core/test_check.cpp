#include <torch/torch.h>

#include "dataopt/core/check.h"
#include "dataopt/core/tensor_check.h"
#include "test_support.h"

namespace dataopt {

TEST(Check, ThrowsErrorWithStreamedMessage) {
  try {
    DATAOPT_CHECK(1 + 1 == 3, "expected ", 3, ", got ", 2);
    FAIL() << "no throw";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "expected 3, got 2");
    EXPECT_GT(e.line(), 0);
  }
}

TEST(Check, AssertThrowsAndNamesCondition) {
  try {
    DATAOPT_ASSERT(false && "never", "detail");
    FAIL() << "no throw";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("internal error"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("detail"), std::string::npos);
  }
}

TEST(Check, PassingChecksDoNotThrow) {
  EXPECT_NO_THROW(DATAOPT_CHECK(true, "x"));
  EXPECT_NO_THROW(DATAOPT_ASSERT(true));
}

TEST(TensorCheck, ShapeMessageNamesArgumentAndShapes) {
  const auto t = torch::zeros({3, 4});
  EXPECT_NO_THROW(check_shape(t, {-1, 4}, "features"));
  try {
    check_shape(t, {-1, 5}, "features");
    FAIL();
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("features"), std::string::npos);
    EXPECT_NE(msg.find("[*, 5]"), std::string::npos);
    EXPECT_NE(msg.find("[3, 4]"), std::string::npos);
  }
  EXPECT_THROW(check_shape(t, {3, 4, 1}, "x"), Error);
}

TEST(TensorCheck, FiniteAndDtype) {
  auto t = torch::ones({4});
  EXPECT_NO_THROW(check_finite(t, "t"));
  t[2] = std::nan("");
  EXPECT_THROW(check_finite(t, "t"), Error);
  EXPECT_THROW(check_dtype(t, at::kLong, "t"), Error);
  EXPECT_NO_THROW(check_dtype(t, at::kFloat, "t"));
}

}  // namespace dataopt
