#include "dataopt/data/registry.h"

#include "dataopt/core/check.h"
#include "dataopt/data/idx.h"

namespace dataopt::data {
namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kFashionClasses = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

// The file for one split and kind, with or without .gz ("" if absent).
fs::path find_file(const fs::path& dir, Split split, bool images) {
  const std::string prefix = split == Split::kTrain ? "train" : "t10k";
  const std::string base =
      prefix + (images ? "-images-idx3-ubyte" : "-labels-idx1-ubyte");
  for (const std::string& name : {base + ".gz", base}) {
    if (fs::exists(dir / name)) return dir / name;
  }
  // Some mirrors use a dot instead of the last dash.
  const std::string dotted =
      prefix + (images ? "-images.idx3-ubyte" : "-labels.idx1-ubyte");
  for (const std::string& name : {dotted + ".gz", dotted}) {
    if (fs::exists(dir / name)) return dir / name;
  }
  return {};
}

}  // namespace

const std::vector<DatasetInfo>& dataset_registry() {
  static const std::vector<DatasetInfo> registry = {
      {"fashion-mnist",
       "Zalando Fashion-MNIST, 60,000 train / 10,000 test, 1x28x28, 10 classes "
       "(Debian package dataset-fashion-mnist)",
       "/usr/share/datasets/fashion-mnist", kFashionClasses},
      {"mnist",
       "MNIST digits in the same IDX layout, 1x28x28, 10 classes (give "
       "--data-dir)",
       "", numbered_class_names(10)},
      {"idx",
       "any IDX image/label files named {train,t10k}-{images-idx3,labels-idx1}-"
       "ubyte[.gz] (give --data-dir); classes are numbered",
       "", {}},
  };
  return registry;
}

const DatasetInfo& dataset_info(const std::string& name) {
  std::string known;
  for (const auto& info : dataset_registry()) {
    if (info.name == name) return info;
    known += (known.empty() ? "" : ", ") + info.name;
  }
  DATAOPT_CHECK(false, "unknown data set '", name, "' (known: ", known, ")");
  return dataset_registry().front();  // unreachable
}

fs::path dataset_dir(const std::string& name, const fs::path& data_dir) {
  const auto& info = dataset_info(name);
  if (!data_dir.empty()) return data_dir;
  return info.default_dir;
}

bool dataset_available(const std::string& name, const fs::path& data_dir) {
  const fs::path dir = dataset_dir(name, data_dir);
  if (dir.empty()) return false;
  for (Split s : {Split::kTrain, Split::kTest}) {
    if (find_file(dir, s, true).empty() || find_file(dir, s, false).empty()) {
      return false;
    }
  }
  return true;
}

Dataset load_dataset(const std::string& name, Split split,
                     const fs::path& data_dir) {
  const auto& info = dataset_info(name);
  const fs::path dir = dataset_dir(name, data_dir);
  DATAOPT_CHECK(!dir.empty(), "data set '", name,
                "' has no default location: pass --data-dir DIR with the IDX "
                "files");
  DATAOPT_CHECK(fs::is_directory(dir), "data set '", name, "': directory ",
                dir, " does not exist",
                name == "fashion-mnist" && data_dir.empty()
                    ? " (install it: apt-get install dataset-fashion-mnist, or "
                      "run scripts/setup.sh)"
                    : "");
  const fs::path images_path = find_file(dir, split, true);
  const fs::path labels_path = find_file(dir, split, false);
  const std::string which = split == Split::kTrain ? "train" : "t10k";
  DATAOPT_CHECK(!images_path.empty(), "data set '", name, "': no ", which,
                "-images-idx3-ubyte[.gz] in ", dir);
  DATAOPT_CHECK(!labels_path.empty(), "data set '", name, "': no ", which,
                "-labels-idx1-ubyte[.gz] in ", dir);
  Dataset ds;
  ds.images = read_idx_images(images_path);
  ds.labels = read_idx_labels(labels_path);
  DATAOPT_CHECK(ds.images.size(0) == ds.labels.size(0), "data set '", name,
                "': ", images_path.string(), " has ", ds.images.size(0),
                " images but ", labels_path.string(), " has ",
                ds.labels.size(0), " labels");
  ds.class_names = info.class_names;
  if (ds.class_names.empty()) {
    // Numbered classes: count them over both splits so that they agree.
    int64_t k = ds.labels.numel() > 0 ? ds.labels.max().item<int64_t>() + 1 : 1;
    const Split other = split == Split::kTrain ? Split::kTest : Split::kTrain;
    const fs::path other_labels = find_file(dir, other, false);
    if (!other_labels.empty()) {
      const at::Tensor y = read_idx_labels(other_labels);
      if (y.numel() > 0) k = std::max(k, y.max().item<int64_t>() + 1);
    }
    ds.class_names = numbered_class_names(k);
  }
  ds.name = name + (split == Split::kTrain ? "/train" : "/test");
  ds.validate();
  return ds;
}

}  // namespace dataopt::data
