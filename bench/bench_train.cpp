// Training throughput of a model (default: the ConvNet on 1x28x28, batch 256)
// with 1 and 2 LibTorch threads, measured side by side: each repeat times
// every thread count in turn, and the table reports medians.
//
//   bench_train [--model convnet] [--batch-size 256] [--steps 5] [--repeats 5]
//               [--threads 1,2] [--out results.json]

#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "dataopt/core/check.h"
#include "bench_util.h"
#include "dataopt/core/json_io.h"
#include "dataopt/core/threads.h"
#include "dataopt/core/version.h"
#include "dataopt/nn/model.h"
#include "dataopt/train/trainer.h"

int main(int argc, char** argv) {
  std::string model_name = "convnet", out_path, threads_text = "1,2";
  int64_t batch = 256, steps = 5, repeats = 5;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "bench_train: error: " << arg << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--model") model_name = next();
    else if (arg == "--batch-size") batch = std::stoll(next());
    else if (arg == "--steps") steps = std::stoll(next());
    else if (arg == "--repeats") repeats = std::stoll(next());
    else if (arg == "--threads") threads_text = next();
    else if (arg == "--out") out_path = next();
    else {
      std::cerr << "bench_train: error: unknown argument '" << arg << "'\n";
      return 2;
    }
  }
  std::vector<int> thread_counts;
  for (int64_t t : dataopt::bench::parse_int_list(threads_text)) {
    thread_counts.push_back(static_cast<int>(t));
  }
  const bool tune = std::getenv("DATAOPT_NO_TUNE_ALLOCATOR") == nullptr;
  if (tune) dataopt::tune_allocator();

  torch::manual_seed(0);
  auto model = dataopt::nn::make_model(
      {.name = model_name, .in_channels = 1, .image_size = 28, .num_classes = 10,
       .mean = {0.2861}, .std = {0.3530}});
  torch::optim::SGD opt(model->parameters(),
                        torch::optim::SGDOptions(0.01).momentum(0.9).weight_decay(5e-4));
  const at::Tensor x = torch::rand({batch, 1, 28, 28});
  const at::Tensor y = torch::randint(0, 10, {batch}, torch::kLong);
  model->train(true);
  auto step = [&] {
    const at::Tensor loss = torch::cross_entropy_loss(model->forward(x), y);
    opt.zero_grad();
    loss.backward();
    opt.step();
  };

  std::map<int, std::vector<double>> per_step;  // threads -> seconds per step
  for (int t : thread_counts) {  // warm-up per thread count
    dataopt::set_num_threads(t);
    step();
  }
  for (int64_t r = 0; r < repeats; ++r) {
    for (int t : thread_counts) {
      dataopt::set_num_threads(t);
      const auto t0 = std::chrono::steady_clock::now();
      for (int64_t s = 0; s < steps; ++s) step();
      const double sec =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      per_step[t].push_back(sec / static_cast<double>(steps));
    }
  }

  nlohmann::json rows = nlohmann::json::array();
  std::printf("%-10s %-8s %-7s %12s %14s %10s\n", "model", "batch", "threads",
              "s/step (med)", "images/s (med)", "speedup");
  const double base = dataopt::bench::median(per_step[thread_counts.front()]);
  for (int t : thread_counts) {
    const double m = dataopt::bench::median(per_step[t]);
    std::printf("%-10s %-8lld %-7d %12.4f %14.1f %9.2fx\n", model_name.c_str(),
                static_cast<long long>(batch), t, m, batch / m, base / m);
    rows.push_back({{"model", model_name}, {"batch_size", batch}, {"threads", t},
                    {"seconds_per_step_median", m}, {"images_per_second_median", batch / m},
                    {"seconds_per_step_all", per_step[t]}, {"speedup_vs_first", base / m}});
  }
  if (!out_path.empty()) {
    dataopt::write_json(out_path, {{"benchmark", "train_throughput"},
                                   {"dataopt_version", dataopt::kVersion},
                                   {"cores", dataopt::num_cores()},
                                   {"allocator_tuned", tune},
                                   {"steps_per_repeat", steps},
                                   {"repeats", repeats},
                                   {"results", rows}});
    std::printf("wrote %s\n", out_path.c_str());
  }
  return 0;
}
