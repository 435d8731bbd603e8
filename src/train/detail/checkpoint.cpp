#include "train/detail/checkpoint.h"

#include "dataopt/core/atomic_file.h"
#include "dataopt/core/check.h"

namespace dataopt::train::detail {
namespace {

torch::Tensor string_tensor(const std::string& s) {
  return torch::from_blob(const_cast<char*>(s.data()),
                          {static_cast<int64_t>(s.size())}, torch::kUInt8)
      .clone();
}

std::string tensor_string(const torch::Tensor& t) {
  const torch::Tensor c = t.contiguous();
  return std::string(static_cast<const char*>(c.data_ptr()),
                     static_cast<size_t>(c.numel()));
}

}  // namespace

void save_checkpoint(const std::filesystem::path& path, torch::nn::Module& model,
                     torch::optim::Optimizer& optimizer,
                     const CheckpointInfo& info) {
  torch::serialize::OutputArchive archive;
  torch::serialize::OutputArchive model_archive;
  model.save(model_archive);
  archive.write("model", model_archive);
  torch::serialize::OutputArchive optim_archive;
  optimizer.save(optim_archive);
  archive.write("optimizer", optim_archive);
  archive.write("epoch", torch::tensor(info.epoch, torch::kLong));
  archive.write("history", string_tensor(info.history_json));
  archive.write("model_options", string_tensor(info.options_json));
  write_file_atomic(path, [&](std::ostream& out) { archive.save_to(out); });
}

CheckpointInfo load_checkpoint(const std::filesystem::path& path,
                               torch::nn::Module& model,
                               torch::optim::Optimizer& optimizer,
                               const std::string& expected_options_json) {
  CheckpointInfo info;
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path.string());
    torch::Tensor t;  // read() into an undefined tensor: a defined one is resized
    archive.read("model_options", t);
    info.options_json = tensor_string(t);
  } catch (const c10::Error& e) {
    DATAOPT_CHECK(false, path.string(), ": corrupt checkpoint (",
                  e.what_without_backtrace(), ")");
  }
  DATAOPT_CHECK(info.options_json == expected_options_json, path.string(),
                ": checkpoint was written by a run with other model or training "
                "options; remove it to start afresh (dataopt train: --no-resume). "
                "Checkpoint: ", info.options_json, "; this run: ",
                expected_options_json);
  try {
    torch::serialize::InputArchive model_archive, optim_archive;
    archive.read("model", model_archive);
    model.load(model_archive);
    archive.read("optimizer", optim_archive);
    optimizer.load(optim_archive);
    torch::Tensor epoch, history;
    archive.read("epoch", epoch);
    info.epoch = epoch.item<int64_t>();
    archive.read("history", history);
    info.history_json = tensor_string(history);
  } catch (const c10::Error& e) {
    DATAOPT_CHECK(false, path.string(), ": corrupt checkpoint (",
                  e.what_without_backtrace(), ")");
  }
  return info;
}

}  // namespace dataopt::train::detail
