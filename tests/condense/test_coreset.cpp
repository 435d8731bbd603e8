#include <torch/torch.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "dataopt/condense/coreset.h"
#include "dataopt/core/error.h"
#include "test_support.h"

namespace dataopt::condense {

class Coreset : public test::SeedingFixture {};

namespace {

std::vector<int64_t> to_vec(const at::Tensor& t) {
  const at::Tensor c = t.to(torch::kLong).contiguous();
  return {c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel()};
}

at::Tensor longs(const std::vector<int64_t>& v) { return torch::tensor(v, torch::kLong); }

// [N, D] float32 from row-major values.
at::Tensor floats(const std::vector<float>& v, int64_t d) {
  return torch::tensor(v, torch::kFloat).reshape({-1, d});
}

// The message of the dataopt::Error that `f` throws ("" if none).
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const dataopt::Error& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// ---- slow, obviously correct references (std::vector<double>) ----

using Points = std::vector<std::vector<double>>;

double sq_dist(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0.0;
  for (size_t i = 0; i < a.size(); ++i) s += (a[i] - b[i]) * (a[i] - b[i]);
  return s;
}

std::vector<double> mean_of(const Points& x, const std::vector<int64_t>& rows) {
  std::vector<double> m(x[0].size(), 0.0);
  for (int64_t r : rows) {
    for (size_t i = 0; i < m.size(); ++i) m[i] += x[r][i];
  }
  for (double& v : m) v /= static_cast<double>(rows.size());
  return m;
}

std::vector<int64_t> rows_of_class(const std::vector<int64_t>& labels, int64_t c) {
  std::vector<int64_t> rows;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] == c) rows.push_back(static_cast<int64_t>(i));
  }
  return rows;
}

std::vector<int64_t> ref_herding(const Points& x, const std::vector<int64_t>& labels,
                                 int64_t num_classes, int64_t k) {
  std::vector<int64_t> out;
  for (int64_t c = 0; c < num_classes; ++c) {
    const std::vector<int64_t> rows = rows_of_class(labels, c);
    const std::vector<double> mu = mean_of(x, rows);
    std::vector<double> sum(mu.size(), 0.0);
    std::vector<bool> taken(rows.size(), false);
    for (int64_t step = 0; step < k; ++step) {
      std::vector<double> target(mu.size());
      for (size_t i = 0; i < mu.size(); ++i) {
        target[i] = static_cast<double>(step + 1) * mu[i] - sum[i];
      }
      size_t best = rows.size();
      double best_d = std::numeric_limits<double>::infinity();
      for (size_t j = 0; j < rows.size(); ++j) {
        if (taken[j]) continue;
        const double d = sq_dist(x[rows[j]], target);
        if (best == rows.size() || d < best_d) {  // strict: lowest index wins
          best = j;
          best_d = d;
        }
      }
      taken[best] = true;
      for (size_t i = 0; i < mu.size(); ++i) sum[i] += x[rows[best]][i];
      out.push_back(rows[best]);
    }
  }
  return out;
}

std::vector<int64_t> ref_kcenter(const Points& x, const std::vector<int64_t>& labels,
                                 int64_t num_classes, int64_t k) {
  std::vector<int64_t> out;
  for (int64_t c = 0; c < num_classes; ++c) {
    const std::vector<int64_t> rows = rows_of_class(labels, c);
    const std::vector<double> mu = mean_of(x, rows);
    size_t first = 0;
    for (size_t j = 1; j < rows.size(); ++j) {
      if (sq_dist(x[rows[j]], mu) < sq_dist(x[rows[first]], mu)) first = j;
    }
    std::vector<size_t> picked{first};
    while (static_cast<int64_t>(picked.size()) < k) {
      size_t best = rows.size();
      double best_d = -1.0;
      for (size_t j = 0; j < rows.size(); ++j) {
        if (std::find(picked.begin(), picked.end(), j) != picked.end()) continue;
        double nearest = std::numeric_limits<double>::infinity();
        for (size_t p : picked) {
          nearest = std::min(nearest, sq_dist(x[rows[j]], x[rows[p]]));
        }
        if (nearest > best_d) {  // strict: lowest index wins
          best = j;
          best_d = nearest;
        }
      }
      picked.push_back(best);
    }
    for (size_t p : picked) out.push_back(rows[p]);
  }
  return out;
}

}  // namespace

TEST_F(Coreset, KindNamesRoundTrip) {
  for (CoresetKind kind : {CoresetKind::kFirstK, CoresetKind::kRandom,
                           CoresetKind::kHerding, CoresetKind::kKCenter}) {
    EXPECT_EQ(parse_coreset_kind(to_string(kind)), kind);
  }
  EXPECT_EQ(parse_coreset_kind("first-k"), CoresetKind::kFirstK);
  EXPECT_EQ(parse_coreset_kind("kcenter"), CoresetKind::kKCenter);
}

TEST_F(Coreset, UnknownKindListsTheNames) {
  const std::string what = error_of([] { parse_coreset_kind("k-means"); });
  EXPECT_TRUE(contains(what, "k-means")) << what;
  for (const char* name : {"first-k", "random", "herding", "kcenter"}) {
    EXPECT_TRUE(contains(what, name)) << what;
  }
}

TEST_F(Coreset, FirstKPicksTheFirstOfEachClassInDataSetOrder) {
  // rows:          0  1  2  3  4  5  6  7  8  9
  const auto labels = longs({2, 0, 1, 0, 2, 1, 0, 2, 1, 1});
  // class 0: rows 1 3 6, class 1: rows 2 5 8 9, class 2: rows 0 4 7
  EXPECT_EQ(to_vec(select_first_k(labels, 3, 2)),
            (std::vector<int64_t>{1, 3, 2, 5, 0, 4}));
  EXPECT_EQ(to_vec(select_first_k(labels, 3, 3)),
            (std::vector<int64_t>{1, 3, 6, 2, 5, 8, 0, 4, 7}));
  const at::Tensor idx = select_first_k(labels, 3, 1);
  EXPECT_EQ(idx.scalar_type(), torch::kLong);
  EXPECT_EQ(to_vec(idx), (std::vector<int64_t>{1, 2, 0}));
}

TEST_F(Coreset, RandomIsSeededWithoutDuplicatesAndGroupedByClass) {
  // 3 classes of 10, shuffled.
  std::vector<int64_t> lab;
  for (int64_t i = 0; i < 30; ++i) lab.push_back(i % 3);
  std::shuffle(lab.begin(), lab.end(), std::mt19937(7));
  const auto labels = longs(lab);

  const auto a = to_vec(select_random(labels, 3, 4, 11));
  const auto b = to_vec(select_random(labels, 3, 4, 11));
  const auto c = to_vec(select_random(labels, 3, 4, 12));
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  for (const auto& v : {a, c}) {
    ASSERT_EQ(v.size(), 12u);
    EXPECT_EQ(std::set<int64_t>(v.begin(), v.end()).size(), 12u);
    for (size_t i = 0; i < v.size(); ++i) {
      ASSERT_GE(v[i], 0);
      ASSERT_LT(v[i], 30);
      EXPECT_EQ(lab[static_cast<size_t>(v[i])], static_cast<int64_t>(i / 4))
          << "position " << i;
    }
  }
  // A smaller k with the same seed gives the head of each class's picks.
  const auto small = to_vec(select_random(labels, 3, 2, 11));
  EXPECT_EQ(small, (std::vector<int64_t>{a[0], a[1], a[4], a[5], a[8], a[9]}));
  // k = class size returns the whole class.
  const auto all = to_vec(select_random(labels, 3, 10, 5));
  EXPECT_EQ(std::set<int64_t>(all.begin(), all.end()).size(), 30u);
}

TEST_F(Coreset, HerdingMatchesHandWorkedPicks) {
  // Class 0 (rows 0 2 4 6) lies on the x axis at 0, 1, 2, 9: mean 3.
  //   step 0: target 1*3 - 0  = 3 -> |3-x| = 3 2 1 6        -> x=2 (row 4)
  //   step 1: target 2*3 - 2  = 4 -> |4-x| = 4 3 [2 taken] 5 -> x=1 (row 2)
  //           (x=2 would be closer: already-selected examples are skipped)
  //   step 2: target 3*3 - 3  = 6 -> |6-0| = 6, |6-9| = 3    -> x=9 (row 6)
  //   step 3: the remaining x=0 (row 0)
  // Class 1 (rows 1 3 5 7) = (0,-1) (1,0) (0,1) (-1,0): mean (0,0).
  //   step 0: target (0,0), all at distance 1: tie -> lowest, (0,-1) row 1
  //   step 1: target 2*(0,0) - (0,-1) = (0,1), exact             -> row 5
  //   step 2: target (0,0), (1,0) and (-1,0) tie -> lowest index -> row 3
  //   step 3: (-1,0) row 7
  const auto labels = longs({0, 1, 0, 1, 0, 1, 0, 1});
  const auto feats = floats({0, 0, 0, -1, 1, 0, 1, 0,  //
                             2, 0, 0, 1, 9, 0, -1, 0},
                            2);
  EXPECT_EQ(to_vec(select_herding(feats, labels, 2, 4)),
            (std::vector<int64_t>{4, 2, 6, 0, 1, 5, 3, 7}));
  EXPECT_EQ(to_vec(select_herding(feats, labels, 2, 2)),
            (std::vector<int64_t>{4, 2, 1, 5}));
  // float64 features give the same picks.
  EXPECT_EQ(to_vec(select_herding(feats.to(torch::kDouble), labels, 2, 3)),
            (std::vector<int64_t>{4, 2, 6, 1, 5, 3}));
}

TEST_F(Coreset, KCenterMatchesHandWorkedPicks) {
  // Class 1 (rows 0-3) on a line: 10, 0, 3, 1 (mean 3.5).
  //   start: closest to the mean is 3 (row 2)
  //   distances to {3}: 7 3 - 2  -> 10 (row 0)
  //   to {3, 10}: 0 -> 3, 1 -> 2  -> 0 (row 1), then 1 (row 3)
  // Class 0 (rows 4-8): corners (0,0) (2,2) (0,2) (2,0) and center (1,1).
  //   start: the center (row 8), exactly at the mean
  //   all corners at sqrt 2: tie -> lowest index, (0,0) row 4
  //   to {c, (0,0)}: (2,2) sqrt2, (0,2) sqrt2, (2,0) sqrt2 -> row 5
  //   then again a sqrt 2 tie -> row 6, then row 7
  const auto labels = longs({1, 1, 1, 1, 0, 0, 0, 0, 0});
  const auto feats = floats({10, 0, 0, 0, 3, 0, 1, 0,  //
                             0, 0, 2, 2, 0, 2, 2, 0, 1, 1},
                            2);
  EXPECT_EQ(to_vec(select_kcenter(feats, labels, 2, 4)),
            (std::vector<int64_t>{8, 4, 5, 6, 2, 0, 1, 3}));
  EXPECT_EQ(to_vec(select_kcenter(feats, labels, 2, 1)), (std::vector<int64_t>{8, 2}));
}

TEST_F(Coreset, KCenterNeverRepeatsOnDuplicates) {
  // All examples identical: every distance is 0, picks must still be distinct.
  const auto labels = longs({0, 0, 0, 0});
  const auto feats = torch::ones({4, 3});
  EXPECT_EQ(to_vec(select_kcenter(feats, labels, 1, 4)),
            (std::vector<int64_t>{0, 1, 2, 3}));
  EXPECT_EQ(to_vec(select_herding(feats, labels, 1, 4)),
            (std::vector<int64_t>{0, 1, 2, 3}));
}

TEST_F(Coreset, HerdingAndKCenterMatchSlowReference) {
  constexpr int64_t kN = 40;
  constexpr int64_t kD = 5;
  std::mt19937 rng(2024);
  std::normal_distribution<float> normal(0.0F, 1.0F);
  std::vector<float> flat;
  Points x;
  std::vector<int64_t> lab;
  for (int64_t i = 0; i < kN; ++i) {
    std::vector<double> row;
    for (int64_t d = 0; d < kD; ++d) {
      const float v = normal(rng);
      flat.push_back(v);
      row.push_back(static_cast<double>(v));
    }
    x.push_back(row);
    lab.push_back(i % 3);  // classes of 14, 13, 13
  }
  std::shuffle(lab.begin(), lab.end(), rng);
  const auto feats = floats(flat, kD);
  const auto labels = longs(lab);
  for (int64_t k : {1, 2, 5, 9, 13}) {
    EXPECT_EQ(to_vec(select_herding(feats, labels, 3, k)), ref_herding(x, lab, 3, k))
        << "herding k = " << k;
    EXPECT_EQ(to_vec(select_kcenter(feats, labels, 3, k)), ref_kcenter(x, lab, 3, k))
        << "k-center k = " << k;
  }
}

TEST_F(Coreset, RejectsAClassSmallerThanK) {
  const auto labels = longs({0, 1, 0, 0, 1, 2, 2, 2});  // class 1 has 2
  const auto feats = torch::zeros({8, 2});
  for (const std::string& what :
       {error_of([&] { select_first_k(labels, 3, 3); }),
        error_of([&] { select_random(labels, 3, 3, 1); }),
        error_of([&] { select_herding(feats, labels, 3, 3); }),
        error_of([&] { select_kcenter(feats, labels, 3, 3); })}) {
    EXPECT_TRUE(contains(what, "class 1 has 2 examples, fewer than k = 3")) << what;
  }
  // An empty class (class 3 of 4) is also too small.
  EXPECT_TRUE(contains(error_of([&] { select_first_k(labels, 4, 1); }),
                       "class 3 has 0 examples"));
}

TEST_F(Coreset, RejectsBadShapesLabelsAndNaN) {
  const auto labels = longs({0, 1, 0, 1});
  const auto feats = torch::zeros({4, 2});

  const std::string mismatch = error_of([&] {
    select_herding(torch::zeros({5, 2}), labels, 2, 1);
  });
  EXPECT_TRUE(contains(mismatch, "5 rows but labels have 4")) << mismatch;
  EXPECT_TRUE(contains(error_of([&] {
                         select_kcenter(torch::zeros({3, 2}), labels, 2, 1);
                       }),
                       "3 rows but labels have 4"));

  auto nan_feats = feats.clone();
  nan_feats[2][1] = std::numeric_limits<float>::quiet_NaN();
  const std::string nan = error_of([&] { select_herding(nan_feats, labels, 2, 1); });
  EXPECT_TRUE(contains(nan, "NaN")) << nan;
  EXPECT_TRUE(
      contains(error_of([&] { select_kcenter(nan_feats, labels, 2, 1); }), "NaN"));

  EXPECT_TRUE(contains(error_of([&] { select_herding(torch::zeros({4}), labels, 2, 1); }),
                       "features must be [N, D]"));
  EXPECT_TRUE(contains(error_of([&] {
                         select_kcenter(torch::zeros({4, 2}, torch::kLong), labels, 2, 1);
                       }),
                       "floating point"));
  EXPECT_TRUE(contains(error_of([&] { select_first_k(labels.to(torch::kInt), 2, 1); }),
                       "labels"));
  EXPECT_TRUE(contains(error_of([&] {
                         select_first_k(labels.reshape({2, 2}), 2, 1);
                       }),
                       "labels must be [N]"));
  EXPECT_TRUE(contains(error_of([&] {
                         select_first_k(longs({0, 2, 1}), 2, 1);
                       }),
                       "labels[1] = 2 is outside [0, 2)"));
  EXPECT_TRUE(
      contains(error_of([&] { select_random(labels, 2, 0, 1); }), "k must be >= 1"));
  EXPECT_TRUE(contains(error_of([&] { select_first_k(labels, 0, 1); }),
                       "num_classes must be >= 1"));
}

}  // namespace dataopt::condense
