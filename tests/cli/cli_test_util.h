#pragma once
// Helpers shared by the in-process CLI tests.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "commands.h"
#include "dataopt/core/error.h"

namespace dataopt::cli::test_util {

/// The message of the dataopt::Error that `dataopt <args>` throws; a test
/// failure if it does not throw.
inline std::string error_of(const std::vector<std::string>& args) {
  try {
    run_cli(args);
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for the given arguments";
  return "";
}

}  // namespace dataopt::cli::test_util
