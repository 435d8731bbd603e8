#include "dataopt/causal/graph.h"

#include <algorithm>
#include <fstream>
#include <functional>
#include <queue>
#include <random>
#include <unordered_map>
#include <utility>

#include "dataopt/core/atomic_file.h"
#include "dataopt/core/check.h"

namespace dataopt::causal {

namespace {

void check_consistent(const Graph& graph, const char* where) {
  DATAOPT_CHECK(graph.n >= 0, where, ": graph.n must be >= 0, got ", graph.n);
  const auto nn = static_cast<size_t>(graph.n * graph.n);
  DATAOPT_CHECK(graph.adj.size() == nn && graph.sign.size() == nn &&
                    graph.names.size() == static_cast<size_t>(graph.n),
                where, ": inconsistent graph: n = ", graph.n, " but ", graph.names.size(),
                " names, ", graph.adj.size(), " adj and ", graph.sign.size(),
                " sign entries (expected n and n*n)");
}

void check_index(const Graph& graph, int64_t i, const char* where) {
  DATAOPT_CHECK(i >= 0 && i < graph.n, where, ": variable index ", i,
                " out of range [0, ", graph.n, ")");
}

/// Removes leading and trailing spaces, tabs and carriage returns.
std::string trim(const std::string& s) {
  const char* ws = " \t\r\n";
  const size_t begin = s.find_first_not_of(ws);
  if (begin == std::string::npos) return "";
  const size_t end = s.find_last_not_of(ws);
  return s.substr(begin, end - begin + 1);
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> fields;
  size_t start = 0;
  while (true) {
    const size_t tab = line.find('\t', start);
    if (tab == std::string::npos) {
      fields.push_back(trim(line.substr(start)));
      break;
    }
    fields.push_back(trim(line.substr(start, tab - start)));
    start = tab + 1;
  }
  return fields;
}

/// Uniform double in [0, 1).
double uniform01(std::mt19937_64& rng) {
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

/// Uniform integer in [0, bound), bound >= 1.
int64_t uniform_index(std::mt19937_64& rng, int64_t bound) {
  return std::uniform_int_distribution<int64_t>(0, bound - 1)(rng);
}

/// A uniformly random permutation of 0..n-1 (Fisher-Yates).
std::vector<int64_t> random_order(int64_t n, std::mt19937_64& rng) {
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) order[i] = i;
  for (int64_t i = n - 1; i > 0; --i) {
    const int64_t j = uniform_index(rng, i + 1);
    std::swap(order[i], order[j]);
  }
  return order;
}

/// Parent lists of every variable, ascending.
std::vector<std::vector<int64_t>> all_parents(const Graph& graph) {
  const int64_t n = graph.n;
  std::vector<std::vector<int64_t>> parents(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const uint8_t* row = graph.adj.data() + i * n;
    for (int64_t j = 0; j < n; ++j) {
      if (row[j] != 0) parents[j].push_back(i);
    }
  }
  return parents;
}

/// Child lists of every variable, ascending.
std::vector<std::vector<int64_t>> all_children(const Graph& graph) {
  const int64_t n = graph.n;
  std::vector<std::vector<int64_t>> children(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const uint8_t* row = graph.adj.data() + i * n;
    for (int64_t j = 0; j < n; ++j) {
      if (row[j] != 0) children[i].push_back(j);
    }
  }
  return children;
}

/// Kahn's algorithm with a min-heap: the lexicographically smallest
/// topological order of the variables that are not on or below a cycle.
std::vector<int64_t> kahn_order(const Graph& graph) {
  const int64_t n = graph.n;
  const auto children = all_children(graph);
  std::vector<int64_t> in_degree(static_cast<size_t>(n), 0);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j : children[i]) ++in_degree[j];
  }
  std::priority_queue<int64_t, std::vector<int64_t>, std::greater<int64_t>> ready;
  for (int64_t i = 0; i < n; ++i) {
    if (in_degree[i] == 0) ready.push(i);
  }
  std::vector<int64_t> order;
  order.reserve(static_cast<size_t>(n));
  while (!ready.empty()) {
    const int64_t i = ready.top();
    ready.pop();
    order.push_back(i);
    for (int64_t j : children[i]) {
      if (--in_degree[j] == 0) ready.push(j);
    }
  }
  return order;
}

/// Whether the forward pair of positions (a, b) of `order` becomes an edge
/// with probability p_of(order[a], order[b]).
template <typename ProbFn>
Graph random_forward_pairs(int64_t n, std::mt19937_64& rng, const ProbFn& p_of) {
  Graph graph = Graph::empty(n);
  const std::vector<int64_t> order = random_order(n, rng);
  for (int64_t a = 0; a < n; ++a) {
    for (int64_t b = a + 1; b < n; ++b) {
      const int64_t i = order[a];
      const int64_t j = order[b];
      if (uniform01(rng) < p_of(i, j)) graph.add_edge(i, j);
    }
  }
  return graph;
}

}  // namespace

// ---------------------------------------------------------------- Graph

Graph Graph::empty(int64_t n) {
  DATAOPT_CHECK(n >= 0, "Graph::empty: n must be >= 0, got ", n);
  Graph graph;
  graph.n = n;
  graph.names.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    // Appending (not "g" + ...) avoids a GCC 12 -Wrestrict false positive.
    std::string name = "g";
    name += std::to_string(i);
    graph.names.push_back(std::move(name));
  }
  graph.adj.assign(static_cast<size_t>(n * n), 0);
  graph.sign.assign(static_cast<size_t>(n * n), 0);
  return graph;
}

void Graph::add_edge(int64_t i, int64_t j, int8_t edge_sign) {
  check_index(*this, i, "Graph::add_edge");
  check_index(*this, j, "Graph::add_edge");
  DATAOPT_CHECK(edge_sign >= -1 && edge_sign <= 1,
                "Graph::add_edge: sign must be -1, 0 or +1, got ",
                static_cast<int>(edge_sign));
  adj[i * n + j] = 1;
  sign[i * n + j] = edge_sign;
}

void Graph::remove_edge(int64_t i, int64_t j) {
  check_index(*this, i, "Graph::remove_edge");
  check_index(*this, j, "Graph::remove_edge");
  adj[i * n + j] = 0;
  sign[i * n + j] = 0;
}

int64_t Graph::num_edges() const {
  int64_t count = 0;
  for (uint8_t a : adj) count += a != 0 ? 1 : 0;
  return count;
}

std::vector<int64_t> Graph::parents(int64_t j) const {
  check_index(*this, j, "Graph::parents");
  std::vector<int64_t> out;
  for (int64_t i = 0; i < n; ++i) {
    if (adj[i * n + j] != 0) out.push_back(i);
  }
  return out;
}

std::vector<int64_t> Graph::children(int64_t i) const {
  check_index(*this, i, "Graph::children");
  std::vector<int64_t> out;
  for (int64_t j = 0; j < n; ++j) {
    if (adj[i * n + j] != 0) out.push_back(j);
  }
  return out;
}

int64_t Graph::index_of(const std::string& name) const {
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<int64_t>(i);
  }
  return -1;
}

// ---------------------------------------------------------------- files

Graph load_graph_tsv(const std::filesystem::path& path) {
  std::ifstream in(path);
  DATAOPT_CHECK(in.is_open(), "load_graph_tsv: cannot open ", path,
                std::filesystem::exists(path) ? "" : ": no such file");

  struct RawEdge {
    int64_t from;
    int64_t to;
    int8_t sign;
  };
  std::vector<std::string> names;
  std::unordered_map<std::string, int64_t> index;
  std::vector<RawEdge> edges;
  const auto intern = [&](const std::string& name) {
    const auto [it, inserted] = index.emplace(name, static_cast<int64_t>(names.size()));
    if (inserted) names.push_back(name);
    return it->second;
  };

  std::string line;
  int64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    const std::string stripped = trim(line);
    if (stripped.empty() || stripped[0] == '#') continue;
    const std::vector<std::string> fields = split_tabs(line);
    DATAOPT_CHECK(fields.size() >= 2 && !fields[0].empty() && !fields[1].empty(),
                  "load_graph_tsv: ", path.string(), ":", line_no,
                  ": expected regulator<TAB>target[<TAB>sign], got '", stripped, "'");
    int8_t sign = 0;
    if (fields.size() >= 3) {
      if (fields[2] == "+") sign = 1;
      if (fields[2] == "-") sign = -1;
    }
    const int64_t from = intern(fields[0]);
    const int64_t to = intern(fields[1]);
    edges.push_back({from, to, sign});
  }
  DATAOPT_CHECK(!in.bad(), "load_graph_tsv: read error on ", path);

  const auto n = static_cast<int64_t>(names.size());
  Graph graph = Graph::empty(n);
  graph.names = std::move(names);
  for (const RawEdge& e : edges) {
    const int64_t k = e.from * n + e.to;
    if (graph.adj[k] == 0) {
      graph.adj[k] = 1;
      graph.sign[k] = e.sign;
    } else if (graph.sign[k] != e.sign) {
      // A duplicate with a different sign: the sign is ambiguous.
      graph.sign[k] = 0;
    }
  }
  return graph;
}

void save_graph_tsv(const std::filesystem::path& path, const Graph& graph) {
  check_consistent(graph, "save_graph_tsv");
  for (const std::string& name : graph.names) {
    DATAOPT_CHECK(!name.empty() && name.find_first_of("\t\r\n") == std::string::npos &&
                      name[0] != '#' && trim(name) == name,
                  "save_graph_tsv: variable name '", name,
                  "' cannot be written (empty, starts with '#', or has tabs, "
                  "newlines or surrounding spaces)");
  }
  write_file_atomic(path, [&](std::ostream& out) {
    const int64_t n = graph.n;
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        if (graph.adj[i * n + j] == 0) continue;
        const int8_t s = graph.sign[i * n + j];
        out << graph.names[i] << '\t' << graph.names[j] << '\t'
            << (s > 0 ? "+" : (s < 0 ? "-" : "?")) << '\n';
      }
    }
  });
}

// ---------------------------------------------------------------- generators

Graph erdos_renyi_dag(int64_t n, double edges_per_var, uint64_t seed) {
  DATAOPT_CHECK(n >= 0, "erdos_renyi_dag: n must be >= 0, got ", n);
  DATAOPT_CHECK(edges_per_var >= 0.0, "erdos_renyi_dag: edges_per_var must be >= 0, got ",
                edges_per_var);
  const double p =
      n > 1 ? std::min(1.0, edges_per_var * 2.0 / static_cast<double>(n - 1)) : 0.0;
  std::mt19937_64 rng(seed);
  return random_forward_pairs(n, rng, [p](int64_t, int64_t) { return p; });
}

Graph scale_free_dag(int64_t n, int64_t edges_per_var, uint64_t seed, bool power_law_in) {
  DATAOPT_CHECK(n >= 0, "scale_free_dag: n must be >= 0, got ", n);
  DATAOPT_CHECK(edges_per_var >= 0, "scale_free_dag: edges_per_var must be >= 0, got ",
                edges_per_var);
  std::mt19937_64 rng(seed);
  Graph graph = Graph::empty(n);
  const std::vector<int64_t> order = random_order(n, rng);
  // Every added variable appears (degree + 1) times in `pool`, so a uniform
  // entry of the pool is a variable drawn with probability ~ degree + 1.
  std::vector<int64_t> pool;
  std::vector<uint8_t> chosen(static_cast<size_t>(n), 0);
  std::vector<int64_t> targets;
  for (int64_t t = 0; t < n; ++t) {
    const int64_t v = order[t];
    targets.clear();
    if (t <= edges_per_var) {
      for (int64_t s = 0; s < t; ++s) targets.push_back(order[s]);
    } else {
      while (static_cast<int64_t>(targets.size()) < edges_per_var) {
        const int64_t u = pool[uniform_index(rng, static_cast<int64_t>(pool.size()))];
        if (chosen[u] != 0) continue;
        chosen[u] = 1;
        targets.push_back(u);
      }
      for (int64_t u : targets) chosen[u] = 0;
    }
    for (int64_t u : targets) {
      if (power_law_in) {
        graph.add_edge(v, u);
      } else {
        graph.add_edge(u, v);
      }
      pool.push_back(u);
      pool.push_back(v);
    }
    pool.push_back(v);
  }
  return graph;
}

Graph stochastic_block_dag(int64_t n, double edges_per_var, int64_t n_blocks,
                           uint64_t seed) {
  DATAOPT_CHECK(n >= 0, "stochastic_block_dag: n must be >= 0, got ", n);
  DATAOPT_CHECK(edges_per_var >= 0.0,
                "stochastic_block_dag: edges_per_var must be >= 0, got ", edges_per_var);
  DATAOPT_CHECK(n_blocks >= 1, "stochastic_block_dag: n_blocks must be >= 1, got ",
                n_blocks);
  // Contiguous blocks by index, sizes differing by at most one.
  std::vector<int64_t> block(static_cast<size_t>(n));
  std::vector<double> block_size(static_cast<size_t>(n_blocks), 0.0);
  for (int64_t i = 0; i < n; ++i) {
    block[i] = i * n_blocks / n;
    block_size[block[i]] += 1.0;
  }
  double within = 0.0;
  for (double s : block_size) within += s * (s - 1.0) / 2.0;
  const double total = static_cast<double>(n) * static_cast<double>(n - 1) / 2.0;
  const double across = total - within;
  const double denom = within + across / 10.0;
  const double p_in =
      denom > 0.0 ? std::min(1.0, edges_per_var * static_cast<double>(n) / denom) : 0.0;
  const double p_out = p_in / 10.0;
  std::mt19937_64 rng(seed);
  return random_forward_pairs(
      n, rng, [&](int64_t i, int64_t j) { return block[i] == block[j] ? p_in : p_out; });
}

// ---------------------------------------------------------------- structure

bool is_acyclic(const Graph& graph) {
  check_consistent(graph, "is_acyclic");
  return static_cast<int64_t>(kahn_order(graph).size()) == graph.n;
}

std::vector<int64_t> topological_order(const Graph& graph) {
  check_consistent(graph, "topological_order");
  std::vector<int64_t> order = kahn_order(graph);
  if (static_cast<int64_t>(order.size()) != graph.n) {
    std::vector<uint8_t> placed(static_cast<size_t>(graph.n), 0);
    for (int64_t i : order) placed[i] = 1;
    int64_t first = 0;
    while (placed[first] != 0) ++first;
    DATAOPT_CHECK(false, "topological_order: the graph has a directed cycle (",
                  graph.n - static_cast<int64_t>(order.size()), " of ", graph.n,
                  " variables are on or below a cycle, e.g. '", graph.names[first],
                  "'); use make_acyclic first");
  }
  return order;
}

Graph make_acyclic(const Graph& graph, int64_t* removed) {
  check_consistent(graph, "make_acyclic");
  const int64_t n = graph.n;
  Graph out = graph;
  int64_t count = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (out.adj[i * n + i] != 0) {
      out.remove_edge(i, i);
      ++count;
    }
  }
  const auto children = all_children(out);
  // Iterative depth-first search; state 0 unvisited, 1 on the stack, 2 done.
  std::vector<uint8_t> state(static_cast<size_t>(n), 0);
  std::vector<std::pair<int64_t, size_t>> stack;  // (variable, next child)
  for (int64_t root = 0; root < n; ++root) {
    if (state[root] != 0) continue;
    state[root] = 1;
    stack.emplace_back(root, 0);
    while (!stack.empty()) {
      auto& [u, next] = stack.back();
      if (next == children[u].size()) {
        state[u] = 2;
        stack.pop_back();
        continue;
      }
      const int64_t v = children[u][next++];
      if (state[v] == 1) {
        out.remove_edge(u, v);  // back edge: closes a cycle
        ++count;
      } else if (state[v] == 0) {
        state[v] = 1;
        stack.emplace_back(v, 0);  // invalidates u and next; not used again
      }
    }
  }
  if (removed != nullptr) *removed = count;
  return out;
}

Graph induced_subgraph(const Graph& graph, const std::vector<int64_t>& nodes) {
  check_consistent(graph, "induced_subgraph");
  std::vector<uint8_t> seen(static_cast<size_t>(graph.n), 0);
  for (int64_t v : nodes) {
    check_index(graph, v, "induced_subgraph");
    DATAOPT_CHECK(seen[v] == 0, "induced_subgraph: variable ", v, " listed twice");
    seen[v] = 1;
  }
  const auto k = static_cast<int64_t>(nodes.size());
  Graph out = Graph::empty(k);
  for (int64_t a = 0; a < k; ++a) {
    out.names[a] = graph.names[nodes[a]];
    for (int64_t b = 0; b < k; ++b) {
      const int64_t src = nodes[a] * graph.n + nodes[b];
      out.adj[a * k + b] = graph.adj[src];
      out.sign[a * k + b] = graph.sign[src];
    }
  }
  return out;
}

std::vector<int64_t> select_connected(const Graph& graph, int64_t k) {
  check_consistent(graph, "select_connected");
  DATAOPT_CHECK(k >= 0, "select_connected: k must be >= 0, got ", k);
  const int64_t n = graph.n;
  std::vector<int64_t> selected;
  if (k >= n) {
    for (int64_t i = 0; i < n; ++i) selected.push_back(i);
    return selected;
  }
  // Undirected neighbours, ascending, without self-loops.
  std::vector<std::vector<int64_t>> neighbours(static_cast<size_t>(n));
  std::vector<int64_t> out_degree(static_cast<size_t>(n), 0);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      if (i == j) {
        if (graph.adj[i * n + i] != 0) ++out_degree[i];
        continue;
      }
      const bool linked = graph.adj[i * n + j] != 0 || graph.adj[j * n + i] != 0;
      if (linked) neighbours[i].push_back(j);
      if (graph.adj[i * n + j] != 0) ++out_degree[i];
    }
  }
  std::vector<int64_t> hubs(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) hubs[i] = i;
  std::stable_sort(hubs.begin(), hubs.end(),
                   [&](int64_t a, int64_t b) { return out_degree[a] > out_degree[b]; });
  std::vector<uint8_t> visited(static_cast<size_t>(n), 0);
  std::queue<int64_t> queue;
  size_t next_hub = 0;
  while (static_cast<int64_t>(selected.size()) < k) {
    if (queue.empty()) {
      while (visited[hubs[next_hub]] != 0) ++next_hub;
      const int64_t hub = hubs[next_hub];
      visited[hub] = 1;
      selected.push_back(hub);
      queue.push(hub);
      continue;
    }
    const int64_t u = queue.front();
    queue.pop();
    for (int64_t v : neighbours[u]) {
      if (static_cast<int64_t>(selected.size()) == k) break;
      if (visited[v] != 0) continue;
      visited[v] = 1;
      selected.push_back(v);
      queue.push(v);
    }
  }
  std::sort(selected.begin(), selected.end());
  return selected;
}

std::vector<uint8_t> ancestor_matrix(const Graph& graph) {
  check_consistent(graph, "ancestor_matrix");
  const int64_t n = graph.n;
  const auto parents = all_parents(graph);
  std::vector<uint8_t> out(static_cast<size_t>(n * n), 0);
  std::vector<int64_t> queue;
  queue.reserve(static_cast<size_t>(n));
  for (int64_t t = 0; t < n; ++t) {
    uint8_t* row = out.data() + t * n;
    queue.clear();
    // Walk up from t; t itself is marked only if it is reached again.
    for (int64_t p : parents[t]) {
      if (row[p] == 0) {
        row[p] = 1;
        queue.push_back(p);
      }
    }
    for (size_t head = 0; head < queue.size(); ++head) {
      for (int64_t p : parents[queue[head]]) {
        if (row[p] == 0) {
          row[p] = 1;
          queue.push_back(p);
        }
      }
    }
  }
  return out;
}

}  // namespace dataopt::causal
