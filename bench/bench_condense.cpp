// IDC condensation speed: seconds per inner iteration (10 class matching
// steps + the network's own training on n_data real examples) at several
// IPC, factors and thread counts, broken down by stage (data, augmentation,
// matching loss = real and synthetic gradients, double backward to the
// pixels + image update, network update), and the projected time of the
// official schedule (200,000 inner iterations). Prints a table, writes JSON.
//
//   bench_condense --ipc 1,10,50 --factor 2 --threads 1,2 --iters 4 \
//       --out bench/results/condense_speed.json
//
// The first inner iteration of each case is a warm-up and is not counted;
// the per-iteration figure is the median of the rest.

#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench_util.h"
#include "dataopt/condense/condenser.h"
#include "dataopt/core/json_io.h"
#include "dataopt/core/threads.h"
#include "dataopt/data/registry.h"

using namespace dataopt;
using Clock = std::chrono::steady_clock;

namespace {

std::string arg(int argc, char** argv, const std::string& name, const std::string& def) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == name) return argv[i + 1];
  }
  return def;
}

}  // namespace

int main(int argc, char** argv) {
  const auto ipcs = bench::parse_int_list(arg(argc, argv, "--ipc", "1,10,50"));
  const auto factors = bench::parse_int_list(arg(argc, argv, "--factor", "2"));
  const auto threads_list = bench::parse_int_list(arg(argc, argv, "--threads", "1,2"));
  const int64_t iters = std::stoll(arg(argc, argv, "--iters", "4"));
  const int64_t train_size = std::stoll(arg(argc, argv, "--train-size", "0"));
  const int64_t width = std::stoll(arg(argc, argv, "--width", "128"));
  const std::string data_name = arg(argc, argv, "--data", "fashion-mnist");
  const std::string out = arg(argc, argv, "--out", "");
  tune_allocator();

  data::Dataset train = data::load_dataset(data_name, data::Split::kTrain);
  if (train_size > 0) train = train.head(train_size);

  nlohmann::json rows = nlohmann::json::array();
  std::printf("%4s %3s %3s %10s %8s %8s %8s %8s %8s %12s\n", "ipc", "f", "thr", "s/iter", "data",
              "augment", "match", "img-grad", "net-upd", "schedule h");
  for (int64_t threads : threads_list) {
    set_num_threads(static_cast<int>(threads));
    for (int64_t ipc : ipcs) {
      for (int64_t factor : factors) {
        condense::CondenseOptions o;
        o.ipc = ipc;
        o.factor = factor;
        o.net_width = width;
        o.stop_after = iters + 1;
        o.progress = false;
        std::vector<double> per_iter;
        auto last = Clock::now();
        const auto r = condense::condense_idc(train, o, {}, [&](int64_t, int64_t, double) {
          const auto now = Clock::now();
          per_iter.push_back(std::chrono::duration<double>(now - last).count());
          last = now;
        });
        // Drop the warm-up iteration (it also builds the first network).
        std::vector<double> counted(per_iter.begin() + 1, per_iter.end());
        const double med = bench::median(counted);
        const double n = static_cast<double>(r.inner_iterations);
        const auto& st = r.stages;
        const double hours = med * static_cast<double>(o.outer_iterations() * o.inner_loop) / 3600.0;
        std::printf("%4lld %3lld %3lld %10.2f %8.2f %8.2f %8.2f %8.2f %8.2f %12.0f\n",
                    static_cast<long long>(ipc), static_cast<long long>(factor),
                    static_cast<long long>(threads), med, st.data / n, st.augment / n,
                    st.match_loss / n, st.image_grad / n, st.net_update / n, hours);
        std::fflush(stdout);
        rows.push_back({{"ipc", ipc},
                        {"factor", factor},
                        {"threads", threads},
                        {"net_width", width},
                        {"seconds_per_inner_iteration_median", med},
                        {"seconds_per_inner_iteration", counted},
                        {"stages_mean_seconds",
                         {{"data", st.data / n},
                          {"augment", st.augment / n},
                          {"match_loss", st.match_loss / n},
                          {"image_grad", st.image_grad / n},
                          {"net_update", st.net_update / n}}},
                        {"decoded_per_class", std::min(ipc * factor * factor, o.batch_syn_max)},
                        {"schedule_hours_projected", hours}});
      }
    }
  }
  if (!out.empty()) {
    write_json(out, {{"benchmark", "condense_speed"},
                     {"data", data_name},
                     {"train_size", train.size()},
                     {"iters_counted", iters},
                     {"rows", rows}});
    std::printf("wrote %s\n", out.c_str());
  }
  return 0;
}
