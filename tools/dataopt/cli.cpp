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
  add_info_command(app, info);
  add_train_command(app, train);
  add_audit_command(app, audit);
  add_view_command(app, view);
  add_sphere_command(app, sphere);

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
  DATAOPT_ASSERT(false, "no subcommand ran");
  return 1;
}

}  // namespace dataopt::cli
