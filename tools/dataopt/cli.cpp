#include <CLI/CLI.hpp>

#include "commands.h"
#include "dataopt/core/check.h"
#include "dataopt/core/log.h"
#include "dataopt/core/threads.h"
#include "dataopt/core/version.h"

namespace dataopt::cli {

void add_common_flags(CLI::App& cmd, CommonArgs& common) {
  cmd.add_option("--threads", common.threads,
                 "LibTorch threads (0 = all cores)")
      ->check(CLI::NonNegativeNumber);
  cmd.add_flag("-q,--quiet", common.quiet,
               "no progress bars; only warnings and errors on stderr");
}

void add_training_flags(CLI::App& cmd, train::TrainOptions& o, bool resume_flag) {
  cmd.add_option("--epochs", o.epochs, "passes over the training set")->capture_default_str();
  cmd.add_option("--batch-size", o.batch_size, "examples per mini-batch")->capture_default_str();
  cmd.add_option("--lr", o.lr, "initial learning rate")->capture_default_str();
  cmd.add_option("--momentum", o.momentum, "SGD momentum")->capture_default_str();
  cmd.add_option("--weight-decay", o.weight_decay,
                 "L2 weight decay (0 helps a model memorize noisy labels)")
      ->capture_default_str();
  cmd.add_flag("--nesterov", o.nesterov, "Nesterov momentum (SGD)");
  const std::map<std::string, train::OptimizerKind> optimizers{
      {"sgd", train::OptimizerKind::kSgd}, {"adam", train::OptimizerKind::kAdam}};
  cmd.add_option("--optimizer", o.optimizer, "sgd or adam")
      ->transform(CLI::CheckedTransformer(optimizers, CLI::ignore_case))
      ->default_str("sgd");
  const std::map<std::string, train::ScheduleKind> schedules{
      {"constant", train::ScheduleKind::kConstant},
      {"step", train::ScheduleKind::kStep},
      {"cosine", train::ScheduleKind::kCosine}};
  cmd.add_option("--schedule", o.schedule, "constant, step or cosine")
      ->transform(CLI::CheckedTransformer(schedules, CLI::ignore_case))
      ->default_str("cosine");
  cmd.add_option("--milestones", o.milestones,
                 "step schedule: epochs at which lr is multiplied by gamma (default 50%,75%)")
      ->delimiter(',');
  cmd.add_option("--gamma", o.gamma, "step schedule: lr factor")->capture_default_str();
  cmd.add_flag("--augment", o.augment, "random flips and 2-pixel shifts");
  cmd.add_flag("--drop-last", o.drop_last, "drop the last incomplete batch");
  cmd.add_option("--seed", o.seed, "seed of initialisation, shuffling, augmentation")
      ->capture_default_str();
  cmd.add_option("--device", o.device, "cpu or cuda[:i]")->capture_default_str();
  cmd.add_flag("!--final-eval-only", o.eval_every_epoch,
               "evaluate on the test set only after the last epoch");
  if (resume_flag) {
    cmd.add_flag("!--no-resume", o.resume, "start afresh even if DIR/checkpoint.pt exists");
  }
}

int apply_common(const CommonArgs& common) {
  if (common.quiet) log::set_level(log::Level::kWarning);
  if (!tune_allocator()) log::warn("could not tune the allocator (mallopt refused)");
  return set_num_threads(common.threads);
}

int run_cli(const std::vector<std::string>& args) {
  CLI::App app{
      "dataopt: optimise the data deep learning learns from, with feedback "
      "from the network itself.",
      "dataopt"};
  app.require_subcommand(1);
  app.set_version_flag("--version", kVersion);
  app.footer("Run 'dataopt <command> --help' for the flags of a command.");

  InfoArgs info;
  TrainArgs train;
  AuditArgs audit;
  ViewArgs view;
  SphereArgs sphere;
  CauseArgs cause;
  MixCmdArgs mix;
  CondenseArgs condense;
  EvaluateSyntheticArgs evaluate_synthetic;
  PipelineArgs pipeline;
  add_info_command(app, info);
  add_train_command(app, train);
  add_audit_command(app, audit);
  add_view_command(app, view);
  add_sphere_command(app, sphere);
  add_cause_command(app, cause);
  add_mix_command(app, mix);
  add_condense_command(app, condense);
  add_evaluate_synthetic_command(app, evaluate_synthetic);
  add_pipeline_command(app, pipeline);

  // An unknown command gets a direct answer rather than CLI11's
  // "A subcommand is required".
  if (!args.empty() && !args[0].empty() && args[0][0] != '-') {
    std::string known;
    bool found = false;
    for (const auto* sub : app.get_subcommands({})) {
      known += (known.empty() ? "" : ", ") + sub->get_name();
      found = found || sub->get_name() == args[0];
    }
    DATAOPT_CHECK(found, "unknown command '", args[0], "' (known: ", known,
                  "; see 'dataopt --help')");
    // The same for commands with their own subcommands (dataopt cause ...).
    const CLI::App* top = app.get_subcommand(args[0]);
    if (!top->get_subcommands({}).empty() && args.size() > 1 && !args[1].empty() &&
        args[1][0] != '-') {
      std::string names;
      bool ok = false;
      for (const auto* sub : top->get_subcommands({})) {
        names += (names.empty() ? "" : ", ") + sub->get_name();
        ok = ok || sub->get_name() == args[1];
      }
      DATAOPT_CHECK(ok, "unknown command 'dataopt ", args[0], " ", args[1], "' (known: ", names,
                    "; see 'dataopt ", args[0], " --help')");
    }
  }
  // CLI11 wants argv order reversed.
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    std::cout << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::CallForVersion&) {
    std::cout << kVersion << "\n";
    return 0;
  } catch (const CLI::ParseError& e) {
    // A subcommand's --help is raised as CallForHelp from the subcommand.
    std::string where = "dataopt";
    for (const auto* sub : app.get_subcommands()) where += " " + sub->get_name();
    DATAOPT_CHECK(false, e.what(), " (see '", where, " --help')");
  }
  if (app.got_subcommand("info")) return run_info(info);
  if (app.got_subcommand("train")) return run_train(train);
  if (app.got_subcommand("audit")) return run_audit(audit);
  if (app.got_subcommand("view")) return run_view(view);
  if (app.got_subcommand("sphere")) return run_sphere(sphere);
  if (app.got_subcommand("cause")) return run_cause(cause);
  if (app.got_subcommand("mix")) return run_mix(mix);
  if (app.got_subcommand("condense")) return run_condense(condense);
  if (app.got_subcommand("evaluate-synthetic")) return run_evaluate_synthetic(evaluate_synthetic);
  if (app.got_subcommand("pipeline")) return run_pipeline(pipeline);
  DATAOPT_ASSERT(false, "no subcommand ran");
  return 1;
}

}  // namespace dataopt::cli
