#pragma once
// Training checkpoints in LibTorch's archive format: model parameters and
// buffers, optimizer state, the epoch reached and the epoch history (JSON).
// Written atomically (temporary file + rename).

#include <torch/torch.h>

#include <filesystem>
#include <string>

namespace dataopt::train::detail {

struct CheckpointInfo {
  int64_t epoch = 0;          // epochs completed
  std::string history_json;   // JSON array of EpochStats
  std::string options_json;   // model + training options: a run resumes
                              // only a checkpoint with the same ones
};

void save_checkpoint(const std::filesystem::path& path, torch::nn::Module& model,
                     torch::optim::Optimizer& optimizer,
                     const CheckpointInfo& info);

/// Loads into `model` and `optimizer`; throws dataopt::Error naming the file
/// if it is corrupt or was written for another model.
CheckpointInfo load_checkpoint(const std::filesystem::path& path,
                               torch::nn::Module& model,
                               torch::optim::Optimizer& optimizer,
                               const std::string& expected_options_json);

}  // namespace dataopt::train::detail
