// Saliency-guided mixing, the mixing alone (saliency given): milliseconds per
// batch for Puzzle Mix (with and without transport) and Co-Mixup at 2, 4, 8
// and 16 blocks, 3-channel and 1-channel 32 x 32 images, 1 and 2 threads,
// with Puzzle Mix broken down by stage (unary/pairwise terms, graph cuts,
// transport, the rest). Prints a table and writes JSON.
//
//   bench_mixup --batch 100 --repeats 5 --out bench/results/mixup_batch.json
//
// The saliency is synthetic but shaped like a network's: a smooth blob per
// image on a low background (random saliency makes the cuts trivial).

#include <torch/torch.h>

#include <ATen/Parallel.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench_util.h"
#include "dataopt/core/json_io.h"
#include "dataopt/core/rng.h"
#include "dataopt/core/threads.h"
#include "dataopt/mixup/graph_cut.h"
#include "dataopt/mixup/mixer.h"
#include "mixup/detail/puzzle_mix.h"

using namespace dataopt;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

std::string arg(int argc, char** argv, const std::string& name, const std::string& def) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == name) return argv[i + 1];
  }
  return def;
}

at::Tensor blob_saliency(int64_t b, int64_t s, at::Generator& gen) {
  const at::Tensor centre = torch::rand({b, 2, 1, 1}, gen) * (s * 0.6) + s * 0.2;
  const at::Tensor width = torch::rand({b, 1, 1}, gen) * (s * 0.15) + s * 0.1;
  const at::Tensor r = torch::arange(s, torch::kFloat).reshape({1, s, 1});
  const at::Tensor c = torch::arange(s, torch::kFloat).reshape({1, 1, s});
  const at::Tensor d2 = (r - centre.select(1, 0)).pow(2) + (c - centre.select(1, 1)).pow(2);
  return (-d2 / (2 * width.pow(2))).exp() + 0.05 * torch::rand({b, s, s}, gen);
}


}  // namespace

int main(int argc, char** argv) {
  const int64_t batch = std::stoll(arg(argc, argv, "--batch", "100"));
  const int64_t repeats = std::stoll(arg(argc, argv, "--repeats", "5"));
  const auto threads_list = bench::parse_int_list(arg(argc, argv, "--threads", "1,2"));
  const auto blocks = bench::parse_int_list(arg(argc, argv, "--blocks", "2,4,8,16"));
  const auto channels_list = bench::parse_int_list(arg(argc, argv, "--channels", "3,1"));
  const std::string out = arg(argc, argv, "--out", "");
  const int64_t size = 32, classes = 10;
  tune_allocator();
  torch::NoGradGuard no_grad;

  nlohmann::json rows = nlohmann::json::array();
  std::printf("%-9s %3s %6s %9s %3s %9s %9s %9s %9s %9s\n", "method", "ch", "blocks", "transport",
              "thr", "total ms", "terms", "cuts", "transport", "rest");
  for (int64_t channels : channels_list) {
    for (int64_t threads : threads_list) {
      set_num_threads(static_cast<int>(threads));
      for (int64_t bn : blocks) {
        struct Case {
          const char* method;
          bool transport;
        };
        for (const Case cs : {Case{"puzzle", true}, Case{"puzzle", false}, Case{"comix", false}}) {
          const char* method = cs.method;
          const bool is_puzzle = std::string(method) == "puzzle";
          const bool transport = cs.transport;
          mixup::MixOptions o;
          o.kind = is_puzzle ? mixup::MixKind::kPuzzle : mixup::MixKind::kCoMixup;
          o.puzzle.block_num = bn;
          o.puzzle.transport = transport;
          o.comix.block_num = bn;
          const auto mixer = mixup::make_mixer(o);
          std::vector<double> total, terms, cuts, moves;
          for (int64_t r = 0; r <= repeats; ++r) {  // r = 0 warms up
            at::Generator gen = make_generator(static_cast<uint64_t>(r));
            const at::Tensor x = torch::rand({batch, channels, size, size}, gen);
            const at::Tensor y = torch::randint(0, classes, {batch}, gen, torch::kLong);
            const at::Tensor sal = blob_saliency(batch, size, gen);
            auto t0 = Clock::now();
            mixer->mix({.images = x, .labels = y, .saliency = sal}, classes, gen);
            const double ms = ms_since(t0);
            if (r == 0) continue;
            total.push_back(ms);
            if (!is_puzzle) continue;
            // The same stages timed one by one (same code paths as mix()).
            const at::Tensor perm = torch::randperm(batch, gen, torch::kLong);
            t0 = Clock::now();
            const auto t = mixup::detail::puzzle_terms(x, sal, perm, bn, o.puzzle);
            terms.push_back(ms_since(t0));
            t0 = Clock::now();
            const at::Tensor mask = mixup::detail::puzzle_cuts(t, 0.5F, o.puzzle.cut);
            cuts.push_back(ms_since(t0));
            t0 = Clock::now();
            if (transport) {
              mixup::detail::transport_batch(x, mask, t.saliency1, 0.8, {});
              mixup::detail::transport_batch(x.index_select(0, perm), 1 - mask, t.saliency2, 0.8, {});
            }
            moves.push_back(ms_since(t0));
          }
          const double med = bench::median(total);
          const double tt = bench::median(terms), tc = bench::median(cuts),
                       tm = bench::median(moves);
          if (is_puzzle) {
            std::printf("%-9s %3lld %6lld %9s %3lld %9.1f %9.1f %9.1f %9.1f %9.1f\n", method,
                        static_cast<long long>(channels), static_cast<long long>(bn),
                        transport ? "on" : "off", static_cast<long long>(threads), med, tt, tc, tm,
                        std::max(0.0, med - tt - tc - tm));
          } else {
            std::printf("%-9s %3lld %6lld %9s %3lld %9.1f %9s %9s %9s %9s\n", method,
                        static_cast<long long>(channels), static_cast<long long>(bn), "-",
                        static_cast<long long>(threads), med, "", "", "", "");
          }
          nlohmann::json row = {{"method", method}, {"channels", channels}, {"blocks", bn},
                                {"threads", threads}, {"batch", batch},
                                {"ms", total}, {"median_ms", med}};
          if (is_puzzle) {
            row["transport"] = transport;
            row["median_ms_terms"] = tt;
            row["median_ms_cuts"] = tc;
            row["median_ms_transport"] = tm;
          }
          rows.push_back(row);
        }
      }
    }
  }
  if (!out.empty()) write_json(out, {{"benchmark", "mixup"}, {"size", size}, {"rows", rows}});
  return 0;
}
