// The relation graph at Fashion-MNIST scale: seconds per pass over N x N
// pairs, peak memory, and achieved GFLOP/s next to a plain matrix product of
// the same shape on the same machine (measured side by side, medians).
//
//   bench_relgraph [--n 60000] [--dims 128,2048] [--classes 10] [--repeats 3]
//                  [--chunk 512] [--tile 16384] [--threads 0] [--out results.json]

#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "bench_util.h"
#include "dataopt/core/json_io.h"
#include "dataopt/core/threads.h"
#include "dataopt/relgraph/relation_graph.h"

namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Peak resident memory of this process so far (VmHWM), in MiB.
double peak_rss_mib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

double current_rss_mib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t n = 60000, classes = 10, repeats = 3, chunk = 512, tile = 16384, threads = 0;
  std::string dims_text = "128,2048", out_path;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) {
      std::cerr << "bench_relgraph: error: " << arg << " needs a value\n";
      return 2;
    }
    const std::string v = argv[++i];
    if (arg == "--n") n = std::stoll(v);
    else if (arg == "--dims") dims_text = v;
    else if (arg == "--classes") classes = std::stoll(v);
    else if (arg == "--repeats") repeats = std::stoll(v);
    else if (arg == "--chunk") chunk = std::stoll(v);
    else if (arg == "--tile") tile = std::stoll(v);
    else if (arg == "--threads") threads = std::stoll(v);
    else if (arg == "--out") out_path = v;
    else {
      std::cerr << "bench_relgraph: error: unknown argument '" << arg << "'\n";
      return 2;
    }
  }
  const int used_threads = dataopt::set_num_threads(static_cast<int>(threads));
  dataopt::tune_allocator();
  torch::manual_seed(0);
  nlohmann::json rows = nlohmann::json::array();
  std::printf("%-6s %-6s %12s %12s %12s %12s %10s %10s\n", "N", "D", "pass s", "GFLOP/s",
              "mm GFLOP/s", "ratio", "peak MiB", "scratch");
  for (int64_t d : dataopt::bench::parse_int_list(dims_text)) {
    // Clustered features and peaked probabilities, as from a trained model.
    const at::Tensor labels = torch::randint(0, classes, {n}, torch::kLong);
    const at::Tensor centers = torch::randn({classes, d});
    const at::Tensor feats = centers.index_select(0, labels) + 0.8 * torch::randn({n, d});
    const at::Tensor probs =
        torch::softmax(4.0 * torch::one_hot(labels, classes).to(torch::kFloat) +
                           torch::randn({n, classes}), 1);
    const double rss_inputs = current_rss_mib();
    // The plain product of the same shape, block by block (an N x N result
    // would not fit): [chunk, D] x [D, N].
    const at::Tensor fn = feats / feats.norm(2, 1, true);
    const at::Tensor ft = fn.t().contiguous();
    std::vector<double> pass_s, mm_s;
    for (int64_t r = 0; r < repeats; ++r) {
      double t0 = now_seconds();
      {
        dataopt::relgraph::RelationGraph g(feats, probs, labels, {.chunk = chunk, .tile = tile});
        g.row_sums();
      }
      pass_s.push_back(now_seconds() - t0);
      t0 = now_seconds();
      double checksum = 0;
      for (int64_t a = 0; a < n; a += chunk) {
        const int64_t b = std::min(n, a + chunk);
        checksum += torch::mm(fn.slice(0, a, b), ft).sum().item<double>();
      }
      mm_s.push_back(now_seconds() - t0);
      if (checksum == 42.0) std::printf(" ");  // keep the product alive
    }
    const double flops = 2.0 * n * n * (d + classes);
    const double mm_flops = 2.0 * n * n * d;
    const double p = dataopt::bench::median(pass_s), m = dataopt::bench::median(mm_s);
    const double peak = peak_rss_mib();
    std::printf("%-6lld %-6lld %12.2f %12.1f %12.1f %12.2f %10.0f %10.0f\n",
                static_cast<long long>(n), static_cast<long long>(d), p, flops / p / 1e9,
                mm_flops / m / 1e9, (flops / p) / (mm_flops / m), peak, peak - rss_inputs);
    rows.push_back({{"n", n}, {"d", d}, {"classes", classes}, {"chunk", chunk}, {"tile", tile},
                    {"pass_seconds_median", p}, {"pass_seconds_all", pass_s},
                    {"gflops", flops / p / 1e9}, {"mm_seconds_median", m},
                    {"mm_gflops", mm_flops / m / 1e9},
                    {"ratio_to_mm", (flops / p) / (mm_flops / m)}, {"peak_rss_mib", peak},
                    {"rss_inputs_mib", rss_inputs}});
  }
  if (!out_path.empty()) {
    dataopt::write_json(out_path, {{"benchmark", "relation_graph_pass"},
                                   {"threads", used_threads},
                                   {"repeats", repeats},
                                   {"results", rows}});
    std::printf("wrote %s\n", out_path.c_str());
  }
  return 0;
}
