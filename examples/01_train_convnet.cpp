// Example 1: train the ConvNet on Fashion-MNIST with the dataopt library.
//
//   build/examples/example_train_convnet [epochs]
//
// Loads the data set from Debian's dataset-fashion-mnist, builds the ConvNet
// with the training set's normalisation, trains with SGD + cosine schedule and
// prints test accuracy, NLL and calibration error.

#include <cstdio>
#include <cstdlib>
#include <exception>

#include "dataopt/core/threads.h"
#include "dataopt/data/normalize.h"
#include "dataopt/data/registry.h"
#include "dataopt/nn/model.h"
#include "dataopt/train/trainer.h"

int main(int argc, char** argv) {
  using namespace dataopt;
  try {
    const int64_t epochs = argc > 1 ? std::atoll(argv[1]) : 1;
    set_num_threads(0);  // all cores
    tune_allocator();    // reuse large buffers instead of mmap/munmap

    const auto train_set = data::load_dataset("fashion-mnist", data::Split::kTrain);
    const auto test_set = data::load_dataset("fashion-mnist", data::Split::kTest);
    const auto stats = data::channel_stats(train_set.images);

    auto model = nn::make_model({.name = "convnet",
                                 .in_channels = 1,
                                 .image_size = 28,
                                 .num_classes = 10,
                                 .mean = stats.mean,
                                 .std = stats.std});
    train::Trainer trainer(model, {.epochs = epochs, .batch_size = 128, .lr = 0.01});
    const auto result = trainer.fit(train_set, &test_set);

    std::printf("test accuracy %.4f  nll %.4f  ece %.4f\n", result.test.accuracy,
                result.test.nll, result.test.ece);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "example: error: %s\n", e.what());
    return 1;
  }
}
