// dataopt mix: draws one batch mixed by a mixer as a picture (inputs, their
// saliency, the partners, the masks and the mixed outputs), so a person can
// see what the mixer does.

#include <torch/torch.h>

#include <CLI/CLI.hpp>

#include "commands.h"
#include "outputs.h"
#include "dataopt/core/check.h"
#include "dataopt/core/log.h"
#include "dataopt/core/png.h"
#include "dataopt/core/rng.h"
#include "dataopt/data/image_grid.h"
#include "dataopt/data/normalize.h"
#include "dataopt/data/pad.h"
#include "dataopt/data/registry.h"
#include "dataopt/mixup/saliency.h"
#include "dataopt/nn/model.h"

namespace dataopt::cli {

void add_mix_command(CLI::App& app, MixCmdArgs& a) {
  auto* cmd = app.add_subcommand(
      "mix",
      "Draw a batch mixed by a mixer as PNG: rows are the inputs, their saliency, the\n"
      "partner inputs, the masks (weight of the input) and the mixed outputs.\n"
      "Example: dataopt mix --data fashion-mnist --mix puzzle --pad-to 32 --batch 16 "
      "--out grid.png");
  add_common_flags(*cmd, a.common);
  cmd->add_option("--data", a.data, "data set name")->capture_default_str();
  cmd->add_option("--data-dir", a.data_dir, "directory with the data set's IDX files");
  add_mix_flags(*cmd, a.mix);
  cmd->add_option("--batch", a.batch, "images in the batch")->capture_default_str();
  cmd->add_option("--seed", a.seed, "seed of the batch and the mixing draws")
      ->capture_default_str();
  cmd->add_option("--model", a.model,
                  "model.safetensors whose saliency guides Puzzle Mix / Co-Mixup (default: an "
                  "untrained ConvNet, whose saliency is not meaningful)");
  cmd->add_option("--out", a.out, "output PNG")->required();
}

at::Tensor mixed_examples_grid(const data::Dataset& set, const mixup::MixOptions& options,
                               std::shared_ptr<nn::Model> model, int64_t batch, uint64_t seed,
                               double* own_share) {
  at::Generator gen = make_generator(seed);
  const at::Tensor pick = torch::randperm(set.size(), gen, torch::kLong).slice(0, 0, batch);
  const at::Tensor x = set.images.index_select(0, pick);
  const at::Tensor y = set.labels.index_select(0, pick);

  if (!model) {
    const auto stats = data::channel_stats(set.images.slice(0, 0, 10000));
    model = nn::make_model({.in_channels = set.channels(), .image_size = set.height(),
                            .num_classes = set.num_classes(), .mean = stats.mean,
                            .std = stats.std, .seed = seed});
  }
  const auto mixer = mixup::make_mixer(options);
  mixup::MixBatch mb{.images = x, .labels = y};
  at::Tensor sal_rows;
  if (mixer->needs_saliency()) {
    mb.saliency = mixup::input_saliency(*model, x, y).saliency;
    const at::Tensor s = mb.saliency / mb.saliency.flatten(1).amax(1).clamp_min(1e-12).reshape({-1, 1, 1});
    sal_rows = s.unsqueeze(1);
  }
  if (!model->options().mean.empty()) mb.fill = torch::tensor(model->options().mean).to(torch::kFloat);
  const mixup::Mixed m = mixer->mix(mb, set.num_classes(), gen);
  if (own_share) *own_share = m.masks.mean().item<double>();

  // Rows of `batch` tiles each; grey images are shown as RGB by image_grid.
  std::vector<at::Tensor> rows = {x};
  if (sal_rows.defined()) rows.push_back(sal_rows.expand_as(x));
  rows.push_back(x.index_select(0, m.partners));
  rows.push_back(m.masks.unsqueeze(1).expand_as(x));
  rows.push_back(m.images.clamp(0, 1));
  std::vector<std::string> captions;
  for (size_t r = 0; r < rows.size(); ++r) {
    for (int64_t i = 0; i < batch; ++i) {
      if (r == 0) {
        captions.push_back(std::to_string(y[i].item<int64_t>()));
      } else if (r + 3 == rows.size()) {
        captions.push_back(std::to_string(y[m.partners[i].item<int64_t>()].item<int64_t>()));
      } else if (r + 2 == rows.size()) {
        captions.push_back(std::to_string(
            static_cast<int>(std::lround(100 * m.masks[i].mean().item<double>()))));
      } else {
        captions.emplace_back("");
      }
    }
  }
  const at::Tensor grid = data::image_grid(torch::cat(rows),
                                           {.columns = batch, .scale = 2, .captions = captions});
  return grid;
}

int run_mix(const MixCmdArgs& a) {
  apply_common(a.common);
  DATAOPT_CHECK(a.batch >= 2, "--batch must be >= 2, got ", a.batch);
  const mixup::MixOptions options = a.mix.resolved();
  DATAOPT_CHECK(options.kind != mixup::MixKind::kNone, "--mix: choose a mixer to draw");
  DATAOPT_CHECK(options.kind != mixup::MixKind::kManifold,
                "--mix manifold mixes hidden states inside the network: there are no mixed "
                "images to draw");
  data::Dataset set = data::load_dataset(a.data, data::Split::kTrain, a.data_dir);
  if (a.mix.pad_to > 0) set = data::pad_to(set, a.mix.pad_to);
  DATAOPT_CHECK(a.batch <= set.size(), "--batch ", a.batch, ": the data set has only ", set.size(),
                " images");
  std::shared_ptr<nn::Model> model;
  const bool saliency = mixup::make_mixer(options)->needs_saliency();
  if (!a.model.empty()) {
    model = nn::load_model(a.model);
  } else if (saliency) {
    log::warn("no --model: saliency of an untrained ConvNet");
  }
  const at::Tensor grid = mixed_examples_grid(set, options, model, a.batch, a.seed);
  write_png(a.out, grid);
  std::printf("%s: %lld images mixed by %s (rows: input%s, partner, mask %%, output) -> %s\n",
              a.data.c_str(), static_cast<long long>(a.batch), a.mix.kind.c_str(),
              saliency ? ", saliency" : "", a.out.c_str());
  return 0;
}

}  // namespace dataopt::cli
