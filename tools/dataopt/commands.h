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
#include "dataopt/condense/condenser.h"
#include "dataopt/condense/evaluate.h"
#include "dataopt/mixup/mixer.h"
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

/// The mixer and its options as flags (shared by train and mix).
struct MixArgs {
  std::string kind = "none";
  /// Beta / Dirichlet concentration; 0 = the method's official default
  /// (mixup 1, manifold 2, cutmix 1, puzzle 1, comix 2).
  double alpha = 0;
  /// Clean-loss weight; < 0 = the method's default (puzzle 0, comix 1).
  double clean_lam = -1;
  mixup::MixOptions options;
  /// Zero-pad images to N x N (0 = as they are), e.g. 32 for Fashion-MNIST.
  int64_t pad_to = 0;

  /// options with kind and alpha filled in and validated.
  mixup::MixOptions resolved() const;
  /// A text naming every option that shapes training (for the fingerprint).
  std::string tag() const;
};

struct MixCmdArgs {
  CommonArgs common;
  std::string data = "fashion-mnist";
  std::string data_dir;
  MixArgs mix;
  int64_t batch = 16;
  uint64_t seed = 0;
  /// Trained model.safetensors for the saliency; "" = a fresh ConvNet.
  std::string model;
  std::string out;
};

struct TrainArgs {
  CommonArgs common;
  std::string data = "fashion-mnist";
  std::string data_dir;
  /// A synthetic set (`dataopt condense`) to train on instead of --data's
  /// training split; --data still gives the test set.
  std::string data_file;
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
  /// Batch mixing (--mix and the mixer's flags, add_mix_flags).
  MixArgs mix;
  /// FGSM accuracy at eps/255 after training (< 0: not measured).
  double fgsm_eps = -1;
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

/// `dataopt condense`: IDC / IDC-I, or a baseline, writing a synthetic set.
struct CondenseArgs {
  CommonArgs common;
  std::string data = "fashion-mnist";
  std::string data_dir;
  /// Use only the first N training / test examples (0 = all).
  int64_t train_size = 0;
  int64_t test_size = 0;
  /// idc (IDC with --factor, IDC-I with --factor 1), random, first-k,
  /// herding, kcenter or mf-init.
  std::string method = "idc";
  /// Every CondenseOptions field, bound to its flag (--ipc, --factor, ...).
  condense::CondenseOptions options;
  std::string init = "auto";
  std::string metric = "l1";
  /// Continue DIR/checkpoint (--resume) or start afresh (--no-resume); with
  /// neither, an existing checkpoint is an error (nothing is lost silently).
  bool resume = false;
  bool no_resume = false;
  /// herding / kcenter: model.safetensors whose features rank the examples
  /// ("" = train a ConvNet-3 for feature_epochs and save it in DIR).
  std::string feature_model;
  int64_t feature_epochs = 1;
  /// Evaluate right after condensing (as `dataopt evaluate-synthetic`).
  bool evaluate = false;
  condense::EvalOptions eval;
  std::string out;
};

/// `dataopt evaluate-synthetic DIR`: the evaluation protocol on DIR/synthetic.safetensors.
struct EvaluateSyntheticArgs {
  CommonArgs common;
  std::string dir;
  /// Test data ("" = the data set named in DIR/summary.json).
  std::string data;
  std::string data_dir;
  int64_t test_size = 0;
  condense::EvalOptions eval;
};

/// `dataopt pipeline`: train, audit, clean, retrain, condense, mix, report.
struct PipelineArgs {
  CommonArgs common;
  std::string data = "fashion-mnist";
  std::string data_dir;
  /// A safetensors file with train_/test_ images and labels (own data);
  /// replaces --data.
  std::string data_file;
  /// Use only the first N training / test examples (0 = all).
  int64_t train_size = 0;
  int64_t test_size = 0;
  /// Symmetric (or pair) label noise injected into the training labels; 0 = none.
  double noise_rate = 0.1;
  std::string noise_kind = "symmetric";
  uint64_t noise_seed = 0;
  std::string model = "convnet";
  int64_t width = 0;
  /// Training of stages 1 (noisy labels) and 4 (cleaned): epochs, lr, seed, ...
  train::TrainOptions train;
  /// Models trained in stages 1 and 4 (seeds seed, seed+1, ...) for the
  /// spread of the accuracy gained by cleaning.
  int64_t seeds = 2;
  /// remove, relabel (to the model's prediction) or none.
  std::string clean = "remove";
  /// Largest fraction of the training set stage 3 may touch: a weak model
  /// can make the relation graph flag most of the data.
  double max_clean = 0.3;
  /// The score that ranks examples for cleaning: nrg (the relation graph),
  /// nrg_loss (its rank average with the loss: stronger on models that have
  /// not memorized the noise) or loss. How many are touched is always the
  /// relation graph's estimate.
  std::string clean_score = "nrg";
  /// Stage 5: IDC stored images per class and factor; its evaluation epochs.
  int64_t ipc = 10;
  int64_t factor = 2;
  int64_t eval_epochs = 100;
  /// Minutes of IDC (0 = a fifth of --budget-minutes, else 3).
  double condense_minutes = 0;
  /// Stage 6: puzzle or comix, trained for mix_epochs (0 = the training epochs).
  std::string mix = "puzzle";
  int64_t mix_epochs = 0;
  /// Overall budget in minutes (0 = none): IDC gets a fifth of it.
  double budget_minutes = 0;
  /// Stop after stage N (1-6; 0 = run all): to run the pipeline in parts.
  int64_t stop_after = 0;
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
int run_mix(const MixCmdArgs& args);
int run_condense(const CondenseArgs& args);
int run_evaluate_synthetic(const EvaluateSyntheticArgs& args);
int run_pipeline(const PipelineArgs& args);

/// Registration of each subcommand's flags (cmd_<name>.cpp).
void add_info_command(CLI::App& app, InfoArgs& args);
void add_train_command(CLI::App& app, TrainArgs& args);
void add_audit_command(CLI::App& app, AuditArgs& args);
void add_view_command(CLI::App& app, ViewArgs& args);
void add_sphere_command(CLI::App& app, SphereArgs& args);
void add_cause_command(CLI::App& app, CauseArgs& args);
void add_mix_command(CLI::App& app, MixCmdArgs& args);
void add_condense_command(CLI::App& app, CondenseArgs& args);
void add_evaluate_synthetic_command(CLI::App& app, EvaluateSyntheticArgs& args);
void add_pipeline_command(CLI::App& app, PipelineArgs& args);
/// --mix, --pad-to and every mixer option (mix_flags.cpp).
void add_mix_flags(CLI::App& cmd, MixArgs& mix);
void add_common_flags(CLI::App& cmd, CommonArgs& common);
/// Flags for every field of TrainOptions except checkpoint_dir and progress
/// (set from --out and --quiet); --no-resume only where `resume_flag`.
void add_training_flags(CLI::App& cmd, train::TrainOptions& opts, bool resume_flag);

/// Applies CommonArgs (threads, log level); returns the thread count.
int apply_common(const CommonArgs& common);

}  // namespace dataopt::cli
