// causal::Graph: TSV files, structure (topological order, acyclicity,
// ancestors), the random DAG generators and connected subsets.

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "dataopt/causal/graph.h"
#include "dataopt/core/error.h"
#include "test_support.h"

namespace dataopt::causal {
namespace {

const std::string kEcoli =
    std::string(DATAOPT_CAUSAL_TEST_DATA) + "/ecoli_regulondb_6_7.tsv";

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

/// 0 -> 1 -> 2, 0 -> 3, 4 isolated.
Graph small_dag() {
  Graph g = Graph::empty(5);
  g.add_edge(0, 1, 1);
  g.add_edge(1, 2, -1);
  g.add_edge(0, 3);
  return g;
}

/// Every edge goes forward in `order`, which is a permutation of 0..n-1.
void expect_respects_edges(const Graph& g, const std::vector<int64_t>& order) {
  ASSERT_EQ(static_cast<int64_t>(order.size()), g.n);
  std::vector<int64_t> pos(static_cast<size_t>(g.n), -1);
  for (size_t p = 0; p < order.size(); ++p) {
    ASSERT_GE(order[p], 0);
    ASSERT_LT(order[p], g.n);
    ASSERT_EQ(pos[order[p]], -1) << "variable listed twice";
    pos[order[p]] = static_cast<int64_t>(p);
  }
  for (int64_t i = 0; i < g.n; ++i) {
    for (int64_t j : g.children(i)) EXPECT_LT(pos[i], pos[j]) << i << " -> " << j;
  }
}

int64_t max_in_degree(const Graph& g) {
  int64_t best = 0;
  for (int64_t j = 0; j < g.n; ++j) {
    best = std::max(best, static_cast<int64_t>(g.parents(j).size()));
  }
  return best;
}

int64_t max_out_degree(const Graph& g) {
  int64_t best = 0;
  for (int64_t i = 0; i < g.n; ++i) {
    best = std::max(best, static_cast<int64_t>(g.children(i).size()));
  }
  return best;
}

TEST(Graph, EmptyAddRemoveAndNeighbours) {
  Graph g = Graph::empty(4);
  EXPECT_EQ(g.names, (std::vector<std::string>{"g0", "g1", "g2", "g3"}));
  EXPECT_EQ(g.num_edges(), 0);
  g.add_edge(2, 1, -1);
  g.add_edge(0, 1, 1);
  g.add_edge(1, 3);
  EXPECT_EQ(g.num_edges(), 3);
  EXPECT_TRUE(g.has_edge(2, 1));
  EXPECT_FALSE(g.has_edge(1, 2));
  EXPECT_EQ(g.sign[2 * 4 + 1], -1);
  EXPECT_EQ(g.parents(1), (std::vector<int64_t>{0, 2}));
  EXPECT_EQ(g.children(1), (std::vector<int64_t>{3}));
  EXPECT_EQ(g.index_of("g3"), 3);
  EXPECT_EQ(g.index_of("nope"), -1);
  g.remove_edge(2, 1);
  EXPECT_FALSE(g.has_edge(2, 1));
  EXPECT_EQ(g.sign[2 * 4 + 1], 0);
  EXPECT_EQ(g.num_edges(), 2);
  EXPECT_THROW(g.add_edge(0, 4), Error);
  EXPECT_THROW(Graph::empty(-1), Error);
}

TEST(GraphTsv, LoadsNamesSignsAndMergesDuplicates) {
  test::TempDir dir;
  const auto path = dir / "net.tsv";
  write_text(path,
             "# a comment\n"
             "lexA\trecA\t-\n"
             "\n"
             "crp\tlexA\t+\r\n"
             "crp\tfis\t+-\n"
             "lexA\trecA\t-\n"  // duplicate, same sign
             "fis\tcrp\n"       // no sign
             "crp\tfis\t+\n"    // duplicate, other sign: ambiguous
             "   \n"
             "fis\tfis\t?\n");
  const Graph g = load_graph_tsv(path);
  ASSERT_EQ(g.n, 4);
  EXPECT_EQ(g.names, (std::vector<std::string>{"lexA", "recA", "crp", "fis"}));
  EXPECT_EQ(g.num_edges(), 5);
  const auto sign = [&](const char* a, const char* b) {
    return static_cast<int>(g.sign[g.index_of(a) * g.n + g.index_of(b)]);
  };
  EXPECT_TRUE(g.has_edge(0, 1));
  EXPECT_EQ(sign("lexA", "recA"), -1);
  EXPECT_EQ(sign("crp", "lexA"), 1);
  EXPECT_EQ(sign("crp", "fis"), 0);
  EXPECT_EQ(sign("fis", "crp"), 0);
  EXPECT_TRUE(g.has_edge(3, 3));
  EXPECT_EQ(sign("fis", "fis"), 0);
}

TEST(GraphTsv, BadLineThrowsNamingFileAndLine) {
  test::TempDir dir;
  const auto path = dir / "broken_net.tsv";
  write_text(path, "a\tb\t+\nlonely\n");
  try {
    load_graph_tsv(path);
    FAIL() << "expected dataopt::Error";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("broken_net.tsv"), std::string::npos) << what;
    EXPECT_NE(what.find(":2"), std::string::npos) << what;
  }
  EXPECT_THROW(load_graph_tsv(dir / "missing.tsv"), Error);
}

TEST(GraphTsv, LoadsEcoliNetwork) {
  const Graph g = load_graph_tsv(kEcoli);
  EXPECT_EQ(g.n, 1565);
  EXPECT_EQ(g.num_edges(), 3758);  // no duplicate lines in the file
  int64_t self_loops = 0;
  for (int64_t i = 0; i < g.n; ++i) self_loops += g.has_edge(i, i) ? 1 : 0;
  EXPECT_EQ(self_loops, 110);
  const int64_t acr_r = g.index_of("acrR");
  const int64_t acr_a = g.index_of("acrA");
  const int64_t ada = g.index_of("ada");
  ASSERT_GE(acr_r, 0);
  ASSERT_GE(acr_a, 0);
  ASSERT_GE(ada, 0);
  EXPECT_EQ(acr_r, 0);  // first appearance
  EXPECT_EQ(g.sign[acr_r * g.n + acr_a], -1);
  EXPECT_EQ(g.sign[ada * g.n + ada], 0);  // "+-": dual, unknown
  int64_t plus = 0;
  int64_t minus = 0;
  for (int8_t s : g.sign) {
    plus += s > 0 ? 1 : 0;
    minus += s < 0 ? 1 : 0;
  }
  EXPECT_EQ(plus, 1993);
  EXPECT_EQ(minus, 1541);
}

TEST(GraphTsv, SaveLoadRoundTrip) {
  Graph g = Graph::empty(4);
  g.names = {"w", "x", "y", "z"};
  g.add_edge(0, 1, 1);
  g.add_edge(1, 2, -1);
  g.add_edge(0, 3, 0);
  g.add_edge(3, 2, 1);
  test::TempDir dir;
  const auto path = dir / "sub" / "g.tsv";
  save_graph_tsv(path, g);
  const Graph back = load_graph_tsv(path);
  // Edges are written row-major, so the variables come back in order of first
  // appearance (w, x, z, y): compare by name.
  EXPECT_EQ(back.names, (std::vector<std::string>{"w", "x", "z", "y"}));
  ASSERT_EQ(back.n, g.n);
  EXPECT_EQ(back.num_edges(), g.num_edges());
  for (int64_t i = 0; i < g.n; ++i) {
    for (int64_t j = 0; j < g.n; ++j) {
      const int64_t bi = back.index_of(g.names[i]);
      const int64_t bj = back.index_of(g.names[j]);
      EXPECT_EQ(back.has_edge(bi, bj), g.has_edge(i, j)) << i << " -> " << j;
      EXPECT_EQ(back.sign[bi * back.n + bj], g.sign[i * g.n + j]) << i << " -> " << j;
    }
  }

  Graph bad = Graph::empty(2);
  bad.names[1] = "has\ttab";
  EXPECT_THROW(save_graph_tsv(dir / "bad.tsv", bad), Error);
}

TEST(AncestorMatrix, SmallDagEveryEntry) {
  const Graph g = small_dag();
  const std::vector<uint8_t> a = ancestor_matrix(g);
  // expected[t][j] = 1 if j is an ancestor of t.
  const std::vector<uint8_t> expected = {
      0, 0, 0, 0, 0,  // 0: none
      1, 0, 0, 0, 0,  // 1: 0
      1, 1, 0, 0, 0,  // 2: 0, 1
      1, 0, 0, 0, 0,  // 3: 0
      0, 0, 0, 0, 0,  // 4: isolated
  };
  EXPECT_EQ(a, expected);
}

TEST(AncestorMatrix, CycleMakesVariablesTheirOwnAncestors) {
  // 0 -> 1 -> 2 -> 0, 2 -> 3.
  Graph g = Graph::empty(4);
  g.add_edge(0, 1);
  g.add_edge(1, 2);
  g.add_edge(2, 0);
  g.add_edge(2, 3);
  const std::vector<uint8_t> a = ancestor_matrix(g);
  for (int64_t t = 0; t < 3; ++t) {
    for (int64_t j = 0; j < 4; ++j) {
      EXPECT_EQ(a[t * 4 + j], j < 3 ? 1 : 0) << t << "," << j;
    }
  }
  for (int64_t j = 0; j < 4; ++j) EXPECT_EQ(a[3 * 4 + j], j < 3 ? 1 : 0);
}

TEST(TopologicalOrder, RespectsEdgesAndBreaksTiesByIndex) {
  Graph g = Graph::empty(3);
  g.add_edge(2, 0);
  EXPECT_EQ(topological_order(g), (std::vector<int64_t>{1, 2, 0}));
  EXPECT_EQ(topological_order(small_dag()), (std::vector<int64_t>{0, 1, 2, 3, 4}));
  const Graph er = erdos_renyi_dag(200, 3.0, 7);
  expect_respects_edges(er, topological_order(er));
}

TEST(TopologicalOrder, ThrowsOnCycle) {
  Graph g = small_dag();
  g.add_edge(2, 0);
  EXPECT_FALSE(is_acyclic(g));
  EXPECT_THROW(topological_order(g), Error);
  Graph loop = Graph::empty(2);
  loop.add_edge(1, 1);
  EXPECT_FALSE(is_acyclic(loop));
  EXPECT_THROW(topological_order(loop), Error);
  EXPECT_TRUE(is_acyclic(small_dag()));
}

TEST(MakeAcyclic, RemovesSelfLoopsAndBreaksCycleDeterministically) {
  // 0 -> 1 -> 2 -> 0 (a 3-cycle), 3 -> 3, 0 -> 3.
  Graph g = Graph::empty(4);
  g.add_edge(0, 1, 1);
  g.add_edge(1, 2, -1);
  g.add_edge(2, 0, 1);
  g.add_edge(3, 3);
  g.add_edge(0, 3);
  int64_t removed = -1;
  const Graph dag = make_acyclic(g, &removed);
  EXPECT_EQ(removed, 2);
  EXPECT_TRUE(is_acyclic(dag));
  // The depth-first search from 0 reaches 2 via 1, so 2 -> 0 is the back edge.
  EXPECT_FALSE(dag.has_edge(2, 0));
  EXPECT_FALSE(dag.has_edge(3, 3));
  EXPECT_TRUE(dag.has_edge(0, 1));
  EXPECT_TRUE(dag.has_edge(1, 2));
  EXPECT_TRUE(dag.has_edge(0, 3));
  EXPECT_EQ(dag.sign[1 * 4 + 2], -1);
  EXPECT_EQ(dag.sign[2 * 4 + 0], 0);
  EXPECT_EQ(dag.num_edges(), 3);
  EXPECT_EQ(make_acyclic(g).adj, dag.adj);

  int64_t none = -1;
  const Graph same = make_acyclic(small_dag(), &none);
  EXPECT_EQ(none, 0);
  EXPECT_EQ(same.adj, small_dag().adj);
}

TEST(MakeAcyclic, EcoliBecomesAcyclic) {
  const Graph g = load_graph_tsv(kEcoli);
  EXPECT_FALSE(is_acyclic(g));
  int64_t removed = 0;
  const Graph dag = make_acyclic(g, &removed);
  EXPECT_TRUE(is_acyclic(dag));
  EXPECT_EQ(removed, 126);  // 110 self-loops and 16 back edges
  EXPECT_EQ(dag.num_edges(), g.num_edges() - removed);
  expect_respects_edges(dag, topological_order(dag));
}

TEST(Generators, ErdosRenyiDag) {
  const Graph g = erdos_renyi_dag(500, 2.0, 1);
  EXPECT_TRUE(is_acyclic(g));
  EXPECT_NEAR(static_cast<double>(g.num_edges()), 1000.0, 150.0);
  EXPECT_EQ(erdos_renyi_dag(500, 2.0, 1).adj, g.adj);
  EXPECT_NE(erdos_renyi_dag(500, 2.0, 2).adj, g.adj);
  EXPECT_EQ(erdos_renyi_dag(1, 2.0, 1).num_edges(), 0);
  EXPECT_EQ(erdos_renyi_dag(0, 2.0, 1).n, 0);
}

TEST(Generators, ScaleFreeDag) {
  const int64_t n = 500;
  const int64_t m = 2;
  const Graph g = scale_free_dag(n, m, 3);
  EXPECT_TRUE(is_acyclic(g));
  EXPECT_EQ(g.num_edges(), m * n - m * (m + 1) / 2);
  EXPECT_LE(max_in_degree(g), m);    // every new variable gets m regulators
  EXPECT_GE(max_out_degree(g), 15);  // hubs
  EXPECT_EQ(scale_free_dag(n, m, 3).adj, g.adj);
  EXPECT_NE(scale_free_dag(n, m, 4).adj, g.adj);

  const Graph in = scale_free_dag(n, m, 3, true);
  EXPECT_TRUE(is_acyclic(in));
  EXPECT_EQ(in.num_edges(), g.num_edges());
  EXPECT_LE(max_out_degree(in), m);
  EXPECT_GE(max_in_degree(in), 15);
}

TEST(Generators, StochasticBlockDag) {
  const int64_t n = 500;
  const Graph g = stochastic_block_dag(n, 2.0, 5, 5);
  EXPECT_TRUE(is_acyclic(g));
  EXPECT_NEAR(static_cast<double>(g.num_edges()), 1000.0, 150.0);
  // Blocks are contiguous index ranges of 100; within-block pairs are 10x as
  // likely, about 71% of the edges.
  int64_t within = 0;
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j : g.children(i)) within += i / 100 == j / 100 ? 1 : 0;
  }
  EXPECT_GT(static_cast<double>(within) / static_cast<double>(g.num_edges()), 0.6);
  EXPECT_EQ(stochastic_block_dag(n, 2.0, 5, 5).adj, g.adj);
  EXPECT_NE(stochastic_block_dag(n, 2.0, 5, 6).adj, g.adj);
  EXPECT_THROW(stochastic_block_dag(n, 2.0, 0, 5), Error);
}

TEST(InducedSubgraph, KeepsOrderNamesAndSigns) {
  const Graph g = small_dag();
  const Graph sub = induced_subgraph(g, {2, 1, 4});
  EXPECT_EQ(sub.names, (std::vector<std::string>{"g2", "g1", "g4"}));
  EXPECT_EQ(sub.num_edges(), 1);
  EXPECT_TRUE(sub.has_edge(1, 0));  // 1 -> 2
  EXPECT_EQ(sub.sign[1 * 3 + 0], -1);
  EXPECT_THROW(induced_subgraph(g, {0, 0}), Error);
  EXPECT_THROW(induced_subgraph(g, {5}), Error);
}

TEST(SelectConnected, FollowsHubsBreadthFirst) {
  // 0 -> 1; hub 2 -> 3, 4, 5.
  Graph g = Graph::empty(6);
  g.add_edge(0, 1);
  g.add_edge(2, 3);
  g.add_edge(2, 4);
  g.add_edge(2, 5);
  EXPECT_EQ(select_connected(g, 3), (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(select_connected(g, 5), (std::vector<int64_t>{0, 2, 3, 4, 5}));
  EXPECT_EQ(select_connected(g, 6), (std::vector<int64_t>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(select_connected(g, 100).size(), 6u);
  EXPECT_TRUE(select_connected(g, 0).empty());
}

TEST(SelectConnected, EcoliSubsetIsConnected) {
  const Graph g = make_acyclic(load_graph_tsv(kEcoli));
  const std::vector<int64_t> nodes = select_connected(g, 300);
  ASSERT_EQ(nodes.size(), 300u);
  EXPECT_TRUE(std::is_sorted(nodes.begin(), nodes.end()));
  EXPECT_EQ(std::set<int64_t>(nodes.begin(), nodes.end()).size(), 300u);
  const Graph sub = induced_subgraph(g, nodes);
  int64_t isolated = 0;
  for (int64_t i = 0; i < sub.n; ++i) {
    if (sub.parents(i).empty() && sub.children(i).empty()) ++isolated;
  }
  // A breadth-first prefix of one component: nothing is isolated.
  EXPECT_EQ(isolated, 0);
  EXPECT_TRUE(is_acyclic(sub));
  EXPECT_GT(sub.num_edges(), 299);
}

}  // namespace
}  // namespace dataopt::causal
