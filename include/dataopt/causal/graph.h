#pragma once
/// \file
/// Directed graphs over named variables (gene regulatory networks): loading
/// the network files, random generators, acyclicity and the ancestor
/// ("cause") matrix that is the ground truth of targeted cause discovery.
///
///   causal::Graph g = causal::load_graph_tsv("ecoli_regulondb_6_7.tsv");
///   g = causal::make_acyclic(g);                 // drops self-loops, cycles
///   g = causal::induced_subgraph(g, causal::select_connected(g, 300));
///   std::vector<uint8_t> causes = causal::ancestor_matrix(g);
///   // causes[t * g.n + j] == 1: variable j is a (direct or indirect) cause of t

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace dataopt::causal {

/// A directed graph on `n` variables, stored densely (n is at most a few
/// thousand here). Edge i -> j means "i regulates j".
struct Graph {
  int64_t n = 0;
  /// One name per variable (gene names from a file, "g0", "g1", ... otherwise).
  std::vector<std::string> names;
  /// Row-major n*n: adj[i * n + j] = 1 if i -> j.
  std::vector<uint8_t> adj;
  /// Row-major n*n: sign of edge i -> j: +1 activation, -1 repression, 0 not
  /// given (the simulator draws it). Zero where there is no edge.
  std::vector<int8_t> sign;

  /// An empty graph on n variables named g0..g{n-1}.
  static Graph empty(int64_t n);
  bool has_edge(int64_t i, int64_t j) const { return adj[i * n + j] != 0; }
  void add_edge(int64_t i, int64_t j, int8_t edge_sign = 0);
  void remove_edge(int64_t i, int64_t j);
  int64_t num_edges() const;
  /// Regulators of j (sources of edges into j), ascending.
  std::vector<int64_t> parents(int64_t j) const;
  /// Targets of i, ascending.
  std::vector<int64_t> children(int64_t i) const;
  /// Index of the variable called `name`, or -1.
  int64_t index_of(const std::string& name) const;
};

/// Reads a tab-separated network: `regulator<TAB>target[<TAB>sign]` per line,
/// sign `+`, `-`, or anything else (unknown: 0). Lines starting with `#` and
/// blank lines are skipped. Variables are numbered in order of first
/// appearance. Duplicate edges are merged. Throws dataopt::Error naming the
/// file and line on a line with fewer than two fields or an unreadable file.
Graph load_graph_tsv(const std::filesystem::path& path);

/// Writes the graph in the same format (`+`/`-`/`?` signs), atomically.
void save_graph_tsv(const std::filesystem::path& path, const Graph& graph);

/// Erdos-Renyi DAG: a random order of the variables, each forward pair an
/// edge with probability edges_per_var * 2 / (n - 1) (so the expected number
/// of edges is edges_per_var * n).
Graph erdos_renyi_dag(int64_t n, double edges_per_var, uint64_t seed);

/// Scale-free DAG by preferential attachment (Barabasi-Albert): variables are
/// added in a random order, each new one attaches to `edges_per_var` earlier
/// ones chosen with probability proportional to degree + 1. With
/// `power_law_in` false the earlier variables are the regulators (power-law
/// out-degree, the "sf" graphs); with true the new variable regulates them
/// (power-law in-degree, "sf-in").
Graph scale_free_dag(int64_t n, int64_t edges_per_var, uint64_t seed,
                     bool power_law_in = false);

/// Stochastic block model DAG: variables in `n_blocks` blocks of equal size;
/// forward pairs (in a random order) within a block are edges with 10 times
/// the probability of pairs across blocks, scaled so the expected number of
/// edges is edges_per_var * n.
Graph stochastic_block_dag(int64_t n, double edges_per_var, int64_t n_blocks,
                           uint64_t seed);

/// Whether the graph has no directed cycle (self-loops are cycles).
bool is_acyclic(const Graph& graph);

/// A topological order (every edge goes from an earlier to a later
/// variable); ties broken by lower index first, so the order is unique.
/// Throws dataopt::Error if the graph has a cycle.
std::vector<int64_t> topological_order(const Graph& graph);

/// The graph with self-loops removed and every cycle broken by deleting the
/// back edges of a depth-first search that visits variables and children in
/// ascending index order (deterministic). Returns the number of removed edges
/// through `removed` when not null.
Graph make_acyclic(const Graph& graph, int64_t* removed = nullptr);

/// The subgraph on `nodes` (in that order; names and signs kept).
Graph induced_subgraph(const Graph& graph, const std::vector<int64_t>& nodes);

/// `k` variables that form a connected piece of the network: breadth-first
/// over the undirected graph from the variable of largest out-degree (lowest
/// index on ties), neighbours in ascending index order, continuing from the
/// next largest unvisited hub when a component is exhausted. Returned
/// ascending. k >= n returns every variable.
std::vector<int64_t> select_connected(const Graph& graph, int64_t k);

/// The cause matrix: row-major n*n, out[t * n + j] = 1 if j is an ancestor of
/// t (there is a directed path j -> ... -> t), 0 otherwise; the diagonal is 0
/// for a DAG. Works for cyclic graphs too (transitive closure, so a variable
/// on a cycle is its own ancestor).
std::vector<uint8_t> ancestor_matrix(const Graph& graph);

}  // namespace dataopt::causal
