// dataopt info: version, threads, the BLAS LibTorch runs on, data sets found.

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>

#include "commands.h"
#include "dataopt/core/threads.h"
#include "dataopt/core/version.h"
#include "dataopt/data/registry.h"

namespace dataopt::cli {
namespace {

// The BLAS libraries mapped into this process (libopenblas, libblas, mkl).
std::string loaded_blas() {
  std::ifstream maps("/proc/self/maps");
  std::string line, found;
  while (std::getline(maps, line)) {
    const auto slash = line.rfind('/');
    if (slash == std::string::npos) continue;
    const std::string lib = line.substr(slash + 1);
    if ((lib.find("blas") != std::string::npos ||
         lib.find("mkl") != std::string::npos) &&
        found.find(lib) == std::string::npos) {
      found += (found.empty() ? "" : ", ") + lib;
    }
  }
  return found.empty() ? "none found" : found;
}

}  // namespace

void add_info_command(CLI::App& app, InfoArgs& args) {
  auto* cmd = app.add_subcommand(
      "info", "Show the version, threads, BLAS and the data sets found.");
  add_common_flags(*cmd, args.common);
  cmd->add_option("--data-dir", args.data_dir,
                  "also look for IDX data sets in this directory");
}

int run_info(const InfoArgs& args) {
  const int threads = apply_common(args.common);
  // A small product forces the BLAS library to load before we look for it.
  (void)torch::mm(torch::ones({64, 64}), torch::ones({64, 64})).sum().item<float>();
  std::cout << "dataopt " << kVersion << "\n";
  std::cout << "libtorch " << TORCH_VERSION << "\n";
  std::cout << "threads " << threads << " (cores " << num_cores() << ")\n";
  std::cout << "blas " << loaded_blas() << "\n";
  std::cout << "cuda " << (torch::cuda::is_available() ? "available" : "not available")
            << "\n";
  std::cout << "data sets:\n";
  for (const auto& info : data::dataset_registry()) {
    const bool here = data::dataset_available(info.name, args.data_dir);
    std::string dir = data::dataset_dir(info.name, args.data_dir).string();
    std::cout << "  " << info.name << ": "
              << (here ? "found in " + dir
                       : (dir.empty() ? "give --data-dir" : "not found in " + dir))
              << "\n";
  }
  return 0;
}

}  // namespace dataopt::cli
