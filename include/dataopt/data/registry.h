#pragma once
/// \file
/// Named data sets. "fashion-mnist" reads Debian's dataset-fashion-mnist
/// (/usr/share/datasets/fashion-mnist/); "mnist" and "idx" read the same four
/// IDX files from a directory the user gives (`--data-dir`).
///
///   auto train = data::load_dataset("fashion-mnist", data::Split::kTrain);
///   auto test  = data::load_dataset("mnist", data::Split::kTest, "/data/mnist");

#include <filesystem>
#include <string>
#include <vector>

#include "dataopt/data/dataset.h"

namespace dataopt::data {

enum class Split { kTrain, kTest };

struct DatasetInfo {
  std::string name;
  std::string description;
  /// Default directory ("" if the user must give one).
  std::string default_dir;
  std::vector<std::string> class_names;
};

/// All registered data sets.
const std::vector<DatasetInfo>& dataset_registry();

/// The entry for `name`; throws dataopt::Error listing the known names.
const DatasetInfo& dataset_info(const std::string& name);

/// Directory searched for `name` (data_dir if given, else the default).
std::filesystem::path dataset_dir(const std::string& name,
                                  const std::filesystem::path& data_dir = {});

/// Whether the files of `name` are present (in data_dir or the default).
bool dataset_available(const std::string& name,
                       const std::filesystem::path& data_dir = {});

/// Loads a split. Files are `{train,t10k}-{images-idx3,labels-idx1}-ubyte`
/// with or without `.gz`. Throws dataopt::Error naming the directory and the
/// package to install when files are missing.
Dataset load_dataset(const std::string& name, Split split,
                     const std::filesystem::path& data_dir = {});

}  // namespace dataopt::data
