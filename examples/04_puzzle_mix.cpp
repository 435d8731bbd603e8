// Example 4: train the ConvNet on Fashion-MNIST with Puzzle Mix and measure
// accuracy, calibration and FGSM robustness.
//
//   build/examples/example_puzzle_mix [epochs] [train_size]
//
// The images are padded to 32 x 32 so that every block grid (2, 4, 8, 16)
// divides them; the trainer's batch hook computes the saliency of the model
// under training, cuts and transports blocks, and sets soft targets.

#include <cstdio>
#include <cstdlib>
#include <exception>

#include "dataopt/core/threads.h"
#include "dataopt/data/normalize.h"
#include "dataopt/data/pad.h"
#include "dataopt/data/registry.h"
#include "dataopt/mixup/mix_training.h"
#include "dataopt/nn/model.h"
#include "dataopt/train/robustness.h"
#include "dataopt/train/trainer.h"

int main(int argc, char** argv) {
  using namespace dataopt;
  try {
    const int64_t epochs = argc > 1 ? std::atoll(argv[1]) : 1;
    const int64_t train_size = argc > 2 ? std::atoll(argv[2]) : 10000;
    set_num_threads(0);
    tune_allocator();

    const auto train_set = data::pad_to(
        data::load_dataset("fashion-mnist", data::Split::kTrain).head(train_size), 32);
    const auto test_set = data::pad_to(data::load_dataset("fashion-mnist", data::Split::kTest), 32);
    const auto stats = data::channel_stats(train_set.images);
    auto model = nn::make_model({.name = "convnet", .image_size = 32, .num_classes = 10,
                                 .width = 64, .mean = stats.mean, .std = stats.std});

    train::Trainer trainer(model, {.epochs = epochs, .batch_size = 100, .lr = 0.05});
    mixup::MixOptions mix{.kind = mixup::MixKind::kPuzzle};  // official defaults
    mixup::attach_mixing(trainer, mix, /*num_classes=*/10, /*seed=*/0);
    const auto result = trainer.fit(train_set, &test_set);

    std::printf("test accuracy %.4f  nll %.4f  ece %.4f  fgsm(8/255) %.4f\n",
                result.test.accuracy, result.test.nll, result.test.ece,
                train::fgsm_accuracy(*model, test_set, 8));
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
