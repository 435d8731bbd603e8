#pragma once
// The dataopt command line: one function per subcommand, each taking a plain
// struct of arguments, so that tests can call them in-process. Parsing
// (CLI11) stays in this directory; the library never sees it.

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "dataopt/causal/inference.h"
#include "dataopt/causal/simulator.h"
#include "dataopt/causal/tcd_trainer.h"
#include "dataopt/relgraph/relation_graph.h"
#include "dataopt/spherepc/lpg.h"
#include "dataopt/spherepc/spc.h"
#include "dataopt/train/trainer.h"

namespace CLI {
class App;
}

namespace dataopt::cli {

/// Options every subcommand accepts.
struct CommonArgs {
  /// LibTorch threads; 0 = all cores.
  int threads = 0;
  /// No progress bars; only warnings and errors on stderr.
  bool quiet = false;
};

struct InfoArgs {
  CommonArgs common;
  std::string data_dir;
};

struct TrainArgs {
  CommonArgs common;
  std::string data = "fashion-mnist";
  std::string data_dir;
  /// Use only the first N training / test examples (0 = all).
  int64_t train_size = 0;
  int64_t test_size = 0;
  std::string model = "convnet";
  int64_t width = 0;
  int64_t depth = 0;
  /// Every training option, bound to its flag directly (add_training_flags);
  /// checkpoint_dir comes from --out and progress from --quiet.
  train::TrainOptions opts;
  std::string out;
  bool save_features = false;
  /// CSV of decisions (index,label,action) from `dataopt view`: relabel and
  /// remove training examples before training.
  std::string labels_override;
};

struct AuditArgs {
  CommonArgs common;
  /// Data, model and training flags (train_size, opts.epochs, opts.lr, out, ...).
  TrainArgs train;
  double noise_rate = 0.1;
  std::string noise_kind = "symmetric";
  uint64_t noise_seed = 0;
  int64_t folds = 0;
  std::vector<int64_t> holdout_classes;
  std::string features, probs, labels, truth;
  /// The relation graph's options, bound to their flags directly (--pow,
  /// --ood-pow, --threshold, --reg, --chunk, --top-k, --half); the CLI keeps
  /// 8 partners per example for the viewer.
  relgraph::RelationGraphOptions graph{.top_k = 8};
  /// 2D map for the viewer: pca or tsne.
  std::string embedding = "pca";
  /// Also write images.npy (uint8 thumbnails) when the data has images.
  bool save_images = true;
  std::string filter_by = "prune_by_noise_rate";
  int64_t top = 50;

  AuditArgs() { train.opts.epochs = 3; }
};

struct SphereArgs {
  CommonArgs common;
  /// spc, spc-hauberg, pga, lpg, circle or mean.
  std::string method;
  std::string input;
  /// Column names ("" = longitude/lon/long and latitude/lat).
  std::string lon, lat;
  /// SPC / SPC.Hauberg options, bound to --q, --T, --step-size, --maxit,
  /// --delete-points, --kernel, --type, --geometry.
  spherepc::SpcOptions spc;
  /// LPG options, bound to --scale, --tau, --nu, --maxpt, --seed.
  spherepc::LpgOptions lpg;
  /// --thres; NaN = the method's default (spc 0.1, spc-hauberg 0.01,
  /// lpg 1e-4, circle and mean 1e-5).
  double thres = std::numeric_limits<double>::quiet_NaN();
  /// --kernel as text: the default depends on the method (quartic; lpg: indicator).
  std::string kernel;
  /// --maxit; -1 = the method's default (spc 10, circle 10000).
  int64_t maxit = -1;
  std::string type = "intrinsic";
  std::string geometry = "sphere";
  std::string out;
  /// Skip plot.svg.
  bool plot = true;
};

/// `dataopt cause simulate|infer|eval|train`.
struct CauseArgs {
  CommonArgs common;
  /// Which of the four ran.
  std::string action;
  // simulate
  /// ecoli, yeast, er, sf, sf-in, sbm or a TSV file (regulator, target, sign).
  std::string graph = "ecoli";
  /// Network file graphs: keep a connected piece of this many genes (0 = all).
  int64_t genes = 0;
  /// Random graphs: variables and expected edges per variable.
  int64_t n_vars = 300;
  double edges_per_var = 2;
  causal::SimulatorOptions simulator;
  std::string level = "counts";
  // infer
  std::string data;
  std::string model;
  /// Target variable names (repeatable or comma-separated).
  std::vector<std::string> target;
  /// "all", or a number N: N targets evenly spaced over the variables that
  /// have at least one cause (over all variables when the data has no truth).
  std::string targets;
  causal::InferenceOptions inference;
  /// Preprocessing shift; NaN = the model file's `shift` metadata, else 10.
  double shift = std::numeric_limits<double>::quiet_NaN();
  // eval
  std::string scores;
  // train
  causal::TcdTrainOptions training;
  std::string train_level = "dropout";
  std::string out;
};

struct ViewArgs {
  CommonArgs common;
  /// Directory written by `dataopt audit --out DIR`.
  std::string dir;
  /// TCP port; 0 = any free port (printed).
  int port = 8765;
  std::string host = "127.0.0.1";
};

/// Parses `args` (without the program name) and runs the subcommand.
/// Returns the exit code; throws dataopt::Error on bad input, including
/// unknown flags and bad values (the message names the flag).
int run_cli(const std::vector<std::string>& args);

int run_info(const InfoArgs& args);
int run_train(const TrainArgs& args);
int run_audit(const AuditArgs& args);
/// Serves until the process is killed.
int run_view(const ViewArgs& args);
int run_sphere(const SphereArgs& args);
int run_cause(const CauseArgs& args);

/// Registration of each subcommand's flags (cmd_<name>.cpp).
void add_info_command(CLI::App& app, InfoArgs& args);
void add_train_command(CLI::App& app, TrainArgs& args);
void add_audit_command(CLI::App& app, AuditArgs& args);
void add_view_command(CLI::App& app, ViewArgs& args);
void add_sphere_command(CLI::App& app, SphereArgs& args);
void add_cause_command(CLI::App& app, CauseArgs& args);
void add_common_flags(CLI::App& cmd, CommonArgs& common);
/// Flags for every field of TrainOptions except checkpoint_dir and progress
/// (set from --out and --quiet); --no-resume only where `resume_flag`.
void add_training_flags(CLI::App& cmd, train::TrainOptions& opts, bool resume_flag);

/// Applies CommonArgs (threads, log level); returns the thread count.
int apply_common(const CommonArgs& common);

}  // namespace dataopt::cli
